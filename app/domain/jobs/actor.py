"""The actor of a domain operation: the signed-in user, and the device and scan command if any."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from app.db.models import Role
from app.domain.auth.schemas import AuthUser

__all__ = ["Actor"]


@dataclass(frozen=True)
class Actor:
    """The signed-in user behind an operation; device and command ids are set for scan commands."""

    user: AuthUser
    device_id: str | None = None
    command_id: UUID | None = None
    scan: str | None = None

    @property
    def user_id(self) -> UUID:
        """Id of the signed-in user."""
        return self.user.id

    @property
    def is_supervisor(self) -> bool:
        """True for supervisors and admins."""
        return Role(self.user.role).rank >= Role.SUPERVISOR.rank

    def movement_fields(self) -> dict:
        """Return the ledger columns that identify who moved stock, for ``record_movement``."""
        return {"operator_id": self.user.id, "device_id": self.device_id, "command_id": self.command_id, "scan": self.scan}
