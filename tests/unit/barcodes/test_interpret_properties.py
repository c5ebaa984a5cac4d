"""Property tests: the interpreter never fails with a foreign exception, and valid GS1 round-trips."""

from __future__ import annotations

import calendar
import json
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.barcodes.errors import BarcodeError
from app.domain.barcodes.gs1 import check_digit
from app.domain.barcodes.interpret import Gs1Scan, GtinScan, ScannerSettings, interpret

GS = "\x1d"
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
ROOT = Path(__file__).resolve().parents[3]

# Pieces scanners really send, so that generated strings often start like GS1 data.
SCAN_PIECES = ["01", "10", "17", "21", "00", "02", "30", "37", "3103", "8003", "241", "7007", "90", "\x1d", "|", "]C1",
               "]d2", "]E0", "]E3", "]A0", "(01)", "(10)", "(", ")", "\r", "\n", "\t", "é", "https://id.example",
               "/01/", "/10/", "/21/", "?17=", "&3103=", "%2F", "%E9", "%zz"]
scan_text = st.one_of(
    st.text(
        alphabet=st.one_of(st.characters(), st.sampled_from(["\x1d", "\r", "\n", "\t", "]", "(", ")", "|", "0", "1", "7"])),
        max_size=80,
    ),
    st.lists(st.one_of(st.sampled_from(SCAN_PIECES), st.text(alphabet="0123456789", max_size=18)), max_size=8).map("".join),
)
any_settings = st.builds(
    ScannerSettings,
    prefix=st.text(max_size=3),
    suffix=st.text(max_size=3),
    separator=st.text(max_size=2),
)


@given(raw=scan_text, device=any_settings)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_string_result_or_own_error(raw: str, device: ScannerSettings) -> None:
    try:
        result = interpret(raw, device)
    except BarcodeError as exc:
        assert exc.code
        assert exc.message
        return
    assert result.kind in {"gtin", "sscc", "gs1", "code"}
    assert result.text


@given(
    raw=st.text(alphabet="0123456789", min_size=1, max_size=40),
    hint=st.sampled_from(["", "]C1", "]E0", "]d2", "]A0", "\x1d"]),
)
@settings(max_examples=300, deadline=None)
def test_digit_strings_result_or_own_error(raw: str, hint: str) -> None:
    try:
        interpret(hint + raw)
    except BarcodeError:
        pass


def gtin14(body: str) -> str:
    return body + str(check_digit(body))


def yymmdd(value: date) -> str:
    return value.strftime("%y%m%d")


current_year = datetime.now(tz=UTC).year
label_dates = st.dates(min_value=date(current_year - 40, 1, 1), max_value=date(current_year + 40, 12, 31))
batches = st.text(alphabet=CSET82, min_size=1, max_size=20)
serials = st.text(alphabet=CSET82, min_size=1, max_size=20)


@given(
    body=st.text(alphabet="0123456789", min_size=13, max_size=13),
    batch=batches,
    serial=serials,
    expiry=label_dates,
    month_only=st.booleans(),
    order=st.permutations(["01", "17", "10", "21"]),
    trailing_separator=st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_gs1_round_trip(body: str, batch: str, serial: str, expiry: date, month_only: bool, order: list[str], trailing_separator: bool) -> None:
    gtin = gtin14(body)
    expiry_digits = yymmdd(expiry)
    expected_expiry = expiry
    if month_only:
        expiry_digits = expiry_digits[:4] + "00"
        expected_expiry = expiry.replace(day=calendar.monthrange(expiry.year, expiry.month)[1])
    values = {"01": gtin, "17": expiry_digits, "10": batch, "21": serial}
    parts: list[str] = []
    for ai in order:
        parts.append(ai + values[ai])
        if ai in ("10", "21"):
            parts.append(GS)
    encoded = "".join(parts)
    if not trailing_separator:
        encoded = encoded.rstrip(GS)
    result = interpret("]C1" + encoded)
    assert isinstance(result, Gs1Scan)
    assert result.gtin == gtin
    assert result.batch == batch
    assert result.serial == serial
    assert result.expiry == expected_expiry


@given(
    body=st.text(alphabet="0123456789", min_size=13, max_size=13),
    batch=st.text(alphabet=CSET82.replace("(", ""), min_size=1, max_size=20),
    weight=st.integers(min_value=0, max_value=999999),
    decimals=st.integers(min_value=0, max_value=5),
)
@settings(max_examples=200, deadline=None)
def test_hri_round_trip(body: str, batch: str, weight: int, decimals: int) -> None:
    gtin = gtin14(body)
    digits = f"{weight:06d}"
    result = interpret(f"(01){gtin}(310{decimals}){digits}(10){batch}")
    assert isinstance(result, Gs1Scan)
    assert result.gtin == gtin
    assert result.batch == batch
    assert result.fields["net_weight_kg"] * (10**decimals) == weight


@given(body=st.text(alphabet="0123456789", min_size=13, max_size=13), length=st.sampled_from([8, 12, 13, 14]))
@settings(max_examples=200, deadline=None)
def test_gtin_spellings_round_trip(body: str, length: int) -> None:
    gtin = gtin14(("0" * (14 - length)) + body[: length - 1])
    spelled = gtin[14 - length :]
    result = interpret(spelled)
    assert isinstance(result, GtinScan)
    assert result.gtin == gtin


@given(body=st.text(alphabet="0123456789", min_size=13, max_size=13), wrong=st.integers(min_value=1, max_value=9))
@settings(max_examples=100, deadline=None)
def test_bad_check_digit_rejected(body: str, wrong: int) -> None:
    digit = (check_digit(body) + wrong) % 10
    try:
        interpret(body + str(digit))
    except BarcodeError as exc:
        assert exc.code == "invalid_check_digit"
    else:
        raise AssertionError("a GTIN-14 with a wrong check digit was accepted")


def test_js_ai_table_matches_biip() -> None:
    source = (ROOT / "pwa" / "barcodes" / "ai_table.js").read_text(encoding="utf-8")
    start = source.index("export const AI_TABLE = [") + len("export const AI_TABLE = ")
    end = source.index("// END AI TABLE")
    table = json.loads(source[start:end].strip().rstrip(";"))
    biip_table = json.loads((resources.files("biip") / "gs1_application_identifiers" / "_application_identifiers.json").read_text())
    expected = [[row["ai"], row["data_title"], row["separator_required"], row["format"], row["pattern"]] for row in biip_table]
    assert table == expected
