"""Batch validation before anything is applied: fingerprints, types, payloads, sequence numbers."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec
import pytest

import app.domain.sync.stock_commands  # noqa: F401  registers move and adjust
from app.domain.sync.schemas import CommandEnvelope, SyncRequest
from app.domain.sync.validation import CommandIdReusedError, command_fingerprint, prepare_batch
from app.lib.errors import InvalidInputError


def envelope(seq: int, quantity: int = 1, *, command_id: uuid.UUID | None = None, kind: str = "move", device_id: str = "HH-1") -> CommandEnvelope:
    payload = {"from_location": "A", "item": "SKU-A", "quantity": quantity, "to_location": "B"}
    return CommandEnvelope(command_id or uuid.uuid4(), device_id, "op1", seq, datetime(2026, 1, 1), kind, payload)


def test_fingerprint_ignores_key_order() -> None:
    first = command_fingerprint("move", {"a": 1, "b": {"x": 1, "y": 2}})
    second = command_fingerprint("move", {"b": {"y": 2, "x": 1}, "a": 1})
    assert first == second


def test_fingerprint_sees_values() -> None:
    assert command_fingerprint("move", {"quantity": 1}) != command_fingerprint("move", {"quantity": 2})
    assert command_fingerprint("move", {"quantity": 1}) != command_fingerprint("adjust", {"quantity": 1})


def test_batch_sorted_by_seq() -> None:
    prepared = prepare_batch(SyncRequest("HH-1", [envelope(3), envelope(1), envelope(2)]), 10)
    assert [command.envelope.device_seq for command in prepared] == [1, 2, 3]
    assert prepared[0].device_time.tzinfo is not None


def test_copy_marked_duplicate() -> None:
    original = envelope(1)
    prepared = prepare_batch(SyncRequest("HH-1", [original, envelope(1, command_id=original.command_id)]), 10)
    assert [command.copy_of for command in prepared] == [None, 0]


def test_copy_other_payload_422() -> None:
    original = envelope(1)
    with pytest.raises(CommandIdReusedError) as caught:
        prepare_batch(SyncRequest("HH-1", [original, envelope(1, 5, command_id=original.command_id)]), 10)
    assert caught.value.detail["index"] == 1


def test_two_commands_one_seq() -> None:
    with pytest.raises(InvalidInputError) as caught:
        prepare_batch(SyncRequest("HH-1", [envelope(1), envelope(1)]), 10)
    assert caught.value.detail["field"] == "commands[1].device_seq"


def test_batch_over_maximum() -> None:
    with pytest.raises(InvalidInputError) as caught:
        prepare_batch(SyncRequest("HH-1", [envelope(seq) for seq in range(1, 4)]), 2)
    assert caught.value.detail["maximum"] == 2


def test_unknown_type_names_index() -> None:
    with pytest.raises(InvalidInputError) as caught:
        prepare_batch(SyncRequest("HH-1", [envelope(1), envelope(2, kind="fly")]), 10)
    assert caught.value.detail["field"] == "commands[1].type"
    assert "move" in caught.value.message


def test_payload_field_named() -> None:
    with pytest.raises(InvalidInputError) as caught:
        prepare_batch(SyncRequest("HH-1", [envelope(1, 0)]), 10)
    assert caught.value.detail["field"] == "commands[0].payload.quantity"


def test_other_device_rejected() -> None:
    with pytest.raises(InvalidInputError) as caught:
        prepare_batch(SyncRequest("HH-1", [envelope(1, device_id="HH-2")]), 10)
    assert caught.value.detail["field"] == "commands[0].device_id"


def test_envelope_forbids_unknown() -> None:
    body = {"device_id": "HH-1", "commands": [], "extra": 1}
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(body, SyncRequest)
