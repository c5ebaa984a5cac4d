"""Turn what a scanner typed into a typed reading: a GTIN, an SSCC, GS1 data or a plain code.

``interpret`` does not touch the database; ``resolve`` matches its result against the catalogue.
The handheld twin ``pwa/barcodes.js`` implements the same rules, and ``tests/barcode_vectors.json``
contains the cases both must agree on.

Cleaning, in this order:

1. Surrounding CR, LF, TAB and spaces are removed, then the device's configured suffix (when the
   scan ends with it) and prefix (when it starts with it).
2. A symbology identifier (``]`` + ISO/IEC 15424 code letter + modifier, such as ``]C1``) is
   removed and kept as a hint. A leading ASCII 29 (FNC1 in first position) is removed as well and
   marks the data as GS1.
3. The device's substitute separator, if configured, becomes ASCII 29; separators at the end are
   dropped because they separate nothing.
4. A CR, LF or TAB left inside the data means one trigger sent several values
   (``multiple_values``). Any other character outside printable ASCII (except ASCII 29) is
   rejected with ``keyboard_layout``: no barcode of the kinds a warehouse reads contains one, so it
   almost always means the scanner's keyboard layout differs from the device's (a scanner set to
   US English typing into a French AZERTY device sends ``à&é`` for ``012``).

How the cleaned data is read:

- An http or https URL is a GS1 Digital Link when its path names a GS1 primary key (see
  ``digital_link``), otherwise a plain code. Errors in a Digital Link are errors.
- GS1 data, checked strictly, when a GS1 symbology identifier (``]C1``, ``]e0``-``]e2``, ``]d2``,
  ``]Q3``, ``]J1``) was sent or the data contains a separator or started with FNC1. Every failure
  is an error.
- A GTIN when an EAN/UPC or ITF-14 identifier (``]E0``, ``]E3``, ``]E4``, ``]I1``) was sent. The
  add-on of ``]E3`` is dropped. Eight digits after ``]E0`` are a UPC-E, expanded to its UPC-A.
- A plain code (location, order, tote, internal barcode) for any other symbology identifier.
- The bracketed human-readable form when the data starts with ``(`` and an AI number in brackets.
- Without a hint, digits only, 8, 12, 13 or 14 long: a GTIN (EAN-8, UPC-A, EAN-13, GTIN-14) and
  nothing else. Eight digits that fail as EAN-8 but pass as UPC-E are read as UPC-E. A wrong check digit is an error and the digits are never tried as GS1 data,
  because short GS1 strings of those lengths are rare without a symbology identifier while
  mistyped or misread GTINs are common: ``300450549108`` is a UPC-A with a bad check digit, not
  AI 30 with a count.
- Without a hint, digits only, 18 long: an SSCC when its check digit is valid, otherwise GS1 data
  if it reads as such, otherwise a check-digit error.
- Anything else without a hint is tried as GS1 data. A missing separator or a character GS1 does
  not allow after a variable-length field is always an error (a batch must never silently swallow
  the expiry and serial behind it). So is any failure once the data has started with a
  well-formed AI 00, 01 or 02 (18 or 14 digits), which plain codes practically never do. Other
  failures mean the data is not GS1, and it is read as a plain code: ``A-01-02``, ``ITEM-001``
  or ``000122521``.
"""

from __future__ import annotations

import re
from typing import Any

from biip import ParseError
from biip.gtin import Gtin
from biip.sscc import Sscc
from biip.upc import Upc

from app.domain.barcodes.digital_link import looks_like_url, read_digital_link
from app.domain.barcodes.errors import BarcodeError, ErrorCode, quote
from app.domain.barcodes.gs1 import GS, Gs1Element, Gs1ReadError, check_digit, element_label, read_element_strings, read_hri
from app.domain.barcodes.results import (
    MEASURE_FIELDS,
    NAMED_FIELDS,
    CodeScan,
    Gs1Scan,
    GtinScan,
    Interpretation,
    ScannerSettings,
    SsccScan,
    error_to_wire,
    to_wire,
)

