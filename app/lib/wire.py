"""Strict decoding of request bodies into msgspec Structs, with errors that name the field."""

from __future__ import annotations

from typing import Annotated, TypeVar

import msgspec

from app.lib.errors import InvalidInputError

__all__ = ["StoredInt", "decode_body", "encode_json"]

T = TypeVar("T")

# A whole number that a request stores. It stays within PostgreSQL's INTEGER (2**31 - 1), so a
# value out of range gets a 400 naming the field instead of a database error.
StoredInt = Annotated[int, msgspec.Meta(ge=-1_000_000_000, le=1_000_000_000)]


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
