"""How a CPO prices a CDR, judged with the judge's own tariff evaluator (never the simulator's).

Pure functions over a CDR (and the Tariffs it names): the suite records the verdicts.

- `parse_cdr` reads a CDR into periods (each lasting until the next one's start, the last until
  `end_date_time`), the Tariffs they name (`tariff_id`, §10.4.6; the CDR's own `tariffs`, §10.4,
  else the Tariffs Sender's as a second source) and its cost fields; or says why it cannot.
- `active` is the element a dimension is priced by at a moment (§11.3.1: the first element with
  a component for it whose restrictions all match, none = free), every TariffRestrictions field
  evaluated (§11.4.6) three-valued: a restriction that cannot be evaluated (the Location's time
  zone unknown, no current or power reported, an undefined window) leaves the answer unknown,
  and what depends on it gets no verdict: the judge does not guess.
- `check_period_cuts` (CDR-007): in every period, the element each dimension with a volume is
  priced by is the same at its start and just before its end. Time-of-day, date and duration
  boundaries are located exactly; a kWh threshold only when it lies strictly between the
  cumulative energy at the period's start and end (how energy grew inside is not known).
  Current and power are reported per period (MIN_/MAX_), so no change inside one is observable.
- `check_cost` (TAR-007, TAR-008, CDR-008): the CDR's cost recomputed under the spec's reading
  and under named wrong readings of each rule (later element, OR of restrictions, no-match
  fallback; current/power ignored or taken at the start; step_size per period, per element,
  never, of the first component, on TIME and parking separately), every combination of them.
  A rule fails only when the spec's reading does not give the CDR's amounts and every reading
  that does breaks it (a deviation that changes nothing in this CDR does not count); blocked
  when readings keeping it and readings breaking it both give them, or when no reading does
  (the catalogue has no general cost rule); passed when the spec's reading gives them and one
  of its wrong readings would not have: the CDR could have shown a violation.

Decisions (the spec has no rounding rule, §11.3.1): money is compared excl. VAT within a
tolerance of the precision the CDR's amounts show (at least cents, at most 4 decimals) per
rounding that may have happened (total, each part, each period), plus what the reported
precision of the volumes can move the cost. FLAT is charged once per session, from the first
matching element at the session start (with the first period's current and power). step_size
(§10.3.1, the €0.55, €1.30 and €0.73 examples of §11.4.2): once on the session's billed ENERGY,
once on billed TIME plus PARKING_TIME where only parking is rounded when parking is billed; the
step of the last component that billed, its surplus at that component's price; "billed" read
both as "had a component" and as "had a non-zero price". `min_price`/`max_price` clamp the
total. Reservations are not priced (a CDR with reservation time or cost gets no cost verdict),
nor credit CDRs (CDR-005). A CDR whose periods name no tariff_id is priced by its only tariff,
as a lenient reading the suite reports.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from itertools import pairwise, product
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from conformance.checks.compare import instant

ENERGY: Final = "ENERGY"
FLAT: Final = "FLAT"
TIME: Final = "TIME"
PARKING_TIME: Final = "PARKING_TIME"
RESERVATION_TIME: Final = "RESERVATION_TIME"
METERED: Final = (ENERGY, TIME, PARKING_TIME)
#: Step units per dimension unit (§11.4.5): ENERGY steps are Wh of kWh, time steps s of hours.
UNITS: Final = {ENERGY: Decimal(1000), TIME: Decimal(3600), PARKING_TIME: Decimal(3600)}
PART: Final = {ENERGY: "total_energy_cost", TIME: "total_time_cost",
               PARKING_TIME: "total_parking_cost"}  # fmt: skip
COST_FIELDS: Final = ("total_cost", "total_fixed_cost", *PART.values())
DAYS: Final = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
COST_RULES: Final = ("TAR-007", "TAR-008", "CDR-008")
#: Just before a period's end: DateTimes carry ms at best; restrictions are in s and minutes.
BEFORE: Final = timedelta(milliseconds=1)
_EPSILON_KWH: Final = Decimal("1e-9")
_ZERO: Final = Decimal(0)

Tri = bool | None  # None: cannot be evaluated
Span = tuple[Decimal, Decimal]  # lowest and highest value seen in a period


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()


# --------------------------------------------------------------------------- readings

#: Each rule's options: the spec's first, then the wrong readings a CPO may have taken.
OPTIONS: Final[dict[str, tuple[str, ...]]] = {
    "TAR-007": ("first", "last", "any", "fallback"),
    "TAR-008": ("respect", "ignore", "start"),
    "CDR-008": ("session", "period", "element", "none", "first", "each"),
}
DESCRIPTIONS: Final = {
    ("TAR-007", "first"): "per dimension the first element whose restrictions all match",
    ("TAR-007", "last"): "a later (the last) matching element instead of the first",
    ("TAR-007", "any"): "an element whose restrictions match only in part (OR, not AND)",
    ("TAR-007", "fallback"): "a dimension no element matches priced by its last element, not free",
    ("TAR-008", "respect"): "current and power restrictions switching elements per period",
    ("TAR-008", "ignore"): "current and power restrictions ignored",
    ("TAR-008", "start"): "current and power of the session start used for every period",
    ("CDR-008", "session"): "step_size once on the session total (only parking when billed)",
    ("CDR-008", "period"): "step_size applied to every ChargingPeriod",
    ("CDR-008", "element"): "step_size applied at every element switch",
    ("CDR-008", "none"): "step_size not applied",
    ("CDR-008", "first"): "the step_size of the first, not the last, PriceComponent",
    ("CDR-008", "each"): "TIME and PARKING_TIME each rounded (not only parking)",
}


_FIELDS: Final = {"TAR-007": "selection", "TAR-008": "power", "CDR-008": "step"}


@dataclass(frozen=True)
class Reading:
    """One way of pricing: an option per rule (the defaults are the spec's)."""

    selection: str = "first"  # TAR-007
    power: str = "respect"  # TAR-008
    step: str = "session"  # CDR-008

    def option(self, rule: str) -> str:
        return str(getattr(self, _FIELDS[rule]))

    def describe(self) -> str:
        wrong = [DESCRIPTIONS[(r, self.option(r))] for r in COST_RULES
                 if self.option(r) != OPTIONS[r][0]]  # fmt: skip
        return "; ".join(wrong) or "the spec's reading"


SPEC: Final = Reading()


def swap(reading: Reading, rule: str, option: str) -> Reading:
    """`reading`, but for `rule` read as `option`."""
    return replace(reading, **{_FIELDS[rule]: option})


# --------------------------------------------------------------------------- numbers


def number(value: Any) -> Decimal | None:
    """A JSON number as a Decimal (a float by its shortest text), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def decimals(value: Any) -> int:
    """How many decimals a JSON number is written with (0.5089: 4, 4.8e-05: 6, 300.0: 1)."""
    parsed = number(value)
    if parsed is None:
        return 0
    exponent = parsed.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _half_unit(value: Any) -> Decimal:
    """Half the last written digit of a volume: how far the measured value it was rounded from
    can be. JSON drops trailing zeros (0.700000 is written 0.7), so volumes are taken to be
    rounded to 3 decimals (1 Wh, 3.6 s) at the coarsest, 9 at the finest."""
    return Decimal(1).scaleb(-min(max(decimals(value), 3), 9)) / 2


def excl_vat(price: Any) -> Decimal | None:
    return number(price.get("excl_vat")) if isinstance(price, dict) else None


# --------------------------------------------------------------------------- tariffs


@dataclass(frozen=True)
class Component:
    tariff: str
    element: int  # 0-based index in the tariff's elements
    dimension: str
    price: Decimal
    step_size: int

    def name(self) -> str:
        return f"{self.tariff} element #{self.element + 1} {self.dimension} {self.price}"


@dataclass(frozen=True)
class Element:
    index: int
    components: Mapping[str, Component]
    restrictions: Mapping[str, Any]

    @property
    def reservation(self) -> bool:
        return self.restrictions.get("reservation") is not None

    def describe(self) -> str:
        shown = {k: v for k, v in self.restrictions.items() if v not in (None, [])}
        return f"element #{self.index + 1} ({shown or 'no restrictions'})"


@dataclass(frozen=True)
class Tariff:
    id: str
    elements: tuple[Element, ...]
    min_price: Decimal | None
    max_price: Decimal | None

    def candidates(self, dimension: str) -> list[Element]:
        """The charging elements with a component for `dimension`, in order (reservation
        elements price only a reservation, §11.4.6)."""
        return [e for e in self.elements if dimension in e.components and not e.reservation]


def parse_tariff(raw: Any) -> Tariff | str:
    """A Tariff, or why it cannot be priced with."""
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        return "a tariff without an id"
    tariff_id = raw["id"]
    elements_raw = raw.get("elements")
    if not isinstance(elements_raw, list) or not elements_raw:
        return f"tariff {tariff_id} has no elements"
    elements = []
    for index, element in enumerate(elements_raw):
        if not isinstance(element, dict) or not isinstance(element.get("price_components"), list):
            return f"tariff {tariff_id} element #{index + 1} has no price_components"
        components: dict[str, Component] = {}
        for pc in element["price_components"]:
            kind = pc.get("type") if isinstance(pc, dict) else None
            price = number(pc.get("price")) if isinstance(pc, dict) else None
            if kind not in (*METERED, FLAT) or price is None:
                return f"tariff {tariff_id} element #{index + 1} has an unreadable price component"
            step = pc.get("step_size")
            step_size = step if isinstance(step, int) and not isinstance(step, bool) else 1
            # Two components of one dimension in one element: the first counts.
            components.setdefault(
                str(kind), Component(tariff_id, index, str(kind), price, max(step_size, 1))
            )
        restrictions = element.get("restrictions")
        elements.append(
            Element(index, components, restrictions if isinstance(restrictions, dict) else {})
        )
    return Tariff(
        tariff_id, tuple(elements), excl_vat(raw.get("min_price")), excl_vat(raw.get("max_price"))
    )


def needs_local_time(tariffs: Iterable[Any]) -> bool:
    """Whether any element is restricted by local time of day, day of week or date."""
    keys = ("start_time", "end_time", "start_date", "end_date", "day_of_week")
    return any(
        isinstance(e, dict) and isinstance(e.get("restrictions"), dict)
        and any(e["restrictions"].get(k) not in (None, []) for k in keys)
        for t in tariffs if isinstance(t, dict) and isinstance(t.get("elements"), list)
        for e in t["elements"]
    )  # fmt: skip


# --------------------------------------------------------------------------- restrictions


@dataclass(frozen=True)
class State:
    """What restrictions are evaluated on (§11.4.6)."""

    local: datetime | None  # local time of the Location; None: time zone unknown
    duration_s: Decimal  # since the session start
    kwh: Decimal  # energy consumed so far
    current: Span | None  # A, sum over phases
    power: Span | None  # kW


def _clock(value: Any) -> int | None:
    """Seconds of the day of an "HH:MM" (§11.4.6), None when unreadable."""
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        return None
    hours, minutes = value[:2], value[3:]
    if not (hours.isdigit() and minutes.isdigit()) or int(hours) > 23 or int(minutes) > 59:
        return None
    return int(hours) * 3600 + int(minutes) * 60


def _window(start_raw: Any, end_raw: Any, local: datetime | None) -> Tri:
    """start_time inclusive, end_time exclusive; end before start wraps past midnight; end
    "00:00" is the end of the day. Equal start and end (not 00:00) is undefined: unknown."""
    start = 0 if start_raw is None else _clock(start_raw)
    end = 86400 if end_raw is None or end_raw == "00:00" else _clock(end_raw)
    if start is None or end is None or local is None or start == end:
        return None
    now = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
    return start <= now < end if start < end else now >= start or now < end


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def _range(value: Decimal | None, low_raw: Any, high_raw: Any) -> Tri:
    """min inclusive, max exclusive (§11.4.6)."""
    low = None if low_raw is None else number(low_raw)
    high = None if high_raw is None else number(high_raw)
    if (
        value is None
        or (low_raw is not None and low is None)
        or (high_raw is not None and high is None)
    ):
        return None
    return (low is None or value >= low) and (high is None or value < high)


def _span(span: Span | None, low_raw: Any, high_raw: Any) -> Tri:
    """A min (inclusive) / max (exclusive) restriction on a quantity seen from span[0] to
    span[1] in a period: known only when it holds, or fails, over the whole span."""
    low = None if low_raw is None else number(low_raw)
    high = None if high_raw is None else number(high_raw)
    if (
        span is None
        or (low_raw is not None and low is None)
        or (high_raw is not None and high is None)
    ):
        return None
    lowest, highest = span
    if (low is None or lowest >= low) and (high is None or highest < high):
        return True
    if (low is not None and highest < low) or (high is not None and lowest >= high):
        return False
    return None


def _all(results: Sequence[Tri]) -> Tri:
    if any(r is False for r in results):
        return False
    return None if any(r is None for r in results) else True


def _any(results: Sequence[Tri]) -> Tri:
    if not results or any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def restrictions_hold(
    restrictions: Mapping[str, Any], state: State, *, combine: str = "all", power: str = "respect"
) -> Tri:
    """Whether an element's restrictions match in `state` (§11.4.6), True/False/None (unknown);
    `combine` "any" is the OR reading, `power` "ignore" leaves current and power out."""
    r = restrictions
    results: list[Tri] = []
    if r.get("start_time") is not None or r.get("end_time") is not None:
        results.append(_window(r.get("start_time"), r.get("end_time"), state.local))
    if r.get("start_date") is not None or r.get("end_date") is not None:
        first, last = _day(r.get("start_date")), _day(r.get("end_date"))
        if (
            state.local is None
            or (r.get("start_date") is not None and first is None)
            or (r.get("end_date") is not None and last is None)
        ):
            results.append(None)
        else:
            today = state.local.date()
            results.append((first is None or today >= first) and (last is None or today < last))
    days = r.get("day_of_week")
    if days not in (None, []):
        local = state.local
        results.append(DAYS[local.weekday()] in days if isinstance(days, list) and local else None)
    for name, value in (("kwh", state.kwh), ("duration", state.duration_s)):
        if r.get(f"min_{name}") is not None or r.get(f"max_{name}") is not None:
            results.append(_range(value, r.get(f"min_{name}"), r.get(f"max_{name}")))
    if power != "ignore":
        for name, span in (("current", state.current), ("power", state.power)):
            if r.get(f"min_{name}") is not None or r.get(f"max_{name}") is not None:
                results.append(_span(span, r.get(f"min_{name}"), r.get(f"max_{name}")))
    return _any(results) if combine == "any" else _all(results)


Choice = Component | None | _Unknown


def active(tariff: Tariff, dimension: str, state: State, reading: Reading = SPEC) -> Choice:
    """The component `dimension` is priced by in `state` (§11.3.1): that of the first element
    with one whose restrictions all match; None when none matches (free); UNKNOWN when an
    element on the way cannot be evaluated."""
    candidates = tariff.candidates(dimension)
    order = reversed(candidates) if reading.selection == "last" else iter(candidates)
    combine = "any" if reading.selection == "any" else "all"
    for element in order:
        holds = restrictions_hold(element.restrictions, state, combine=combine,
                                  power=reading.power)  # fmt: skip
        if holds is None:
            return UNKNOWN
        if holds:
            return element.components[dimension]
    if reading.selection == "fallback" and candidates:
        return candidates[-1].components[dimension]
    return None


# --------------------------------------------------------------------------- CDRs


@dataclass(frozen=True)
class Period:
    index: int
    start: datetime
    end: datetime
    tariff: Tariff | None  # None: no tariff relevant (§10.4.6)
    volumes: Mapping[str, Decimal]  # ENERGY, TIME, PARKING_TIME, RESERVATION_TIME as reported
    slack: Mapping[str, Decimal]  # how far each volume may be from the one measured
    current: Span | None
    power: Span | None
    kwh_before: Decimal

    @property
    def time_known(self) -> bool:
        return TIME in self.volumes or PARKING_TIME in self.volumes

    def volume(self, dimension: str) -> Decimal | None:
        """The period's volume of a metered dimension; None when TIME and PARKING_TIME are
        both missing (the split of its duration is not known)."""
        if dimension == ENERGY:
            return self.volumes.get(ENERGY, _ZERO)
        return self.volumes.get(dimension, _ZERO) if self.time_known else None

    @property
    def label(self) -> str:
        return f"period #{self.index + 1} ({_iso(self.start)} to {_iso(self.end)})"


@dataclass(frozen=True)
class Cdr:
    id: str
    start: datetime
    end: datetime
    zone: ZoneInfo | None
    periods: tuple[Period, ...]
    costs: Mapping[str, Decimal]  # COST_FIELDS present, excl_vat
    units: Mapping[str, Decimal]  # the precision each amount is written with (0.01 to 0.0001)
    reservation: bool  # reservation time or cost: not priced here
    note: str = ""  # a lenient reading taken to price it

    @property
    def priced(self) -> list[Period]:
        return [p for p in self.periods if p.tariff is not None]

    def local(self, moment: datetime) -> datetime | None:
        return moment.astimezone(self.zone) if self.zone is not None else None

    def state(self, period: Period, moment: datetime, kwh: Decimal, *, power: str = "respect"
              ) -> State:  # fmt: skip
        first = self.periods[0]
        source = first if power == "start" else period
        return State(self.local(moment), Decimal(str((moment - self.start).total_seconds())),
                     kwh, source.current, source.power)  # fmt: skip


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return None


def _span_of(dims: Mapping[str, Decimal], low: str, high: str) -> Span | None:
    lowest, highest = dims.get(low, dims.get(high)), dims.get(high, dims.get(low))
    return None if lowest is None or highest is None else (lowest, highest)


def parse_cdr(cdr: Any, *, time_zone: str | None = None, more_tariffs: Iterable[Any] = ()
              ) -> Cdr | str:  # fmt: skip
    """A CDR ready to be judged, or why it cannot be. `time_zone` is the Location's (CdrLocation
    has none); `more_tariffs` a second source (the Tariffs Sender) for tariffs the CDR names
    but does not carry."""
    if not isinstance(cdr, dict):
        return "not an object"
    cdr_id = str(cdr.get("id"))
    if cdr.get("credit") is True:
        return "a credit CDR (CDR-005 judges it against the CDR it credits)"
    start, end = instant(cdr.get("start_date_time")), instant(cdr.get("end_date_time"))
    if start is None or end is None or end < start:
        return "no usable start_date_time/end_date_time"
    tariffs: dict[str, Tariff] = {}
    carried = cdr.get("tariffs")
    for raw in carried if isinstance(carried, list) else []:
        parsed = parse_tariff(raw)
        if isinstance(parsed, str):
            return parsed
        tariffs.setdefault(parsed.id.upper(), parsed)
    raw_periods = cdr.get("charging_periods")
    if not isinstance(raw_periods, list) or not raw_periods:
        return "no charging_periods"
    if not all(isinstance(p, dict) for p in raw_periods):
        return "a charging period that is not an object"
    starts = [instant(p.get("start_date_time")) for p in raw_periods]
    if any(s is None for s in starts):
        return "a charging period without a usable start_date_time"
    moments = [s for s in starts if s is not None]
    if any(b < a for a, b in pairwise(moments)) or moments[0] < start or (moments[-1] > end):
        return "charging periods out of order or outside start_date_time..end_date_time"
    named = {str(p["tariff_id"]).upper() for p in raw_periods if p.get("tariff_id") is not None}
    note = ""
    if not named and len(tariffs) == 1:
        note = ("no ChargingPeriod names a tariff_id (§10.4.6: then none is relevant); the CDR's "
                "only tariff read as pricing all of them")  # fmt: skip
    elif not named:
        return "no ChargingPeriod names a tariff_id" + (
            " and the CDR carries no tariffs" if not tariffs else
            " and the CDR carries several tariffs"
        )  # fmt: skip
    extra = {str(t.get("id")).upper(): t for t in more_tariffs if isinstance(t, dict)}
    for name in sorted(named - set(tariffs)):
        found = parse_tariff(extra[name]) if name in extra else "missing"
        if isinstance(found, str):
            return f"a period names tariff {name}, which neither the CDR nor the Tariffs Sender has"
        tariffs[name] = found
    periods = []
    kwh = _ZERO
    for index, raw in enumerate(raw_periods):
        dims: dict[str, Decimal] = {}
        slack: dict[str, Decimal] = {}
        raw_dims = raw.get("dimensions")
        for dim in raw_dims if isinstance(raw_dims, list) else []:
            kind = dim.get("type") if isinstance(dim, dict) else None
            value = number(dim.get("volume")) if isinstance(dim, dict) else None
            if isinstance(kind, str) and value is not None and kind not in dims:
                dims[kind], slack[kind] = value, _half_unit(dim["volume"])
        tariff_id = raw.get("tariff_id")
        tariff = tariffs.get(str(tariff_id).upper()) if tariff_id is not None else None
        if note:
            tariff = next(iter(tariffs.values()))
        period_end = moments[index + 1] if index + 1 < len(moments) else end
        periods.append(Period(
            index, moments[index], period_end, tariff,
            {k: v for k, v in dims.items() if k in (*METERED, RESERVATION_TIME)}, slack,
            _span_of(dims, "MIN_CURRENT", "MAX_CURRENT"), _span_of(dims, "MIN_POWER", "MAX_POWER"),
            kwh,
        ))  # fmt: skip
        kwh += dims.get(ENERGY, _ZERO)
    costs = {name: value for name in COST_FIELDS
             if (value := excl_vat(cdr.get(name))) is not None}  # fmt: skip
    # A CPO rounding to cents writes 0.5 for 0.50: at least cents, at most 4 decimals assumed.
    units = {name: Decimal(1).scaleb(-min(4, max(2, decimals(cdr[name]["excl_vat"]))))
             for name in costs}  # fmt: skip
    reserved = excl_vat(cdr.get("total_reservation_cost"))
    reservation = bool(reserved) or any(p.volumes.get(RESERVATION_TIME) for p in periods)
    return Cdr(cdr_id, start, end, _zone(time_zone), tuple(periods), costs, units, reservation,
               note)  # fmt: skip


# --------------------------------------------------------------------------- CDR-007


@dataclass(frozen=True)
class Cut:
    """A period inside which the element pricing a dimension changed (CDR-007)."""

    period: Period
    dimension: str
    at_start: Choice
    before_end: Choice
    where: str

    def describe(self) -> str:
        return (
            f"{self.period.label}: {self.dimension} priced by {_show(self.at_start)} at its "
            f"start, by {_show(self.before_end)} just before its end ({self.where})"
        )


def _show(choice: Choice) -> str:
    if isinstance(choice, Component):
        return choice.name()
    return "no element (free)" if choice is None else "unknown"


@dataclass
class CutCheck:
    observable: bool = False  # a boundary of the tariffs lay inside a period that it concerned
    cuts: list[Cut] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    boundaries: list[str] = field(default_factory=list)  # the boundaries that made it observable


#: Local days a session's clock boundaries are listed for (a longer session is cut short).
MAX_DAYS: Final = 400


def _boundaries(cdr: Cdr, element: Element) -> list[tuple[datetime, str]]:
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
                seconds = _clock(r.get(key))
                if seconds is not None:
                    clocks.append((time(seconds // 3600, seconds % 3600 // 60), f"{key} {r[key]}"))
            if r.get("day_of_week") not in (None, []):
                clocks.append((time(0, 0), "day_of_week"))
            first = cdr.start.astimezone(zone).date()
            span = min((cdr.end.astimezone(zone).date() - first).days + 2, MAX_DAYS)
            for day in (first + timedelta(days=n) for n in range(-1, span)):
                for clock, what in clocks:
                    local = datetime.combine(day, clock, tzinfo=zone)
                    found.append((local.astimezone(UTC), what))
            for key in ("start_date", "end_date"):
                day_ = _day(r.get(key))
                if day_ is not None:
                    local = datetime.combine(day_, time(0, 0), tzinfo=zone)
                    found.append((local.astimezone(UTC), f"{key} {r[key]}"))
    except OverflowError:  # dates at the ends of the calendar: nothing to locate there
        pass
    return [(moment, what) for moment, what in found if cdr.start < moment < cdr.end]


def _concerns(period: Period, tariff: Tariff, dimensions: Sequence[str]) -> bool:
    return period.tariff is tariff and any(period.volume(d) for d in dimensions)


def _observable(cdr: Cdr) -> list[tuple[Period, str]]:
    """Boundaries of an element's restrictions that fall inside (or at the start of) a priced
    period of its tariff with a volume of a dimension that element prices: where CDR-007 could
    show. With the period they fall in."""
    seen: list[tuple[Period, str]] = []
    starts = [p.start for p in cdr.periods]
    for tariff in {p.tariff.id: p.tariff for p in cdr.priced if p.tariff is not None}.values():
        for element in tariff.elements:
            dims = [d for d in element.components if d in METERED]
            if element.reservation or not dims:
                continue
            r = element.restrictions
            for moment, what in _boundaries(cdr, element):
                period = cdr.periods[max(bisect_right(starts, moment) - 1, 0)]
                if _concerns(period, tariff, dims):
                    where = f"{what} of {tariff.id} {element.describe()} at {_iso(moment)}"
                    seen.append((period, where))
            for key in ("min_kwh", "max_kwh"):
                threshold = number(r.get(key))
                if threshold is None or threshold <= 0:
                    continue
                for period in cdr.priced:
                    energy = period.volumes.get(ENERGY, _ZERO)
                    low, high = sorted((period.kwh_before, period.kwh_before + energy))
                    if _concerns(period, tariff, dims) and low <= threshold < high:
                        seen.append((period, f"{key} {r[key]} of {tariff.id} "
                                             f"{element.describe()}"))  # fmt: skip
                        break
    return seen


def check_period_cuts(cdr: Cdr) -> CutCheck:
    """CDR-007 on every priced period: the element pricing each dimension with a volume there
    is the same at its start and just before its end."""
    check = CutCheck()
    unknown: set[int] = set()
    for period in cdr.priced:
        tariff = period.tariff
        assert tariff is not None
        if period.volumes.get(RESERVATION_TIME) or period.end - period.start <= BEFORE:
            continue
        # Just before the end: energy a hair short of the end's, so that only a threshold
        # strictly between the start's and the end's cumulative energy can switch.
        energy = period.volumes.get(ENERGY, _ZERO)
        kwh_end = (
            period.kwh_before + energy - _EPSILON_KWH * (energy > 0) + _EPSILON_KWH * (energy < 0)
        )
        start = cdr.state(period, period.start, period.kwh_before)
        last = cdr.state(period, period.end - BEFORE, kwh_end)
        for dimension in METERED:
            if not period.volume(dimension):
                continue
            first_choice = active(tariff, dimension, start)
            last_choice = active(tariff, dimension, last)
            if UNKNOWN in (first_choice, last_choice):
                check.unknown.append(f"{period.label} {dimension}")
                unknown.add(period.index)
            elif first_choice != last_choice:
                where = _locate(cdr, period, tariff, dimension, first_choice)
                check.cuts.append(Cut(period, dimension, first_choice, last_choice, where))
    # Observable where the periods around a boundary (the one it falls in, and the one before
    # when it falls at a period's start) could be evaluated.
    check.boundaries = [
        where for period, where in _observable(cdr)
        if period.index not in unknown and period.index - 1 not in unknown
    ]  # fmt: skip
    check.observable = bool(check.boundaries)
    return check


def _locate(cdr: Cdr, period: Period, tariff: Tariff, dimension: str, first: Choice) -> str:
    """Where inside the period the switch lies: an instant (bisected to the ms, energy held at
    the period's start) or, when the clock alone does not switch it, a kWh threshold."""

    def at(moment: datetime) -> Choice:
        return active(tariff, dimension, cdr.state(period, moment, period.kwh_before))

    low, high = period.start, period.end - BEFORE
    if at(high) == first:
        energy = period.volumes.get(ENERGY, _ZERO)
        return (f"a kWh threshold between {period.kwh_before} and {period.kwh_before + energy} "
                "kWh consumed")  # fmt: skip
    while high - low > BEFORE:
        middle = low + (high - low) / 2
        low, high = (middle, high) if at(middle) == first else (low, middle)
    return f"a new period was due at about {_iso(high)}"


# --------------------------------------------------------------------------- cost


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


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.0001')).normalize():f}"


@dataclass(frozen=True)
class _Selected:
    flat: Component | None
    bills: Mapping[str, list[Bill]]


def _select(cdr: Cdr, selection: str, power: str) -> _Selected | str:
    """Which component prices each period's volumes under the TAR-007/TAR-008 options."""
    reading = Reading(selection=selection, power=power)
    priced = cdr.priced
    flat: Component | None = None
    if priced:
        first = priced[0]
        assert first.tariff is not None
        at_start = cdr.state(cdr.periods[0], cdr.start, _ZERO)
        choice = active(first.tariff, FLAT, at_start, reading)
        if isinstance(choice, _Unknown):
            return f"the FLAT element at the session start cannot be evaluated ({_why(cdr)})"
        flat = choice
    bills: dict[str, list[Bill]] = {d: [] for d in METERED}
    for period in priced:
        assert period.tariff is not None
        state = cdr.state(period, period.start, period.kwh_before, power=power)
        for dimension in METERED:
            volume = period.volume(dimension)
            if volume is None:
                if period.tariff.candidates(dimension):
                    return (f"{period.label} reports neither TIME nor PARKING_TIME: the time "
                            "billed is not known")  # fmt: skip
                continue
            if volume == 0:
                continue
            choice = active(period.tariff, dimension, state, reading)
            if isinstance(choice, _Unknown):
                return (
                    f"the {dimension} element of {period.label} cannot be evaluated ({_why(cdr)})"
                )
            if choice is None:
                continue
            if volume < 0:
                return f"{period.label} has a negative {dimension} volume (net export) to price"
            slack = period.slack.get(dimension, _ZERO) * UNITS[dimension]
            bills[dimension].append(Bill(choice, volume * UNITS[dimension], slack))
    return _Selected(flat, bills)


def _why(cdr: Cdr) -> str:
    if cdr.zone is None:
        return ("local time restrictions need the Location's time_zone, unknown; or current/power "
                "not reported")  # fmt: skip
    return "a restriction on current or power not reported, or an undefined time window"


def _ceil(units: Decimal, step: int) -> Decimal:
    return (units / step).to_integral_value(rounding=ROUND_CEILING) * step


def _round_session(bills: list[Bill], *, billed: str, nudge: int, first_step: bool
                   ) -> list[tuple[Component, Decimal]]:  # fmt: skip
    """§10.3.1: the total billed volume rounded up to the step_size of the last component that
    billed (the first, under the wrong reading); the surplus at the last one's price."""
    out = [(b.component, b.units) for b in bills]
    eligible = [b for b in bills if billed == "component" or b.component.price != 0]
    if not eligible:
        return out
    total = sum((b.units for b in eligible), _ZERO)
    total += nudge * sum((b.slack for b in eligible), _ZERO)
    step = (eligible[0] if first_step else eligible[-1]).component.step_size
    surplus = _ceil(total, step) - total if total > 0 else _ZERO
    return [*out, (eligible[-1].component, surplus)]


def _round_runs(bills: list[Bill], *, per_period: bool) -> list[tuple[Component, Decimal]]:
    runs: list[tuple[Component, Decimal]] = []
    for bill in bills:
        if runs and not per_period and runs[-1][0] == bill.component:
            runs[-1] = (bill.component, runs[-1][1] + bill.units)
        else:
            runs.append((bill.component, bill.units))
    return [(component, _ceil(units, component.step_size)) for component, units in runs]


def _steps(selected: _Selected, step: str, billed: str, nudge: int
           ) -> dict[str, list[tuple[Component, Decimal]]]:  # fmt: skip
    bills = selected.bills
    plain = {d: [(b.component, b.units) for b in bills[d]] for d in METERED}
    if step == "none":
        return plain
    if step in ("period", "element"):
        return {d: _round_runs(bills[d], per_period=step == "period") for d in METERED}
    first = step == "first"
    result = dict(plain)
    result[ENERGY] = _round_session(bills[ENERGY], billed=billed, nudge=nudge, first_step=first)
    parking = [b for b in bills[PARKING_TIME] if billed == "component" or b.component.price != 0]
    rounded = [PARKING_TIME, TIME] if step == "each" else [PARKING_TIME if parking else TIME]
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


def price(cdr: Cdr, reading: Reading = SPEC, *, billed: str = "component", nudge: int = 0
          ) -> Cost | str:  # fmt: skip
    """The CDR's cost (excl. VAT) under `reading`, or why it cannot be computed. `billed`:
    which volumes step_size rounds ("component": any priced by a component; "priced": a
    non-zero price); `nudge` moves those totals by what the volumes' reported precision allows."""
    selected = _select(cdr, reading.selection, reading.power)
    if isinstance(selected, str):
        return selected
    return _cost(cdr, selected, reading.step, billed, nudge)


def _cost(cdr: Cdr, selected: _Selected, step: str, billed: str, nudge: int) -> Cost:
    parts = dict.fromkeys(("total_fixed_cost", *PART.values()), _ZERO)
    tariffs = [p.tariff for p in cdr.priced if p.tariff is not None]
    unsure: frozenset[str] = frozenset()
    if selected.flat is not None:
        part, split = _flat_part(tariffs, selected.flat)
        parts[part] += selected.flat.price
        unsure = frozenset({"total_fixed_cost", PART[PARKING_TIME]} if split else ())
    for dimension, billed_units in _steps(selected, step, billed, nudge).items():
        for component, units in billed_units:
            parts[PART[dimension]] += component.price * units / UNITS[dimension]
    total = sum(parts.values(), _ZERO)
    clamped = total
    if tariffs:
        if tariffs[0].min_price is not None:
            clamped = max(clamped, tariffs[0].min_price)
        if tariffs[0].max_price is not None:
            clamped = min(clamped, tariffs[0].max_price)
    return Cost(clamped, parts, clamped != total, unsure)


# --------------------------------------------------------------------------- cost verdicts

Outcome = Literal["passed", "failed", "blocked", "unobserved"]
Tolerance = Mapping[str, Decimal]


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    reason: str = ""  # blocked/unobserved: why; failed: the readings the cost matches
    expected: str = ""
    actual: str = ""


@dataclass
class CostCheck:
    spec: list[Cost] = field(default_factory=list)  # the spec's reading, its variants
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    tolerance: Tolerance = field(default_factory=dict)


def tolerance(cdr: Cdr) -> dict[str, Decimal]:
    """How far a CPO's legitimate rounding may move each amount: half its written precision per
    rounding that may have happened (the total, each part, each priced period), plus what the
    reported precision of the volumes moves at the highest price of their dimension."""
    roundings = len(cdr.costs) + len(cdr.priced)
    volumes = _ZERO
    for period in cdr.priced:
        assert period.tariff is not None
        for dimension in METERED:
            candidates = period.tariff.candidates(dimension)
            if candidates and dimension in period.slack:
                highest = max(abs(e.components[dimension].price) for e in candidates)
                volumes += highest * period.slack[dimension]
    return {k: unit / 2 * roundings + volumes + Decimal("1e-9") for k, unit in cdr.units.items()}


def _compared(cdr: Cdr, cost: Cost) -> list[str]:
    """The CDR's amounts a computed cost can be held against: total_cost, and the parts the
    CDR gives unless min/max_price clamped the total (the parts are then undefined)."""
    keys = ["total_cost"] if "total_cost" in cdr.costs else []
    if not cost.clamped:
        keys += [k for k in cdr.costs if k != "total_cost" and k not in cost.unsure]
    return keys


def _value(cost: Cost, key: str) -> Decimal:
    return cost.total if key == "total_cost" else cost.parts.get(key, _ZERO)


def _matches(cdr: Cdr, cost: Cost, tol: Tolerance) -> bool:
    keys = _compared(cdr, cost)
    return bool(keys) and all(abs(cdr.costs[k] - _value(cost, k)) <= tol[k] for k in keys)


def _apart(cdr: Cdr, one: Cost, others: Sequence[Cost], tol: Tolerance) -> bool:
    """No amounts the CDR could give match both `one` and any of `others`."""
    return all(
        any(abs(_value(one, k) - _value(o, k)) > 2 * tol[k] for k in _compared(cdr, o))
        for o in others
    )


def _amounts(cdr: Cdr, cost: Cost) -> str:
    return ", ".join(f"{k} {_money(_value(cost, k))}" for k in _compared(cdr, cost))


def _structure(cdr: Cdr, rule: str) -> str:
    """Why a rule has nothing to act on in this CDR's tariffs ("" when it has)."""
    tariffs = {p.tariff.id: p.tariff for p in cdr.priced if p.tariff is not None}
    elements = [e for t in tariffs.values() for e in t.elements if not e.reservation]
    limits = ("min_current", "max_current", "min_power", "max_power")
    if rule == "TAR-008" and not any(e.restrictions.get(k) is not None
                                     for e in elements for k in limits):  # fmt: skip
        return "no element of its tariffs is restricted by current or power"
    if rule == "TAR-007" and not any(
        len(t.candidates(d)) > 1 or any(e.restrictions for e in t.candidates(d))
        for t in tariffs.values() for d in (*METERED, FLAT)
    ):  # fmt: skip
        return "every dimension of its tariffs has one unrestricted element at most"
    steps = [c.step_size for e in elements for c in e.components.values() if c.dimension != FLAT]
    if rule == "CDR-008" and all(step <= 1 for step in steps):
        return "every step_size of its tariffs is 1"
    return ""


def check_cost(cdr: Cdr) -> CostCheck:
    """TAR-007, TAR-008 and CDR-008 from the CDR's cost. Every combination of the rules'
    options is priced; the CDR's amounts are matched against each within the tolerance:
    - the spec's reading matches: a rule passes when one of its wrong readings would have
      given amounts apart from it (the CDR could have shown it), else it has nothing to show;
    - only other readings match: a rule fails when every matching reading breaks it; when some
      keep it and some break it, it is blocked (the cost cannot tell);
    - nothing matches: no rule is blamed, all are blocked with the amounts."""
    tol = tolerance(cdr)
    check = CostCheck(tolerance=tol)

    def every(outcome: Outcome, reason: str) -> CostCheck:
        check.verdicts = {rule: Verdict(outcome, f"CDR {cdr.id}: {reason}") for rule in COST_RULES}
        return check

    if "total_cost" not in cdr.costs:
        return every("unobserved", "no total_cost.excl_vat to compare")
    if cdr.reservation:
        return every("unobserved", "reservation time or cost, which the judge does not price")
    variants = [price(cdr, SPEC, billed=b, nudge=n)
                for b in ("component", "priced") for n in (0, -1, 1)]  # fmt: skip
    reason = next((v for v in variants if isinstance(v, str)), None)
    if reason is not None:
        return every("unobserved", reason)
    check.spec = [v for v in variants if isinstance(v, Cost)]
    costs: dict[Reading, list[Cost]] = {SPEC: check.spec}
    selected: dict[tuple[str, str], _Selected | str] = {}
    for selection, power, step in product(*OPTIONS.values()):
        reading = Reading(selection, power, step)
        if reading != SPEC:
            key = (selection, power)
            if key not in selected:
                selected[key] = _select(cdr, selection, power)
            chosen = selected[key]
            if not isinstance(chosen, str):
                costs[reading] = [_cost(cdr, chosen, step, "component", 0)]
    matched = [r for r, found in costs.items() if any(_matches(cdr, c, tol) for c in found)]
    bases = [SPEC] if SPEC in matched else matched

    def observable(reading: Reading, rule: str) -> str:
        """The option `reading` takes for `rule`, or the spec's when taking the spec's instead
        gives the same amounts (a deviation the cost cannot show is no deviation)."""
        option = reading.option(rule)
        kept = costs.get(swap(reading, rule, OPTIONS[rule][0]))
        if option == OPTIONS[rule][0] or kept is None:
            return option
        mine = costs[reading]
        return option if all(_apart(cdr, o, kept, tol) for o in mine) else OPTIONS[rule][0]

    def shown(rule: str) -> bool:
        """A wrong option of `rule`, put into every reading that explains the cost, would have
        given amounts apart from it: the CDR could have shown a violation."""
        return any(
            all((other := costs.get(swap(base, rule, option))) is not None
                and all(_apart(cdr, o, costs[base], tol) for o in other) for base in bases)
            for option in OPTIONS[rule][1:]
        )  # fmt: skip

    effective = {rule: {base: observable(base, rule) for base in bases} for rule in COST_RULES}
    ways = " | ".join(sorted({
        "; ".join(DESCRIPTIONS[(rule, effective[rule][base])] for rule in COST_RULES
                  if effective[rule][base] != OPTIONS[rule][0]) or "the spec's reading"
        for base in bases
    }))  # fmt: skip
    actual = _amounts(cdr, Cost(cdr.costs["total_cost"], cdr.costs))
    expected = (f"{_amounts(cdr, check.spec[0])} (±{_money(tol['total_cost'])}): "
                f"{DESCRIPTIONS[('TAR-007', 'first')]}, {DESCRIPTIONS[('TAR-008', 'respect')]}, "
                f"{DESCRIPTIONS[('CDR-008', 'session')]}")  # fmt: skip
    for rule in COST_RULES:
        options = set(effective[rule].values())
        if not matched:
            check.verdicts[rule] = Verdict("blocked", (
                f"CDR {cdr.id}: {actual} differs from the spec's reading ({expected}) and from "
                "every other reading the judge can name; the catalogue has no general CDR cost "
                "rule to record it under"), expected, actual)  # fmt: skip
        elif OPTIONS[rule][0] not in options:
            check.verdicts[rule] = Verdict("failed", ways, expected,
                                           f"{actual}, which only readings that break {rule} "
                                           f"give: {ways}")  # fmt: skip
        elif len(options) > 1:
            check.verdicts[rule] = Verdict("blocked", (
                f"CDR {cdr.id}: {actual} is given by readings that keep {rule} and by readings "
                f"that break it ({ways})"), expected, actual)  # fmt: skip
        elif shown(rule):
            check.verdicts[rule] = Verdict("passed", ways, expected, actual)
        else:
            why = _structure(cdr, rule) or (
                f"its readings give the same amounts within ±{_money(tol['total_cost'])} at "
                "this CDR's volumes"
            )
            check.verdicts[rule] = Verdict("unobserved", f"CDR {cdr.id}: {why}")
    return check
