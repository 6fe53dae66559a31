"""Which element prices a dimension through one ChargingPeriod. §10.3.1 wants a new period at
every cost-relevant change, so a period is priced by one element; this module finds whether it
is: the instants inside the period at which an element may switch by the clock (§11.4.6
start_time/end_time on every local day, day_of_week and start_date/end_date at local midnight,
min/max_duration from the session start) cut it into pieces, each evaluated at its start and
just before its end, at the cumulative energy of the period's start, of its end and of every
min/max_kwh threshold in between (how energy grew inside is not known). Current and power are
reported per period (MIN_/MAX_), so no change of them inside one is observable.

A switch closer than SPLIT_TOLERANCE to the period's start or end is taken as at it (a slip):
the period is priced by the element of its interior, and what depends on it is said."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Final

from conformance.checks.pricing.cdr import Cdr, Period, iso
from conformance.checks.pricing.numbers import ZERO, number
from conformance.checks.pricing.readings import SPEC, Reading
from conformance.checks.pricing.restrictions import UNKNOWN, Choice, active, clock, day
from conformance.checks.pricing.tariff import ENERGY, Component, Element, Tariff

#: A switch this close to a period's start or end is taken as at it: a charger's clock and the
#: granularity of its meter values put a split a few seconds off the exact boundary, and
#: restrictions are written in minutes (or whole seconds of duration).
SPLIT_TOLERANCE: Final = timedelta(seconds=5)
#: Just before a period's end: DateTimes carry ms at best; restrictions are in s and minutes.
BEFORE: Final = timedelta(milliseconds=1)
#: Local days a session's clock boundaries are listed for (a longer session is cut short).
MAX_DAYS: Final = 400
#: Energy "just before the end": a hair short of the end's cumulative energy.
_EPSILON_KWH: Final = Decimal("1e-9")


def show(choice: Choice) -> str:
    if isinstance(choice, Component):
        return choice.name()
    return "no element (free)" if choice is None else "unknown"


@dataclass(frozen=True)
class Boundary:
    """An instant inside the session at which `element` may start or stop matching."""

    moment: datetime
    what: str  # which restriction, of which element
    element: Element


@dataclass(frozen=True)
class Switch:
    """A change of the element pricing a dimension inside a period."""

    before: Choice
    after: Choice
    moment: datetime | None  # None: at a kWh threshold, not located in time
    what: str

    def describe(self) -> str:
        where = f"at {iso(self.moment)}, {self.what}" if self.moment else self.what
        return f"{show(self.before)}, then {show(self.after)} ({where})"


@dataclass(frozen=True)
class Slip:
    """A switch within SPLIT_TOLERANCE of the period's start or end, taken as at it."""

    period: Period
    switch: Switch
    seconds: Decimal  # from the period's nearer end

    def describe(self) -> str:
        moment = iso(self.switch.moment or self.period.start)
        return (f"{self.period.label}: split {self.seconds} s from the boundary "
                f"{self.switch.what} at {moment} accepted (within {SPLIT_TOLERANCE.seconds} s: "
                "charger clock, meter granularity)")  # fmt: skip


@dataclass(frozen=True)
class Through:
    """What prices a dimension through a period."""

    choice: Choice  # the element pricing it (at its start when it switches); UNKNOWN: not known
    switch: Switch | None = None  # the element changes inside the period (a missing split)
    slips: tuple[Slip, ...] = ()  # switches taken as at the period's start or end
    why: str = ""  # UNKNOWN: why


@dataclass(frozen=True)
class _Point:
    """An instant of a period evaluated: the choice at each energy the period may have reached
    (from its start's to its end's), and the boundary a piece starts at (None at the period's
    start and at a piece's end)."""

    moment: datetime
    choices: tuple[Choice, ...]
    boundary: Boundary | None


