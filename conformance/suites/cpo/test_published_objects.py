"""What a CPO published, over the run (conformance/checks/lifecycle.py): its Locations and CDRs
read again at the end of the run against the first read of the `modules` phase, and the
Locations and Sessions it pushed during the `charging` phase. Runs in phase `pushes`, when the
commands have made the CPO start and stop sessions, push, and publish a new CDR.
"""

from __future__ import annotations

import pytest

from conformance.checks.lifecycle import activations, changed_cdrs, evse_removals, vanished_evses
from conformance.session import Judge
from conformance.suites.charging import CpoTarget
from conformance.suites.pagination import Crawl, read
from conformance.suites.senders import listing, sender

pytestmark = pytest.mark.phase("pushes")


def _read_twice(judge: Judge, module: str) -> tuple[Crawl, Crawl]:
    """The first read of the list (phase `modules`, or now under --only) and a read now; the
    pages are not judged again (the Senders suite judged them, suites/senders.py)."""
    url, token = sender(judge, module)
    first = listing(judge, module)
    return first, read(judge, url, module, token)


@pytest.mark.rule("CDR-004")
def test_cdrs_never_change(judge: Judge) -> None:
    """§10.1: a CDR is final; a correction is a credit CDR, never a change of the original."""
    first, again = _read_twice(judge, "cdrs")
    compared, changed = changed_cdrs(first.objects, again.objects)
    if not compared:
        pytest.skip("no CDR was served in both reads of the CDRs list")
    origins = {str(o.get("id", "")).upper(): e for o, e in zip(again.objects, again.origins,
                                                                strict=True)
               if isinstance(o, dict)}  # fmt: skip
    if not changed:
        judge.ledger.passed("CDR-004")
    for cdr_id, problems in changed.items():
        judge.ledger.check(
            "CDR-004",
            False,
            expected=f"CDR {cdr_id} served again exactly as first served",
            actual="; ".join(problems[:5]),
            exchange=origins.get(cdr_id),
        )


@pytest.mark.rule("LOC-001")
def test_evses_leave_only_as_removed(judge: Judge, cpo_target: CpoTarget) -> None:
    """§8.1: an EVSE is deleted by setting its status to REMOVED, never by a DELETE or by
    leaving it out: neither in what the CPO pushed, nor between two reads of its list."""
    judged, found = evse_removals(cpo_target.pushes())
    for finding in found:
        judge.ledger.check(
            "LOC-001",
            False,
            expected="EVSEs removed by pushing status REMOVED, never a DELETE or a left-out EVSE",
            actual=finding.problem,
            exchange=finding.push.exchange if finding.push else None,
        )
    if judged and not found:
        judge.ledger.passed("LOC-001")
    first, again = _read_twice(judge, "locations")
    compared, gone = vanished_evses(first.objects, again.objects)
    if not compared and not judged:
        pytest.skip("no EVSE was pushed, nor served in both reads of the Locations list")
    if not compared:
        return
    judge.ledger.check(
        "LOC-001",
        not gone,
        expected="every EVSE served first served again in its Location (REMOVED, if removed)",
        actual="; ".join(gone[:5]),
        exchange=again.first.exchange,
    )


@pytest.mark.rule("SES-007")
def test_start_date_time_moves_to_activation(judge: Judge, cpo_target: CpoTarget) -> None:
    """§9.3.1: a PENDING Session's start_date_time becomes the moment it turned ACTIVE."""
    seen, found = activations(cpo_target.pushes())
    if not seen:
        pytest.skip("the CPO pushed no Session going from PENDING to ACTIVE whose start could "
                    "show whether it was reset (§9.3.1)")  # fmt: skip
    for finding in found:
        judge.ledger.check(
            "SES-007",
            False,
            expected="start_date_time at the PENDING -> ACTIVE transition",
            actual=finding.problem,
            exchange=finding.push.exchange if finding.push else None,
        )
    if not found:
        judge.ledger.passed("SES-007")
