"""How a CPO's published objects may change over a run, judged on its pushes and on its Sender
lists read twice: EVSEs leave only as REMOVED (LOC-001, §8.1), CDRs never change (CDR-004,
§10.1), and a Session's start_date_time moves to the PENDING -> ACTIVE transition (SES-007,
§9.3.1). Pure functions: each returns what it found, the suites record the verdicts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from conformance.checks.compare import instant
from conformance.checks.pushes import Push, differences


@dataclass(frozen=True)
class Finding:
    """A problem found, on the push that showed it (None: found between two Sender reads)."""

    problem: str
    push: Push | None = None


def _evse_statuses(evses: Any) -> dict[str, str]:
    return {str(e.get("uid", "")).upper(): str(e.get("status"))
            for e in (evses if isinstance(evses, list) else []) if isinstance(e, dict)}  # fmt: skip


def evse_removals(pushes: Iterable[Push]) -> tuple[int, list[Finding]]:
    """LOC-001 on Locations pushes: no DELETE at any level, and no Location PUT (or PATCH of its
    `evses`) that leaves out an EVSE whose last pushed status was not REMOVED. Returns how many
    Locations pushes were judged, and the findings."""
    known: dict[tuple[str, ...], dict[str, str]] = {}  # Location address -> EVSE uid -> status
    judged, found = 0, []
    for push in pushes:
        if push.module != "locations":
            continue
        judged += 1
        if push.method == "DELETE":
            found.append(Finding(f"DELETE /{'/'.join(push.segments)}", push))
            continue
        address, body = push.address, push.body
        if address is None or not isinstance(body, dict):
            continue
        evses = known.setdefault(address, {})
        if len(push.segments) == 4:  # an EVSE PUT or PATCH
            uid = push.segments[3].upper()
            evses[uid] = str(body.get("status", evses.get(uid)))
        elif len(push.segments) == 3 and "evses" in body:  # the list given anew
            now = _evse_statuses(body.get("evses"))
            for uid, status in evses.items():
                if uid not in now and status != "REMOVED":
                    problem = (
                        f"EVSE {uid} (last pushed {status}) left out of a Location {push.method}"
                    )
                    found.append(Finding(f"{problem}, never pushed REMOVED", push))
            evses.clear()
            evses.update(now)
    return judged, found


def _by_id(objects: Iterable[Any]) -> dict[str, dict[str, Any]]:
    return {str(o.get("id", "")).upper(): o for o in objects if isinstance(o, dict)}


def vanished_evses(before: Iterable[Any], after: Iterable[Any]) -> tuple[int, list[str]]:
    """LOC-001 between two reads of a Locations Sender list: every EVSE served first is served
    again in its Location (an EVSE that goes away stays, with status REMOVED). Returns how many
    EVSEs were compared (a Location gone from the second read is no verdict here) and what
    vanished."""
    later = _by_id(after)
    compared, found = 0, []
    for location_id, location in _by_id(before).items():
        if location_id not in later:
            continue
        still = _evse_statuses(later[location_id].get("evses"))
        for uid in _evse_statuses(location.get("evses")):
            compared += 1
            if uid not in still:
                found.append(f"Location {location_id}: EVSE {uid} served first, gone later")
    return compared, found


def changed_cdrs(before: Iterable[Any], after: Iterable[Any]) -> tuple[int, dict[str, list[str]]]:
    """CDR-004 between two reads of a CDRs Sender list: each CDR served both times is the same,
    field for field (DateTimes as instants, compare.py). Returns how many were compared and
    the differences per CDR id (a CDR missing from the second read is no verdict)."""
    later = _by_id(after)
    compared, found = 0, {}
    for cdr_id, cdr in _by_id(before).items():
        if cdr_id not in later:
            continue
        compared += 1
        again = later[cdr_id]
        problems = differences(cdr, again)
        problems += [f"{name}: not served first, {again[name]!r} later"
                     for name in again if name not in cdr]  # fmt: skip
        if problems:
            found[cdr_id] = problems
    return compared, found


#: Slack on DateTimes written at second precision (§16.2 allows it): never a violation by less.
SLACK = timedelta(seconds=1)


def activations(pushes: Iterable[Push]) -> tuple[int, list[Finding]]:
    """SES-007 on Sessions pushes: when a Session pushed PENDING is next pushed ACTIVE, its
    start_date_time is the moment of that transition: not before the last moment it was pushed
    PENDING, not after the ACTIVE state's last_updated, and not the PENDING start_date_time
    when the Session was known to be PENDING later than that. Returns the transitions that
    could show a reset (the start moved, or the Session was PENDING after its start), and the
    findings; a transition that cannot tell a reset from none is left out."""
    state: dict[tuple[str, ...], dict[str, Any]] = {}
    pending: dict[tuple[str, ...], tuple[datetime | None, datetime]] = {}  # start, last PENDING
    decided, found = 0, []
    for push in pushes:
        address = push.address
        if push.module != "sessions" or address is None or not isinstance(push.body, dict):
            continue
        if push.method == "PUT":
            state[address] = dict(push.body)
        elif push.method == "PATCH":
            state.setdefault(address, {}).update(push.body)
        else:
            continue
        session = state[address]
        stamp = instant(session.get("last_updated"))
        if session.get("status") == "PENDING":
            if stamp is not None:
                pending[address] = (instant(session.get("start_date_time")), stamp)
            continue
        if session.get("status") != "ACTIVE" or address not in pending:
            continue
        created, low = pending.pop(address)
        start = instant(session.get("start_date_time"))
        problem = None
        if start is None or stamp is None:
            problem = "no start_date_time or last_updated to read"
        elif start < low - SLACK or start > stamp + SLACK:
            problem = (f"start_date_time outside [{low.isoformat()} (last pushed PENDING), "
                       f"{stamp.isoformat()} (ACTIVE)]")  # fmt: skip
        elif created is not None and start == created and low - created > SLACK:
            problem = (f"start_date_time still the creation time {created.isoformat()}, though "
                       f"the Session was pushed PENDING as of {low.isoformat()}")  # fmt: skip
        if problem:
            found.append(Finding(f"{problem}: {session.get('start_date_time')!r}", push))
            decided += 1
        elif created is None or start != created or low - created > SLACK:
            decided += 1
    return decided, found
