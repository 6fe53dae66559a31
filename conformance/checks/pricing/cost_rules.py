"""TAR-007 (§11.3.1), TAR-008 (§11.4.6) and CDR-008 (§10.3.1) judged from a CDR's cost: the cost
recomputed under the spec's reading and under every combination of the named wrong readings
(`readings`), and the CDR's amounts matched against each within a tolerance:

- the spec's reading matches: a rule passes when one of its wrong readings would have given
  amounts apart from it (the CDR could have shown a violation), else it has nothing to show;
- only other readings match: a rule fails when every matching reading breaks it, every
  reading keeping it could be priced, and the CDR has no known ambiguity (a `Caveat`: a FLAT on
  a restricted element, day_of_week with a window past midnight, periods naming no tariff_id,
  a split accepted a little off its boundary, a MIN_/MAX_ read alone); otherwise it is blocked,
  as when readings keeping it and readings breaking it both give the amounts;
- nothing matches: no rule is blamed (the catalogue has no general cost rule), all blocked.

The spec's reading must price every period exactly: where a period spans a switch of the
element pricing it (CDR-007) the cost rules are blocked on that CDR; where an element cannot be
evaluated they have nothing to show. Reservations are not priced (a CDR with reservation time or
cost gets no cost verdict), nor credit CDRs (CDR-005).

Money is compared excl. VAT within a tolerance of the precision the CDR's amounts show (at least
cents, at most 4 decimals) per rounding that may have happened (total, each part, each period),
plus what the reported precision of the volumes can move the cost (the spec has no rounding
rule, §11.3.1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from conformance.checks.pricing.cdr import Cdr
from conformance.checks.pricing.cost import Cost, Selected, Unpriced, costs, select
from conformance.checks.pricing.numbers import ZERO, money
from conformance.checks.pricing.outcome import Caveat, Outcome, Verdict
from conformance.checks.pricing.periods import Periods
from conformance.checks.pricing.readings import (
    COST_RULES,
    DESCRIPTIONS,
    OPTIONS,
    SPEC,
    SPEC_TEXT,
    CostRule,
    Option,
    Power,
    Reading,
    Selection,
    every_reading,
)
from conformance.checks.pricing.restrictions import wraps_with_days
from conformance.checks.pricing.tariff import FLAT, METERED

Tolerance = Mapping[str, Decimal]
#: Why the cost rules get no verdict on a CDR whose spec's pricing meets a missing split.
UNSPLIT: Final = "periods not split at tariff element switches, see CDR-007"
#: What the judge assumes when a period reports only MIN_ or only MAX_ of its current or power.
CUT_AT_THRESHOLDS: Final = (
    "a period reports only one of MIN_/MAX_ of its current or power: it is read as the value "
    "throughout the period, as when periods are cut at every current and power threshold "
    "(CDR-007)"
)

RESTRICTED_FLAT: Final = ("a FLAT on a restricted element (when it is due the spec does not say: "
                          "at the session start, or when its element first applies)")  # fmt: skip
DAYS_PAST_MIDNIGHT: Final = ("day_of_week combined with a time window past midnight (to which day "
                             "the hours after midnight belong the spec does not say)")  # fmt: skip


@dataclass
class CostCheck:
    spec: list[Cost] = field(default_factory=list)  # the spec's reading, its variants
    verdicts: dict[CostRule, Verdict] = field(default_factory=dict)
    tolerance: Tolerance = field(default_factory=dict)
    caveats: list[Caveat] = field(default_factory=list)

    @property
    def readings(self) -> list[tuple[str, str]]:
        """(rule, text) of the assumptions a pass relied on, to be said."""
        if not any(v.outcome == "passed" for v in self.verdicts.values()):
            return []
        return [(c.files_under, c.text) for c in self.caveats if c.files_under]


def tolerance(cdr: Cdr) -> dict[str, Decimal]:
    """How far a CPO's legitimate rounding may move each amount: half its written precision per
    rounding that may have happened (the total, each part, each priced period), plus what the
    reported precision of the volumes moves at the highest price of their dimension."""
    roundings = len(cdr.costs) + len(cdr.priced)
    volumes = ZERO
    for period in cdr.priced:
        assert period.tariff is not None
        for dimension in METERED:
            candidates = period.tariff.candidates(dimension)
            if candidates and dimension in period.slack:
                highest = max(abs(e.components[dimension].price) for e in candidates)
                volumes += highest * period.slack[dimension]
    return {k: unit / 2 * roundings + volumes + Decimal("1e-9") for k, unit in cdr.units.items()}


def caveats(cdr: Cdr) -> list[Caveat]:
    """What the CDR's tariffs and periods leave open, before pricing."""
    found = [Caveat(cdr.note)] if cdr.note else []
    elements = [e for t in cdr.tariffs for e in t.charging]
    if any(FLAT in e.components and e.restricted for e in elements):
        found.append(Caveat(RESTRICTED_FLAT))
    if any(wraps_with_days(e.restrictions) for e in elements):
        found.append(Caveat(DAYS_PAST_MIDNIGHT))
    return found


