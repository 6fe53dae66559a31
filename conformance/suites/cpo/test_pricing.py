"""How the CPO prices its CDRs (§10.3.1, §11.3.1, §11.4): periods cut at every cost-relevant
change (CDR-007), step_size once per session (CDR-008), the first matching element per
dimension (TAR-007), current and power restrictions (TAR-008).

Every CDR the CPO serves on its CDRs Sender (the whole list, and the run's window, which holds
the CDRs of the sessions the `charging` phase started and stopped) or pushed to our counterpart
is recomputed by the judge's own evaluator (conformance/checks/tariffs.py) from the tariffs it
carries (§10.4; the Tariffs Sender's copy as a second source), in the local time of its
Location (the Locations Sender's `time_zone`; unknown, local-time restrictions get no verdict).
A rule none of the CDRs gave anything to show is skipped with the reasons, not passed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import quote

import pytest

from conformance.checks.callbacks import request_json
from conformance.checks.tariffs import (
    COST_RULES,
    Cdr,
    check_cost,
    check_period_cuts,
    needs_local_time,
    parse_cdr,
)
from conformance.exchange import Exchange
from conformance.session import Judge
from conformance.suites.charging import LOCATION_PAGES, CpoTarget
from conformance.suites.cpo.test_senders import listing
from conformance.suites.pagination import identity, next_link
from conformance.verdicts import Blocked

pytestmark = pytest.mark.phase("pushes")

RULES = ("CDR-007", *COST_RULES)
#: Locations fetched one by one for a time zone the Locations list read did not give.
MAX_LOCATION_GETS = 20


def served_and_pushed(judge: Judge, target: CpoTarget) -> list[tuple[dict[str, Any], Exchange]]:
    """Every CDR the target pushed to us or serves (each once, with the exchange it came on):
    the Sender's whole list (as the Senders suite crawled it) and the run's window, read again
    now that the `charging` phase has made its CDRs."""
    found: dict[str, tuple[dict[str, Any], Exchange]] = {}
    for exchange in target.pushed("cdrs", ("POST",)):
        body = request_json(exchange)
        if isinstance(body, dict):
            found.setdefault(identity(body), (body, exchange))
    url = target.registration.endpoint("cdrs", "SENDER")
    if not url:
        return list(found.values())
    try:
        crawled = listing(judge, "cdrs")
        pairs = list(zip(crawled.objects, crawled.origins, strict=True))
    except Blocked:  # refused: the Senders suite judges that
        pairs = []
    next_url: str | None = url
    query: dict[str, str | int] | None = {"date_from": target.since}
    for _ in range(LOCATION_PAGES):
        if not next_url:
            break
        reply = judge.client.request("GET", next_url, module="cdrs",
                                     token=target.registration.token, params=query)  # fmt: skip
        if isinstance(reply.data, list):
            pairs += [(cdr, reply.exchange) for cdr in reply.data]
        next_url, query = next_link(reply), None
    for cdr, origin in pairs:
        if isinstance(cdr, dict):
            found.setdefault(identity(cdr), (cdr, origin))
    return list(found.values())


def sender_tariffs(judge: Judge, target: CpoTarget) -> list[Any]:
    """The Tariffs Sender's list: a second source for tariffs a CDR names but does not carry."""
    if not target.registration.endpoint("tariffs", "SENDER"):
        return []
    try:
        return listing(judge, "tariffs").objects
    except Blocked:
        return []


class TimeZones:
    """The Locations' time zones (§8.3.1), from the Locations read for the run, else fetched."""

    def __init__(self, judge: Judge, target: CpoTarget) -> None:
        self.judge, self.target = judge, target
        self.zones: dict[str, str | None] = {
            str(s.location.get("id")).upper(): _zone(s.location) for s in target.spots
        }
        self.fetched = 0

    def of(self, location_id: Any) -> str | None:
        key = str(location_id).upper()
        url = self.target.registration.endpoint("locations", "SENDER")
        if key not in self.zones and url and self.fetched < MAX_LOCATION_GETS:
            self.fetched += 1
            reply = self.judge.get(f"{url.rstrip('/')}/{quote(str(location_id), safe='')}",
                                   "locations", self.target.registration.token)  # fmt: skip
            self.zones[key] = _zone(reply.data) if reply.status == 200 else None
        return self.zones.get(key)