__all__ = [
    "CodeScan",
    "Gs1Scan",
    "GtinScan",
    "Interpretation",
    "ScannerSettings",
    "SsccScan",
    "clean_text",
    "error_to_wire",
    "interpret",
    "split_scans",
    "to_wire",
]

MAX_SCAN_LENGTH = 4000
_ISO_SYMBOLOGY_LETTERS = set("ABCDEFGHIKLMNOPQRSTUXYZcdeopsz")
_GS1_MESSAGE_SYMBOLOGIES = {"C1", "e0", "e1", "e2", "d2", "Q3", "J1"}
_GTIN_SYMBOLOGIES = {"E0", "E3", "E4", "I1"}
_GTIN_NAMES = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13", 14: "GTIN-14"}
# Data that starts with these AIs is GS1 for certain, so its errors are never read as a plain code.
_DEFINITE_GS1_AIS = {"00", "01", "02"}
_HRI_START = re.compile(r"\(\d{2,4}\)")



def _check_settings(settings: ScannerSettings) -> None:
    if len(settings.prefix) > 20 or len(settings.suffix) > 20:
        raise BarcodeError(ErrorCode.INVALID_SETTINGS, "the scanner prefix and suffix can be at most 20 characters: shorten them")
    if len(settings.separator) > 8 or any((char.isascii() and char.isalnum()) or char == " " for char in settings.separator):
        raise BarcodeError(
            ErrorCode.INVALID_SETTINGS,
            f"the separator {quote(settings.separator)} is not usable: choose up to 8 characters that are neither letters, digits nor spaces, such as '|'",
        )


def _clean(raw: str, settings: ScannerSettings) -> tuple[str, str | None, bool]:
    """Return the cleaned data, the symbology identifier (or None) and whether FNC1 led the data."""
    text = raw.strip("\r\n\t ")
    if settings.suffix and text.endswith(settings.suffix):
        text = text[: -len(settings.suffix)].strip("\r\n\t ")
    if settings.prefix and text.startswith(settings.prefix):
        text = text[len(settings.prefix) :]
    symbology: str | None = None
    if len(text) >= 3 and text[0] == "]" and text[1] in _ISO_SYMBOLOGY_LETTERS and "!" <= text[2] <= "~":
        length = 3
        # System expansion identifiers (]Y) carry a count of further modifier characters.
        if text[1] == "Y" and text[2] in "0123456789":
            length = 3 + int(text[2])
        symbology = text[:length]
        text = text[length:]
    leading_fnc1 = text.startswith(GS)
    text = text.lstrip(GS)
    if settings.separator:
        text = text.replace(settings.separator, GS)
    text = text.rstrip(GS)
    return text, symbology, leading_fnc1


def clean_text(raw: str, settings: ScannerSettings | None = None) -> str:
    """Return the scan without prefix, suffix, symbology identifier and surrounding whitespace.

    Substitute separators become ASCII 29. This is the text looked up as a location, order or
    internal code; it is returned even when :func:`interpret` rejects the scan.
    """
    return _clean(raw, settings or ScannerSettings())[0]


def split_scans(raw: str) -> list[str]:
    """Split what one trigger sent into its values, at CR, LF and TAB, dropping empty ones.

    A scanner that sends two barcodes in one burst gives two values. The handheld handles the
    first and warns about the rest.
    """
    return [part for part in re.split(r"[\r\n\t]+", raw) if part.strip(" ")]


def _check_characters(text: str) -> None:
    for char in text:
        if char in "\r\n\t":
            raise BarcodeError(
                ErrorCode.MULTIPLE_VALUES,
                f"the scan contains {quote(char)} inside the data, so it holds more than one value: scan one barcode at a time",
            )
        code = ord(char)
        if (code < 0x20 and char != GS) or code > 0x7E:
            raise BarcodeError(
                ErrorCode.KEYBOARD_LAYOUT,
                f"the scan contains {quote(char)}, which no barcode contains: check that the scanner's keyboard layout matches the device's, then rescan",
            )


