"""Judge.accept over synthetic credentials answers: a token B handed back is CRED-001's (POST)
or CRED-009's (PUT) violation, and read leniently: the registration goes on with it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.client import Reply
from conformance.config import JudgeConfig
from conformance.exchange import Exchange
from conformance.session import Judge

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
