"""The `Authorization: Token <base64>` header (§4.1.2) and credentials token generation."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets

_PRINTABLE = re.compile(r"^[\x21-\x7E]{1,64}$")  # §7.3.1 Credentials.token


def generate_token() -> str:
    """A new credentials token: 256 bits from `secrets`, URL-safe, 43 printable characters."""
    return secrets.token_urlsafe(32)


def hash_token(secret: bytes, token: str) -> str:
    """HMAC-SHA256 under the platform secret: what is stored instead of the token."""
    return hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


def encode_header(token: str) -> str:
    """§4.1.2: the literal `Token`, one space, RFC 4648 Base64 of the token's UTF-8 bytes."""
    return "Token " + base64.b64encode(token.encode()).decode()


def header_candidates(value: str | None, accept_raw: bool = False) -> list[str]:
    """The credentials token(s) an Authorization header may carry; empty if it is unusable.

    Strict Base64 (standard alphabet, padding) decoding to a printable ASCII token. With
    `accept_raw` (errata 8.1) the value itself is a second candidate, tried after the decoding.
    """
    if value is None:
        return []
    scheme, _, encoded = value.partition(" ")
    if scheme != "Token" or not encoded or encoded != encoded.strip():
        return []
    candidates = []
    try:
        raw = base64.b64decode(encoded, validate=True)
        # Canonical only: `YWJj=` decodes too, but is not how `abc` is encoded (RFC 4648 §4).
        decoded = raw.decode("ascii") if base64.b64encode(raw).decode() == encoded else ""
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if _PRINTABLE.fullmatch(decoded):
        candidates.append(decoded)
    if accept_raw and _PRINTABLE.fullmatch(encoded) and encoded not in candidates:
        candidates.append(encoded)
    return candidates
