"""The credentials handshake and its lifecycle (§7): register, refuse, read, rotate, unregister.

The judge is the client; our counterpart serves the versions the target must fetch with token B.
The tests run in order and share the registration they make.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.objects import check_object, check_status
from conformance.client import Reply
from conformance.exchange import Exchange
from conformance.session import Judge
from conformance.suites.conftest import bootstrap_token, fresh_token, registered


def _fetched_during(judge: Judge, reply: Reply, first_id: int, token_b: str) -> list[str]:
    """What the target GOT from our counterpart, with token B, while it handled `reply`."""
    label = f"Token <{judge.recorder.labels[token_b]}>"
    return [
        e.url.rsplit("/ocpi", 1)[-1]
        for e in judge.counterpart.inbound()
        if first_id < e.id < reply.exchange.id
        and e.method == "GET"
        and e.request_header("Authorization") == label
    ]


def _check_credentials(judge: Judge, data: Any, exchange: Exchange) -> None:
    """CRED-018 (the object) and CRED-015 (token and roles) on a Credentials answer."""
    check_object(judge.ledger, "CRED-018", data, "Credentials", exchange)
    roles = data.get("roles") if isinstance(data, dict) else None
    keys = [(r.get("role"), str(r.get("party_id")).upper(), str(r.get("country_code")).upper())
            for r in roles or [] if isinstance(r, dict)]  # fmt: skip
    judge.ledger.check(
        "CRED-015",
        bool(keys) and len(set(keys)) == len(keys),
        expected="at least one role, each (role, party_id, country_code) once (§7.3.1)",
        actual=keys,
        exchange=exchange,
    )


@pytest.mark.rule("CRED-001", "CRED-004", "CRED-015", "CRED-018")
def test_register_with_token_a(judge: Judge) -> None:
    token_a = bootstrap_token(judge)
    first = judge.recorder.next_id()
    reply, registration = judge.register(token_a)
    check_status(judge.ledger, "CRED-001", reply.exchange, http=200, ocpi=1000)
    assert registration is not None
    _check_credentials(judge, reply.data, reply.exchange)
    judge.ledger.check(
        "CRED-001",
        registration.token not in {token_a, registration.token_b},
        expected="a new token C, different from TOKEN_A and from our token B",
        actual="a token it was given",
        exchange=reply.exchange,
    )
    fetched = _fetched_during(judge, reply, first, registration.token_b)
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
    registration = registered(judge)
    reply = judge.send_credentials("GET", registration.token)
    check_status(judge.ledger, "CRED-013", reply.exchange, http=200, ocpi=1000)
    check_object(judge.ledger, "CRED-018", reply.data, "Credentials", reply.exchange)


@pytest.mark.rule("CRED-009", "CRED-010", "CRED-011", "CRED-018")
def test_put_rotates_the_token(judge: Judge) -> None:
    old = registered(judge)
    handle, token_b = judge.token_b()
    first = judge.recorder.next_id()
    reply = judge.send_credentials("PUT", old.token, token_b)
    check_status(judge.ledger, "CRED-009", reply.exchange, http=200, ocpi=1000)
    new = judge.accept(reply, handle, token_b)
    assert new is not None
    check_object(judge.ledger, "CRED-018", reply.data, "Credentials", reply.exchange)
    judge.ledger.check(
        "CRED-009",
        new.token != old.token,
        expected="a new token in the PUT answer (§7.2.3)",
        actual="the old token again",
        exchange=reply.exchange,
    )
    fetched = _fetched_during(judge, reply, first, token_b)
    judge.ledger.check(
        "CRED-010",
        "/versions" in fetched and "/2.2.1" in fetched,
        expected="our versions and details fetched again with the new token (§7.2.3)",
        actual=f"GETs with the new token B: {fetched}",
        exchange=reply.exchange,
    )
    judge.registration = new
    stale = judge.get(judge.config.versions_url, "versions", old.token)
    check_status(judge.ledger, "CRED-011", stale.exchange, http=401)
    fresh = judge.get(judge.config.versions_url, "versions", new.token)
    check_status(judge.ledger, "CRED-011", fresh.exchange, http=200, ocpi=1000)


@pytest.mark.rule("CRED-012")
def test_delete_unregisters(judge: Judge) -> None:
    registration = registered(judge)
    reply = judge.send_credentials("DELETE", registration.token)
    check_status(judge.ledger, "CRED-012", reply.exchange, http=200, ocpi=1000)
    judge.registration = None
    after = judge.get(judge.config.versions_url, "versions", registration.token)
    check_status(judge.ledger, "CRED-012", after.exchange, http=401)


@pytest.mark.rule("CRED-003")
def test_put_and_delete_before_registration_get_405(judge: Judge) -> None:
    token_a = fresh_token(judge)
    _, token_b = judge.token_b()
    put = judge.send_credentials("PUT", token_a, token_b)
    check_status(judge.ledger, "CRED-003", put.exchange, http=405)
    delete = judge.send_credentials("DELETE", token_a)
    check_status(judge.ledger, "CRED-003", delete.exchange, http=405)


@pytest.mark.rule("CRED-005")
def test_unreachable_client_gets_3001(judge: Judge) -> None:
    token_a = fresh_token(judge)
    body = judge.counterpart.credentials("plugfest-unreachable-token")
    body["url"] = "http://127.0.0.1:9/ocpi/versions"  # discard port: nothing answers
    reply = judge.client.request(
        "POST", judge.credentials_url(), module="credentials", token=token_a, json=body
    )
    check_status(judge.ledger, "CRED-005", reply.exchange, http=(200,), ocpi=3001)


@pytest.mark.rule("CRED-001")
def test_register_again_with_a_fresh_token(judge: Judge) -> None:
    """Leaves the judge registered for the suites that follow (functional modules)."""
    token_a = fresh_token(judge)
    reply, registration = judge.register(token_a)
    check_status(judge.ledger, "CRED-001", reply.exchange, http=200, ocpi=1000)
    judge.registration = registration
