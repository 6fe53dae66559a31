"""Sessions Receiver of an eMSP (§9.2.2): PUT replaces the whole Session, charging periods
included; PATCH appends charging periods; GET returns what was pushed."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.compare import differences
from conformance.checks.objects import check_status
from conformance.client import Reply
from conformance.session import Judge
from conformance.suites.generators import (
    ReceiverUnderTest,
    fresh_id,
    later,
    objects,
    owned,
    quick,
)

pytestmark = pytest.mark.phase("modules")

MODULE = "sessions"
PERIODS = st.lists(objects("ChargingPeriod"), min_size=1, max_size=3)


class Receiver(ReceiverUnderTest):
    module = MODULE

    def read(self, session_id: str, rule: str = "SES-013") -> Reply:
        got = self.send("GET", self.at(session_id))
        check_status(self.judge.ledger, rule, got.exchange, http=200, ocpi=1000)
        return got


def _periods(reply: Reply) -> list[Any]:
    data = reply.data if isinstance(reply.data, dict) else {}
    return list(data.get("charging_periods") or [])


@pytest.mark.rule("SES-001", "SES-013")
@quick(2)
@given(value=objects("Session"), periods=PERIODS, others=PERIODS)
def test_put_replaces_the_session(
    judge: Judge, value: dict[str, Any], periods: list[Any], others: list[Any]
) -> None:
    receiver = Receiver(judge)
    session = owned(value, receiver.party, fresh_id("SES"))
    session["charging_periods"] = periods
    reply = receiver.send("PUT", receiver.at(session["id"]), session)
    check_status(judge.ledger, "SES-013", reply.exchange, http=(200, 201), ocpi=1000)
    got = receiver.read(session["id"])
    diff = differences(session, got.data)
    judge.ledger.check("SES-013", not diff, expected="the Session as pushed", actual=diff,
                       exchange=got.exchange)  # fmt: skip

    replacement = {**session, "charging_periods": others, "last_updated": later(60)}
    optional = [k for k in ("authorization_reference", "meter_id", "total_cost") if k in session]
    for key in optional:
        replacement.pop(key)
    reply = receiver.send("PUT", receiver.at(session["id"]), replacement)
    check_status(judge.ledger, "SES-001", reply.exchange, http=(200, 201), ocpi=1000)
    got = receiver.read(session["id"], "SES-001")
    diff = differences(replacement, got.data)
    judge.ledger.check(
        "SES-001",
        not diff,
        expected=f"the replacement Session (periods replaced, {optional or 'no field'} removed)",
        actual=diff,
        exchange=got.exchange,
    )

    cleared = {k: v for k, v in replacement.items() if k != "charging_periods"}
    cleared["last_updated"] = later(120)
    reply = receiver.send("PUT", receiver.at(session["id"]), cleared)
    check_status(judge.ledger, "SES-001", reply.exchange, http=(200, 201), ocpi=1000)
    got = receiver.read(session["id"], "SES-001")
    judge.ledger.check(
        "SES-001",
        _periods(got) == [],
        expected="no charging_periods after a PUT without them",
        actual=_periods(got),
        exchange=got.exchange,
    )


@pytest.mark.rule("SES-002", "SES-013")
@quick(2)
@given(value=objects("Session"), first=PERIODS, more=PERIODS, kwh=st.integers(0, 10**5))
def test_patch_appends_charging_periods(
    judge: Judge, value: dict[str, Any], first: list[Any], more: list[Any], kwh: int
) -> None:
    receiver = Receiver(judge)
    session = owned(value, receiver.party, fresh_id("SES"))
    session["charging_periods"] = first
    reply = receiver.send("PUT", receiver.at(session["id"]), session)
    check_status(judge.ledger, "SES-013", reply.exchange, http=(200, 201), ocpi=1000)
    url = receiver.at(session["id"])
    patches: list[tuple[dict[str, Any], list[Any]]] = [
        ({"charging_periods": more, "last_updated": later(60)}, first + more),
        ({"kwh": kwh, "last_updated": later(120)}, first + more),
        ({"charging_periods": [], "last_updated": later(180)}, first + more),
    ]
    for changes, expected in patches:
        reply = receiver.send("PATCH", url, changes)
        check_status(judge.ledger, "SES-002", reply.exchange, http=200, ocpi=1000)
        got = receiver.read(session["id"])
        diff = differences(expected, _periods(got))
        judge.ledger.check(
            "SES-002",
            not diff,
            expected=f"{len(expected)} charging periods (appended, kept when none are sent)",
            actual=diff or f"{len(_periods(got))} periods",
            exchange=got.exchange,
        )
    data = got.data if isinstance(got.data, dict) else {}
    diff = differences(kwh, data.get("kwh"))
    judge.ledger.check("SES-013", not diff, expected=f"kwh {kwh} as patched", actual=diff,
                       exchange=got.exchange)  # fmt: skip


@pytest.mark.rule("SES-005")
@quick(2)
@given(value=objects("Session"))
def test_url_party_differs_from_body(judge: Judge, value: dict[str, Any]) -> None:
    receiver = Receiver(judge)
    session = owned(value, receiver.party, fresh_id("SES"))
    receiver.check_party_mismatch_refused("SES-005", session)


@pytest.mark.rule("TRANS-036")
@quick(1)
@given(value=objects("Session"))
def test_foreign_party_is_not_stored(judge: Judge, value: dict[str, Any]) -> None:
    receiver = Receiver(judge)
    receiver.check_foreign_party_refused(owned(value, receiver.party, fresh_id("SES")))


@pytest.mark.rule("SES-012")
def test_unknown_session_is_404(judge: Judge) -> None:
    receiver = Receiver(judge)
    reply = receiver.send("GET", receiver.at(fresh_id("NONE")))
    check_status(judge.ledger, "SES-012", reply.exchange, http=404)
