"""Operational view of the live socket: how many are open and what they subscribe to."""

from __future__ import annotations

from litestar import Controller, get
from litestar.datastructures import State

from app.domain.auth.guards import requires_supervisor
from app.domain.live.registry import LiveConnectionStats, get_registry

__all__ = ["LiveController"]


class LiveController(Controller):
    path = "/api/v1/live"
    tags = ["live"]
    guards = [requires_supervisor]

    @get("/connections", operation_id="GetLiveConnections", cache=False)
    async def connections(self, state: State) -> LiveConnectionStats:
        """Return the open sockets of this process and the channel subscribers they hold (supervisor)."""
        return get_registry(state).stats(state.channels)
