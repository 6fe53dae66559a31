"""Callbacks a CPO owes at a response_url (conformance/checks/callbacks.py and the waiting in
conformance/suites/charging.py): a CommandResult that comes in time, late, malformed or never is
reported on its own rule; a wait the judge cut short is no verdict."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from conformance.checks.callbacks import GRACE_SECONDS, Awaited, check_answer, judge_callback
from conformance.client import Reply
from conformance.exchange import Exchange
from conformance.suites.charging import CpoTarget, Sent, Spot, Started
from conformance.verdicts import Ledger
from specs.catalogue import default_catalogue

URL = "http://judge.test/ocpi/emsp/2.2.1/commands/START_SESSION/ref-1"
SENT = Exchange(1, "POST", "https://cpo.test/commands/START_SESSION", {}, "{}", 200)


def _ledger(strict: bool = False) -> Ledger:
    return Ledger(default_catalogue(), strict=strict)


def _callback(body: Any, exchange_id: int = 2, url: str = URL) -> Exchange:
    text = body if isinstance(body, str) else json.dumps(body)
    return Exchange(exchange_id, "POST", url, {}, text, 200, direction="in")


def _judge(ledger: Ledger, awaited: Awaited) -> Any:
    return judge_callback(
        ledger, awaited, arrived_rule="CMD-003", timely_rule="CMD-004", schema_rule="CMD-015",
        schema="CommandResult", request=SENT,
    )  # fmt: skip


def _status(ledger: Ledger, rule: str) -> tuple[int, int, int]:
    found = ledger.evidence().get(rule)
    if found is None:
        return (0, 0, 0)
    return (found.passes, len(found.violations), len(found.blocked))


def test_a_valid_result_in_time_passes_all_three_rules() -> None:
    ledger = _ledger()
    body = _judge(ledger, Awaited(_callback({"result": "ACCEPTED"}), 0.4, 0.4, 30))
    assert body == {"result": "ACCEPTED"}
    assert [_status(ledger, r) for r in ("CMD-003", "CMD-004", "CMD-015")] == [(1, 0, 0)] * 3


def test_a_late_result_breaks_only_the_timeout_rule() -> None:
    ledger = _ledger()
    _judge(ledger, Awaited(_callback({"result": "ACCEPTED"}), 31.0, 31.0, 30))
    assert _status(ledger, "CMD-003") == (1, 0, 0)
    assert _status(ledger, "CMD-004") == (0, 1, 0)  # a SHOULD: recorded, not raised
    assert "arrived after 31.0 s" in ledger.evidence()["CMD-004"].violations[0].actual
    strict = _ledger(strict=True)
    _judge(strict, Awaited(_callback({"result": "ACCEPTED"}), 31.0, 31.0, 30))
    assert [v.rule.id for v in strict.failing(None)] == ["CMD-004"]


def test_a_malformed_result_breaks_the_object_rule() -> None:
    ledger = _ledger()
    _judge(ledger, Awaited(_callback({"result": "DONE"}), 0.2, 0.2, 30))
    [violation] = ledger.failing(None)
    assert violation.rule.id == "CMD-015"
    assert "'DONE' is not one of" in violation.actual
    assert _status(ledger, "CMD-003") == (1, 0, 0)
    not_json = _ledger()
    _judge(not_json, Awaited(_callback("not json"), 0.2, 0.2, 30))
    assert [v.rule.id for v in not_json.failing(None)] == ["CMD-015"]


def test_a_result_that_never_came_breaks_the_arrival_rule() -> None:
    ledger = _ledger()
    _judge(ledger, Awaited(None, None, 30 + GRACE_SECONDS, 30))
    [violation] = ledger.failing(None)
    assert violation.rule.id == "CMD-003"
    assert "nothing arrived there in 32.0 s" in violation.actual
    assert violation.exchange is SENT
    assert _status(ledger, "CMD-004") == (0, 0, 0)  # lateness is judged only on arrival


def test_a_wait_cut_short_before_the_timeout_is_blocked_not_failed() -> None:
    ledger = _ledger()
    assert _judge(ledger, Awaited(None, None, 120.0, 3600)) is None
    assert _status(ledger, "CMD-003") == (0, 0, 1)
    assert _status(ledger, "CMD-004") == (0, 0, 1)
    assert "announced a timeout of 3600 s" in ledger.evidence()["CMD-003"].blocked[0]["reason"]


# --- waiting: polled until the callback comes or the announced timeout (plus grace) passes ------


class _Counterpart:
    """What CpoTarget.await_callback reads of the counterpart: the inbound exchanges and when
    they arrived."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.arrivals: dict[int, float] = {}

    def deliver(self, exchange: Exchange, after: float) -> threading.Timer:
        def arrive() -> None:
            self.arrivals[exchange.id] = time.monotonic()
            self.exchanges.append(exchange)

        timer = threading.Timer(after, arrive)
        timer.start()
        return timer

    def inbound(self) -> list[Exchange]:
        return list(self.exchanges)

    def received_at(self, exchange: Exchange) -> float | None:
        return self.arrivals.get(exchange.id)


