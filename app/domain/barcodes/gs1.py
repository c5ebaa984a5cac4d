"""GS1 element strings: splitting a scan into application identifiers (AIs) and checking each value.

``biip`` supplies the AI table (formats and patterns) and extracts one element string at a time
(``GS1ElementString.extract``, which also computes measures with their implied decimals). This
module drives the loop itself. biip's ``GS1Message.parse`` reads a variable-length field greedily
up to its maximum length when the separator after it was lost, so ``10`` followed by what was
really batch, expiry and serial would come back as one 20-character batch. Here a variable-length
field must be followed by a separator (ASCII 29) or the end of the data, otherwise the scan is
rejected with ``separator_missing``. The GS1 General Specifications require that separator after
every variable-length element string except the last, even one at its maximum length.

Check digits (GTIN, SSCC, GLN, GRAI, GDTI, GCN, GSIN, GSRN, ITIP) and dates are verified here
too, with the same rules as the handheld twin in ``pwa/barcodes.js``.
"""

from __future__ import annotations

import calendar
import re
from functools import lru_cache
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from biip import ParseConfig, ParseError
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_element_strings import GS1ElementString

from app.domain.barcodes.errors import BarcodeError, ErrorCode, quote

__all__ = [
    "GS",
    "Gs1Element",
    "Gs1ReadError",
    "check_digit",
    "build_element",
    "check_element",
    "element_label",
    "invalid_format",
    "parse_element",
    "read_element_strings",
    "read_hri",
]

GS = "\x1d"

# Dates are checked here (the day-00 rule and time parts included), so biip's own date check
# is switched off: it rejects valid two-date ranges in AI 7007.
_BIIP_CONFIG = ParseConfig(gs1_element_strings_verify_date=False, separator_chars=(GS,))

# Names for messages and for the named fields of the result; other AIs use biip's data title.
AI_NAMES: dict[str, str] = {
    "00": "SSCC",
    "01": "GTIN",
    "02": "content GTIN",
    "10": "batch",
    "11": "production date",
    "12": "due date",
    "13": "packaging date",
    "15": "best-before date",
    "16": "sell-by date",
    "17": "expiry date",
    "20": "variant",
    "21": "serial number",
    "30": "count",
    "37": "content count",
    "90": "internal data",
    "240": "additional product id",
    "241": "customer part number",
    "400": "customer order number",
    "410": "ship-to GLN",
    "414": "location GLN",
    "8003": "GRAI",
    "8004": "GIAI",
}

# AI -> (start, end): the digits of the value that carry a GS1 mod-10 check digit.
_CHECKED_KEYS: dict[str, tuple[int, int]] = {
    "00": (0, 18),
    "01": (0, 14),
    "02": (0, 14),
    "03": (0, 14),
    "253": (0, 13),
    "255": (0, 13),
    "402": (0, 17),
    "410": (0, 13),
    "411": (0, 13),
    "412": (0, 13),
    "413": (0, 13),
    "414": (0, 13),
    "415": (0, 13),
    "416": (0, 13),
    "417": (0, 13),
    "8003": (0, 14),
    "8006": (0, 14),
    "8017": (0, 18),
    "8018": (0, 18),
    "8026": (0, 14),
}

_DATE_AIS = {"11", "12", "13", "15", "16", "17", "7006"}
_DATE_TIME_AIS = {"7003", "4324", "4325", "4326", "7011", "8008"}
_DATE_RANGE_AIS = {"7007"}


class Gs1ReadError(BarcodeError):
    """A GS1 reading failure, with where it happened (used to decide on the plain-code fallback)."""

    def __init__(self, code: str, message: str, *, element_index: int, first_ai: str | None) -> None:
        super().__init__(code, message)
        self.element_index = element_index
        self.first_ai = first_ai


@dataclass(frozen=True)
class Gs1Element:
    """One element string: the AI, its data and what the data means."""

    ai: str
    title: str
    value: str
    parts: tuple[str, ...]
    separator_required: bool
    date: date | None = None
    decimal: Decimal | None = None


