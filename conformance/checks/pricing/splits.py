"""CDR-007 (§10.3.1): a new ChargingPeriod starts at every cost-relevant change, so in every
period the element pricing each dimension with a volume is the same throughout (see
`periods`: time-of-day, date and duration boundaries located exactly, a kWh threshold only when
it lies strictly between the cumulative energy at the period's start and end). A split within
SPLIT_TOLERANCE of the boundary is accepted and said. A failure is blamed only with certainty:
where the CDR's periods name no tariff_id (§10.4.6: then none is relevant) and the judge read
its only tariff as pricing them, a missing split gets no verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from conformance.checks.pricing.cdr import Cdr, Period, iso
from conformance.checks.pricing.numbers import ZERO, number
from conformance.checks.pricing.outcome import Verdict
from conformance.checks.pricing.periods import (
    BEFORE,
    Periods,
    Slip,
    Switch,
    period_at,
)
from conformance.checks.pricing.restrictions import UNKNOWN
from conformance.checks.pricing.tariff import ENERGY, METERED, RESERVATION_TIME, Tariff

EXPECTED: Final = (
    "a new ChargingPeriod at every change of the element pricing a dimension (§10.3.1)"
)


@dataclass(frozen=True)
class Cut:
    """A period inside which the element pricing a dimension changed (CDR-007)."""

    period: Period
    dimension: str
    switch: Switch

    @property
    def where(self) -> str:
        return self.switch.describe()

    def describe(self) -> str:
        return f"{self.period.label}: {self.dimension} priced by {self.switch.describe()}"


@dataclass
class CutCheck:
    cuts: list[Cut] = field(default_factory=list)
    slips: list[Slip] = field(default_factory=list)  # splits accepted a little off a boundary
    unknown: list[str] = field(default_factory=list)  # periods that could not be evaluated
    boundaries: list[str] = field(default_factory=list)  # the boundaries that made it observable
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def observable(self) -> bool:
        """A boundary of the tariffs lay inside a period that it concerned."""
        return bool(self.boundaries)


def check_period_cuts(cdr: Cdr, periods: Periods | None = None) -> CutCheck:
    """CDR-007 on every priced period: the element pricing each dimension with a volume there
    is the same throughout; and the verdicts it gives."""
    periods = periods or Periods(cdr)
    check = CutCheck()
    unknown: set[int] = set()
    for period in cdr.priced:
        if period.volumes.get(RESERVATION_TIME) or period.end - period.start <= BEFORE:
            continue
        for dimension in METERED:
            if not period.volume(dimension):
                continue
            through = periods.through(period, dimension)
            if through.choice is UNKNOWN:
                check.unknown.append(f"{period.label} {dimension}")
                unknown.add(period.index)
            elif through.switch is not None:
                check.cuts.append(Cut(period, dimension, through.switch))
            said = {s.describe() for s in check.slips}  # once per period and boundary
            check.slips += [s for s in through.slips if s.describe() not in said]
    # Observable where the periods around a boundary (the one it falls in, and the one before
    # when it falls at a period's start) could be evaluated.
    check.boundaries = [
        where for period, where in _observable(cdr, periods)
        if period.index not in unknown and period.index - 1 not in unknown
    ]  # fmt: skip
    check.verdicts = _verdicts(cdr, check)
    return check


def _verdicts(cdr: Cdr, check: CutCheck) -> list[Verdict]:
    if check.cuts and cdr.note:
        return [Verdict("blocked", f"{cut.describe()}; but {cdr.note}, so whether a split was "
                        "due is not certain") for cut in check.cuts]  # fmt: skip
    if check.cuts:
        return [Verdict("failed", expected=EXPECTED, actual=cut.describe()) for cut in check.cuts]
    if check.observable:
        return [Verdict("passed", expected="periods cut at " + "; ".join(check.boundaries[:3]),
                        actual="no period spans a switch")]  # fmt: skip
    if check.unknown:
        return [Verdict("unobserved", f"its tariffs' elements cannot be evaluated "
                        f"({', '.join(check.unknown[:3])}): time zone or current/power unknown, "
                        "a day or a kWh threshold undecided")]  # fmt: skip
    return [Verdict("unobserved", "no time-of-day, day, date, duration or kWh boundary of its "
                    "tariffs fell inside its session")]  # fmt: skip


def _concerns(period: Period, tariff: Tariff, dimensions: list[str]) -> bool:
    return period.tariff is tariff and any(period.volume(d) for d in dimensions)


def _observable(cdr: Cdr, periods: Periods) -> list[tuple[Period, str]]:
    """Boundaries of an element's restrictions that fall inside (or at the start of) a priced
    period of its tariff with a volume of a dimension that element prices: where CDR-007 could
    show. With the period they fall in."""
    seen: list[tuple[Period, str]] = []
    for tariff in cdr.tariffs:
        for boundary in periods.boundaries(tariff):
            dims = [d for d in boundary.element.components if d in METERED]
            period = period_at(cdr, boundary.moment)
            if dims and _concerns(period, tariff, dims):
                seen.append((period, f"{boundary.what} at {iso(boundary.moment)}"))
        for element in tariff.charging:
            dims = [d for d in element.components if d in METERED]
            for key in ("min_kwh", "max_kwh"):
                threshold = number(element.restrictions.get(key))
                if not dims or threshold is None or threshold <= 0:
                    continue
                for period in cdr.priced:
                    energy = period.volumes.get(ENERGY, ZERO)
                    low, high = sorted((period.kwh_before, period.kwh_before + energy))
                    if _concerns(period, tariff, dims) and low <= threshold < high:
                        seen.append((period, f"{key} {element.restrictions[key]} of {tariff.id} "
                                             f"{element.describe()}"))  # fmt: skip
                        break
    return seen
