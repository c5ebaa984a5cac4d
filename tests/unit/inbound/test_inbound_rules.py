"""Pure rules: GTIN check digits, barcode normalization, variance approval, shortfall tolerance, CSV reading."""

from __future__ import annotations

import pytest

from app.domain.catalog.codes import FieldProblem, check_min_max, gtin_check_digit_ok, normalize_product_barcode
from app.domain.catalog.csvfile import CsvImportError, read_csv_rows
from app.domain.counts.services import needs_approval
from app.domain.inbound.purchase_orders import shortfall_allowed


@pytest.mark.parametrize("code", ["7567554394380", "08719139005740", "5400000002649", "060383042400", "96385074"])
def test_gtin_check_digit_valid(code: str) -> None:
    assert gtin_check_digit_ok(code)


def test_gtin_check_digit_invalid() -> None:
    assert not gtin_check_digit_ok("300450549108")


def test_barcode_normalized_to_gtin14() -> None:
    assert normalize_product_barcode("060383042400") == ("00060383042400", "GTIN")
    assert normalize_product_barcode(" CASE-12 ") == ("CASE-12", "INTERNAL")
    with pytest.raises(FieldProblem) as problem:
        normalize_product_barcode("300450549108")
    assert "check digit" in problem.value.message


def test_min_max_rules() -> None:
    check_min_max("PICK_FACE", 0, 1)
    check_min_max("BULK_STORAGE", None, None)
    for location_type, minimum, maximum in [("BULK_STORAGE", 1, 2), ("PICK_FACE", 3, None), ("PICK_FACE", 5, 4), ("PICK_FACE", -1, 4)]:
        with pytest.raises(FieldProblem):
            check_min_max(location_type, minimum, maximum)


@pytest.mark.parametrize(
    ("variance", "expected", "units", "percent", "pending"),
    [
        (0, 10, 0, 0, False),
        (1, 10, 0, 0, True),
        (-2, 10, 2, 0, False),
        (-3, 10, 2, 0, True),
        (10, 100, 50, 10, False),
        (11, 100, 50, 10, True),
        (5, 0, 50, 10, True),
    ],
)
def test_needs_approval(variance: int, expected: int, units: int, percent: int, pending: bool) -> None:
    assert needs_approval(variance, expected, units, percent) is pending


@pytest.mark.parametrize(("received", "tolerance", "allowed"), [(95, 5, True), (94, 5, False), (100, 0, True), (99, 0, False)])
def test_shortfall_allowed(received: int, tolerance: int, allowed: bool) -> None:
    assert shortfall_allowed(100, received, tolerance) is allowed


def test_csv_rows_keep_line_numbers() -> None:
    text = 'code,type\nA,BULK_STORAGE\n\n"B\nsecond line",PICK_FACE\nC,OVERFLOW\n'
    rows, problems = read_csv_rows(text, kind="locations", required=("code", "type"), optional=())
    assert [(row.line, row.get("code")) for row in rows] == [(2, "A"), (4, "B\nsecond line"), (6, "C")]
    assert problems.problems == []


def test_csv_short_row_reported() -> None:
    rows, problems = read_csv_rows("code,type\nA\n", kind="locations", required=("code", "type"), optional=())
    assert rows == []
    assert problems.problems[0]["line"] == 2
    assert "1 fields" in problems.problems[0]["message"]


def test_csv_unknown_column_raises() -> None:
    with pytest.raises(CsvImportError) as error:
        read_csv_rows("code,colour\n", kind="locations", required=("code",), optional=())
    assert error.value.detail["errors"][0]["column"] == "colour"
