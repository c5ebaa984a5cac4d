"""Interpretation of real-world scans against the typed Python result, with exact values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain.barcodes.errors import BarcodeError, ErrorCode
from app.domain.barcodes.interpret import CodeScan, Gs1Scan, GtinScan, ScannerSettings, SsccScan, interpret, split_scans

GS = "\x1d"


def read_error(raw: str, settings: ScannerSettings | None = None) -> BarcodeError:
    with pytest.raises(BarcodeError) as caught:
        interpret(raw, settings)
    return caught.value


@pytest.mark.parametrize("raw", ["1021072911172405310100693570007182", "01103663023000171021004371716020021925768618163"])
def test_missing_separator_rejected(raw: str) -> None:
    error = read_error(raw)
    assert error.code == ErrorCode.SEPARATOR_MISSING
    assert "separator missing" in error.message
    assert "rescan, or check the scanner's FNC1 setting" in error.message
    assert error.status_code == 422


def test_merged_batch_never_returned() -> None:
    # Whatever path reads the string, no result may carry the merged batch.
    with pytest.raises(BarcodeError):
        interpret("01103663023000171021004371716020021925768618163")


def test_separator_splits_batch() -> None:
    result = interpret("0110366302300017102100437" + GS + "1716020021925768618163")
    assert isinstance(result, Gs1Scan)
    assert result.gtin == "10366302300017"
    assert result.batch == "2100437"
    assert result.expiry == date(2016, 2, 29)
    assert result.serial == "925768618163"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("010001234567890517190700", date(2019, 7, 31)),
        ("010001234567890517260400", date(2026, 4, 30)),
        ("010001234567890517160200", date(2016, 2, 29)),
    ],
)
def test_expiry_day_00(raw: str, expected: date) -> None:
    result = interpret(raw)
    assert isinstance(result, Gs1Scan)
    assert result.expiry == expected


def test_symbology_identifier_stripped() -> None:
    result = interpret("]C190MPT000341" + GS + "10R20060043")
    assert isinstance(result, Gs1Scan)
    assert result.symbology == "]C1"
    assert result.ai("90") == "MPT000341"
    assert result.batch == "R20060043"


def test_substitute_separator() -> None:
    result = interpret("01041500111641401726013110V10025|21JGFMG4P38R", ScannerSettings(separator="|"))
    assert isinstance(result, Gs1Scan)
    assert result.gtin == "04150011164140"
    assert result.expiry == date(2026, 1, 31)
    assert result.batch == "V10025"
    assert result.serial == "JGFMG4P38R"


def test_unconfigured_separator_rejected() -> None:
    error = read_error("01041500111641401726013110V10025|21JGFMG4P38R")
    assert error.code == ErrorCode.INVALID_CHARACTER
    assert "set it as the separator" in error.message


def test_three_digit_ai() -> None:
    result = interpret("241ABC1234" + GS + "100815")
    assert isinstance(result, Gs1Scan)
    assert result.ai("241") == "ABC1234"
    assert result.fields["customer_part_number"] == "ABC1234"
    assert result.batch == "0815"


def test_four_digit_ai_grai() -> None:
    result = interpret("800307613264003095100691412003")
    assert isinstance(result, Gs1Scan)
    assert result.fields["grai"] == "07613264003095"
    assert result.fields["grai_serial"] == "100691412003"
    assert result.ai("8003") == "07613264003095100691412003"


@pytest.mark.parametrize("raw", ["060383042400", "0060383042400", "00060383042400"])
def test_gtin_spellings(raw: str) -> None:
    result = interpret(raw)
    assert isinstance(result, GtinScan)
    assert result.gtin == "00060383042400"


def test_gtin_in_ai_01() -> None:
    result = interpret("0100060383042400")
    assert isinstance(result, Gs1Scan)
    assert result.gtin == "00060383042400"


def test_gtin_with_batch() -> None:
    result = interpret("010540000000264910L1")
    assert isinstance(result, Gs1Scan)
    assert result.gtin == "05400000002649"
    assert result.batch == "L1"


@pytest.mark.parametrize(("raw", "gtin"), [("7567554394380", "07567554394380"), ("08719139005740", "08719139005740"), ("7180378376426", "07180378376426")])
def test_check_digit_zero_valid(raw: str, gtin: str) -> None:
    result = interpret(raw)
    assert isinstance(result, GtinScan)
    assert result.gtin == gtin


def test_invalid_upc_not_ai_30() -> None:
    error = read_error("300450549108")
    assert error.code == ErrorCode.INVALID_CHECK_DIGIT
    assert "should be 5" in error.message
    assert "UPC-A" in error.message


def test_prefix_and_newline_stripped() -> None:
    result = interpret("*000122521\n", ScannerSettings(prefix="*"))
    assert isinstance(result, CodeScan)
    assert result.text == "000122521"


def test_star_kept_without_prefix() -> None:
    result = interpret("pa*ss")
    assert isinstance(result, CodeScan)
    assert result.text == "pa*ss"


def test_doubled_payload_rejected() -> None:
    assert interpret("4354210") == CodeScan(text="4354210")
    error = read_error("43542104354210")
    assert error.code == ErrorCode.INVALID_CHECK_DIGIT


def test_burst_split_into_values() -> None:
    assert split_scans("ITEM-001\nLOC-A1\n") == ["ITEM-001", "LOC-A1"]
    error = read_error("ITEM-001\nLOC-A1\n")
    assert error.code == ErrorCode.MULTIPLE_VALUES


def test_measure_decimal() -> None:
    result = interpret("0105400000002649" + "3103001234")
    assert isinstance(result, Gs1Scan)
    assert result.fields["net_weight_kg"] == Decimal("1.234")
    assert result.elements[1].decimal == Decimal("1.234")


def test_bare_sscc() -> None:
    result = interpret("106141411234567897")
    assert isinstance(result, SsccScan)
    assert result.sscc == "106141411234567897"


def test_keyboard_layout() -> None:
    error = read_error("à&é\"'(-è_çà")
    assert error.code == ErrorCode.KEYBOARD_LAYOUT
    assert "check that the scanner's keyboard layout" in error.message


def test_settings_separator_rejected() -> None:
    error = read_error("123", ScannerSettings(separator="a"))
    assert error.code == ErrorCode.INVALID_SETTINGS
