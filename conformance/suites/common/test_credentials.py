"""The credentials handshake (§7): register, TOKEN_A spent, a second POST refused, GET.

The judge is the client; our counterpart serves the versions the target must fetch with token B.
The registration made here serves every module suite after it; the tests that change or end it
(rotation, unregistering) run last (phase `credentials_changes`).
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.objects import check_object, check_status
from conformance.session import Judge
from conformance.suites.conftest import (
    bootstrap_token,
    check_credentials,
    fetched_during,
    registered,
)
from conformance.verdicts import Blocked

pytestmark = pytest.mark.phase("registration")


@pytest.mark.rule("CRED-001", "CRED-004", "CRED-015", "CRED-018", "CRED-019", "VER-007")
def test_register_with_token_a(judge: Judge) -> None:
    token_a = bootstrap_token(judge)
    first = judge.recorder.next_id()
    reply, registration = judge.register(token_a)
    check_status(judge.ledger, "CRED-001", reply.exchange, http=200, ocpi=1000)
    if registration is None:
        raise Blocked("the target did not register the judge (no token C)", reply.exchange)
    check_credentials(judge, reply.data, reply.exchange)
    judge.ledger.check(  # not our token B either: judged by judge.accept
        "CRED-001",
        registration.token != token_a,
        expected="a new token C, different from TOKEN_A",
        actual="the TOKEN_A it was given",
        exchange=reply.exchange,
    )
    fetched = fetched_during(judge, reply, first, registration.token_b)
    judge.ledger.check(
        "CRED-004",
        "/versions" in fetched and "/2.2.1" in fetched,
        expected="GET of our versions and 2.2.1 details with token B before answering (§7.1.1)",
        actual=f"GETs with token B: {fetched}",
        exchange=reply.exchange,
    )
    works = judge.get(judge.config.versions_url, "versions", registration.token)
    check_status(judge.ledger, "CRED-001", works.exchange, http=200, ocpi=1000)
    judge.registration = registration


@pytest.mark.rule("CRED-006", "CRED-007")
def test_token_a_is_spent(judge: Judge, functional_probes: list[tuple[str, str, str, Any]]) -> None:
    registered(judge)
    token_a = judge.config.token
    for module, method, url, body in functional_probes:
        reply = judge.client.request(method, url, module=module, token=token_a, json=body)
        check_status(judge.ledger, "CRED-006", reply.exchange, http=401)
    for url, module in (
        (judge.config.versions_url, "versions"),
        (judge.credentials_url(), "credentials"),
    ):
        reply = judge.get(url, module, token_a)
        check_status(judge.ledger, "CRED-007", reply.exchange, http=401)


@pytest.mark.rule("CRED-002")
def test_second_post_gets_405(judge: Judge) -> None:
    registration = registered(judge)
    _, token_b = judge.token_b()
    reply = judge.send_credentials("POST", registration.token, token_b)
    check_status(judge.ledger, "CRED-002", reply.exchange, http=405)


@pytest.mark.rule("CRED-013", "CRED-018")
def test_get_credentials(judge: Judge) -> None:
    registration = registered(judge, reading=True)
    reply = judge.send_credentials("GET", registration.token)
    check_status(judge.ledger, "CRED-013", reply.exchange, http=200, ocpi=1000)
    check_object(judge.ledger, "CRED-018", reply.data, "Credentials", reply.exchange)


@pytest.mark.rule("TRANS-008")
def test_body_that_is_not_json_gets_400(judge: Judge) -> None:
    """§5: a body that does not parse as JSON is refused with HTTP 400. Sent as a credentials
    PUT with token C, the one body-taking endpoint every party has; nothing can change."""
    registration = registered(judge)
    reply = judge.client.request(
        "PUT", judge.credentials_url(), module="credentials", token=registration.token,
        content=b'{"url": "unfinished', headers={"Content-Type": "application/json"},
    )  # fmt: skip
    check_status(judge.ledger, "TRANS-008", reply.exchange, http=400)
