"""The modules that define scan command types, imported before the sync endpoint serves.

To add a command type, write one function decorated with
:func:`app.domain.sync.registry.register_command` in the domain package that owns the action, and
append that module's dotted name to :data:`COMMAND_MODULES`.
"""

from __future__ import annotations

import importlib
import os

from app.lib.logging import get_logger

__all__ = ["COMMAND_MODULES", "load_command_modules"]

log = get_logger(__name__)

COMMAND_MODULES: list[str] = [
    "app.domain.sync.stock_commands",  # move, adjust
    "app.domain.outbound.commands",  # pick, pack
    "app.domain.inbound.commands",  # receive, putaway
    "app.domain.counts.commands",  # count
]

# Extra modules, comma-separated, for deployments and tests that add command types of their own.
EXTRA_MODULES_VARIABLE = "WMS_EXTRA_COMMAND_MODULES"


def load_command_modules() -> list[str]:
    """Import every command module (registering its types) and return the names imported."""
    extra = [name.strip() for name in os.environ.get(EXTRA_MODULES_VARIABLE, "").split(",") if name.strip()]
    names = [*COMMAND_MODULES, *extra]
    for name in names:
        importlib.import_module(name)
    return names
