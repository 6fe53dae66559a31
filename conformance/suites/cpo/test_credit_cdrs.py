"""Credit CDRs (§10.1.1, CDR-005): a CDR is final; a correction is a credit CDR with an id of its
own, credit=true, credit_reference_id the credited CDR's id, repeating the original with its
total_cost negated (conformance/checks/cdrs.py).

Every credit CDR the CPO serves or pushes during the run is judged; where the CDR it credits is
known (served or pushed too), against it. With the act hook (`--act-command`, README "The act
hook") the judge first asks the target to `credit_cdr` the CDR of the Session it started and
stopped in the charging phase (test_commands.py), and waits a bounded time for the credit CDR
to be served or pushed; one that does not come blocks that part, and the credit CDRs the CPO
issued on its own are judged all the same. Without the hook and with no credit CDR seen, the
test is skipped.
"""

from __future__ import annotations

import pytest

from conformance.checks.cdrs import amount, check_credit, is_credit
from conformance.exchange import Seen
from conformance.session import ActUnsupported, Judge
from conformance.suites.charging import CpoTarget
from conformance.suites.waiting import READ_POLL_SECONDS, wait_until

pytestmark = pytest.mark.phase("pushes")  # after the charging phase made (and billed) Sessions

NO_HOOK = "pass --act-command so the judge can ask the CPO for a credit CDR"
#: How long a credit CDR may take to be served or pushed once asked for (at most --max-wait).
CREDIT_WAIT_SECONDS = 10.0
#: The purpose test_commands.py starts (and stops) its Session under: its CDR is credited first.
PURPOSES = ("commands",)


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


def _wait(judge: Judge, target: CpoTarget, wanted: list[str] | None = None,
          credited: str = "", named: str = "") -> list[Seen]:  # fmt: skip
    """The CDRs served and pushed, read again until one of the Sessions `wanted` has its CDR,
    or a credit CDR of CDR `credited` (or with the id `named`) is there, at most
    CREDIT_WAIT_SECONDS (and --max-wait)."""

    def found(seen: list[Seen]) -> bool:
        return any(_ours(s, wanted or []) or _credit_of(s, credited, named) for s in seen)

    return wait_until(target.cdrs, CREDIT_WAIT_SECONDS, judge, done=found,
                      poll=READ_POLL_SECONDS)  # fmt: skip


def _ours(seen: Seen, sessions: list[str]) -> bool:
    return not is_credit(seen) and str(seen.obj.get("session_id", "")).upper() in sessions


def _credit_of(seen: Seen, cdr_id: str, named: str) -> bool:
    if not cdr_id:
        return False
    reference = str(seen.obj.get("credit_reference_id", "")).upper()
    return (is_credit(seen) and reference == cdr_id.upper()) or bool(named and seen.key[2] == named)


def _ask_for_credit(judge: Judge, target: CpoTarget) -> str | None:
    """Have the target credit the CDR of a Session the judge started, through the act hook, and
    wait for its credit CDR. Why none was asked for or seen (None: one is there to judge); a
    credit CDR the hook said it made that never came is CDR-005's `blocked`."""
    if not judge.config.act_command:
        return NO_HOOK
    sessions = _session_ids(target)
    if not sessions:
        return "the judge started no Session in the charging phase: no CDR of its own to credit"
    seen = _wait(judge, target, sessions)
    candidates = [s for s in seen if _ours(s, sessions)]
    if not candidates:
        return f"no CDR of the Sessions the judge started ({', '.join(sessions)}) to credit"
    # test_commands.py's first, but one that cost something: negated, a zero shows nothing.
    candidates.sort(
        key=lambda s: (
            not amount(s.obj.get("total_cost"), "excl_vat"),
            sessions.index(str(s.obj.get("session_id")).upper()),
        )
    )
    original = candidates[0]
    cdr_id = str(original.obj.get("id"))
    try:
        acted = judge.act("credit_cdr", {"cdr_id": cdr_id}) or {}
    except ActUnsupported as exc:
        return str(exc)
    named = str(acted.get("id") or "").upper()
    credit = next((s for s in _wait(judge, target, credited=cdr_id, named=named)
                   if _credit_of(s, cdr_id, named)), None)  # fmt: skip
    if credit is None:
        why = (f"the act hook credited CDR {cdr_id}, but no credit CDR of it was served or "
               f"pushed within {min(CREDIT_WAIT_SECONDS, judge.config.max_wait):g} s")  # fmt: skip
        judge.ledger.blocked("CDR-005", why, original.exchange)
        return why
    judge.ledger.check(
        "CDR-005",
        is_credit(credit),
        expected=f"the CDR {credit.obj.get('id')} the CPO issued to credit CDR {cdr_id} with "
        "credit = true (§10.1.1)",
        actual=f"credit = {credit.obj.get('credit')}",
        exchange=credit.exchange,
    )
    return None


@pytest.mark.rule("CDR-005")
def test_credit_cdrs(judge: Judge, cpo_target: CpoTarget) -> None:
    """With the act hook, a credit CDR for the CDR of the judge's own Session; then every credit
    CDR served or pushed, against the CDR it credits where that one is known."""
    why_none = _ask_for_credit(judge, cpo_target)
    seen = cpo_target.cdrs()
    credits = [s for s in seen if is_credit(s)]
    if not credits:
        pytest.skip(f"the CPO served and pushed no credit CDR during the run: {why_none}")
    originals = {s.key: s for s in seen if not is_credit(s)}
    for credit in credits:
        check_credit(judge.ledger, credit, originals)
