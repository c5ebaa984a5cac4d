"""Password hashing (scrypt from the standard library) and PIN lookup keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["hash_password", "pin_lookup_key", "verify_password"]

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """Hash ``password`` with a fresh salt into ``scrypt$n$r$p$salt$hash``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])


def verify_password(password: str, stored: str | None) -> bool:
    """Check ``password`` against a hash made by :func:`hash_password`, in constant time."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def pin_lookup_key(pin: str, secret_key: str) -> str:
    """Derive the stored lookup key of an operator PIN (HMAC-SHA256 under the server secret)."""
    return hmac.new(secret_key.encode(), b"pin:" + pin.encode(), hashlib.sha256).hexdigest()