def _compared(cdr: Cdr, cost: Cost) -> list[str]:
    """The CDR's amounts a computed cost can be held against: total_cost, and the parts the
    CDR gives unless min/max_price clamped the total (the parts are then undefined)."""
    keys = ["total_cost"] if "total_cost" in cdr.costs else []
    if not cost.clamped:
        keys += [k for k in cdr.costs if k != "total_cost" and k not in cost.unsure]
    return keys


def _value(cost: Cost, key: str) -> Decimal:
    return cost.total if key == "total_cost" else cost.parts.get(key, ZERO)


def _amounts(cdr: Cdr, cost: Cost) -> str:
    return ", ".join(f"{k} {money(_value(cost, k))}" for k in _compared(cdr, cost))


def _structure(cdr: Cdr, rule: CostRule) -> str:
    """Why a rule has nothing to act on in this CDR's tariffs ("" when it has)."""
    elements = [e for t in cdr.tariffs for e in t.charging]
    limits = ("min_current", "max_current", "min_power", "max_power")
    if rule == "TAR-008" and not any(e.restrictions.get(k) is not None
                                     for e in elements for k in limits):  # fmt: skip
        return "no element of its tariffs is restricted by current or power"
    if rule == "TAR-007" and not any(
        len(t.candidates(d)) > 1 or any(e.restrictions for e in t.candidates(d))
        for t in cdr.tariffs for d in (*METERED, FLAT)
    ):  # fmt: skip
        return "every dimension of its tariffs has one unrestricted element at most"
    steps = [c.step_size for e in elements for c in e.components.values() if c.dimension != FLAT]
    if rule == "CDR-008" and all(step <= 1 for step in steps):
        return "every step_size of its tariffs is 1"
    return ""


