"""Judge.accept over synthetic credentials answers: a token B handed back is CRED-001's (POST)
or CRED-009's (PUT) violation, and read leniently: the registration goes on with it. And the
operator's hooks (mint, revoke, act), run by one runner that says why a hook failed."""

from __future__ import annotations

import dataclasses
import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.client import Reply
from conformance.config import JudgeConfig
from conformance.exchange import Exchange
from conformance.session import ActFailed, ActUnsupported, HookFailed, Judge

TOKEN_B = "token-b-of-the-judge"


class _Counterpart:
    def __init__(self) -> None:
        self.activated: list[str] = []

    def activate(self, handle: str, token_c: str, roles: Any, target: Any) -> None:
        self.activated.append(token_c)


@pytest.fixture
def judge(tmp_path: Path) -> Judge:
    config = JudgeConfig(
        versions_url="https://t/ocpi/versions", role="cpo", token="token-a-for-the-run",
        token_kind="bootstrap", counterpart_host="127.0.0.1", counterpart_port=None,
        counterpart_url=None, strict=True, mint_token_command=None, act_command=None,
        report_dir=tmp_path, run_id="test", only=(), party=("NL", "JDG"),
    )  # fmt: skip
    judged = Judge(config)
    judged._counterpart = _Counterpart()  # type: ignore[assignment]
    judged._endpoints = [{"identifier": "credentials", "role": "RECEIVER",
                          "url": "https://t/ocpi/2.2.1/credentials"}]  # fmt: skip
    judged._moved_lists = {}  # no list URLs to probe
    return judged


def answer(method: str, token: str) -> Reply:
    body = {"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z",
            "data": {"token": token, "url": "https://t/ocpi/versions", "roles": []}}  # fmt: skip
    exchange = Exchange(7, method, "https://t/ocpi/2.2.1/credentials", {}, None, 200, {},
                        json.dumps(body))  # fmt: skip
    return Reply(exchange, body)


@pytest.mark.parametrize(("method", "rule"), [("POST", "CRED-001"), ("PUT", "CRED-009")])
def test_our_token_b_handed_back_is_a_violation_read_leniently(
    judge: Judge, method: str, rule: str
) -> None:
    reply = answer(method, TOKEN_B)
    registration = judge.accept(reply, "handle-1", TOKEN_B)
    assert registration is not None
    assert registration.token == TOKEN_B
    [violation] = judge.ledger.failing(None)
    assert violation.rule.id == rule
    assert violation.exchange is reply.exchange
    assert "token B" in violation.actual
    [reading] = judge.ledger.evidence()[rule].readings
    assert "used as the token to call with" in reading.text


def test_a_new_token_passes(judge: Judge) -> None:
    registration = judge.accept(answer("POST", "token-c-of-the-target"), "handle-1", TOKEN_B)
    assert registration is not None
    assert registration.token == "token-c-of-the-target"
    assert judge.ledger.failing(None) == []
    assert judge.ledger.evidence()["CRED-001"].passes == 1


# --- the operator's hooks: one runner for mint, revoke and act ---------------------------------


def _hook(script: str) -> str:
    """A command line running `script` with this Python."""
    return shlex.join([sys.executable, "-c", script])


def _with(judge: Judge, **hooks: str) -> Judge:
    judge.config = dataclasses.replace(judge.config, **hooks)
    return judge


def test_a_failing_revoke_hook_says_why_with_secrets_redacted(judge: Judge) -> None:
    minted = _with(judge, mint_token_command=_hook("print('\\nTOKEN-A-0123456789')"))
    token = minted.mint()
    assert token == "TOKEN-A-0123456789"
    say = "import sys; sys.stderr.write('cannot revoke ' + sys.stdin.read()); sys.exit(4)"
    _with(judge, revoke_token_command=_hook(say))
    with pytest.raises(HookFailed) as failed:
        judge.revoke(token)
    assert "revoke hook exited 4" in str(failed.value)
    assert "cannot revoke" in str(failed.value)
    assert token not in str(failed.value)  # redacted, as the act hook's stderr is


def test_a_mint_hook_that_prints_no_token_fails_plainly(judge: Judge) -> None:
    with pytest.raises(HookFailed, match="printed no token"):
        _with(judge, mint_token_command=_hook("pass")).mint()


def test_the_act_hook_tells_unsupported_from_failed(judge: Judge) -> None:
    unsupported = "import sys; sys.stderr.write('no such action'); sys.exit(3)"
    with pytest.raises(ActUnsupported, match="cannot swipe: no such action"):
        _with(judge, act_command=_hook(unsupported)).act("swipe", {})
    with pytest.raises(ActFailed, match="act hook swipe exited 1"):
        _with(judge, act_command=_hook("raise SystemExit(1)")).act("swipe", {})
    done = "import json, sys; print(json.dumps({'id': json.load(sys.stdin)['cdr_id']}))"
    acted = _with(judge, act_command=_hook(done)).act("credit_cdr", {"cdr_id": "C1"})
    assert acted == {"id": "C1"}
