"""How a CPO's published objects may change over a run, judged on its pushes and on its Sender
lists read twice: EVSEs leave only as REMOVED (LOC-001, §8.1), CDRs never change (CDR-004,
§10.1), and a Session's start_date_time moves to the PENDING -> ACTIVE transition (SES-007,
§9.3.1). Pure functions: each returns what it found, the suites record the verdicts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from conformance.checks.compare import instant
from conformance.checks.pushes import Push, differences


@dataclass(frozen=True)
class Finding:
    """A problem found, on the push that showed it (None: found between two Sender reads)."""

    problem: str
    push: Push | None = None


def _evse_statuses(evses: Any) -> dict[str, str]:
    return {str(e.get("uid", "")).upper(): str(e.get("status")) for e in evses or []
            if isinstance(e, dict)}  # fmt: skip


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


def vanished_evses(before: Iterable[Any], after: Iterable[Any]) -> list[str]:
    """LOC-001 between two reads of a Locations Sender list: every Location and EVSE served
    first is served again (an EVSE that goes away stays, with status REMOVED)."""
    later = _by_id(after)
    found = []
    for location_id, location in _by_id(before).items():
        if location_id not in later:
            found.append(f"Location {location_id} served first, gone from the list later")
            continue
        still = _evse_statuses(later[location_id].get("evses"))
        found += [f"Location {location_id}: EVSE {uid} served first, gone later"
                  for uid in _evse_statuses(location.get("evses")) if uid not in still]  # fmt: skip
    return found


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


def activations(pushes: Iterable[Push]) -> tuple[int, list[Finding]]:
    """SES-007 on Sessions pushes: when a Session pushed PENDING is next pushed ACTIVE, its
    start_date_time is the moment of that transition, which lies after the last moment it was
    pushed PENDING and no later than the ACTIVE state's last_updated. Returns the transitions
    seen and the findings."""
    state: dict[tuple[str, ...], dict[str, Any]] = {}
    pending_until: dict[tuple[str, ...], datetime] = {}
    seen, found = 0, []
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
                pending_until[address] = stamp
            continue
        if session.get("status") != "ACTIVE" or address not in pending_until:
            continue
        seen += 1
        low = pending_until.pop(address)
        start = instant(session.get("start_date_time"))
        if start is None or stamp is None or not low <= start <= stamp:
            found.append(Finding(
                f"start_date_time {session.get('start_date_time')!r} after PENDING (last pushed "
                f"PENDING at {low.isoformat()}), ACTIVE as of {session.get('last_updated')!r}",
                push,
            ))  # fmt: skip
    return seen, found
