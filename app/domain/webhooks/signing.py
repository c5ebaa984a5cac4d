"""Webhook signatures: lowercase hex HMAC-SHA256 of the raw request body, keyed per account.

The check runs on the exact bytes received, before any JSON parsing. Re-serialising the JSON
first would change whitespace or number spelling and break valid signatures. This module is the
one place the scheme lives, so that a change on Starshipit's side is one edit.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["SIGNATURE_HEADER", "sign_body", "verify_signature"]

SIGNATURE_HEADER = "X-Starshipit-Signature"


def sign_body(secret: str, body: bytes) -> str:
    """Return the lowercase hex HMAC-SHA256 of ``body`` keyed with ``secret``."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """Tell whether ``header`` carries the signature of ``body`` under ``secret``.

    The comparison is constant-time. Surrounding whitespace and upper-case hex digits in the header
    are accepted; a missing or empty header, or an account without a secret, never verifies.
    """
    if not header or not secret:
        return False
    expected = sign_body(secret, body)
    presented = header.strip().lower()
    return hmac.compare_digest(expected.encode("ascii"), presented.encode("ascii", errors="replace"))
