"""UTC time helpers and a liberal timestamp parser for Starshipit's payloads."""

from __future__ import annotations

import re
from datetime import UTC, datetime

__all__ = ["parse_timestamp", "utcnow"]

# Starshipit emits .NET timestamps with up to seven fractional digits; Python reads at most six.
_FRACTION = re.compile(r"(\.\d{6})\d+")


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO 8601 timestamp into aware UTC.

    Accepts a trailing ``Z``, more than six fractional digits (extra digits are truncated) and no
    offset at all, which is read as UTC. Raises ``ValueError`` for anything else.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    text = _FRACTION.sub(r"\1", text)
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
