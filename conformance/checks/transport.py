"""Checks applied to every exchange with the target (§4.1.7, §4.2, §4.1.8, §5, §16.2)."""

from __future__ import annotations

import re
from typing import Any

from conformance.client import CONFIGURATION_MODULES
from conformance.exchange import Exchange
from conformance.verdicts import Ledger
from specs import contract

ROUTING = (
    "ocpi-to-party-id",
    "ocpi-to-country-code",
    "ocpi-from-party-id",
    "ocpi-from-country-code",
)
#: §4.1.8.2 routing headers hold codes: CiString(2) country codes, CiString(3) party ids.
_CODES = {
    "country-code": re.compile(r"[\x21-\x7e]{1,2}"),
    "party-id": re.compile(r"[\x21-\x7e]{1,3}"),
}
_Z_FORM = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$")
_CUSTOM = ((1900, 1999), (2900, 2999), (3900, 3999), (4900, 4999))


def check_envelope(ledger: Ledger, exchange: Exchange, body: Any) -> None:
    """TRANS-012/013/015/039/040: the envelope, on success and error responses alike.
    `body` is the response as parsed (not the redacted record), NOT_JSON if it did not parse."""
    rule = "TRANS-013" if (exchange.status or 0) >= 400 else "TRANS-012"
    # A timestamp present but in the wrong form is TRANS-039/040's, below, not the envelope's.
    problems = [
        problem
        for problem in (contract.errors(body, "ResponseFormat") if isinstance(body, dict) else [])
        if not (problem.startswith("$.timestamp:") and isinstance(body.get("timestamp"), str))
    ]
    status = body.get("status_code") if isinstance(body, dict) else None
    four_digits = (
        isinstance(status, int) and not isinstance(status, bool) and 1000 <= status <= 4999
    )
    ledger.check(
        rule,
        isinstance(body, dict) and not problems and four_digits,
        expected="a JSON object with a 4-digit status_code and a DateTime timestamp (§4.1.7)",
        actual=problems
        or (f"status_code {status!r}" if isinstance(body, dict) else _snippet(exchange)),
        exchange=exchange,
    )
    if not isinstance(body, dict):
        return
    if not four_digits:
        ledger.blocked("TRANS-015", "no numeric status_code to judge (see TRANS-012/013)", exchange)
    else:
        assert isinstance(status, int)
        ledger.check(
            "TRANS-015",
            not any(low <= status <= high for low, high in _CUSTOM),
            expected="no custom-range status code (19xx/29xx/39xx/49xx) from a standard module",
            actual=status,
            exchange=exchange,
        )
    if isinstance(status, str) and status.strip().isdigit():
        ledger.reading(
            rule, f"status_code {status!r} (a string) read as the number {int(status)}", exchange
        )
    timestamp = body.get("timestamp")
    if not isinstance(timestamp, str):
        for rule_id in ("TRANS-039", "TRANS-040"):
            ledger.blocked(rule_id, "no timestamp to judge (see TRANS-012/013)", exchange)
    else:
        in_form = ledger.check(
            "TRANS-039",
            not contract.errors(timestamp, "DateTime"),
            expected="an RFC 3339 UTC DateTime in one of the §16.2 forms",
            actual=timestamp,
            exchange=exchange,
        )
        # Only a §16.2 form can lack the Z; an offset is TRANS-039's deviation alone.
        if in_form:
            ledger.check(
                "TRANS-040",
                bool(_Z_FORM.fullmatch(timestamp)),
                expected="a DateTime with the Z designator",
                actual=timestamp,
                exchange=exchange,
            )


#: A header value HTTP carries unchanged: no control characters, no surrounding blanks (§4.2).
_ECHOABLE = re.compile(r"[^\x00-\x20\x7f](?:[^\x00-\x1f\x7f]*[^\x00-\x20\x7f])?")


def check_headers(ledger: Ledger, exchange: Exchange, module: str) -> None:
    """TRANS-007/016/017/020/021: content type, request ids echoed, routing headers."""
    if exchange.response_body:
        content_type = exchange.header("content-type") or ""
        ledger.check(
            "TRANS-007",
            content_type.split(";")[0].strip().lower() == "application/json",
            expected="Content-Type: application/json",
            actual=content_type or "no Content-Type",
            exchange=exchange,
        )
    for header, rule in (("X-Request-ID", "TRANS-016"), ("X-Correlation-ID", "TRANS-017")):
        sent = exchange.request_header(header)
        # Only an id HTTP can carry unchanged must come back; a fuzzed one holding control
        # characters, or surrounding blanks HTTP strips, may be replaced.
        if sent is not None and _ECHOABLE.fullmatch(sent):
            ledger.check(
                rule,
                exchange.header(header) == sent,
                expected=f"{header}: {sent} echoed",
                actual=exchange.header(header) or "absent",
                exchange=exchange,
            )
    present = [name for name in ROUTING if exchange.header(name) is not None]
    if module in CONFIGURATION_MODULES:
        ledger.check(
            "TRANS-021",
            not present,
            expected="no OCPI-to/from routing headers on a configuration module (§4.1.8.2)",
            actual=present,
            exchange=exchange,
        )
        return
    swapped = {
        "ocpi-to-party-id": exchange.request_header("OCPI-from-party-id"),
        "ocpi-to-country-code": exchange.request_header("OCPI-from-country-code"),
        "ocpi-from-party-id": exchange.request_header("OCPI-to-party-id"),
        "ocpi-from-country-code": exchange.request_header("OCPI-to-country-code"),
    }
    expected = {k: v for k, v in swapped.items() if v is not None}
    # Only codes can come back (CiString(2)/(3), §4.1.8.2): a request whose routing headers are
    # not (the fuzzer's edge values) may rightly be refused without them.
    if expected and all(_CODES[k.split("-", 2)[2]].fullmatch(v) for k, v in expected.items()):
        actual = {k: exchange.header(k) for k in expected}
        ledger.check(
            "TRANS-020",
            all((actual[k] or "").upper() == v.upper() for k, v in expected.items()),
            expected=f"routing headers addressed back to the requester: {expected}",
            actual=actual,
            exchange=exchange,
        )


def check_exchange(ledger: Ledger, exchange: Exchange, body: Any, module: str) -> None:
    check_headers(ledger, exchange, module)
    check_envelope(ledger, exchange, body)


def _snippet(exchange: Exchange) -> str:
    body = exchange.response_body or ""
    return repr(body[:120]) + ("..." if len(body) > 120 else "")
