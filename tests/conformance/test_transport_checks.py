"""Transport checks over synthetic exchanges: each broken property names its rule."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.checks.transport import check_exchange
from conformance.client import NOT_JSON
from conformance.exchange import Exchange
from conformance.verdicts import Ledger
from specs.catalogue import default_catalogue

GOOD_BODY = {"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z", "data": []}


def exchange(
    status: int = 200,
    body: Any = GOOD_BODY,
    response_headers: dict[str, str] | None = None,
    request_headers: dict[str, str] | None = None,
) -> tuple[Exchange, Any]:
    text = body if isinstance(body, str) else json.dumps(body)
    sent = {"X-Request-ID": "r-1", "X-Correlation-ID": "c-1", **(request_headers or {})}
    headers = {"content-type": "application/json", "x-request-id": "r-1",
               "x-correlation-id": "c-1", **(response_headers or {})}  # fmt: skip
    parsed = body if not isinstance(body, str) else NOT_JSON
    return (
        Exchange(1, "GET", "https://t/ocpi/versions", sent, None, status, headers, text),
        parsed,
    )


def violated(module: str, status: int = 200, **kwargs: Any) -> str | None:
    """The one rule an exchange breaks (None if none); each deviation is planted alone."""
    ledger = Ledger(default_catalogue(), strict=True)
    ex, body = exchange(status, **kwargs)
    check_exchange(ledger, ex, body, module)
    rules = {violation.rule.id for violation in ledger.failing(None)}
    assert len(rules) <= 1, rules
    return rules.pop() if rules else None


def test_a_correct_exchange_passes_every_transport_rule() -> None:
    ledger = Ledger(default_catalogue(), strict=True)
    ex, body = exchange()
    check_exchange(ledger, ex, body, "versions")
    passed = {rule for rule, evidence in ledger.evidence().items() if evidence.passes}
    assert {"TRANS-007", "TRANS-012", "TRANS-015", "TRANS-016", "TRANS-017", "TRANS-021",
            "TRANS-039", "TRANS-040"} <= passed  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"status": 401, "body": "Unauthorized"}, "TRANS-013"),
        ({"body": "<html>oops</html>"}, "TRANS-012"),
        ({"body": {"status_code": 1, "timestamp": "2026-01-01T00:00:00Z"}}, "TRANS-012"),
        ({"body": {"status_code": 1900, "timestamp": "2026-01-01T00:00:00Z"}}, "TRANS-015"),
        ({"body": {"status_code": 1000, "timestamp": "2026-01-01T00:00:00+00:00"}}, "TRANS-039"),
        ({"body": {"status_code": 1000}}, "TRANS-012"),
        ({"body": {"status_code": "1000", "timestamp": "2026-01-01T00:00:00Z"}}, "TRANS-012"),
        ({"body": {"status_code": 1000, "timestamp": "2026-01-01T00:00:00"}}, "TRANS-040"),
        ({"response_headers": {"x-request-id": "other"}}, "TRANS-016"),
        ({"response_headers": {"x-correlation-id": "other"}}, "TRANS-017"),
        ({"response_headers": {"content-type": "text/html"}}, "TRANS-007"),
        ({"response_headers": {"ocpi-to-party-id": "ABC"}}, "TRANS-021"),
    ],
)
def test_each_broken_property_names_its_rule(kwargs: dict[str, Any], rule: str) -> None:
    assert violated("versions", **kwargs) == rule


def test_functional_responses_must_address_the_requester() -> None:
    routing = {"OCPI-from-party-id": "PFJ", "OCPI-from-country-code": "NL"}
    swapped = {"ocpi-to-party-id": "PFJ", "ocpi-to-country-code": "NL"}
    assert violated("locations", request_headers=routing, response_headers=swapped) is None
    wrong = {"ocpi-to-party-id": "XXX", "ocpi-to-country-code": "NL"}
    assert violated("locations", request_headers=routing, response_headers=wrong) == "TRANS-020"
    assert violated("locations", request_headers=routing) == "TRANS-020"  # none came back
    # Routing headers that are no codes (the fuzzer's edge values) need not come back.
    strange = {"OCPI-from-party-id": "PF\tJ", "OCPI-from-country-code": "NL"}
    assert violated("locations", request_headers=strange) is None