def check_digit(payload: str) -> int:
    """Return the GS1 mod-10 check digit for ``payload`` (the digits before the check digit)."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        total += int(char) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def element_label(ai: str, title: str) -> str:
    """Name an AI for an operator message, such as ``batch (AI 10)``."""
    return f"{AI_NAMES.get(ai, title)} (AI {ai})"


def _lookup_ai(text: str) -> GS1ApplicationIdentifier | None:
    # AIs are 2 to 4 digits long, so the first four characters decide; biip searches its table linearly.
    return _lookup_ai_prefix(text[:4])


@lru_cache(maxsize=4096)
def _lookup_ai_prefix(prefix: str) -> GS1ApplicationIdentifier | None:
    try:
        return GS1ApplicationIdentifier.extract(prefix)
    except ParseError:
        return None


def _century_year(two_digits: int) -> int:
    # GS1 General Specifications 7.12: a two-digit year lies between 49 years ago and 50 years ahead.
    current = datetime.now(tz=UTC).year
    century = current - current % 100
    difference = two_digits - current % 100
    if 51 <= difference <= 99:
        return century - 100 + two_digits
    if -99 <= difference <= -50:
        return century + 100 + two_digits
    return century + two_digits


def _read_date(digits: str) -> date | None:
    """Read YYMMDD; day 00 means the last day of the month. None when it is no calendar date."""
    year = _century_year(int(digits[0:2]))
    month = int(digits[2:4])
    day = int(digits[4:6])
    if not 1 <= month <= 12:
        return None
    last_day = calendar.monthrange(year, month)[1]
    if day == 0:
        day = last_day
    if day > last_day:
        return None
    return date(year, month, day)


def _valid_time(digits: str, allow_unknown: bool) -> bool:
    # Pairs of HH, MM, SS; 4324-4326 write an unknown time as 9999.
    if allow_unknown and digits[:4] == "9999":
        return True
    limits = [23, 59, 59]
    for index in range(0, len(digits), 2):
        pair = digits[index : index + 2]
        if len(pair) != 2 or int(pair) > limits[index // 2]:
            return False
    return True


def _element_date(ai: str, value: str) -> tuple[date | None, bool]:
    """Return the element's (first) date and whether the value is valid as a date field."""
    if ai in _DATE_AIS:
        parsed = _read_date(value[:6])
        return parsed, parsed is not None
    if ai in _DATE_TIME_AIS:
        parsed = _read_date(value[:6])
        return parsed, parsed is not None and _valid_time(value[6:], ai in {"4324", "4325", "4326"})
    if ai in _DATE_RANGE_AIS:
        first = _read_date(value[:6])
        second_ok = len(value) <= 6 or _read_date(value[6:12]) is not None
        return first, first is not None and second_ok
    return None, True


def check_element(element: Gs1Element, index: int, first_ai: str | None) -> None:
    """Raise :class:`Gs1ReadError` when the element's check digit or date is invalid."""
    label = element_label(element.ai, element.title)
    if element.ai in _CHECKED_KEYS:
        start, end = _CHECKED_KEYS[element.ai]
        digits = element.value[start:end]
        expected = check_digit(digits[:-1])
        if int(digits[-1]) != expected:
            raise Gs1ReadError(
                ErrorCode.INVALID_CHECK_DIGIT,
                f"{label} {quote(element.value)} has an invalid check digit: it should be {expected}, not {digits[-1]}; rescan",
                element_index=index,
                first_ai=first_ai,
            )
    _, date_ok = _element_date(element.ai, element.value)
    if not date_ok:
        raise Gs1ReadError(
            ErrorCode.INVALID_DATE,
            f"{label} {quote(element.value)} is not a valid date: rescan",
            element_index=index,
            first_ai=first_ai,
        )


def parse_element(text: str) -> GS1ElementString | None:
    """Parse ``text`` as exactly one element string (AI and value); None when it does not match."""
    try:
        return GS1ElementString.parse(text, config=_BIIP_CONFIG)
    except ParseError:
        return None


def build_element(parsed: GS1ElementString) -> Gs1Element:
    """Turn biip's element string into a :class:`Gs1Element` with its date read by this module."""
    ai = parsed.ai.ai
    element_date, _ = _element_date(ai, parsed.value)
    return Gs1Element(
        ai=ai,
        title=parsed.ai.data_title,
        value=parsed.value,
        parts=tuple(parsed.pattern_groups),
        separator_required=parsed.ai.separator_required,
        date=element_date,
        decimal=parsed.decimal,
    )


def _format_of(ai: GS1ApplicationIdentifier) -> str:
    # biip's format reads like "N2+N14": drop the part that describes the AI itself.
    return ai.format.split("+", 1)[1] if "+" in ai.format else ai.format


