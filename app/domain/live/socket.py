"""The live socket ``/ws``: order status changes for the warehouses and orders a client follows.

Delivery protocol. A subscription is registered with the channels plugin *before* the missed
changes are read from the status history, so nothing committed in between is lost. Every send goes
through one lock that also records which seqs this socket has already sent: the replay runs under
that lock, and a live event arriving during or after it is dropped when its seq went out already.
A socket that follows a warehouse and one of its orders therefore gets each change once.

The socket never keeps a database session open: each lookup and replay opens a short read session
and closes it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin, Subscriber
from litestar.exceptions import WebSocketDisconnect
from litestar.security.jwt import Token
from sqlalchemy import select

from app.db import Database
from app.db.models import Order, Warehouse
from app.domain.auth.schemas import AuthUser
from app.domain.auth.tokens import read_token
from app.domain.live.history import latest_seq, load_missed_changes
from app.domain.live.publisher import order_channel, warehouse_channel
from app.domain.live.registry import LiveRegistry, get_registry
from app.domain.live.schemas import (
    AuthMessage,
    ClientMessage,
    ErrorMessage,
    PingMessage,
    PongMessage,
    ReadyMessage,
    ResyncMessage,
    SubscribedMessage,
    SubscribeMessage,
    UnsubscribedMessage,
    UnsubscribeMessage,
)
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = ["AUTH_TIMEOUT_SECONDS", "MAX_SUBSCRIPTIONS", "live_socket"]

log = get_logger(__name__)

AUTH_TIMEOUT_SECONDS = 15.0
MAX_SUBSCRIPTIONS = 50
# Sent seqs kept for de-duplication. A repeat comes from a replay that ran just before the live
# copy arrives, so the newest 10,000 are plenty.
SENT_SEQ_MEMORY = 10_000
SENT_PAYLOAD_MEMORY = 100
CLOSE_NOT_AUTHENTICATED = 4401

_decoder = msgspec.json.Decoder(ClientMessage)
_encoder = msgspec.json.Encoder()


class _SocketClosed(Exception):
    """The client went away while the server was sending."""


class LiveConnection:
    """One authenticated live socket with its subscriptions."""

    def __init__(self, socket: WebSocket, user: AuthUser, channels: ChannelsPlugin, db: Database, registry: LiveRegistry) -> None:
        self.socket = socket
        self.user = user
        self.channels = channels
        self.db = db
        self.registry = registry
        self.settings = db.settings
        self.subscribers: dict[str, tuple[Subscriber, asyncio.Task[None]]] = {}
        self._send_lock = asyncio.Lock()
        self._sent: set[int] = set()
        self._sent_order: deque[int] = deque()
        self._sent_payloads: deque[bytes] = deque(maxlen=SENT_PAYLOAD_MEMORY)
        self.closed = False

    async def send(self, message: msgspec.Struct) -> None:
        """Send one message. Raise _SocketClosed when the client is gone."""
        async with self._send_lock:
            await self._send_unlocked(_encoder.encode(message))

    async def _send_unlocked(self, payload: bytes) -> None:
        if self.closed:
            raise _SocketClosed
        try:
            await self.socket.send_text(payload.decode())
        except (WebSocketDisconnect, RuntimeError, OSError) as exc:
            self.closed = True
            raise _SocketClosed from exc

    def _remember(self, seq: int) -> bool:
        """Record ``seq`` as sent and return False when it was sent before."""
        if seq in self._sent:
            return False
        self._sent.add(seq)
        self._sent_order.append(seq)
        if len(self._sent_order) > SENT_SEQ_MEMORY:
            self._sent.discard(self._sent_order.popleft())
        return True

    def _remember_payload(self, payload: bytes) -> bool:
        """Record a seq-less event by its bytes and return False when the same bytes were sent recently."""
        if payload in self._sent_payloads:
            return False
        self._sent_payloads.append(payload)
        return True

    async def _send_change(self, seq: int, payload: bytes) -> None:
        async with self._send_lock:
            if self._remember(seq):
                await self._send_unlocked(payload)

    async def _pump(self, channel: str, subscriber: Subscriber) -> None:
        """Forward live events of one subscription until it is unsubscribed or the socket closes."""
        try:
            async for event in subscriber.iter_events():
                try:
                    body = msgspec.json.decode(event)
                    seq = body.get("seq")
                except (msgspec.DecodeError, AttributeError):
                    log.warning("live event that is not a JSON object dropped", channel=channel, user_id=str(self.user.id))
                    continue
                if seq is None:
                    # Tracking updates carry no seq and are never replayed. The same update reaches a
                    # socket once per channel it follows (warehouse and order), so repeats are
                    # recognised by their exact bytes.
                    async with self._send_lock:
                        if self._remember_payload(event):
                            await self._send_unlocked(event)
                    continue
                await self._send_change(int(seq), event)
        except _SocketClosed:
            return

    async def handle(self, message: ClientMessage) -> None:
        """Act on one decoded client message."""
        if isinstance(message, SubscribeMessage):
            await self.subscribe(message)
        elif isinstance(message, UnsubscribeMessage):
            await self.unsubscribe(message)
        elif isinstance(message, PingMessage):
            await self.send(PongMessage())
        elif isinstance(message, AuthMessage):
            await self.send(ErrorMessage(code="already_authenticated", message="this socket is already signed in: send subscribe"))

    @staticmethod
    def _channel_of(message: SubscribeMessage | UnsubscribeMessage) -> str | None:
        if (message.warehouse_id is None) == (message.order_id is None):
            return None
        if message.warehouse_id is not None:
            return warehouse_channel(message.warehouse_id)
        return order_channel(message.order_id)  # type: ignore[arg-type]

    async def _check_target(self, message: SubscribeMessage) -> str | None:
        """Return an error text when the warehouse or order does not exist."""
        async with self.db.read() as session:
            if message.warehouse_id is not None:
                if await session.scalar(select(Warehouse.id).where(Warehouse.id == message.warehouse_id)) is None:
                    return f"warehouse {message.warehouse_id} not found"
            elif await session.scalar(select(Order.id).where(Order.id == message.order_id)) is None:
                return f"order {message.order_id} not found"
        return None

    async def subscribe(self, message: SubscribeMessage) -> None:
        """Start following a warehouse or an order, replaying what the client missed."""
        channel = self._channel_of(message)
        if channel is None:
            await self.send(ErrorMessage(code="invalid_subscription", message="send exactly one of warehouse_id and order_id"))
            return
        if channel not in self.subscribers and len(self.subscribers) >= MAX_SUBSCRIPTIONS:
            await self.send(
                ErrorMessage(code="too_many_subscriptions", message=f"a socket follows at most {MAX_SUBSCRIPTIONS} channels: unsubscribe first")
            )
            return
        problem = await self._check_target(message)
        if problem is not None:
            await self.send(ErrorMessage(code="not_found", message=problem))
            return

        if channel not in self.subscribers:
            # Subscribe before reading the history, so that a change committed during the replay
            # arrives live instead of falling between the two.
            subscriber = await self.channels.subscribe([channel])
            task = asyncio.create_task(self._pump(channel, subscriber), name=f"live-pump-{channel}")
            self.subscribers[channel] = (subscriber, task)
            self.registry.subscriptions[channel] += 1

        async with self._send_lock:
            async with self.db.read() as session:
                if message.last_seq is None:
                    replay = None
                    newest = await latest_seq(session)
                else:
                    replay = await load_missed_changes(
                        session,
                        after_seq=message.last_seq,
                        max_events=self.settings.status_history_resume_max,
                        warehouse_id=message.warehouse_id,
                        order_id=message.order_id,
                    )
                    newest = replay.last_seq
            resumed = 0
            if replay is not None and replay.resync:
                log.info("live client must resync", channel=channel, last_seq=message.last_seq, missed=replay.missed, user_id=str(self.user.id))
                await self._send_unlocked(
                    _encoder.encode(
                        ResyncMessage(channel=channel, missed=replay.missed, max_replay=self.settings.status_history_resume_max, last_seq=newest)
                    )
                )
            elif replay is not None:
                for change in replay.changes:
                    if self._remember(change.seq):
                        await self._send_unlocked(_encoder.encode(change))
                        resumed += 1
            await self._send_unlocked(
                _encoder.encode(
                    SubscribedMessage(
                        channel=channel, warehouse_id=message.warehouse_id, order_id=message.order_id, last_seq=newest, resumed=resumed
                    )
                )
            )

    async def unsubscribe(self, message: UnsubscribeMessage) -> None:
        """Stop following a warehouse or an order."""
        channel = self._channel_of(message)
        if channel is None:
            await self.send(ErrorMessage(code="invalid_subscription", message="send exactly one of warehouse_id and order_id"))
            return
        await self._drop(channel)
        await self.send(UnsubscribedMessage(channel=channel))

    async def _drop(self, channel: str) -> None:
        entry = self.subscribers.pop(channel, None)
        if entry is None:
            return
        subscriber, task = entry
        self.registry.subscriptions[channel] -= 1
        if self.registry.subscriptions[channel] <= 0:
            del self.registry.subscriptions[channel]
        try:
            await self.channels.unsubscribe(subscriber, [channel])
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def close(self) -> None:
        """Release every subscription. Calling it again does nothing."""
        self.closed = True
        for channel in list(self.subscribers):
            try:
                await self._drop(channel)
            except Exception:  # one broken subscription must not keep the others alive
                log.exception("releasing a live subscription failed", channel=channel, user_id=str(self.user.id))


def _decode(raw: str | bytes) -> ClientMessage | ErrorMessage:
    try:
        return _decoder.decode(raw)
    except msgspec.ValidationError as exc:
        return ErrorMessage(code="invalid_message", message=f"invalid message: {exc}")
    except msgspec.DecodeError:
        return ErrorMessage(code="invalid_json", message="the message is not valid JSON: send one JSON object per message")


async def _receive(socket: WebSocket) -> str | bytes:
    event: dict[str, Any] = await socket.receive()  # type: ignore[assignment]
    if event["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(detail="client disconnected", code=event.get("code", 1000))
    text = event.get("text")
    return text if text is not None else (event.get("bytes") or b"")


async def _send_raw(socket: WebSocket, message: msgspec.Struct) -> None:
    await socket.send_text(_encoder.encode(message).decode())


async def _authenticate(socket: WebSocket, jwt_auth: Any) -> tuple[AuthUser, datetime] | None:
    """Read the token from ``?token=`` or the first message and return its user and expiry time.

    On failure send an error and return None.
    """
    token = socket.query_params.get("token")
    if token is None:
        try:
            raw = await asyncio.wait_for(_receive(socket), timeout=AUTH_TIMEOUT_SECONDS)
        except TimeoutError:
            await _send_raw(socket, ErrorMessage(code="not_authenticated", message=f"no auth message within {AUTH_TIMEOUT_SECONDS:.0f} seconds"))
            return None
        message = _decode(raw)
        if isinstance(message, ErrorMessage):
            await _send_raw(socket, message)
            return None
        if not isinstance(message, AuthMessage):
            await _send_raw(
                socket, ErrorMessage(code="not_authenticated", message='sign in first: send {"type": "auth", "token": "<bearer token>"}')
            )
            return None
        token = message.token
    user = read_token(jwt_auth, token)
    if user is None:
        await _send_raw(socket, ErrorMessage(code="not_authenticated", message="the token is invalid or expired: sign in again"))
        return None
    # read_token has verified the signature, so decoding again only reads the expiry claim.
    expires_at = Token.decode(token, secret=jwt_auth.token_secret, algorithm=jwt_auth.algorithm).exp
    return user, expires_at


@websocket("/ws", name="live_socket")
async def live_socket(socket: WebSocket) -> None:
    """Push order status changes to an authenticated client (protocol in app.domain.live.schemas)."""
    state = socket.app.state
    registry = get_registry(state)
    await socket.accept()
    registry.sockets += 1
    connection: LiveConnection | None = None
    try:
        signed_in = await _authenticate(socket, state.jwt_auth)
        if signed_in is None:
            await socket.close(code=CLOSE_NOT_AUTHENTICATED, reason="not authenticated")
            return
        user, expires_at = signed_in
        registry.authenticated += 1
        connection = LiveConnection(socket, user, state.channels, state.db, registry)
        log.info("live socket opened", user_id=str(user.id), username=user.username)
        await connection.send(ReadyMessage(username=user.username, role=user.role))
        while True:
            try:
                raw = await asyncio.wait_for(_receive(socket), timeout=max((expires_at - utcnow()).total_seconds(), 0))
            except TimeoutError:
                # A socket outlives its token only until the expiry: then the client signs in again.
                log.info("live socket token expired", user_id=str(user.id))
                await connection.send(ErrorMessage(code="not_authenticated", message="the token has expired: sign in again"))
                await socket.close(code=CLOSE_NOT_AUTHENTICATED, reason="token expired")
                return
            message = _decode(raw)
            if isinstance(message, ErrorMessage):
                await connection.send(message)
                continue
            try:
                await connection.handle(message)
            except (WebSocketDisconnect, _SocketClosed):
                raise
            except Exception:
                # Keep the socket open: the client may retry, and its other subscriptions still work.
                log.exception("live message failed", message_type=type(message).__name__, user_id=str(user.id))
                await connection.send(ErrorMessage(code="internal_error", message="the server failed to handle that message: try again"))
    except (WebSocketDisconnect, _SocketClosed):
        pass
    finally:
        registry.sockets -= 1
        user_id = None
        if connection is not None:
            registry.authenticated -= 1
            await connection.close()
            user_id = str(connection.user.id)
        log.info("live socket closed", user_id=user_id, open_sockets=registry.sockets)
