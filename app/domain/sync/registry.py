"""The registry of scan command types.

A command type is a msgspec Struct for its payload plus one async handler. Adding a type is one
decorated function in the domain package that owns the action::

    class MovePayload(msgspec.Struct, forbid_unknown_fields=True):
        from_location: str
        item: str
        quantity: int
        to_location: str

    @register_command("move", MovePayload)
    async def apply_move(context: CommandContext, payload: MovePayload) -> CommandOutcome:
        ...

The handler runs inside the command's own write transaction (``context.session``). It raises a
:class:`~app.lib.errors.DomainError` to reject the command; the sync service then records the
rejection for supervisors. Warnings (stock driven negative) go in ``CommandOutcome.warnings`` and
make the status ``applied_with_warning``. Any other exception means a server fault: nothing is
stored and the device is told to retry.

Then append the module's dotted name to ``COMMAND_MODULES`` in :mod:`app.domain.sync.modules`, so
that the server imports it before the sync endpoint serves its first batch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.domain.auth.schemas import AuthUser

__all__ = ["CommandContext", "CommandOutcome", "CommandType", "get_command_type", "register_command", "registered_types"]

P = TypeVar("P", bound=msgspec.Struct)


@dataclass
class CommandContext:
    """The command being applied and the transaction it runs in."""

    session: AsyncSession
    user: AuthUser
    device_id: str
    command_id: UUID
    device_seq: int
    device_time: datetime | None
    settings: Settings
    # Filled by the handler: StatusChange objects to publish, or zero-argument callables to run,
    # after the command's transaction commits (never when it rolls back).
    after_commit: list[Any] = field(default_factory=list)


@dataclass
class CommandOutcome:
    """A handler's result (returned to the device as JSON) and any warnings."""

    result: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CommandType:
    name: str
    payload_type: type[msgspec.Struct]
    handler: Callable[[CommandContext, Any], Awaitable[CommandOutcome]]


_TYPES: dict[str, CommandType] = {}


def register_command(name: str, payload_type: type[P]) -> Callable[[Callable[[CommandContext, P], Awaitable[CommandOutcome]]], Callable[[CommandContext, P], Awaitable[CommandOutcome]]]:
    """Register the decorated coroutine as the handler of command type ``name``."""

    def decorator(handler: Callable[[CommandContext, P], Awaitable[CommandOutcome]]) -> Callable[[CommandContext, P], Awaitable[CommandOutcome]]:
        if name in _TYPES and _TYPES[name].handler is not handler:
            raise ValueError(f"command type {name!r} is registered twice")
        _TYPES[name] = CommandType(name, payload_type, handler)
        return handler

    return decorator


def get_command_type(name: str) -> CommandType | None:
    """Return the registered command type ``name``, or None."""
    return _TYPES.get(name)


def registered_types() -> list[str]:
    """Return the names of every registered command type."""
    return sorted(_TYPES)
