"""Credentials changes (§7.2.3, §7.2.4): rotation, unregistering, and what an unregistered
client gets. They run after every module suite, because they end the registration."""

from __future__ import annotations

import pytest

from conformance.checks.objects import check_object, check_status
from conformance.session import Judge
from conformance.suites.conftest import fetched_during, fresh_token, registered

pytestmark = pytest.mark.phase("credentials_changes")


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
    fetched = fetched_during(judge, reply, first, token_b)
    judge.ledger.check(
        "CRED-010",
        "/versions" in fetched and "/2.2.1" in fetched,
        expected="our versions and details fetched again with the new token (§7.2.3)",
        actual=f"GETs with the new token B: {fetched}",
        exchange=reply.exchange,
    )
    judge.registration = new
    check_rotated(judge, old.token, new.token)


def check_rotated(judge: Judge, old: str, new: str) -> None:
    """CRED-011 right after a PUT: the old token refused, the new one taken. An overlap, or a
    new token that starts late, is the token-rotation ambiguity's `transition` reading."""
    stale = judge.get(judge.config.versions_url, "versions", old)
    check_status(judge.ledger, "CRED-011", stale.exchange, http=401,
                 dispute="transition" if stale.status == 200 else None)  # fmt: skip
    fresh = judge.get(judge.config.versions_url, "versions", new)
    check_status(judge.ledger, "CRED-011", fresh.exchange, http=200, ocpi=1000,
                 dispute="transition" if fresh.status in (401, 403) else None)  # fmt: skip


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
    body = judge.counterpart.credentials(
        "plugfest-unreachable-token", complete=judge.complete_credentials
    )
    body["url"] = "http://127.0.0.1:9/ocpi/versions"  # discard port: nothing answers
    reply = judge.client.request(
        "POST", judge.credentials_url(), module="credentials", token=token_a, json=body
    )
    check_status(judge.ledger, "CRED-005", reply.exchange, http=(200,), ocpi=3001)


@pytest.mark.rule("CRED-014")
def test_client_without_functional_modules_gets_3003(judge: Judge) -> None:
    """§7.1.1, §5 (3003): a client whose 2.2.1 details list only the credentials module has no
    module in common with the target; registering it is refused with OCPI 3003."""
    token_a = fresh_token(judge)
    _, token_b = judge.token_b()
    body = judge.counterpart.credentials_only(token_b, complete=judge.complete_credentials)
    reply = judge.client.request(
        "POST", judge.credentials_url(), module="credentials", token=token_a, json=body
    )
    data = reply.data if isinstance(reply.data, dict) else {}
    if reply.ocpi_status == 1000 and isinstance(data.get("token"), str):
        # Registered after all: end it before the verdict, so nothing dangles at the target.
        token_c = judge.recorder.secret(data["token"], "token C#credentials-only")
        judge.send_credentials("DELETE", token_c)
    check_status(judge.ledger, "CRED-014", reply.exchange, http=(200,), ocpi=3003)