class Periods:
    """What prices each period of a CDR, under a reading; each answer computed once.
    `cut_at_thresholds` reads a MIN_ or MAX_ reported alone as the value throughout."""

    def __init__(self, cdr: Cdr, *, cut_at_thresholds: bool = False) -> None:
        self.cdr = cdr
        self.cut_at_thresholds = cut_at_thresholds
        self._boundaries: dict[str, list[Boundary]] = {}
        self._through: dict[tuple[int, str, Reading], Through] = {}

    def boundaries(self, tariff: Tariff) -> list[Boundary]:
        """Every clock boundary of the tariff's charging elements inside the session, in order."""
        if tariff.id not in self._boundaries:
            found = [b for e in tariff.charging for b in _boundaries(self.cdr, tariff, e)]
            self._boundaries[tariff.id] = sorted(found, key=lambda b: b.moment)
        return self._boundaries[tariff.id]

    def choose(self, period: Period, dimension: str, moment: datetime, kwh: Decimal,
               reading: Reading = SPEC) -> Choice:  # fmt: skip
        """The component pricing `dimension` at `moment` of `period` with `kwh` consumed."""
        assert period.tariff is not None
        state = self.cdr.state(period, moment, kwh, power=reading.power,
                               cut_at_thresholds=self.cut_at_thresholds)  # fmt: skip
        return active(period.tariff, dimension, state, reading)

    def points(self, period: Period, dimension: str, reading: Reading = SPEC) -> list[_Point]:
        """The period cut into pieces at the clock boundaries inside it; each piece evaluated at
        its start and just before its end, at every energy the period may have reached."""
        assert period.tariff is not None
        energies = _energies(period)
        inside = [b for b in self.boundaries(period.tariff) if period.start < b.moment < period.end]
        starts: list[tuple[datetime, Boundary | None]] = [(period.start, None)]
        starts += [(b.moment, b) for b in inside]
        ends = [moment for moment, _ in starts[1:]] + [period.end]
        points: list[_Point] = []
        for (start, boundary), end in zip(starts, ends, strict=True):
            for moment, mark in ((start, boundary), (end - BEFORE, None)):
                if moment < start or (points and points[-1].moment == moment):
                    continue
                choices = tuple(self.choose(period, dimension, moment, kwh, reading)
                                for kwh in energies)  # fmt: skip
                points.append(_Point(moment, choices, mark))
        return points

    def through(self, period: Period, dimension: str, reading: Reading = SPEC) -> Through:
        """What prices `dimension` through `period` under `reading`."""
        key = (period.index, dimension, reading)
        if key not in self._through:
            self._through[key] = self._evaluate(period, dimension, reading)
        return self._through[key]

    def _evaluate(self, period: Period, dimension: str, reading: Reading) -> Through:
        points = self.points(period, dimension, reading)
        if any(c is UNKNOWN for p in points for c in p.choices):
            return Through(UNKNOWN, why="an element on the way cannot be evaluated")
        first, last = points[0].choices[0], points[-1].choices[-1]
        if any(len(set(p.choices)) > 1 for p in points):  # the energy decides somewhere
            energy = period.volumes.get(ENERGY, ZERO)
            what = (f"a kWh threshold between {period.kwh_before} and "
                    f"{period.kwh_before + energy} kWh consumed")  # fmt: skip
            if first != last:
                return Through(first, Switch(first, last, None, what))
            return Through(UNKNOWN, why=f"{what} may switch the element inside it and back")
        switches = []
        for a, b in pairwise(points):
            before, after = a.choices[0], b.choices[0]
            if before == after:
                continue
            if b.boundary is not None:
                switches.append(Switch(before, after, b.moment, b.boundary.what))
            else:  # inside a piece: at an instant no restriction names (a DST gap), bisected
                moment = self._bisect(period, dimension, reading, a.moment, b.moment, before)
                switches.append(Switch(before, after, moment, "a local clock boundary"))
        if not switches:
            return Through(first)
        return self._tolerated(period, dimension, reading, switches) or Through(first, switches[0])

    def _tolerated(self, period: Period, dimension: str, reading: Reading,
                   switches: list[Switch]) -> Through | None:  # fmt: skip
        """The period priced by the element of its interior when every switch lies within
        SPLIT_TOLERANCE of its start or end; None when one does not."""
        if period.end - period.start <= 2 * SPLIT_TOLERANCE:
            return None
        slips = []
        for switch in switches:
            assert switch.moment is not None
            off = min(switch.moment - period.start, period.end - switch.moment)
            if off > SPLIT_TOLERANCE:
                return None
            seconds = Decimal(str(round(off.total_seconds(), 3))).normalize()
            slips.append(Slip(period, switch, seconds))
        inner = {
            self.choose(period, dimension, moment, kwh, reading)
            for moment in (period.start + SPLIT_TOLERANCE, period.end - SPLIT_TOLERANCE)
            for kwh in _energies(period)
        }
        if len(inner) != 1 or UNKNOWN in inner:
            return None
        return Through(inner.pop(), slips=tuple(slips))

    def _bisect(self, period: Period, dimension: str, reading: Reading, low: datetime,
                high: datetime, first: Choice) -> datetime:  # fmt: skip
        while high - low > BEFORE:
            middle = low + (high - low) / 2
            same = self.choose(period, dimension, middle, period.kwh_before, reading) == first
            low, high = (middle, high) if same else (low, middle)
        return high


