"""A CDR's cost (excl. VAT) recomputed under a reading (§10.3.1 total costs, §11.3.1 which
element prices a dimension, §11.4.2 and §11.4.5 step_size), or why it cannot be.

Decisions (the spec has no rounding rule, §11.3.1): FLAT is charged once per session; when,
the spec does not say for a FLAT on a restricted element, so two timings are priced: from the
first matching element at the session start (with the first period's current and power), and
when a FLAT element first applies during the session. step_size (§10.3.1, the €0.55, €1.30 and
€0.73 examples of §11.4.2): once on the session's billed ENERGY, once on billed TIME plus
PARKING_TIME where only parking is rounded when parking is billed; the step of the last
component that billed, its surplus at that component's price; "billed" read both as "had a
component" and as "had a non-zero price". `min_price`/`max_price` clamp the total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Literal

from conformance.checks.pricing.cdr import PART, Cdr
from conformance.checks.pricing.numbers import ZERO
from conformance.checks.pricing.periods import Periods, Slip
from conformance.checks.pricing.readings import SPEC, Reading, Step
from conformance.checks.pricing.restrictions import UNKNOWN, Choice, Unknown, active
from conformance.checks.pricing.tariff import (
    ENERGY,
    FLAT,
    METERED,
    PARKING_TIME,
    TIME,
    UNITS,
    Component,
    Tariff,
)

#: Which volumes step_size rounds: any priced by a component, or only those at a non-zero price.
Billed = Literal["component", "priced"]


@dataclass(frozen=True)
class Bill:
    component: Component
    units: Decimal  # Wh or s
    slack: Decimal  # how far the reported volume may be from the measured one, in units


@dataclass(frozen=True)
class Cost:
    total: Decimal
    parts: Mapping[str, Decimal]  # fixed, energy, time, parking (before min/max_price)
    clamped: bool = False  # by min_price/max_price: the parts no longer add up to the total
    unsure: frozenset[str] = frozenset()  # parts whose split the spec leaves open


@dataclass(frozen=True)
class Selected:
    """The components pricing a CDR under a reading."""

    flats: tuple[Component | None, ...]  # the FLAT charged, under each timing (distinct)
    bills: Mapping[str, list[Bill]]
    slips: tuple[Slip, ...]  # splits taken as at a boundary a few seconds off


@dataclass(frozen=True)
class Unpriced:
    """Why a reading cannot price the CDR; `unsplit`: a period spans a switch (CDR-007)."""

    reason: str
    unsplit: bool = False


def select(cdr: Cdr, periods: Periods, reading: Reading = SPEC) -> Selected | Unpriced:
    """Which component prices each period's volumes, and the FLAT, under `reading`."""
    flats: list[Component | None] = []
    if cdr.priced:
        tariff = cdr.priced[0].tariff
        assert tariff is not None
        at_start = active(tariff, FLAT, cdr.state(
            cdr.periods[0], cdr.start, ZERO, power=reading.power,
            cut_at_thresholds=periods.cut_at_thresholds), reading)  # fmt: skip
        if isinstance(at_start, Unknown):
            return Unpriced(f"the FLAT element at the session start cannot be evaluated "
                            f"({_why(cdr)})")  # fmt: skip
        flats.append(at_start)
        later = flat_when_first_applies(cdr, periods, reading)
        if not isinstance(later, Unknown) and later != at_start:
            flats.append(later)
    bills: dict[str, list[Bill]] = {d: [] for d in METERED}
    slips: list[Slip] = []
    for period in cdr.priced:
        assert period.tariff is not None
        for dimension in METERED:
            volume = period.volume(dimension)
            if volume is None:
                if period.tariff.candidates(dimension):
                    return Unpriced(f"{period.label} reports neither TIME nor PARKING_TIME: the "
                                    "time billed is not known")  # fmt: skip
                continue
            if volume == 0:
                continue
            through = periods.through(period, dimension, reading)
            if through.choice is UNKNOWN:
                return Unpriced(f"the {dimension} element of {period.label} cannot be evaluated "
                                f"({_why(cdr)})")  # fmt: skip
            if through.switch is not None:
                return Unpriced(f"{period.label} spans a switch of the element pricing "
                                f"{dimension}: {through.switch.describe()}", True)  # fmt: skip
            slips += through.slips
            if not isinstance(through.choice, Component):
                continue  # free (§11.3.1)
            if volume < 0:
                return Unpriced(f"{period.label} has a negative {dimension} volume (net "
                                "export) to price")  # fmt: skip
            slack = period.slack.get(dimension, ZERO) * UNITS[dimension]
            bills[dimension].append(Bill(through.choice, volume * UNITS[dimension], slack))
    return Selected(tuple(flats), bills, tuple(slips))


def flat_when_first_applies(cdr: Cdr, periods: Periods, reading: Reading = SPEC) -> Choice:
    """The FLAT of the first element with one that matches at some moment of the session (in
    time order); UNKNOWN when a moment before it cannot be evaluated or is undecided."""
    for period in cdr.priced:
        for point in periods.points(period, FLAT, reading):
            if UNKNOWN in point.choices or len(set(point.choices)) > 1:
                return UNKNOWN
            if point.choices[0] is not None:
                return point.choices[0]
    return None


