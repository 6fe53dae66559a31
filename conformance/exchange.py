"""One HTTP exchange as the judge saw it: the evidence behind every verdict (and `Seen`, an
OCPI object with the exchange it came on).

Secrets never leave this module in the clear: Authorization values and credentials `token`
fields are redacted when an exchange is recorded, so reports, logs and curl lines are safe.
"""

from __future__ import annotations

import base64
import json
import re
import shlex
from dataclasses import dataclass, field
from functools import cache
from typing import Any

REDACTED = "<redacted>"
_SECRET_HEADERS = {"authorization", "cookie", "set-cookie"}
# A JSON `token` field's whole string value, escaped quotes and all.
_TOKEN_FIELD = re.compile(r'("token"\s*:\s*")(?:[^"\\]|\\.)*(")')


def redact_header(name: str, value: str, labels: dict[str, str] | None = None) -> str:
    """Secret headers redacted; a credentials token we know is named (`Token <token B>`).
    Any other header loses the known tokens it echoes, in any of their forms."""
    if name.lower() not in _SECRET_HEADERS:
        return _without(value, tuple(labels or ()))
    scheme, _, credential = value.partition(" ")
    if scheme != "Token" and scheme != "Bearer":
        return REDACTED
    if labels:
        try:
            decoded = base64.b64decode(credential, validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            decoded = None
        label = labels.get(decoded or "") or labels.get(credential)
        if label:
            return f"{scheme} <{label}>"
    return f"{scheme} {REDACTED}"


def redact_body(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Credentials tokens out of a body: the `token` field, and any known secret in any of its
    forms (verbatim, JSON-escaped, Base64 as in an echoed `Authorization` header)."""
    return _without(_TOKEN_FIELD.sub(rf"\g<1>{REDACTED}\g<2>", text), secrets)


def _without(text: str, secrets: tuple[str, ...]) -> str:
    for form in _forms(secrets):
        text = text.replace(form, REDACTED)
    return text


@cache  # every header and body of a run is redacted, with the same few secrets
def _forms(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """How the secrets can appear in a message, the longest first (no half left over): as
    is, JSON-escaped, Base64 (with and without padding, standard and URL-safe alphabet)."""
    forms: set[str] = set()
    for secret in filter(None, secrets):
        encoded = secret.encode()
        base64s = {base64.b64encode(encoded).decode(), base64.urlsafe_b64encode(encoded).decode()}
        forms |= {secret, json.dumps(secret)[1:-1], *base64s, *(b.rstrip("=") for b in base64s)}
    return tuple(sorted(forms, key=len, reverse=True))


@dataclass(frozen=True)
class Exchange:
    """A request and its response (or the transport error instead of a response)."""

    id: int
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int | None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str | None = None
    error: str | None = None
    elapsed_ms: float = 0.0
    direction: str = "out"  # "out": the judge called the target; "in": the target called us

    def json(self) -> Any:
        """The response body parsed as JSON, or None when it is not JSON."""
        if self.response_body is None:
            return None
        try:
            return json.loads(self.response_body)
        except ValueError:
            return None

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.response_headers.items() if k.lower() == wanted), None)

    def request_header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.request_headers.items() if k.lower() == wanted), None)

    def curl(self) -> str:
        """A reproduction with the token redacted (put the real one back to run it)."""
        parts = ["curl", "-i", "-X", self.method]
        for name, value in self.request_headers.items():
            if name.lower() in {"host", "content-length", "accept-encoding", "connection"}:
                continue
            parts += ["-H", f"{name}: {value}"]
        if self.request_body:
            parts += ["--data-raw", self.request_body]
        parts.append(self.url)
        return shlex.join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "direction": self.direction,
            "method": self.method,
            "url": self.url,
            "request_headers": self.request_headers,
            "request_body": self.request_body,
            "status": self.status,
            "response_headers": self.response_headers,
            "response_body": self.response_body,
            "error": self.error,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "curl": self.curl(),
        }


@dataclass(frozen=True)
class Seen:
    """An OCPI object as a party sent it, with the exchange it came on (the evidence): served on
    a list page (`how` "served") or pushed to our counterpart ("pushed")."""

    obj: dict[str, Any]
    exchange: Exchange
    how: str = "served"

    @property
    def key(self) -> tuple[str, str, str]:
        """(country_code, party_id, id), upper case (CiStrings, §16.1)."""
        return (str(self.obj.get("country_code", "")).upper(),
                str(self.obj.get("party_id", "")).upper(),
                str(self.obj.get("id", "")).upper())  # fmt: skip
