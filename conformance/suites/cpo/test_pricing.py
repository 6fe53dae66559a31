"""How the CPO prices its CDRs (§10.3.1, §11.3.1, §11.4): periods cut at every cost-relevant
change (CDR-007), step_size once per session (CDR-008), the first matching element per
dimension (TAR-007), current and power restrictions (TAR-008).

Every CDR the CPO serves on its CDRs Sender (the whole list, and the run's window, which holds
the CDRs of the sessions the `charging` phase started and stopped) or pushed to our counterpart
is recomputed by the judge's own evaluator (conformance/checks/pricing/) from the tariffs it
carries (§10.4; the Tariffs Sender's copy as a second source), in the local time of its
Location (the Locations Sender's `time_zone`; unknown, local-time restrictions get no verdict).
A rule is blamed only with certainty: where the evaluator cannot be certain (a period spanning
an element switch, a CDR with an ambiguity) the rule is blocked on that CDR with the reason,
and the assumptions a verdict relied on are said as readings. A rule none of the CDRs gave
anything to show is skipped with the reasons, not passed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest

from conformance.checks.callbacks import request_json
from conformance.checks.pricing.cdr import Cdr, parse_cdr
from conformance.checks.pricing.cost_rules import check_cost
from conformance.checks.pricing.outcome import Verdict
from conformance.checks.pricing.readings import COST_RULES
from conformance.checks.pricing.splits import check_period_cuts
from conformance.checks.pricing.tariff import needs_local_time
from conformance.exchange import Exchange
from conformance.session import Judge
from conformance.suites.charging import LOCATION_PAGES, CpoTarget
from conformance.suites.pagination import identity, next_link
from conformance.suites.senders import listing
from conformance.verdicts import Blocked, Ledger

pytestmark = pytest.mark.phase("pushes")

RULES = ("CDR-007", *COST_RULES)
#: Where the reading of a CDR whose periods name no tariff_id is said (§10.4.6: then no tariff
#: is relevant; the judge prices them by the CDR's only tariff): no rule is about tariff_id on
#: periods, so the CDR object's.
UNTAGGED_RULE = "CDR-013"
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


@dataclass(frozen=True)
class Unjudged:
    """Why a rule had nothing to show in one CDR."""

    cdr: str
    why: str


@dataclass
class Tally:
    """What the run's CDRs gave each rule: a verdict, or why none."""

    judged: set[str] = field(default_factory=set)
    nothing: dict[str, list[Unjudged]] = field(default_factory=lambda: defaultdict(list))

    def close(self, ledger: Ledger, count: int) -> None:
        """Each rule no CDR judged skipped, with the reasons."""
        for rule in RULES:
            if rule not in self.judged:
                ledger.skipped(rule, _summary(rule, count, self.nothing[rule]))


@pytest.mark.rule(*RULES)
def test_cdrs_are_priced_by_their_tariffs(judge: Judge, cpo_target: CpoTarget) -> None:
    """Each CDR recomputed from its tariffs and periods: a violation only where the evidence
    points at that rule with certainty (see conformance/checks/pricing/)."""
    cdrs = served_and_pushed(judge, cpo_target)
    if not cdrs:
        pytest.skip("the target served and pushed no CDR during the run")
    zones = TimeZones(judge, cpo_target)
    more = sender_tariffs(judge, cpo_target)
    tally = Tally()
    for body, exchange in cdrs:
        location = body.get("cdr_location")
        carried = body.get("tariffs")
        carried = carried if isinstance(carried, list) else []
        zone = None
        if needs_local_time([*carried, *more]) and isinstance(location, dict):
            zone = zones.of(location.get("id"))
        cdr = parse_cdr(body, time_zone=zone, more_tariffs=more)
        judge_cdr(judge.ledger, cdr if isinstance(cdr, Cdr) else Unjudged(str(body.get("id")), cdr),
                  exchange, tally)  # fmt: skip
    tally.close(judge.ledger, len(cdrs))


def judge_cdr(ledger: Ledger, cdr: Cdr | Unjudged, exchange: Exchange, tally: Tally) -> None:
    """CDR-007 and the cost rules on one CDR (or why it could not be read), recorded: passes
    and failures as checks, no verdict as blocked (with the reason) or as a reason to skip,
    and the readings the judge took."""
    if isinstance(cdr, Unjudged):
        for rule in RULES:
            tally.nothing[rule].append(cdr)
        return
    if cdr.note:
        ledger.reading(UNTAGGED_RULE, cdr.note, exchange)
    cuts = check_period_cuts(cdr)
    for slip in cuts.slips:
        ledger.reading("CDR-007", slip.describe(), exchange)
    for verdict in cuts.verdicts:
        _record(ledger, "CDR-007", verdict, cdr, exchange, tally)
    cost = check_cost(cdr)
    for rule, text in cost.readings:
        ledger.reading(rule, text, exchange)
    for rule, verdict in cost.verdicts.items():
        _record(ledger, rule, verdict, cdr, exchange, tally)


def _record(ledger: Ledger, rule: str, verdict: Verdict, cdr: Cdr, exchange: Exchange,
            tally: Tally) -> None:  # fmt: skip
    if verdict.outcome in ("passed", "failed"):
        tally.judged.add(rule)
        ledger.check(rule, verdict.outcome == "passed", expected=verdict.expected,
                     actual=f"CDR {cdr.id}: {verdict.actual}", exchange=exchange)  # fmt: skip
    elif verdict.outcome == "blocked":
        tally.judged.add(rule)
        ledger.blocked(rule, f"CDR {cdr.id}: {verdict.reason}", exchange)
    else:
        tally.nothing[rule].append(Unjudged(cdr.id, verdict.reason))


def _summary(rule: str, count: int, reasons: list[Unjudged]) -> str:
    """Why `rule` had nothing to show in any of `count` CDRs: the distinct reasons, counted."""
    kinds: dict[str, int] = defaultdict(int)
    for reason in reasons:
        kinds[reason.why] += 1
    shown = "; ".join(f"{why} ({n} CDR{'s' if n > 1 else ''})"
                      for why, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:4])  # fmt: skip
    return f"none of the {count} CDRs gave {rule} anything to show: {shown or 'no reason kept'}"