def _read_gtin(digits: str, symbology: str | None, text: str) -> GtinScan:
    name = _GTIN_NAMES[len(digits)]
    expected = check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        raise BarcodeError(
            ErrorCode.INVALID_CHECK_DIGIT,
            f"{quote(digits)} is not a valid {name}: its check digit should be {expected}, not {digits[-1]}; rescan or type the code",
        )
    try:
        gtin = Gtin.parse(digits).as_gtin_14()
    except ParseError as exc:  # the check digit is verified above, so this means a malformed number
        raise BarcodeError(ErrorCode.INVALID_FORMAT, f"{quote(digits)} is not a valid {name}: rescan") from exc
    return GtinScan(text=text, gtin=gtin, symbology=symbology)


def _expand_upc_e(digits: str) -> str:
    """Return the first 11 digits of the UPC-A that an 8-digit UPC-E stands for."""
    number_system, middle = digits[0], digits[1:7]
    last = middle[5]
    if last in "012":
        body = middle[0:2] + last + "0000" + middle[2:5]
    elif last == "3":
        body = middle[0:3] + "00000" + middle[3:5]
    elif last == "4":
        body = middle[0:4] + "00000" + middle[4]
    else:
        body = middle[0:5] + "0000" + last
    return number_system + body


def _upc_e_valid(digits: str) -> bool:
    return digits[0] in "01" and check_digit(_expand_upc_e(digits)) == int(digits[7])


def _read_upc_e(digits: str, symbology: str | None, text: str) -> GtinScan:
    if digits[0] not in "01":
        raise BarcodeError(ErrorCode.INVALID_FORMAT, f"{quote(digits)} is not a UPC-E: it must start with 0 or 1; rescan")
    expected = check_digit(_expand_upc_e(digits))
    if int(digits[7]) != expected:
        raise BarcodeError(
            ErrorCode.INVALID_CHECK_DIGIT,
            f"{quote(digits)} is not a valid UPC-E: its check digit should be {expected}, not {digits[7]}; rescan or type the code",
        )
    upc_a = Upc.parse(digits).as_upc_a()
    return GtinScan(text=text, gtin=upc_a.zfill(14), symbology=symbology)


def _read_hinted_gtin(text: str, symbology: str) -> GtinScan:
    if symbology == "]E0" and text.isdigit() and len(text) == 8:
        return _read_upc_e(text, symbology, text)
    digits = text
    if symbology == "]E3" and text.isdigit() and len(text) in (14, 15, 17, 18):
        # EAN-13 or UPC-A followed by a 2- or 5-digit add-on (periodicals); the add-on is not part of the GTIN.
        digits = text[:13] if len(text) in (15, 18) else text[:12]
    if not digits.isdigit() or len(digits) not in _GTIN_NAMES:
        raise BarcodeError(ErrorCode.INVALID_FORMAT, f"{quote(text)} is not a GTIN: expected 8, 12, 13 or 14 digits; rescan")
    return _read_gtin(digits, symbology, text)


