"""Authentication (§4.1.2): missing header, unknown tokens, wrong shapes, TOKEN_A's scope.

Random tokens and header shapes come from Hypothesis; every answer must be HTTP 401 with the
envelope, never a 5xx (the transport checks on every exchange judge the envelope).
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.checks.objects import check_status
from conformance.client import token_header
from conformance.session import Judge
from conformance.suites.conftest import bootstrap_token

pytestmark = pytest.mark.phase("discovery")

PRINTABLE = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=64)
HEADER_SHAPES = st.one_of(
    PRINTABLE.map(lambda t: "Token " + base64.b64encode(t.encode()).decode()),  # unknown token
    PRINTABLE.map(lambda t: "Token " + t),  # raw, unknown
    PRINTABLE.map(lambda t: "Bearer " + t),  # wrong scheme
    PRINTABLE.map(lambda t: "token " + base64.b64encode(t.encode()).decode()),  # lower case
    PRINTABLE.map(lambda t: "Token  " + t),  # two spaces
    PRINTABLE.map(lambda t: "Token"),  # no credential
    # anything printable; HTTP itself forbids empty values and surrounding white space (RFC 9110)
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=300)
    .map(str.strip)
    .filter(bool),
    st.binary(min_size=1, max_size=48).map(lambda b: "Token " + base64.b64encode(b).decode()),
)
_QUICK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


@pytest.mark.rule("TRANS-001")
def test_missing_authorization_header(
    judge: Judge, functional_probes: list[tuple[str, str, str, Any]]
) -> None:
    requests = [
        ("versions", "GET", judge.config.versions_url, None),
        ("credentials", "GET", judge.credentials_url(), None),
        *functional_probes,
    ]
    for module, method, url, body in requests:
        reply = judge.client.request(method, url, module=module, json=body)
        check_status(judge.ledger, "TRANS-001", reply.exchange, http=401)


@pytest.mark.rule("TRANS-002", "SEC-005")
@_QUICK
@given(token=PRINTABLE)
def test_unknown_tokens_are_refused(judge: Judge, token: str) -> None:
    reply = judge.client.request(
        "GET", judge.config.versions_url, module="versions", authorization=token_header(token)
    )
    check_status(judge.ledger, "SEC-005", reply.exchange, http=401)
    check_status(judge.ledger, "TRANS-002", reply.exchange, http=401)


@pytest.mark.rule("SEC-006")
@_QUICK
@given(header=HEADER_SHAPES)
def test_malformed_authorization_headers_are_refused(judge: Judge, header: str) -> None:
    reply = judge.client.request(
        "GET", judge.config.versions_url, module="versions", authorization=header
    )
    check_status(judge.ledger, "SEC-006", reply.exchange, http=401)


@pytest.mark.rule("SEC-006")
def test_the_scheme_word_is_checked(judge: Judge) -> None:
    """§4.1.2: the header is `Token <base64>`; the run's own (valid) token under another scheme
    word is a malformed header, refused like any other (Versions only: nothing is spent)."""
    encoded = token_header(judge.config.token).removeprefix("Token ")
    for scheme in ("Bearer", "Basic"):  # not "token": schemes are case-insensitive (RFC 9110)
        reply = judge.client.request(
            "GET", judge.config.versions_url, module="versions",
            authorization=f"{scheme} {encoded}",
        )  # fmt: skip
        check_status(judge.ledger, "SEC-006", reply.exchange, http=401)


@pytest.mark.rule("TRANS-004")
def test_base64_token_authenticates(judge: Judge) -> None:
    """§4.1.2. A target that refuses the Base64 form but takes the token verbatim follows the
    2.2 reading of the token-encoding ambiguity: disputed, not failed."""
    reply = judge.get(judge.config.versions_url, "versions", judge.config.token)
    if reply.status in (401, 403):
        raw = judge.client.request("GET", judge.config.versions_url, module="versions",
                                   authorization=f"Token {judge.config.token}")  # fmt: skip
        if raw.status == 200:
            judge.ledger.check(
                "TRANS-004",
                False,
                expected="the Base64-encoded token accepted",
                actual=f"HTTP {reply.status} for it, while the token sent verbatim was accepted "
                f"(exchange #{raw.exchange.id})",
                exchange=reply.exchange,
                dispute="raw",
            )
            return
    check_status(judge.ledger, "TRANS-004", reply.exchange, http=200, ocpi=1000)


@pytest.mark.rule("TRANS-003", "SEC-004")
def test_token_a_only_opens_versions_and_credentials(
    judge: Judge, functional_probes: list[tuple[str, str, str, Any]]
) -> None:
    token = bootstrap_token(judge)
    if not functional_probes:
        pytest.skip("the target publishes no functional module")
    for module, method, url, body in functional_probes:
        reply = judge.client.request(method, url, module=module, token=token, json=body)
        check_status(judge.ledger, "TRANS-003", reply.exchange, http=401)
        check_status(judge.ledger, "SEC-004", reply.exchange, http=401)
