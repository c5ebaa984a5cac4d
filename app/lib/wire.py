"""Strict decoding of request bodies into msgspec Structs, with errors that name the field."""

from __future__ import annotations

from typing import TypeVar

import msgspec

from app.lib.errors import InvalidInputError

__all__ = ["decode_body", "encode_json"]

T = TypeVar("T")


def decode_body(body: bytes, struct_type: type[T]) -> T:
    """Decode a JSON body into ``struct_type``; raise :class:`InvalidInputError` naming the bad field."""
    if not body.strip():
        raise InvalidInputError("the request body is empty: send a JSON object")
    try:
        return msgspec.json.decode(body, type=struct_type)
    except msgspec.ValidationError as exc:
        path = str(exc).rsplit(" - at `", 1)
        field = path[1].rstrip("`") if len(path) == 2 else ""
        raise InvalidInputError(f"invalid request body: {exc}", field=field.removeprefix("$.")) from None
    except msgspec.DecodeError as exc:
        raise InvalidInputError(f"the request body is not valid JSON: {exc}") from None


def encode_json(value: object) -> bytes:
    """Encode ``value`` as JSON bytes."""
    return msgspec.json.encode(value)
