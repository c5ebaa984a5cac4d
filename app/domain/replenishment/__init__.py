"""Replenishment: refill pick faces from bulk storage, after picks and on demand.

Importing this package installs the session hooks that plan a replenishment job whenever a
transaction moves stock out of a pick face (see :mod:`app.domain.replenishment.hooks`).
"""

from app.domain.replenishment import hooks as _hooks  # noqa: F401  installs the session hooks
