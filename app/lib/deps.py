"""Names of the injected dependencies, for handler signatures."""

from __future__ import annotations

from litestar.di import NamedDependency

from app.db import Database

__all__ = ["DatabaseDep"]

DatabaseDep = NamedDependency[Database]
