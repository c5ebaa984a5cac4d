"""Messages of the live socket ``/ws``, both directions, tagged by their ``type`` field.

A client sends ``auth`` first (unless the URL carries ``?token=``), then ``subscribe`` to a
warehouse or an order, optionally with ``last_seq`` to receive what it missed. The server sends
``order_status`` events (see :class:`app.domain.live.publisher.StatusChange`), acknowledgements,
``resync`` when too much was missed, and ``error`` for a message it cannot use. Other messages
published on the same channels, such as ``order_tracking`` and ``alert``, are forwarded as they are.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

__all__ = [
    "AuthMessage",
    "ClientMessage",
    "ErrorMessage",
    "PingMessage",
    "ReadyMessage",
    "ResyncMessage",
    "SubscribeMessage",
    "SubscribedMessage",
    "UnsubscribeMessage",
    "UnsubscribedMessage",
]

Seq = Annotated[int, msgspec.Meta(ge=0)]


class AuthMessage(msgspec.Struct, tag="auth", tag_field="type", forbid_unknown_fields=True):
    token: str


class SubscribeMessage(msgspec.Struct, tag="subscribe", tag_field="type", forbid_unknown_fields=True):
    """Follow one warehouse or one order; ``last_seq`` requests every change after that seq."""

    warehouse_id: UUID | None = None
    order_id: UUID | None = None
    last_seq: Seq | None = None


class UnsubscribeMessage(msgspec.Struct, tag="unsubscribe", tag_field="type", forbid_unknown_fields=True):
    warehouse_id: UUID | None = None
    order_id: UUID | None = None


class PingMessage(msgspec.Struct, tag="ping", tag_field="type", forbid_unknown_fields=True):
    pass


ClientMessage = AuthMessage | SubscribeMessage | UnsubscribeMessage | PingMessage


class ReadyMessage(msgspec.Struct, tag="ready", tag_field="type"):
    """Sent once the socket is authenticated."""

    username: str
    role: str


class SubscribedMessage(msgspec.Struct, tag="subscribed", tag_field="type"):
    """Sent after a subscription is live and any missed changes were sent.

    ``last_seq`` is the newest seq in the status history at that moment; ``resumed`` counts the
    missed changes sent before this message.
    """

    channel: str
    warehouse_id: UUID | None
    order_id: UUID | None
    last_seq: int
    resumed: int


class UnsubscribedMessage(msgspec.Struct, tag="unsubscribed", tag_field="type"):
    channel: str


class ResyncMessage(msgspec.Struct, tag="resync", tag_field="type"):
    """The client missed too much to replay: it reloads its snapshot over REST and continues from ``last_seq``."""

    channel: str
    missed: int
    max_replay: int
    last_seq: int


class PongMessage(msgspec.Struct, tag="pong", tag_field="type"):
    pass


class ErrorMessage(msgspec.Struct, tag="error", tag_field="type"):
    code: str
    message: str
