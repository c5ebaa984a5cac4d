"""GS1 Digital Link URIs, the web addresses that GS1 QR codes and DataMatrix codes may carry.

``https://example.com/01/09506000134352/10/ABC1?17=270131`` contains GTIN 09506000134352 (the
primary key), batch ABC1 (a key qualifier in the path) and expiry 2027-01-31 (a data attribute in
the query string). The path may start with any prefix, such as ``/products``, before the first
primary key. Query parameters that are not AI numbers (``?utm_source=…``) are ignored. A URL
without a GS1 primary key is not GS1 data and is read as a plain code.

Each value is checked exactly like an element string in a scan (format, check digit, date), and a
GTIN written with 8, 12 or 13 digits is padded to 14, as the GS1 Digital Link standard (1.2)
allows. The handheld twin implements the same rules.
"""

from __future__ import annotations

import re

from biip import ParseError
from biip.gs1_application_identifiers import GS1ApplicationIdentifier

from app.domain.barcodes.errors import ErrorCode, quote
from app.domain.barcodes.gs1 import Gs1Element, Gs1ReadError, build_element, check_element, invalid_format, parse_element

__all__ = ["DIGITAL_LINK_PRIMARY_KEYS", "looks_like_url", "read_digital_link"]

# Primary keys of the GS1 Digital Link standard: the identifier a URI is about.
DIGITAL_LINK_PRIMARY_KEYS = {"00", "01", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006", "8010", "8013", "8017", "8018"}

_URL = re.compile(r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]+(/[^?#]*)?(\?[^#]*)?(#.*)?$")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")


def looks_like_url(text: str) -> bool:
    """Tell whether the scan is an http or https URL."""
    return _URL.match(text) is not None


def _percent_decode(value: str) -> str:
    # Each %XX becomes one character; malformed escapes stay as typed and fail the AI's format.
    return _PERCENT.sub(lambda match: chr(int(match.group(1), 16)), value)


def _pairs(text: str) -> list[tuple[str, str]] | None:
    """Return the (AI, value) pairs of the URI, or None when its path has no primary key."""
    match = _URL.match(text)
    assert match is not None
    segments = [segment for segment in (match.group(1) or "").split("/") if segment]
    start = next((index for index, segment in enumerate(segments) if segment in DIGITAL_LINK_PRIMARY_KEYS and index + 1 < len(segments)), None)
    if start is None:
        return None
    path = segments[start:]
    if len(path) % 2:
        raise Gs1ReadError(
            ErrorCode.INVALID_FORMAT,
            f"the GS1 Digital Link {quote(text)} ends with {quote(path[-1])} and no value: rescan",
            element_index=len(path) // 2,
            first_ai=path[0],
        )
    pairs = [(path[index], _percent_decode(path[index + 1])) for index in range(0, len(path), 2)]
    query = (match.group(2) or "")[1:]
    for parameter in query.split("&"):
        key, _, value = parameter.partition("=")
        if re.fullmatch(r"[0-9]{2,4}", key):
            pairs.append((key, _percent_decode(value)))
    return pairs


def read_digital_link(text: str) -> list[Gs1Element] | None:
    """Read a GS1 Digital Link URI into checked element strings; None when it has no primary key.

    Raises :class:`Gs1ReadError` for an unknown AI or a value that fails its AI's checks.
    """
    pairs = _pairs(text)
    if pairs is None:
        return None
    elements: list[Gs1Element] = []
    first_ai = pairs[0][0]
    for index, (number, value) in enumerate(pairs):
        try:
            ai = GS1ApplicationIdentifier.extract(number)
        except ParseError:
            ai = None
        if ai is None or ai.ai != number:
            raise Gs1ReadError(
                ErrorCode.UNKNOWN_AI,
                f"unknown GS1 application identifier {quote(number)} in the GS1 Digital Link: rescan",
                element_index=index,
                first_ai=first_ai,
            )
        if number == "01" and re.fullmatch(r"[0-9]{8}|[0-9]{12,13}", value):
            value = value.zfill(14)
        parsed = parse_element(number + value)
        if parsed is None or not parsed.value:
            raise invalid_format(ai, value, index, first_ai)
        element = build_element(parsed)
        check_element(element, index, first_ai)
        elements.append(element)
    return elements