def invalid_format(ai: GS1ApplicationIdentifier, data: str, index: int, first_ai: str | None) -> Gs1ReadError:
    """Build the error for data that does not match the AI's format (a bad date for date AIs)."""
    label = element_label(ai.ai, ai.data_title)
    # biip's patterns for date AIs only accept months 01-12, so six digits that fail are a bad date.
    if ai.ai in _DATE_AIS and re.fullmatch(r"[0-9]{6}", data[:6]):
        return Gs1ReadError(
            ErrorCode.INVALID_DATE,
            f"{label} {quote(data[:6])} is not a valid date: rescan",
            element_index=index,
            first_ai=first_ai,
        )
    return Gs1ReadError(
        ErrorCode.INVALID_FORMAT,
        f"{label} has an invalid value {quote(data)}: expected {_format_of(ai)} (N = digit, X = character); rescan",
        element_index=index,
        first_ai=first_ai,
    )


def read_element_strings(text: str) -> list[Gs1Element]:
    """Split GS1 data in machine form (separators as ASCII 29) into checked element strings.

    Raises :class:`Gs1ReadError` for an unknown AI, a value that does not match its AI's format,
    a missing separator after a variable-length field, a bad check digit or an invalid date.
    """
    elements: list[Gs1Element] = []
    position = 0
    first_ai: str | None = None
    while position < len(text):
        rest = text[position:]
        index = len(elements)
        ai = _lookup_ai(rest)
        if ai is None:
            after = ""
            if elements:
                previous = elements[-1]
                after = f" after {element_label(previous.ai, previous.title)}"
            raise Gs1ReadError(
                ErrorCode.UNKNOWN_AI,
                f"unknown GS1 application identifier at {quote(rest, 20)}{after}: rescan; if it repeats, the label is not valid GS1",
                element_index=index,
                first_ai=first_ai,
            )
        if first_ai is None:
            first_ai = ai.ai
        try:
            parsed = GS1ElementString.extract(rest, config=_BIIP_CONFIG)
        except ParseError:
            parsed = None
        # biip's pattern for AI 30 accepts an empty count; GS1 requires at least one digit.
        if parsed is None or not parsed.value:
            raise invalid_format(ai, rest.split(GS, 1)[0][len(ai.ai) :], index, first_ai)
        element = build_element(parsed)
        consumed = len(parsed)
        following = rest[consumed:]
        if following and not following.startswith(GS) and element.separator_required:
            label = element_label(element.ai, element.title)
            char = following[0]
            if re.fullmatch(r"[!%-?A-Z_a-z\x22]", char):
                raise Gs1ReadError(
                    ErrorCode.SEPARATOR_MISSING,
                    f"separator missing after {label} {quote(element.value)}: rescan, or check the scanner's FNC1 setting",
                    element_index=index,
                    first_ai=first_ai,
                )
            raise Gs1ReadError(
                ErrorCode.INVALID_CHARACTER,
                f"{quote(char)} cannot follow {label} {quote(element.value)}: if the scanner sends {quote(char)} for FNC1, "
                "set it as the separator in the scanner settings; otherwise check the scanner's keyboard layout",
                element_index=index,
                first_ai=first_ai,
            )
        check_element(element, index, first_ai)
        elements.append(element)
        position += consumed
        while position < len(text) and text[position] == GS:
            position += 1
    return elements


_HRI_AI = re.compile(r"\((\d{2,4})\)")


def read_hri(text: str) -> tuple[list[Gs1Element], str]:
    """Read the bracketed human-readable form, ``(01)05400000002649(10)L1``, typed by hand.

    Spaces around values are ignored. Returns the elements and the machine form of the data
    (separators after variable-length fields). Raises :class:`Gs1ReadError`.
    """
    matches = list(_HRI_AI.finditer(text))
    if not matches or matches[0].start() != 0:
        raise Gs1ReadError(
            ErrorCode.INVALID_HRI,
            f"{quote(text)} is not in the bracketed form '(01)...(10)...': type each AI in brackets followed by its value",
            element_index=0,
            first_ai=None,
        )
    elements: list[Gs1Element] = []
    machine: list[str] = []
    first_ai: str | None = None
    for index, match in enumerate(matches):
        number = match.group(1)
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        data = text[match.end() : end].strip(" ")
        ai = _lookup_ai(number)
        if ai is None or ai.ai != number:
            raise Gs1ReadError(
                ErrorCode.UNKNOWN_AI,
                f"unknown GS1 application identifier ({number}): check the number in brackets",
                element_index=index,
                first_ai=first_ai,
            )
        if first_ai is None:
            first_ai = number
        parsed = parse_element(number + data)
        if parsed is None or not parsed.value:
            raise invalid_format(ai, data, index, first_ai)
        element = build_element(parsed)
        check_element(element, index, first_ai)
        elements.append(element)
        machine.append(number + element.value + (GS if element.separator_required else ""))
    return elements, "".join(machine).removesuffix(GS)
