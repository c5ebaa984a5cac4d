"""Server-rendered pages: the supervisor order board. The templates carry no per-user data."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.response import Redirect, Template

__all__ = ["PageController"]


class PageController(Controller):
    include_in_schema = False

    @get("/", cache=False)
    async def index(self) -> Redirect:
        """Send a browser that opens the server's root to the order board."""
        return Redirect(path="/board", status_code=302)

    @get("/board", cache=False)
    async def board(self) -> Response:
        """Render the order board shell; board.js signs in and loads the orders."""
        return Template(template_name="board.html", context={"page_title": "Order board"}, headers={"Cache-Control": "no-cache"})