def _why(cdr: Cdr) -> str:
    if cdr.zone is None:
        return ("local time restrictions need the Location's time_zone, unknown; or current/power "
                "not reported")  # fmt: skip
    return ("a restriction on current or power not reported, an undefined time window, or a day "
            "or kWh threshold undecided")  # fmt: skip


def _ceil(units: Decimal, step: int) -> Decimal:
    return (units / step).to_integral_value(rounding=ROUND_CEILING) * step


def _round_session(bills: list[Bill], *, billed: Billed, nudge: int, first_step: bool
                   ) -> list[tuple[Component, Decimal]]:  # fmt: skip
    """§10.3.1: the total billed volume rounded up to the step_size of the last component that
    billed (the first, under the wrong reading); the surplus at the last one's price."""
    out = [(b.component, b.units) for b in bills]
    eligible = [b for b in bills if billed == "component" or b.component.price != 0]
    if not eligible:
        return out
    total = sum((b.units for b in eligible), ZERO)
    total += nudge * sum((b.slack for b in eligible), ZERO)
    step = (eligible[0] if first_step else eligible[-1]).component.step_size
    surplus = _ceil(total, step) - total if total > 0 else ZERO
    return [*out, (eligible[-1].component, surplus)]


def _round_runs(bills: list[Bill], *, per_period: bool) -> list[tuple[Component, Decimal]]:
    runs: list[tuple[Component, Decimal]] = []
    for bill in bills:
        if runs and not per_period and runs[-1][0] == bill.component:
            runs[-1] = (bill.component, runs[-1][1] + bill.units)
        else:
            runs.append((bill.component, bill.units))
    return [(component, _ceil(units, component.step_size)) for component, units in runs]


def _steps(bills: Mapping[str, list[Bill]], step: Step, billed: Billed, nudge: int
           ) -> dict[str, list[tuple[Component, Decimal]]]:  # fmt: skip
    plain = {d: [(b.component, b.units) for b in bills[d]] for d in METERED}
    if step == Step.NONE:
        return plain
    if step in (Step.PERIOD, Step.ELEMENT):
        return {d: _round_runs(bills[d], per_period=step == Step.PERIOD) for d in METERED}
    first = step == Step.FIRST
    result = dict(plain)
    result[ENERGY] = _round_session(bills[ENERGY], billed=billed, nudge=nudge, first_step=first)
    parking = [b for b in bills[PARKING_TIME] if billed == "component" or b.component.price != 0]
    rounded = [PARKING_TIME, TIME] if step == Step.EACH else [PARKING_TIME if parking else TIME]
    for dimension in rounded:
        result[dimension] = _round_session(bills[dimension], billed=billed, nudge=nudge,
                                           first_step=first)  # fmt: skip
    return result


def _flat_part(tariffs: Iterable[Tariff], flat: Component) -> tuple[str, bool]:
    """§10.3.1: total_fixed_cost excludes the fixed parts of parking, so a FLAT of an element
    that otherwise prices parking only is parking cost; with parking and more, it is unsure."""
    for tariff in tariffs:
        if tariff.id == flat.tariff:
            others = set(tariff.elements[flat.element].components) - {FLAT}
            if others == {PARKING_TIME}:
                return PART[PARKING_TIME], False
            return "total_fixed_cost", PARKING_TIME in others
    return "total_fixed_cost", False


def costs(cdr: Cdr, selected: Selected, step: Step, billed: Billed = "component",
          nudge: int = 0) -> list[Cost]:  # fmt: skip
    """The cost under each FLAT timing: the components `selected`, rounded as `step` reads
    CDR-008; `billed` and `nudge` (what the volumes' reported precision moves the rounded
    totals by) as `price`."""
    metered = dict.fromkeys(PART.values(), ZERO)
    for dimension, billed_units in _steps(selected.bills, step, billed, nudge).items():
        for component, units in billed_units:
            metered[PART[dimension]] += component.price * units / UNITS[dimension]
    return [_total(cdr, metered, flat) for flat in selected.flats or (None,)]


def _total(cdr: Cdr, metered: Mapping[str, Decimal], flat: Component | None) -> Cost:
    parts = {"total_fixed_cost": ZERO, **metered}
    unsure: frozenset[str] = frozenset()
    if flat is not None:
        part, split = _flat_part(cdr.tariffs, flat)
        parts[part] += flat.price
        unsure = frozenset({"total_fixed_cost", PART[PARKING_TIME]} if split else ())
    total = sum(parts.values(), ZERO)
    clamped = total
    if cdr.tariffs:
        if cdr.tariffs[0].min_price is not None:
            clamped = max(clamped, cdr.tariffs[0].min_price)
        if cdr.tariffs[0].max_price is not None:
            clamped = min(clamped, cdr.tariffs[0].max_price)
    return Cost(clamped, parts, clamped != total, unsure)


def price(cdr: Cdr, reading: Reading = SPEC, *, billed: Billed = "component", nudge: int = 0
          ) -> Cost | str:  # fmt: skip
    """The CDR's cost (excl. VAT) under `reading`, the FLAT taken at the session start, or why
    it cannot be computed. `billed`: which volumes step_size rounds; `nudge` moves those totals
    by what the volumes' reported precision allows."""
    selected = select(cdr, Periods(cdr), reading)
    if isinstance(selected, Unpriced):
        return selected.reason
    return costs(cdr, selected, reading.step, billed, nudge)[0]
