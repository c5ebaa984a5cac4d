"""The shared test vectors, run against the server's interpreter (the browser test runs the twin)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.domain.barcodes.errors import BarcodeError
from app.domain.barcodes.interpret import ScannerSettings, error_to_wire, interpret, to_wire

VECTORS_PATH = Path(__file__).resolve().parents[2] / "barcode_vectors.json"
VECTORS: list[dict[str, Any]] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))


def interpret_wire(raw: str, settings: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the wire form of ``interpret``, errors included, as the handheld twin returns it."""
    try:
        return to_wire(interpret(raw, ScannerSettings(**(settings or {}))))
    except BarcodeError as exc:
        return error_to_wire(exc)


def test_vector_names_unique() -> None:
    names = [vector["name"] for vector in VECTORS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_vector(vector: dict[str, Any]) -> None:
    result = interpret_wire(vector["raw"], vector.get("settings"))
    for key, expected in vector["expect"].items():
        assert result.get(key) == expected, f"{key}: {result}"
