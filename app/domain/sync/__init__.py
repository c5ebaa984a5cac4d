"""Scan commands from devices, applied exactly once and in device order (offline sync)."""

from app.domain.sync.modules import COMMAND_MODULES, load_command_modules

__all__ = ["COMMAND_MODULES", "load_command_modules"]
