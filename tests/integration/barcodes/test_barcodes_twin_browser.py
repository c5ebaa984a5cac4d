"""The handheld twin (pwa/barcodes.js), served by a real server and run in headless Chromium,
must return exactly what the server's interpreter returns for every shared vector."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from app.domain.barcodes.errors import BarcodeError
from app.domain.barcodes.gs1 import check_digit
from app.domain.barcodes.interpret import ScannerSettings, error_to_wire, interpret, to_wire
from app.domain.barcodes.resolve import product_codes

pytestmark = [pytest.mark.anyio, pytest.mark.browser]

VECTORS: list[dict[str, Any]] = json.loads((Path(__file__).resolve().parents[2] / "barcode_vectors.json").read_text(encoding="utf-8"))

RUN_IN_BROWSER = """
async (cases) => {
  const module = await import("/pwa/barcodes.js");
  return cases.map((item) => module.interpret(item.raw, item.settings ?? {}));
}
"""


def python_wire(raw: str, settings: dict[str, str] | None) -> dict[str, Any]:
    try:
        return to_wire(interpret(raw, ScannerSettings(**(settings or {}))))
    except BarcodeError as exc:
        return error_to_wire(exc)


def fuzz_cases(count: int) -> list[dict[str, Any]]:
    """Seeded random scans built from the pieces scanners really send, valid and broken."""
    rng = random.Random(20261204)
    pieces = ["01", "10", "17", "21", "00", "02", "37", "30", "3103", "8003", "241", "90", "7007", "\x1d", "|",
              "]C1", "]d2", "]E0", "]A0", "(01)", "(10)", "A", "z", "-", "/", "(", "é", "\n", " ",
              "https://id.example", "/01/", "/10/", "?17=", "&3103=", "%2F", "%E9", "%zz"]
    cases: list[dict[str, Any]] = []
    for _ in range(count):
        parts: list[str] = []
        for _ in range(rng.randint(1, 6)):
            if rng.random() < 0.5:
                parts.append(rng.choice(pieces))
            else:
                body = "".join(rng.choice("0123456789") for _ in range(rng.choice([5, 6, 11, 12, 13, 17])))
                parts.append(body + str(check_digit(body)) if rng.random() < 0.7 else body + "0")
        settings = {"separator": "|"} if rng.random() < 0.2 else {}
        cases.append({"raw": "".join(parts), "settings": settings})
    return cases


async def test_twin_matches_vectors(live_server: Any, page: Any) -> None:
    await page.goto(live_server.url + "/pwa/barcodes.js")
    results = await page.evaluate(RUN_IN_BROWSER, VECTORS)
    assert len(results) == len(VECTORS)
    for vector, browser_result in zip(VECTORS, results, strict=True):
        server_result = python_wire(vector["raw"], vector.get("settings"))
        assert browser_result == server_result, vector["name"]
        for key, expected in vector["expect"].items():
            assert browser_result.get(key) == expected, f"{vector['name']}: {key}"


async def test_twin_matches_fuzz(live_server: Any, page: Any) -> None:
    cases = fuzz_cases(600)
    await page.goto(live_server.url + "/pwa/barcodes.js")
    results = await page.evaluate(RUN_IN_BROWSER, cases)
    differences = [
        (case["raw"], result, python_wire(case["raw"], case["settings"]))
        for case, result in zip(cases, results, strict=True)
        if result != python_wire(case["raw"], case["settings"])
    ]
    assert differences == []


async def test_twin_split_scans(live_server: Any, page: Any) -> None:
    await page.goto(live_server.url + "/pwa/barcodes.js")
    parts = await page.evaluate('async () => (await import("/pwa/barcodes.js")).splitScans("ITEM-001\\nLOC-A1\\n")')
    assert parts == ["ITEM-001", "LOC-A1"]


async def test_twin_product_codes(live_server: Any, page: Any) -> None:
    await page.goto(live_server.url + "/pwa/barcodes.js")
    results = await page.evaluate(
        """async (cases) => {
          const module = await import("/pwa/barcodes.js");
          return cases.map((item) => module.productCodes(module.interpret(item.raw, item.settings ?? {})));
        }""",
        VECTORS,
    )
    for vector, browser_codes in zip(VECTORS, results, strict=True):
        try:
            reading = interpret(vector["raw"], ScannerSettings(**vector.get("settings", {})))
        except BarcodeError:
            assert browser_codes == {"codes": [], "multiplier": 1}, vector["name"]
            continue
        codes, multiplier = product_codes(reading, reading.text)
        assert browser_codes == {"codes": codes, "multiplier": multiplier}, vector["name"]
