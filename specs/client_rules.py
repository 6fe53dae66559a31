"""Rules on a party's own requests (its client side), judged on each request it sends.

One place for both sides that see a partner's requests: the judge (on what a target sends its
counterpart) and our simulators (on what a connecting partner sends them). Pure functions of the
request as it arrived, before any redaction; the caller records the findings with its evidence.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True)
class Finding:
    """One rule judged on one request: kept (`ok`) or broken, expected against actual."""

    rule: str
    ok: bool
    expected: str
    actual: str
    dispute: str | None = None  # the reading of the rule's ambiguity that accepts `actual`


@dataclass(frozen=True)
class Credential:
    """What an Authorization header carried: the token (decoded when Base64), its label among
    the tokens the receiver knows (None: unknown), and whether it came Base64-encoded."""

    token: str | None
    label: str | None
    base64: bool
    newline: bool = False  # Base64 of the token and a trailing newline (the spec's examples)


def read_authorization(value: str | None, tokens: Mapping[str, str]) -> Credential | None:
    """§4.1.2: `Token <base64(token)>`. None when there is no `Token` credential at all. A
    credential that is a known token verbatim was sent without Base64 (an error of 2.2.1 that
    2.1.1 parties make); one that decodes to a known token was encoded."""
    scheme, _, credential = (value or "").strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "token" or not credential:
        return None
    try:
        decoded: str | None = base64.b64decode(credential, validate=True).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        decoded = None
    if decoded is not None and decoded in tokens:
        return Credential(decoded, tokens[decoded], base64=True)
    if decoded is not None and decoded.endswith("\n") and decoded[:-1] in tokens:
        return Credential(decoded[:-1], tokens[decoded[:-1]], base64=True, newline=True)
    if credential in tokens:
        return Credential(credential, tokens[credential], base64=False)
    return Credential(decoded or credential, None, base64=decoded is not None)


def _encoding(credential: Credential) -> Finding:
    """TRANS-005 on a `Token` credential; the deviations the token-encoding ambiguity's other
    readings accept (the 2.2 reading, the spec's own examples) are disputed, not failed."""
    expected = "the token Base64-encoded after `Token `"
    if not credential.base64:
        return Finding("TRANS-005", False, expected, "the token sent verbatim", dispute="raw")
    if credential.newline:
        return Finding("TRANS-005", False, expected, "the Base64 of the token and a newline",
                       dispute="example-newline")  # fmt: skip
    return Finding("TRANS-005", True, expected, "the token Base64-encoded")


def _without_token(authorization: str | None) -> str:
    """What an Authorization header without a `Token` credential was, never echoing a value
    that may be the token itself: only a scheme-like first word is shown."""
    if authorization is None:
        return "no Authorization header"
    scheme, _, rest = authorization.strip().partition(" ")
    if rest and re.fullmatch(r"[A-Za-z]{1,10}", scheme):
        return f"Authorization with scheme {scheme!r}, not `Token`"
    return "an Authorization header without the `Token` scheme word"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def judge_request(
    method: str,
    headers: Mapping[str, str],
    body: bytes | str | None,
    *,
    tokens: Mapping[str, str],
    request_ids_seen: set[str],
) -> tuple[list[Finding], Credential | None]:
    """TRANS-005 (Base64 token), TRANS-006 (a body comes as JSON), TRANS-018 (X-Request-ID new
    on every request, X-Correlation-ID present) on one request. `request_ids_seen` holds the
    X-Request-IDs of the sender's earlier requests; this one is added. Returns the findings and
    the credential read (for rules on which token a party uses, CRED-008)."""
    findings: list[Finding] = []
    authorization = _header(headers, "Authorization")
    credential = read_authorization(authorization, tokens)
    if credential is None:
        findings.append(Finding("TRANS-005", False, "Authorization: Token <base64(token)>",
                                _without_token(authorization)))  # fmt: skip
    else:
        findings.append(_encoding(credential))
    if method.upper() in BODY_METHODS and body:
        content_type = _header(headers, "Content-Type")
        media = (content_type or "").split(";")[0].strip().lower()
        findings.append(Finding(
            "TRANS-006", media == "application/json",
            f"Content-Type: application/json on a {method.upper()} with a body",
            f"Content-Type: {content_type}" if content_type else "no Content-Type",
        ))  # fmt: skip
    request_id = _header(headers, "X-Request-ID")
    correlation_id = _header(headers, "X-Correlation-ID")
    fresh = bool(request_id) and request_id not in request_ids_seen
    findings.append(Finding(
        "TRANS-018", fresh and bool(correlation_id),
        "an X-Request-ID not used on any earlier request, and an X-Correlation-ID",
        f"X-Request-ID {request_id!r}{' (used before)' if request_id and not fresh else ''}, "
        f"X-Correlation-ID {correlation_id!r}",
    ))  # fmt: skip
    if request_id:
        request_ids_seen.add(request_id)
    return findings, credential
