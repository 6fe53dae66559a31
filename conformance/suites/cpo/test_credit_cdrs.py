"""Credit CDRs (§10.1.1, CDR-005): a CDR is final; a correction is a credit CDR with an id of its
own, credit=true, credit_reference_id the credited CDR's id, repeating the original with its
cost amounts negated.

Every credit CDR the CPO serves or pushes during the run is judged; where the CDR it credits is
known (served or pushed too), against it. With the act hook (`--act-command`, README "The act
hook") the judge first asks the target to `credit_cdr` the CDR of the Session it started and
stopped in the charging phase (test_commands.py), and waits a bounded time for the credit CDR
to be served or pushed. Without the hook and with no credit CDR seen, the test is skipped.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from conformance.checks.callbacks import request_json
from conformance.checks.compare import instant
from conformance.exchange import Exchange
from conformance.session import ActUnsupported, Judge
from conformance.suites.charging import LOCATION_PAGES, CpoTarget
from conformance.suites.pagination import next_link
from conformance.verdicts import Blocked, Ledger

pytestmark = pytest.mark.phase("pushes")  # after the charging phase made (and billed) Sessions

NO_HOOK = "pass --act-command so the judge can ask the CPO for a credit CDR"
#: How long a credit CDR may take to be served or pushed once asked for (at most --max-wait).
CREDIT_WAIT_SECONDS = 10.0
POLL_SECONDS = 0.25
#: The Price fields a credit CDR repeats negated (§10.3.1: total_cost and the other costs).
COST_FIELDS = ("total_cost", "total_fixed_cost", "total_energy_cost", "total_time_cost",
               "total_parking_cost", "total_reservation_cost")  # fmt: skip
#: The purpose test_commands.py starts (and stops) its Session under: its CDR is credited first.
PURPOSES = ("commands",)
TOLERANCE = 1e-5  # below the 4 decimals amounts have; a float round trip may move a digit


@dataclass(frozen=True)
class Seen:
    """A CDR as the target served it (a list page) or pushed it (a POST to our Receiver)."""

    cdr: dict[str, Any]
    exchange: Exchange
    how: str  # "served" or "pushed"

    @property
    def key(self) -> tuple[str, str, str]:
        """(country_code, party_id, id), upper case (CiStrings, §16.1)."""
        cdr = self.cdr
        return (str(cdr.get("country_code", "")).upper(), str(cdr.get("party_id", "")).upper(),
                str(cdr.get("id", "")).upper())  # fmt: skip

    @property
    def credit(self) -> bool:
        return self.cdr.get("credit") is True


def _cdrs(target: CpoTarget) -> list[Seen]:
    """Every CDR the target serves from the run's start on (Link headers followed) and every
    CDR it POSTed to our counterpart."""
    found: list[Seen] = []
    next_url = target.registration.endpoint("cdrs", "SENDER")
    query: dict[str, str | int] | None = {"date_from": target.since}
    pages = 0
    while next_url and pages < LOCATION_PAGES:
        reply = target.judge.client.request(
            "GET", next_url, module="cdrs", token=target.registration.token, params=query
        )
        if isinstance(reply.data, list):
            found += [Seen(o, reply.exchange, "served") for o in reply.data if isinstance(o, dict)]
        next_url, query, pages = next_link(reply), None, pages + 1
    for exchange in target.pushed("cdrs", ("POST",)):
        body = request_json(exchange)
        if isinstance(body, dict):
            found.append(Seen(body, exchange, "pushed"))
    return found


def _wait(
    target: CpoTarget, wanted: Callable[[Seen], bool], seconds: float
) -> tuple[Seen | None, list[Seen]]:
    """Poll the CDRs until one is `wanted` or `seconds` have passed: (that one, all seen)."""
    deadline = time.monotonic() + seconds
    while True:
        seen = _cdrs(target)
        match = next((s for s in seen if wanted(s)), None)
        if match is not None or time.monotonic() >= deadline:
            return match, seen
        time.sleep(POLL_SECONDS)


def _session_ids(target: CpoTarget) -> list[str]:
    """The Sessions the judge started (test_commands.py's first), upper case."""
    order = [*PURPOSES, *(p for p in target.started if p not in PURPOSES)]
    ids = []
    for purpose in order:
        started = target.started.get(purpose)
        session = started.session if started else None
        if session and isinstance(session.get("id"), str):
            ids.append(session["id"].upper())
    return ids


def _ask_for_credit(judge: Judge, target: CpoTarget) -> str | None:
    """Have the target credit the CDR of a Session the judge started, through the act hook, and
    wait for its credit CDR. Why none was asked for or seen (None: one is there to judge)."""
    if not judge.config.act_command:
        return NO_HOOK
    sessions = _session_ids(target)
    if not sessions:
        return "the judge started no Session in the charging phase: no CDR of its own to credit"
    bound = min(CREDIT_WAIT_SECONDS, judge.config.max_wait)

    def ours(seen: Seen) -> bool:
        return not seen.credit and str(seen.cdr.get("session_id", "")).upper() in sessions

    found, seen = _wait(target, ours, bound)
    if found is None:
        return f"no CDR of the Sessions the judge started ({', '.join(sessions)}) to credit"
    # test_commands.py's first, but one that cost something: negated, a zero shows nothing.
    candidates = sorted(
        (s for s in seen if ours(s)),
        key=lambda s: (not _amount(s.cdr.get("total_cost"), "excl_vat"),
                       sessions.index(str(s.cdr.get("session_id")).upper())),
    )  # fmt: skip
    original = candidates[0]
    cdr_id = str(original.cdr.get("id"))
    try:
        acted = judge.act("credit_cdr", {"cdr_id": cdr_id}) or {}
    except ActUnsupported as exc:
        return str(exc)
    named = str(acted.get("id") or "").upper()
    credit, _ = _wait(
        target,
        lambda s: (
            (s.credit and str(s.cdr.get("credit_reference_id", "")).upper() == cdr_id.upper())
            or (bool(named) and s.key[2] == named)
        ),
        bound,
    )
    if credit is None:
        raise Blocked(f"the act hook credited CDR {cdr_id}, but no credit CDR of it was served or "
                      f"pushed within {bound:g} s", original.exchange)  # fmt: skip
    judge.ledger.check(
        "CDR-005",
        credit.credit,
        expected=f"the CDR {credit.cdr.get('id')} the CPO issued to credit CDR {cdr_id} with "
        "credit = true (§10.1.1)",
        actual=f"credit = {credit.cdr.get('credit')}",
        exchange=credit.exchange,
    )
    return None


def _amount(price: Any, part: str) -> Any:
    return price.get(part) if isinstance(price, dict) else None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _negated(credited: Any, credit: Any) -> bool:
    """Whether Price `credit` is Price `credited` negated, excl_vat and incl_vat (§16.5)."""
    if credited is None or credit is None:
        return credited is None and credit is None
    for part in ("excl_vat", "incl_vat"):
        was, now = _amount(credited, part), _amount(credit, part)
        if was is None and now is None:
            continue
        if not (_number(was) and _number(now) and math.isclose(now, -was, abs_tol=TOLERANCE)):
            return False
    return True


def _same(field: str, a: Any, b: Any) -> bool:
    if field.endswith("date_time"):
        return instant(a) is not None and instant(a) == instant(b)
    return str(a).upper() == str(b).upper()


def check_credit(ledger: Ledger, credit: Seen, originals: dict[tuple[str, str, str], Seen]) -> None:
    """CDR-005 on one credit CDR: its own id, the credited CDR's id, and (where the credited CDR
    is known) the original repeated with the cost amounts negated."""
    cdr, name = credit.cdr, f"credit CDR {credit.cdr.get('id')} ({credit.how})"
    reference = cdr.get("credit_reference_id")
    ledger.check(
        "CDR-005",
        isinstance(reference, str) and bool(reference) and reference.upper() != credit.key[2],
        expected="credit_reference_id the credited CDR's id, not the credit CDR's own (§10.1.1)",
        actual=f"{name}: credit_reference_id {reference!r}",
        exchange=credit.exchange,
    )
    if not isinstance(reference, str):
        return
    original = originals.get((credit.key[0], credit.key[1], reference.upper()))
    if original is None:  # the credited CDR is not in sight: the sign is all there is to see
        amounts = [_amount(cdr.get("total_cost"), p) for p in ("excl_vat", "incl_vat")]
        ledger.check(
            "CDR-005",
            _number(amounts[0]) and all(a is None or (_number(a) and a <= 0) for a in amounts),
            expected="a credit CDR's total_cost negative (or zero), excl_vat and incl_vat",
            actual=f"{name}: total_cost {cdr.get('total_cost')}",
            exchange=credit.exchange,
        )
        return
    was = original.cdr
    differ = [f"{f}: {cdr.get(f)} for {was.get(f)}" for f in COST_FIELDS
              if not _negated(was.get(f), cdr.get(f))]  # fmt: skip
    differ += [f"{f}: {cdr.get(f)!r} for {was.get(f)!r}"
               for f in ("session_id", "start_date_time", "end_date_time")
               if not _same(f, was.get(f), cdr.get(f))]  # fmt: skip
    ledger.check(
        "CDR-005",
        not differ,
        expected=f"CDR {was.get('id')} (as {original.how} in exchange #{original.exchange.id}) "
        "repeated with total_cost and every total_*_cost negated (§10.1.1)",
        actual=f"{name}: " + "; ".join(differ[:6]),
        exchange=credit.exchange,
    )


@pytest.mark.rule("CDR-005")
def test_credit_cdrs(judge: Judge, cpo_target: CpoTarget) -> None:
    """With the act hook, a credit CDR for the CDR of the judge's own Session; then every credit
    CDR served or pushed, against the CDR it credits where that one is known."""
    why_none = _ask_for_credit(judge, cpo_target)
    seen = _cdrs(cpo_target)
    credits = [s for s in seen if s.credit]
    if not credits:
        pytest.skip(f"the CPO served and pushed no credit CDR during the run: {why_none}")
    originals = {s.key: s for s in seen if not s.credit}
    for credit in credits:
        check_credit(judge.ledger, credit, originals)
