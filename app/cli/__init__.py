"""The ``wms`` command line."""

from __future__ import annotations

from app.cli.main import cli, main

__all__ = ["cli", "main"]
