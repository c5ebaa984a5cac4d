"""Sliding-window counter of failed sign-ins per client."""

from __future__ import annotations

import time
from collections import defaultdict, deque

from app.lib.errors import RateLimitedError

__all__ = ["FailedLoginLimiter"]


class FailedLoginLimiter:
    """Reject sign-ins from a client after ``attempts`` failures within ``window`` seconds.

    NOTE: counters live in this process's memory, so each worker process counts separately.
    A shared store such as Redis would make the limit exact across workers.
    """

    def __init__(self, attempts: int, window: int) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _prune(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return failures

    def check(self, key: str) -> None:
        """Raise :class:`RateLimitedError` while ``key`` is locked out."""
        now = time.monotonic()
        failures = self._prune(key, now)
        if len(failures) >= self.attempts:
            retry_after = max(1, int(self.window - (now - failures[0])) + 1)
            raise RateLimitedError(
                f"too many failed sign-ins from this device: wait {retry_after} seconds, then try again",
                retry_after=retry_after,
            )

    def record_failure(self, key: str) -> None:
        """Count one failed attempt for ``key``."""
        self._failures[key].append(time.monotonic())

    def reset(self, key: str) -> None:
        """Forget the failures of ``key`` after a successful sign-in."""
        self._failures.pop(key, None)