def _zone(location: Any) -> str | None:
    zone = location.get("time_zone") if isinstance(location, dict) else None
    return zone if isinstance(zone, str) else None


@pytest.mark.rule(*RULES)
def test_cdrs_are_priced_by_their_tariffs(judge: Judge, cpo_target: CpoTarget) -> None:
    """Each CDR recomputed from its tariffs and periods: a violation only where the evidence
    points at that rule (see conformance/checks/tariffs.py)."""
    cdrs = served_and_pushed(judge, cpo_target)
    if not cdrs:
        pytest.skip("the target served and pushed no CDR during the run")
    ledger = judge.ledger
    zones = TimeZones(judge, cpo_target)
    more = sender_tariffs(judge, cpo_target)
    judged: set[str] = set()
    nothing: dict[str, list[str]] = defaultdict(list)  # why a rule had nothing to show
    for body, exchange in cdrs:
        location = body.get("cdr_location")
        carried = body.get("tariffs")
        carried = carried if isinstance(carried, list) else []
        zone = None
        if needs_local_time([*carried, *more]) and isinstance(location, dict):
            zone = zones.of(location.get("id"))
        cdr = parse_cdr(body, time_zone=zone, more_tariffs=more)
        if not isinstance(cdr, Cdr):
            for rule in RULES:
                nothing[rule].append(f"CDR {body.get('id')}: {cdr}")
            continue
        if cdr.note:
            ledger.reading("TAR-007", cdr.note, exchange)
        _judge_cuts(judge, cdr, exchange, judged, nothing)
        for rule, verdict in check_cost(cdr).verdicts.items():
            if verdict.outcome in ("passed", "failed"):
                judged.add(rule)
                ledger.check(rule, verdict.outcome == "passed", expected=verdict.expected,
                             actual=f"CDR {cdr.id}: {verdict.actual}",
                             exchange=exchange)  # fmt: skip
            elif verdict.outcome == "blocked":
                judged.add(rule)
                ledger.blocked(rule, verdict.reason, exchange)
            else:
                nothing[rule].append(verdict.reason)
    for rule in RULES:
        if rule not in judged:
            ledger.skipped(rule, _summary(rule, len(cdrs), nothing[rule]))


def _judge_cuts(judge: Judge, cdr: Cdr, exchange: Exchange, judged: set[str],
                nothing: dict[str, list[str]]) -> None:  # fmt: skip
    """CDR-007: a violation per period inside which the element pricing a dimension changed;
    a pass when a boundary of its tariffs fell inside the session and every period held."""
    cuts = check_period_cuts(cdr)
    for cut in cuts.cuts:
        judged.add("CDR-007")
        judge.ledger.check(
            "CDR-007", False,
            expected="a new ChargingPeriod at every change of the element pricing a dimension "
            "(§10.3.1)",
            actual=f"CDR {cdr.id}: {cut.describe()}", exchange=exchange,
        )  # fmt: skip
    if cuts.cuts:
        return
    if cuts.observable:
        judged.add("CDR-007")
        judge.ledger.check("CDR-007", True, expected="periods cut at " + "; ".join(
            cuts.boundaries[:3]), actual=f"CDR {cdr.id}: no period spans a switch",
            exchange=exchange)  # fmt: skip
    elif cuts.unknown:
        nothing["CDR-007"].append(f"CDR {cdr.id}: its tariffs' elements cannot be evaluated "
                                  f"({', '.join(cuts.unknown[:3])}): time zone or current/power "
                                  "unknown")  # fmt: skip
    else:
        nothing["CDR-007"].append(f"CDR {cdr.id}: no time-of-day, day, date, duration or kWh "
                                  "boundary of its tariffs fell inside its session")  # fmt: skip


def _summary(rule: str, count: int, reasons: list[str]) -> str:
    """Why `rule` had nothing to show in any of `count` CDRs: the distinct reasons, counted."""
    kinds: dict[str, int] = defaultdict(int)
    for reason in reasons:
        kinds[reason.split(": ", 1)[-1]] += 1
    shown = "; ".join(f"{why} ({n} CDR{'s' if n > 1 else ''})"
                      for why, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:4])  # fmt: skip
    return f"none of the {count} CDRs gave {rule} anything to show: {shown or 'no reason kept'}"