def _energies(period: Period) -> list[Decimal]:
    """The cumulative energies the period may have passed: at its start, at every min/max_kwh
    threshold of its tariff strictly inside, and a hair short of its end's."""
    assert period.tariff is not None
    energy = period.volumes.get(ENERGY, ZERO)
    end = period.kwh_before + energy - _EPSILON_KWH * (energy > 0) + _EPSILON_KWH * (energy < 0)
    low, high = sorted((period.kwh_before, end))
    thresholds = {
        value for e in period.tariff.charging for key in ("min_kwh", "max_kwh")
        if (value := number(e.restrictions.get(key))) is not None and low < value < high
    }  # fmt: skip
    inside = sorted(thresholds, reverse=energy < 0)
    return [period.kwh_before, *inside, end] if end != period.kwh_before else [end]


def _boundaries(cdr: Cdr, tariff: Tariff, element: Element) -> list[Boundary]:
    """The instants inside the session at which an element may switch by the clock:
    start + min/max_duration, start_time/end_time on every local day, local midnights for
    day_of_week and for start_date/end_date."""
    r = element.restrictions
    found: list[tuple[datetime, str]] = []
    try:
        for key in ("min_duration", "max_duration"):
            duration = number(r.get(key))
            if duration is not None and 0 < duration < 10**9:
                found.append((cdr.start + timedelta(seconds=float(duration)), f"{key} {r[key]}"))
        zone = cdr.zone
        if zone is not None:
            clocks: list[tuple[time, str]] = []
            for key in ("start_time", "end_time"):
                seconds = clock(r.get(key))
                if seconds is not None:
                    clocks.append((time(seconds // 3600, seconds % 3600 // 60), f"{key} {r[key]}"))
            if r.get("day_of_week") not in (None, []):
                clocks.append((time(0, 0), "day_of_week"))
            first = cdr.start.astimezone(zone).date()
            span = min((cdr.end.astimezone(zone).date() - first).days + 2, MAX_DAYS)
            for date_ in (first + timedelta(days=n) for n in range(-1, span)):
                for clock_, what in clocks:
                    local = datetime.combine(date_, clock_, tzinfo=zone)
                    found.append((local.astimezone(UTC), what))
            for key in ("start_date", "end_date"):
                given = day(r.get(key))
                if given is not None:
                    local = datetime.combine(given, time(0, 0), tzinfo=zone)
                    found.append((local.astimezone(UTC), f"{key} {r[key]}"))
    except OverflowError:  # dates at the ends of the calendar: nothing to locate there
        pass
    return [Boundary(moment, f"{what} of {tariff.id} {element.describe()}", element)
            for moment, what in found if cdr.start < moment < cdr.end]  # fmt: skip


def period_at(cdr: Cdr, moment: datetime) -> Period:
    """The period `moment` falls in (the first when before every start)."""
    starts = [p.start for p in cdr.periods]
    return cdr.periods[max(bisect_right(starts, moment) - 1, 0)]