class _Judgement:
    """The CDR's amounts held against the cost under every reading."""

    def __init__(self, cdr: Cdr, periods: Periods, spec: list[Cost], check: CostCheck) -> None:
        self.cdr, self.tol, self.caveats = cdr, check.tolerance, check.caveats
        self.costs: dict[Reading, list[Cost]] = {SPEC: spec}
        self.unpriced: dict[Reading, str] = {}
        selected: dict[tuple[Selection, Power], Selected | Unpriced] = {}
        for reading in every_reading()[1:]:
            key = (reading.selection, reading.power)
            if key not in selected:
                selected[key] = select(cdr, periods, reading)
            chosen = selected[key]
            if isinstance(chosen, Unpriced):
                self.unpriced[reading] = chosen.reason
            else:
                self.costs[reading] = costs(cdr, chosen, reading.step)
        self.matched = [r for r, found in self.costs.items()
                        if any(self._matches(c) for c in found)]  # fmt: skip
        self.bases = [SPEC] if SPEC in self.matched else self.matched
        self.effective = {rule: {b: self._observable(b, rule) for b in self.bases}
                          for rule in COST_RULES}  # fmt: skip
        self.actual = _amounts(cdr, Cost(cdr.costs["total_cost"], cdr.costs))
        self.expected = f"{_amounts(cdr, spec[0])} (±{money(self.tol['total_cost'])}): {SPEC_TEXT}"
        self.ways = " | ".join(sorted({
            "; ".join(DESCRIPTIONS[self.effective[rule][base]] for rule in COST_RULES
                      if self.effective[rule][base] != OPTIONS[rule][0]) or "the spec's reading"
            for base in self.bases
        }))  # fmt: skip

    def _matches(self, cost: Cost) -> bool:
        keys = _compared(self.cdr, cost)
        return bool(keys) and all(
            abs(self.cdr.costs[k] - _value(cost, k)) <= self.tol[k] for k in keys
        )

    def _apart(self, one: Cost, others: Sequence[Cost]) -> bool:
        """No amounts the CDR could give match both `one` and any of `others`."""
        return all(
            any(abs(_value(one, k) - _value(o, k)) > 2 * self.tol[k]
                for k in _compared(self.cdr, o))
            for o in others
        )  # fmt: skip

    def _observable(self, reading: Reading, rule: CostRule) -> Option:
        """The option `reading` takes for `rule`, or the spec's when taking the spec's instead
        gives the same amounts (a deviation the cost cannot show is no deviation)."""
        option, spec_option = reading.option(rule), OPTIONS[rule][0]
        kept = self.costs.get(reading.taking(spec_option))
        if option == spec_option or kept is None:
            return option
        mine = self.costs[reading]
        return option if all(self._apart(o, kept) for o in mine) else spec_option

    def _shown(self, rule: CostRule) -> bool:
        """A wrong option of `rule`, put into every reading that explains the cost, would have
        given amounts apart from it: the CDR could have shown a violation."""
        return any(
            all((other := self.costs.get(base.taking(option))) is not None
                and all(self._apart(o, self.costs[base]) for o in other) for base in self.bases)
            for option in OPTIONS[rule][1:]
        )  # fmt: skip

    def verdict(self, rule: CostRule) -> Verdict:
        options = set(self.effective[rule].values())
        if not self.matched:
            return Verdict("blocked", (
                f"{self.actual} differs from the spec's reading ({self.expected}) and from every "
                "other reading the judge can name; the catalogue has no general CDR cost rule to "
                "record it under"), self.expected, self.actual)  # fmt: skip
        if OPTIONS[rule][0] not in options:
            return self._failure(rule)
        if len(options) > 1:
            return Verdict("blocked", (
                f"{self.actual} is given by readings that keep {rule} and by readings that break "
                f"it ({self.ways})"), self.expected, self.actual)  # fmt: skip
        if self._shown(rule):
            return Verdict("passed", self.ways, self.expected, self.actual)
        why = _structure(self.cdr, rule) or (
            f"its readings give the same amounts within ±{money(self.tol['total_cost'])} at "
            "this CDR's volumes"
        )
        return Verdict("unobserved", why)

    def _failure(self, rule: CostRule) -> Verdict:
        """Every reading that gives the amounts breaks `rule`: a failure, unless a reading
        keeping it could not be priced or the CDR has a known ambiguity."""
        found = f"{self.actual}, which only readings that break {rule} give: {self.ways}"
        keeping = [(r, why) for r, why in self.unpriced.items() if r.keeps(rule)]
        if keeping:
            reading, why = keeping[0]
            return Verdict("blocked", (
                f"{found}; but {len(keeping)} reading(s) keeping {rule} could not be priced, "
                f"e.g. {reading.describe()}: {why}"), self.expected, self.actual)  # fmt: skip
        if self.caveats:
            return Verdict("blocked", (
                f"{found}; but {'; '.join(c.text for c in self.caveats)}: a failure needs a CDR "
                "without such an ambiguity"), self.expected, self.actual)  # fmt: skip
        return Verdict("failed", self.ways, self.expected, found)


def check_cost(cdr: Cdr) -> CostCheck:
    """TAR-007, TAR-008 and CDR-008 from the CDR's cost (see the module's docstring)."""
    check = CostCheck(tolerance=tolerance(cdr), caveats=caveats(cdr))

    def every(outcome: Outcome, reason: str) -> CostCheck:
        check.verdicts = {rule: Verdict(outcome, reason) for rule in COST_RULES}
        return check

    if "total_cost" not in cdr.costs:
        return every("unobserved", "no total_cost.excl_vat to compare")
    if cdr.reservation:
        return every("unobserved", "reservation time or cost, which the judge does not price")
    periods = Periods(cdr)
    spec = select(cdr, periods, SPEC)
    if isinstance(spec, Unpriced) and not spec.unsplit and any(p.one_sided for p in cdr.priced):
        assumed = Periods(cdr, cut_at_thresholds=True)
        again = select(cdr, assumed, SPEC)
        if isinstance(again, Selected):
            periods, spec = assumed, again
            check.caveats.append(Caveat(CUT_AT_THRESHOLDS, files_under="CDR-007"))
    if isinstance(spec, Unpriced):
        return every("blocked" if spec.unsplit else "unobserved",
                     f"{UNSPLIT} ({spec.reason})" if spec.unsplit else spec.reason)  # fmt: skip
    slips = dict.fromkeys(s.describe() for s in spec.slips)  # once per period and boundary
    check.caveats += [Caveat(text, files_under="CDR-007") for text in slips]
    check.spec = [cost for billed in ("component", "priced") for nudge in (0, -1, 1)
                  for cost in costs(cdr, spec, SPEC.step, billed, nudge)]  # fmt: skip
    judgement = _Judgement(cdr, periods, check.spec, check)
    check.verdicts = {rule: judgement.verdict(rule) for rule in COST_RULES}
    return check
