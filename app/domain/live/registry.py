"""Counts of open live sockets and their channel subscriptions, for operations and leak checks."""

from __future__ import annotations

from collections import Counter
from typing import Any

import msgspec
from litestar.channels import ChannelsPlugin

__all__ = ["LiveConnectionStats", "LiveRegistry", "get_registry"]


class LiveConnectionStats(msgspec.Struct):
    """Open sockets, the subscriptions they hold, and the subscribers the channels plugin still tracks.

    ``channel_subscribers`` counts every subscriber in the plugin, so a subscription that outlived
    its socket shows up there even though ``subscriptions`` no longer counts it.
    """

    sockets: int
    authenticated_sockets: int
    subscriptions: int
    channel_subscribers: int
    channels: dict[str, int]


class LiveRegistry:
    """In-process bookkeeping of live sockets (one per server process)."""

    def __init__(self) -> None:
        self.sockets = 0
        self.authenticated = 0
        self.subscriptions: Counter[str] = Counter()

    def stats(self, channels: ChannelsPlugin | None) -> LiveConnectionStats:
        """Return the current counts, reading the plugin's subscriber table."""
        # The plugin keeps no public count; its private table is the only view of what it holds.
        table: dict[str, set[Any]] = getattr(channels, "_channels", {}) if channels is not None else {}
        per_channel = {name: len(subscribers) for name, subscribers in table.items() if subscribers}
        return LiveConnectionStats(
            sockets=self.sockets,
            authenticated_sockets=self.authenticated,
            subscriptions=sum(self.subscriptions.values()),
            channel_subscribers=sum(per_channel.values()),
            channels=per_channel,
        )


def get_registry(state: Any) -> LiveRegistry:
    """Return the app's registry, creating it on first use."""
    registry = getattr(state, "live_registry", None)
    if registry is None:
        registry = LiveRegistry()
        state.live_registry = registry
    return registry
