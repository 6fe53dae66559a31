"""TOKEN_A guarantees beyond the OCPI text (Plugfest platform rules SEC-*): single use under
concurrency, expiry, revocation. All need fresh tokens from the target (`--mint-token-command`);
revocation also a way to revoke one (`--revoke-token-command`)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conformance.checks.objects import check_status
from conformance.client import Reply
from conformance.session import Judge
from conformance.suites.conftest import fresh_token

pytestmark = pytest.mark.phase("credentials_changes")

PARALLEL = 8


def _unregister(judge: Judge, reply: Reply, handle: str) -> None:
    """A registration the target took (a 1000 answer with a token C) DELETEd again, so that a
    faulty target is left with nothing registered by the test that caught it."""
    data = reply.data if isinstance(reply.data, dict) else {}
    if reply.status == 200 and reply.ocpi_status == 1000 and isinstance(data.get("token"), str):
        token_c = judge.recorder.secret(data["token"], f"token C#{handle[:8]}")
        judge.send_credentials("DELETE", token_c)


def _refused(judge: Judge, rule: str, token_a: str) -> None:
    """`rule`: a TOKEN_A that must open nothing any more gets HTTP 401 on the versions GET and
    on a credentials POST; a registration taken all the same is undone."""
    reply = judge.get(judge.config.versions_url, "versions", token_a)
    check_status(judge.ledger, rule, reply.exchange, http=401)
    handle, token_b = judge.token_b()
    post = judge.send_credentials("POST", token_a, token_b)
    check_status(judge.ledger, rule, post.exchange, http=401)
    _unregister(judge, post, handle)


@pytest.mark.rule("SEC-001")
def test_token_a_is_single_use_under_concurrency(judge: Judge) -> None:
    token_a = fresh_token(judge)
    tokens_b = [judge.token_b() for _ in range(PARALLEL)]
    with ThreadPoolExecutor(PARALLEL) as pool:
        replies = list(
            pool.map(lambda hb: judge.send_credentials("POST", token_a, hb[1]), tokens_b)
        )
    winners = [r for r in replies if r.status == 200 and r.ocpi_status == 1000]
    judge.ledger.check(
        "SEC-001",
        len(winners) == 1,
        expected=f"exactly one of {PARALLEL} concurrent registrations with one TOKEN_A succeeds",
        actual=f"{len(winners)} succeeded: HTTP {sorted(r.status or 0 for r in replies)}",
        exchange=(winners[1] if len(winners) > 1 else replies[0]).exchange,
    )
    for reply in replies:
        if reply not in winners:
            check_status(judge.ledger, "SEC-001", reply.exchange, http=(401, 405))
    for (handle, _), reply in zip(tokens_b, replies, strict=True):
        _unregister(judge, reply, handle)  # leave nothing registered behind


@pytest.mark.rule("SEC-002")
def test_expired_token_a_is_refused(judge: Judge) -> None:
    ttl = 2
    token_a = fresh_token(judge, ttl_seconds=ttl)
    time.sleep(ttl + 1.5)
    _refused(judge, "SEC-002", token_a)


@pytest.mark.rule("SEC-003")
def test_revoked_token_a_is_refused(judge: Judge) -> None:
    token_a = fresh_token(judge)
    if not judge.revoke(token_a):
        pytest.skip("needs a way to revoke a TOKEN_A at the target: pass --revoke-token-command")
    _refused(judge, "SEC-003", token_a)