class _Config:
    max_wait = 30.0


class _Judge:
    def __init__(self) -> None:
        self.counterpart = _Counterpart()
        self.config = _Config()


def _sent(timeout: int) -> Sent:
    body = {"status_code": 1000, "data": {"result": "ACCEPTED", "timeout": timeout}}
    return Sent("START_SESSION", Reply(SENT, body), URL, time.monotonic())


def _target(judge: _Judge) -> CpoTarget:
    return CpoTarget(judge, None, {}, [], "")  # type: ignore[arg-type]


def test_the_wait_ends_when_the_callback_arrives_and_times_it() -> None:
    judge = _Judge()
    sent = _sent(timeout=5)
    judge.counterpart.deliver(_callback({"result": "ACCEPTED"}, url=URL + "/other"), 0.05)
    judge.counterpart.deliver(_callback({"result": "ACCEPTED"}, exchange_id=3), 0.2)
    awaited = _target(judge).await_callback(sent)
    assert awaited.exchange is not None
    assert awaited.exchange.id == 3
    assert awaited.after is not None
    assert 0.15 < awaited.after < 1.0
    assert awaited.waited < 1.5


def test_the_wait_gives_up_after_the_announced_timeout_and_grace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    grace = 0.3  # shortened for the test; the verdict below uses the real grace
    monkeypatch.setattr("conformance.suites.charging.GRACE_SECONDS", grace)
    judge = _Judge()
    sent = _sent(timeout=0)  # the quickest a target can promise: the grace alone is waited
    timer = judge.counterpart.deliver(_callback({"result": "ACCEPTED"}), grace + 1.0)
    try:
        awaited = _target(judge).await_callback(sent)
    finally:
        timer.cancel()
    assert awaited.exchange is None
    assert grace <= awaited.waited < grace + 0.5
    never = _ledger()
    _judge(never, Awaited(None, None, GRACE_SECONDS, 0))
    assert [v.rule.id for v in never.failing(None)] == ["CMD-003"]


# --- the synchronous answer, and what a declined START_SESSION says (CMD-005) -----------------


def _answer(data: Any, status_code: int = 1000) -> Reply:
    body = {"status_code": status_code, "timestamp": "2026-01-01T00:00:00Z", "data": data}
    return Reply(Exchange(5, "POST", SENT.url, {}, "{}", 200, {}, json.dumps(body)), body)


def test_an_answer_needs_a_result_and_a_timeout() -> None:
    ledger = _ledger()
    check_answer(ledger, _answer({"result": "ACCEPTED", "timeout": 30}), "CMD-001", "CMD-015",
                 "CommandResponse")  # fmt: skip
    assert not ledger.failing(None)
    for data in ({"result": "ACCEPTED"}, {"result": "ACCEPTED", "timeout": True}):
        ledger = _ledger()
        check_answer(ledger, _answer(data), "CMD-001", "CMD-015", "CommandResponse")
        assert "CMD-001" in [v.rule.id for v in ledger.failing(None)], data


def _started(result: str, command_result: str | None = None) -> Started:
    body = {"status_code": 1000, "data": {"result": result, "timeout": 30}}
    sent = Sent("START_SESSION", Reply(SENT, body), URL, time.monotonic())
    spot = Spot({"id": "L1"}, {"uid": "E1"}, {"id": "1"})
    return Started(spot, sent, {"uid": "T1"}, command_result=command_result)


def test_only_a_rejected_start_is_a_refusal_of_the_command() -> None:
    assert _started("REJECTED").rejected
    assert _started("ACCEPTED", "REJECTED").rejected
    for declined in (_started("ACCEPTED", "TIMEOUT"), _started("ACCEPTED", "FAILED"),
                     _started("ACCEPTED", "EVSE_OCCUPIED"), _started("NOT_SUPPORTED")):  # fmt: skip
        assert declined.declined
        assert not declined.rejected
    assert not _started("ACCEPTED", "ACCEPTED").declined