def _build_gs1(text: str, elements: list[Gs1Element], symbology: str | None) -> Gs1Scan:
    unique: list[Gs1Element] = []
    seen: dict[str, Gs1Element] = {}
    for element in elements:
        earlier = seen.get(element.ai)
        if earlier is None:
            seen[element.ai] = element
            unique.append(element)
        elif earlier.value != element.value:
            raise BarcodeError(
                ErrorCode.CONFLICTING_AI,
                f"{element_label(element.ai, element.title)} appears twice with different values "
                f"{quote(earlier.value)} and {quote(element.value)}: rescan",
            )
    fields: dict[str, Any] = {}
    for element in unique:
        name = NAMED_FIELDS.get(element.ai)
        if name is not None:
            if element.date is not None:
                fields[name] = element.date
            elif element.ai in ("30", "37"):
                fields[name] = int(element.value)
            else:
                fields[name] = element.value
        elif element.ai == "8003":
            fields["grai"] = element.value[:14]
            if len(element.value) > 14:
                fields["grai_serial"] = element.value[14:]
        measure = MEASURE_FIELDS.get(element.ai[:3]) if len(element.ai) == 4 else None
        if measure is not None and element.decimal is not None:
            fields[measure] = element.decimal
    return Gs1Scan(text=text, elements=tuple(unique), fields=fields, symbology=symbology)


def _read_sscc(digits: str, symbology: str | None) -> Interpretation:
    expected = check_digit(digits[:-1])
    if int(digits[-1]) == expected:
        return SsccScan(text=digits, sscc=Sscc.parse(digits).value, symbology=symbology)
    try:
        return _build_gs1(digits, read_element_strings(digits), symbology)
    except BarcodeError:
        raise BarcodeError(
            ErrorCode.INVALID_CHECK_DIGIT,
            f"{quote(digits)} is not a valid SSCC: its check digit should be {expected}, not {digits[-1]}; rescan",
        ) from None


def interpret(raw: str, settings: ScannerSettings | None = None) -> Interpretation:
    """Read one scan as sent by a scanner (or typed), with the device's scanner settings.

    Returns a :class:`GtinScan`, :class:`SsccScan`, :class:`Gs1Scan` or :class:`CodeScan`.
    Raises :class:`BarcodeError` (and nothing else) when the data cannot be read. Its ``code``
    is one of :class:`ErrorCode`, and its message names the value and the operator's next step.
    """
    settings = settings or ScannerSettings()
    _check_settings(settings)
    if len(raw) > MAX_SCAN_LENGTH:
        raise BarcodeError(ErrorCode.TOO_LONG, f"the scan is longer than {MAX_SCAN_LENGTH} characters: rescan one barcode")
    text, symbology, leading_fnc1 = _clean(raw, settings)
    _check_characters(text)
    if not text:
        raise BarcodeError(ErrorCode.EMPTY_SCAN, "the scan is empty: rescan")

    if looks_like_url(text):
        elements = read_digital_link(text)
        return CodeScan(text=text, symbology=symbology) if elements is None else _build_gs1(text, elements, symbology)
    hint = symbology[1:] if symbology else None
    if hint in _GS1_MESSAGE_SYMBOLOGIES or leading_fnc1 or GS in text:
        return _build_gs1(text, read_element_strings(text), symbology)
    if hint in _GTIN_SYMBOLOGIES:
        assert symbology is not None
        return _read_hinted_gtin(text, symbology)
    if hint is not None:
        return CodeScan(text=text, symbology=symbology)
    if _HRI_START.match(text):
        elements, _machine = read_hri(text)
        return _build_gs1(text, elements, symbology)
    if text.isdigit() and len(text) == 8 and check_digit(text[:7]) != int(text[7]) and _upc_e_valid(text):
        return _read_upc_e(text, symbology, text)
    if text.isdigit() and len(text) in _GTIN_NAMES:
        return _read_gtin(text, symbology, text)
    if text.isdigit() and len(text) == 18:
        return _read_sscc(text, symbology)
    try:
        return _build_gs1(text, read_element_strings(text), symbology)
    except Gs1ReadError as exc:
        if exc.code in (ErrorCode.SEPARATOR_MISSING, ErrorCode.INVALID_CHARACTER):
            raise
        started_gs1 = exc.first_ai in _DEFINITE_GS1_AIS and not (exc.element_index == 0 and exc.code == ErrorCode.INVALID_FORMAT)
        if started_gs1:
            raise
        return CodeScan(text=text, symbology=symbology)
