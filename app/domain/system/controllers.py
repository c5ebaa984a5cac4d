"""Health check."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.datastructures import State
from sqlalchemy.exc import SQLAlchemyError

from app.db.migrate import check_schema
from app.lib.errors import SchemaOutdatedError
from app.lib.logging import get_logger

__all__ = ["HealthController"]

log = get_logger(__name__)


class HealthController(Controller):
    path = "/health"
    tags = ["system"]

    @get("/", operation_id="GetHealth", cache=False)
    async def health(self, state: State) -> Response[dict[str, str]]:
        """Return 200 once the database is reachable and at the current schema, 503 otherwise."""
        try:
            await check_schema(state.db.read_engine)
        except SchemaOutdatedError as exc:
            return Response({"status": "schema_outdated", "message": str(exc)}, status_code=503)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("health check cannot reach the database", error=str(exc))
            return Response({"status": "database_unreachable", "message": str(exc)}, status_code=503)
        return Response({"status": "ok"})
