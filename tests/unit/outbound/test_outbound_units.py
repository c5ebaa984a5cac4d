"""Pure parts of outbound: routing rule matching, order facts, allocation order, the PDF label."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

import pytest

from app.db.models import RoutingRule
from app.domain.outbound.allocation import _Candidate, _sort_key
from app.domain.outbound.routing import OrderFacts, extract_order_facts, rule_matches, validate_rule
from app.lib.errors import InvalidInputError
from app.starshipit.pdf import render_label_pdf


def _rule(kind: str, values: list[str], match: str = "all") -> RoutingRule:
    return RoutingRule(kind=kind, values=values, match=match, flow="wms", position=1, name="", active=True)


def test_facts_from_payload() -> None:
    channel, tags, meta = extract_order_facts(
        {"platform": " Shopify ", "tags": "gift, express,", "metadatas": [{"metafield_key": "fulfil", "value": "wms"}], "metadata": {"b": 2}}
    )
    assert channel == "Shopify"
    assert tags == ["gift", "express"]
    assert meta == {"fulfil": "wms", "b": "2"}


def test_facts_empty_payload() -> None:
    assert extract_order_facts(None) == ("", [], {})


@pytest.mark.parametrize(
    ("rule", "facts", "expected"),
    [
        (_rule("channel", ["shopify"]), OrderFacts(channel="SHOPIFY"), True),
        (_rule("channel", ["shopify"]), OrderFacts(channel="ebay"), False),
        (_rule("tag", ["wms"]), OrderFacts(tags=["gift", "WMS"]), True),
        (_rule("tag", ["wms"]), OrderFacts(tags=[]), False),
        (_rule("metadata", ["fulfil=wms"]), OrderFacts(meta={"Fulfil": "WMS"}), True),
        (_rule("metadata", ["fulfil=wms"]), OrderFacts(meta={"fulfil": "3pl"}), False),
        (_rule("metadata", ["priority"]), OrderFacts(meta={"priority": ""}), True),
        (_rule("sku_set", ["A", "B"]), OrderFacts(skus=["a", "b"]), True),
        (_rule("sku_set", ["A", "B"]), OrderFacts(skus=["a", "c"]), False),
        (_rule("sku_set", ["A"], match="any"), OrderFacts(skus=["a", "c"]), True),
        (_rule("sku_set", ["A"]), OrderFacts(skus=[]), False),
        (_rule("account", ["acme"]), OrderFacts(account_code="Acme"), True),
        (_rule("channel", []), OrderFacts(channel=""), False),
    ],
)
def test_rule_matches(rule: RoutingRule, facts: OrderFacts, expected: bool) -> None:
    assert rule_matches(rule, facts) is expected


def test_validate_rule_rejects() -> None:
    with pytest.raises(InvalidInputError) as caught:
        validate_rule("colour", ["red"], "all", "wms")
    assert caught.value.detail["field"] == "kind"
    with pytest.raises(InvalidInputError):
        validate_rule("tag", ["  "], "all", "wms")
    with pytest.raises(InvalidInputError):
        validate_rule("tag", ["x"], "some", "wms")


def _candidate(code: str, *, face: bool, own: bool = False, expiry: date | None = None, received: int = 0, sequence: int = 0) -> _Candidate:
    return _Candidate(
        balance_id=uuid.uuid4(),
        product_id=uuid.uuid4(),
        location_id=uuid.uuid4(),
        batch="",
        free=1,
        is_pick_face=face,
        is_own_pick_face=own,
        pick_sequence=sequence,
        code=code,
        expiry=expiry,
        received=datetime(2026, 1, 1 + received, tzinfo=UTC),
    )


def test_fifo_pick_face_first() -> None:
    rows = [
        _candidate("BULK-OLD", face=False, received=0),
        _candidate("FACE-NEW", face=True, received=5),
        _candidate("OWN-FACE", face=True, own=True, received=9),
    ]
    assert [row.code for row in sorted(rows, key=lambda row: _sort_key(row, False))] == ["OWN-FACE", "FACE-NEW", "BULK-OLD"]


def test_fefo_expiry_first() -> None:
    rows = [
        _candidate("FACE-LATE", face=True, expiry=date(2027, 1, 1)),
        _candidate("BULK-SOON", face=False, expiry=date(2026, 6, 1)),
        _candidate("FACE-UNDATED", face=True, expiry=None),
    ]
    assert [row.code for row in sorted(rows, key=lambda row: _sort_key(row, True))] == ["BULK-SOON", "FACE-LATE", "FACE-UNDATED"]


def test_label_pdf_structure() -> None:
    pdf = render_label_pdf(["Order 1001", "Tracking (FAKE) \\ 1"])
    assert pdf.startswith(b"%PDF-1.4\n")
    assert pdf.endswith(b"%%EOF\n")
    startxref = int(re.search(rb"startxref\n(\d+)\n", pdf).group(1))
    assert pdf[startxref : startxref + 4] == b"xref"
    offsets = [int(value) for value in re.findall(rb"(\d{10}) 00000 n", pdf)]
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(f"{number} 0 obj".encode())
    assert b"(Tracking \\(FAKE\\) \\\\ 1) Tj" in pdf
