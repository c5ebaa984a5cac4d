"""The one error type of barcode interpretation, and the text helpers its messages share.

Messages are written for the operator holding the scanner: what was wrong with which value, and
what to do next. The handheld twin (``pwa/barcodes.js``) builds the same codes and the same
messages character for character; the shared test vectors compare both.
"""

from __future__ import annotations

from typing import Any, ClassVar

from app.lib.errors import InvalidInputError

__all__ = ["BarcodeError", "ErrorCode", "quote", "visible"]


class ErrorCode:
    """Stable codes of :class:`BarcodeError`; clients switch on these."""

    EMPTY_SCAN = "empty_scan"
    KEYBOARD_LAYOUT = "keyboard_layout"
    MULTIPLE_VALUES = "multiple_values"
    INVALID_CHARACTER = "invalid_character"
    SEPARATOR_MISSING = "separator_missing"
    UNKNOWN_AI = "unknown_ai"
    INVALID_FORMAT = "invalid_format"
    INVALID_CHECK_DIGIT = "invalid_check_digit"
    INVALID_DATE = "invalid_date"
    CONFLICTING_AI = "conflicting_ai"
    INVALID_HRI = "invalid_hri"
    INVALID_SETTINGS = "invalid_settings"
    TOO_LONG = "too_long"


class BarcodeError(InvalidInputError):
    """A scan that cannot be read as sent; ``code`` is one of :class:`ErrorCode`."""

    # 422: the request itself was well formed, the scanned string is what cannot be used.
    status_code: ClassVar[int] = 422
    default_code: ClassVar[str] = "invalid_barcode"

    def __init__(self, code: str, message: str, **detail: Any) -> None:
        super().__init__(message, code=code, **detail)


_NAMED_CONTROLS = {"\x1d": "<GS>", "\r": "<CR>", "\n": "<LF>", "\t": "<TAB>", "\x1e": "<RS>", "\x04": "<EOT>", "\x1b": "<ESC>"}


def visible(text: str) -> str:
    """Return ``text`` with control characters written out, such as ``<GS>`` or ``<U+0007>``."""
    out: list[str] = []
    for char in text:
        if char in _NAMED_CONTROLS:
            out.append(_NAMED_CONTROLS[char])
        elif ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0:
            out.append(f"<U+{ord(char):04X}>")
        else:
            out.append(char)
    return "".join(out)


def quote(text: str, limit: int = 60) -> str:
    """Quote a scanned value for a message: control characters visible, long values shortened."""
    shown = visible(text)
    if len(shown) > limit:
        shown = shown[: limit - 3] + "..."
    return f"'{shown}'"
