"""The reference CPO's OCPI 2.2.1 tariff pricing engine: pure logic, no I/O.

`price_cdr(tariff, charging_periods, start=, end=, time_zone=, reservation=)` prices one session
with one Tariff and returns the CDR cost fields (§10.3.1). `tariff_boundaries(...)` tells the
charging simulator when to cut a new ChargingPeriod (§10.3.1: "at every moment that matters for
cost"). Both take and give plain dicts in OCPI JSON shape.

The rules implemented (§11.3.1, §11.4, §10.3.1 of OCPI 2.2.1-d2, branch release-2.2.1-bugfixes):

- Per dimension (ENERGY, TIME, PARKING_TIME), the FIRST TariffElement that has a PriceComponent
  for that dimension AND whose restrictions all match is used; no match means that dimension is
  free. Restrictions are evaluated once per ChargingPeriod, on the state at the period's start, in
  the Location's local time (`time_zone`, via zoneinfo):
  - `start_time` inclusive, `end_time` exclusive; `end_time` < `start_time` wraps past midnight,
    `end_time` "00:00" means end of day;
  - `start_date` inclusive, `end_date` exclusive (local dates);
  - `min_kwh`/`max_kwh` on the energy consumed before the period (inclusive/exclusive);
  - `min_current`/`max_current`, `min_power`/`max_power` (inclusive/exclusive) on the period's
    current and power;
  - `min_duration`/`max_duration` in seconds counted from session start (inclusive/exclusive);
  - `day_of_week` on the local date.
- FLAT is charged once per session, from the first matching element with a FLAT component at
  session start.
- ENERGY per kWh, TIME per hour charging, PARKING_TIME per hour not charging.
- step_size (§10.3.1): applied once per session to the TOTAL billed volume: once for ENERGY, and
  once for TIME and PARKING_TIME combined, where only the parking total is rounded when parking
  is billed. The step_size is the one of the last PriceComponent that billed volume of that
  dimension, and the rounding surplus is billed at that component's price (the €0.73, €0.55 and
  €1.30 examples of §11.4.2).
- `min_price`/`max_price` clamp the excl-VAT and the incl-VAT total independently.
- VAT per component: `vat` absent means no VAT applies, which is not the same as 0 %.

Decisions where the spec is silent (or loose):

- Money: Decimal throughout. Each cost total (fixed, energy, time, parking, reservation, excl and
  incl VAT) is rounded half-up to 4 decimals at the end; `total_cost` is the sum of those rounded
  parts (so the CDR adds up exactly), then clamped by min/max price. The spec has no rounding rule
  (§11.3.1 NOTE: law, contract and currency decide); 4 decimals keeps sub-cent prices and the
  worked examples exact, and a biller may round to cents downstream.
- Volumes arrive as JSON numbers, so they are normalised to 1 ms and 1 mWh before step rounding;
  otherwise binary float noise (0.1 + 0.2 h) would round up a whole extra step.
- A period's TIME/PARKING_TIME volumes are its TIME/PARKING_TIME dimensions when either is
  present; otherwise its duration (until the next period's start or `end`) counts as PARKING_TIME
  when it has an ENERGY dimension <= 0, else as TIME.
- Period current: the CURRENT dimension, else MAX_CURRENT, else MIN_CURRENT. Period power: POWER,
  else MAX_POWER, else MIN_POWER, else ENERGY / charging hours. A current/power restriction on a
  period whose value is unknown does not match.
- Negative ENERGY (net export) is not billed: OCPI 2.2.1 has no price for energy export.
- Only periods whose `tariff_id` equals the tariff's `id` are priced (§10.4.6: absent `tariff_id`
  means no tariff is relevant); all periods count for the volume totals, kWh and duration.
- No charging periods means no charging session (e.g. an expired reservation): no session FLAT.
- A period straddling a restriction boundary is priced entirely by its start state: cutting the
  periods is the caller's job (`tariff_boundaries`). `start_time` == `end_time` (not "00:00") is
  taken as the whole day. `day_of_week` is checked on the local date of the instant, also inside a
  window that wrapped past midnight.
- Reservation (`reservation=`): elements with `restrictions.reservation` price the reservation
  only; the others price the charging session only. Reservation elements are evaluated once, at
  the reservation start. FLAT: the first matching RESERVATION element's FLAT, plus, when expired,
  the first matching RESERVATION_EXPIRES element's FLAT. TIME (the reservation duration): when
  expired, a RESERVATION_EXPIRES TIME component wins over a RESERVATION one. Reservation TIME is
  step-rounded on its own, and all of it goes to `total_reservation_cost`.
- A FLAT component in an element whose other components are all PARKING_TIME counts as parking
  cost; reservation FLATs count as reservation cost; other FLATs are `total_fixed_cost` (§10.3.1).
- Cost totals: a `total_*_cost` is present only when a component of its kind contributed (billed
  a non-zero volume, or was the FLAT applied); its `incl_vat` only when every contributing
  component has `vat`. `total_cost` is always present, with `incl_vat` when every contributing
  component has `vat` (so a session that nothing was billed for gets 0 / 0). `min_price` /
  `max_price` without `incl_vat` clamp only `excl_vat`.
- `total_time` is `end - start` (hours); `total_energy` and `total_parking_time` are the sums over
  all periods; volumes are not rounded.
- The Tariff's own `start_date_time`/`end_date_time`/`type` are not evaluated: choosing the tariff
  is the caller's job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any, Final, NotRequired, TypedDict
from zoneinfo import ZoneInfo

from simulator.platform.clock import parse_ocpi_datetime

__all__ = ["CdrCosts", "Price", "Reservation", "price_cdr", "tariff_boundaries"]

FLAT: Final = "FLAT"
ENERGY: Final = "ENERGY"
TIME: Final = "TIME"
PARKING_TIME: Final = "PARKING_TIME"
RESERVATION: Final = "RESERVATION"
RESERVATION_EXPIRES: Final = "RESERVATION_EXPIRES"

_DAYS: Final = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
_MONEY: Final = Decimal("0.0001")
_VOLUME: Final = Decimal("0.001")  # 1 ms of time, 1 mWh of energy, before step rounding
_ZERO: Final = Decimal(0)
_HUNDRED: Final = Decimal(100)
# Step units per dimension unit: ENERGY steps are Wh of a kWh price, time steps seconds of an hour.
_UNITS: Final = {ENERGY: Decimal(1000), TIME: Decimal(3600), PARKING_TIME: Decimal(3600)}


class Price(TypedDict):
    """OCPI Price (§16.4): `incl_vat` only when every contributing component has a `vat`."""

    excl_vat: float
    incl_vat: NotRequired[float]


class CdrCosts(TypedDict):
    """The cost and volume fields of a CDR (§10.3.1)."""

    total_cost: Price
    total_fixed_cost: NotRequired[Price]
    total_energy_cost: NotRequired[Price]
    total_time_cost: NotRequired[Price]
    total_parking_cost: NotRequired[Price]
    total_reservation_cost: NotRequired[Price]
    total_energy: float
    total_time: float
    total_parking_time: float


@dataclass(frozen=True)
class Reservation:
    """A reservation before the session: from `start` (when it was made) until `end` (when the
    driver started charging, or when it expired, then `expired=True`)."""

    start: datetime
    end: datetime
    expired: bool = False


@dataclass(frozen=True)
class _Component:
    dimension: str
    price: Decimal
    vat: Decimal | None
    step_size: int


@dataclass(frozen=True)
class _Element:
    components: Mapping[str, _Component]
    restrictions: Mapping[str, Any]
    reservation: str | None
    flat_is_parking: bool


@dataclass(frozen=True)
class _State:
    """What the restrictions are evaluated on: the moment a period starts."""

    local: datetime
    duration_s: Decimal
    kwh: Decimal
    current: Decimal | None
    power: Decimal | None


@dataclass(frozen=True)
class _Period:
    priced: bool
    energy: Decimal
    time_h: Decimal
    parking_h: Decimal
    state: _State


@dataclass
class _Bill:
    """One billed volume (in step units: Wh or seconds) of one component."""

    component: _Component
    units: Decimal


@dataclass
class _Bucket:
    excl: Decimal = _ZERO
    incl: Decimal = _ZERO
    all_vat: bool = True
    used: bool = False

    def add(self, component: _Component, amount: Decimal) -> None:
        self.used = True
        self.excl += amount
        if component.vat is None:
            self.all_vat = False
        else:
            self.incl += amount * (1 + component.vat / _HUNDRED)


@dataclass
class _Ledger:
    buckets: dict[str, _Bucket] = field(default_factory=dict)

    def add(self, kind: str, component: _Component, amount: Decimal) -> None:
        self.buckets.setdefault(kind, _Bucket()).add(component, amount)


# --------------------------------------------------------------------------- parsing


def _dec(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError(f"{what}: not a number: {value!r}")
    # repr() of a float is its shortest round-trip text: 0.1 stays 0.1, not 0.1000000000000000055.
    return (
        value
        if isinstance(value, Decimal)
        else Decimal(repr(value) if isinstance(value, float) else value)
    )


def _opt_dec(mapping: Mapping[str, Any], key: str) -> Decimal | None:
    value = mapping.get(key)
    return None if value is None else _dec(value, key)


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return moment


def _moment(value: Any, what: str) -> datetime:
    if isinstance(value, datetime):
        return _aware(value, what)
    if isinstance(value, str):
        return parse_ocpi_datetime(value)
    raise ValueError(f"{what}: not a DateTime: {value!r}")


def _hhmm(value: str) -> time:
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes))


def _elements(tariff: Mapping[str, Any]) -> list[_Element]:
    raw_elements = tariff.get("elements")
    if not isinstance(raw_elements, list) or not raw_elements:
        raise ValueError("tariff.elements: at least one TariffElement is required")
    elements = []
    for raw in raw_elements:
        components: dict[str, _Component] = {}
        for pc in raw.get("price_components") or ():
            dimension = pc["type"]
            # Within one element only the first component of a dimension counts.
            components.setdefault(
                dimension,
                _Component(
                    dimension=dimension,
                    price=_dec(pc["price"], "price"),
                    vat=_opt_dec(pc, "vat"),
                    step_size=int(pc.get("step_size") or 0),
                ),
            )
        restrictions: Mapping[str, Any] = raw.get("restrictions") or {}
        others = set(components) - {FLAT}
        elements.append(
            _Element(
                components=components,
                restrictions=restrictions,
                reservation=restrictions.get("reservation"),
                flat_is_parking=bool(others) and others == {PARKING_TIME},
            )
        )
    return elements


# --------------------------------------------------------------------------- restrictions


def _time_of_day_matches(restrictions: Mapping[str, Any], local: datetime) -> bool:
    start_raw = restrictions.get("start_time")
    end_raw = restrictions.get("end_time")
    if start_raw is None and end_raw is None:
        return True
    now = local.time().replace(tzinfo=None)
    start = _hhmm(start_raw) if start_raw is not None else time(0, 0)
    end = _hhmm(end_raw) if end_raw is not None else None
    if end is None or end == time(0, 0):  # "00:00" as end_time: the end of the day
        return now >= start
    if end > start:
        return start <= now < end
    if end < start:  # wraps past midnight
        return now >= start or now < end
    return True  # start == end: the whole day


def _matches(restrictions: Mapping[str, Any], state: _State) -> bool:
    r = restrictions
    local = state.local
    if not _time_of_day_matches(r, local):
        return False
    if r.get("start_date") is not None and local.date() < date.fromisoformat(r["start_date"]):
        return False
    if r.get("end_date") is not None and local.date() >= date.fromisoformat(r["end_date"]):
        return False
    days = r.get("day_of_week")
    if days and _DAYS[local.weekday()] not in days:
        return False
    measured = (
        ("kwh", state.kwh),
        ("current", state.current),
        ("power", state.power),
        ("duration", state.duration_s),
    )
    for name, value in measured:
        low = _opt_dec(r, f"min_{name}")
        high = _opt_dec(r, f"max_{name}")
        if low is None and high is None:
            continue
        if value is None:  # unknown: the restriction cannot be shown to hold
            return False
        if low is not None and value < low:
            return False
        if high is not None and value >= high:
            return False
    return True


def _active(
    elements: Iterable[_Element], dimension: str, state: _State, *, ignore: str = ""
) -> _Component | None:
    """The component of the first element with `dimension` whose restrictions all match."""
    for element in elements:
        component = element.components.get(dimension)
        if component is None:
            continue
        restrictions = element.restrictions
        if ignore:
            restrictions = {k: v for k, v in restrictions.items() if k != ignore}
        if _matches(restrictions, state):
            return component
    return None


# --------------------------------------------------------------------------- periods


def _seconds(delta: timedelta) -> Decimal:
    return Decimal(delta // timedelta(microseconds=1)) / Decimal(1_000_000)


def _periods(
    charging_periods: Sequence[Mapping[str, Any]],
    *,
    tariff_id: Any,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
) -> list[_Period]:
    starts = [_moment(p.get("start_date_time"), "start_date_time") for p in charging_periods]
    if any(b < a for a, b in pairwise(starts)):
        raise ValueError("charging_periods must be in chronological order")
    if starts and (starts[0] < start or starts[-1] > end):
        raise ValueError("charging_periods must start within [start, end]")
    periods = []
    kwh = _ZERO
    for index, raw in enumerate(charging_periods):
        period_start = starts[index]
        period_end = starts[index + 1] if index + 1 < len(starts) else end
        duration_h = _seconds(period_end - period_start) / _UNITS[TIME]
        dims: dict[str, Decimal] = {}
        for dim in raw.get("dimensions") or ():
            dims.setdefault(dim["type"], _dec(dim["volume"], dim["type"]))
        energy = dims.get(ENERGY, _ZERO)
        if TIME in dims or PARKING_TIME in dims:
            time_h, parking_h = dims.get(TIME, _ZERO), dims.get(PARKING_TIME, _ZERO)
        elif ENERGY in dims and energy <= 0:
            time_h, parking_h = _ZERO, duration_h
        else:
            time_h, parking_h = duration_h, _ZERO
        current = next(
            (dims[k] for k in ("CURRENT", "MAX_CURRENT", "MIN_CURRENT") if k in dims), None
        )
        power = next((dims[k] for k in ("POWER", "MAX_POWER", "MIN_POWER") if k in dims), None)
        if power is None and ENERGY in dims and time_h > 0:
            power = energy / time_h
        state = _State(
            local=period_start.astimezone(zone),
            duration_s=_seconds(period_start - start),
            kwh=kwh,
            current=current,
            power=power,
        )
        periods.append(
            _Period(
                priced=tariff_id is not None and raw.get("tariff_id") == tariff_id,
                energy=energy,
                time_h=time_h,
                parking_h=parking_h,
                state=state,
            )
        )
        kwh += energy
    return periods


# --------------------------------------------------------------------------- pricing


def _bills(periods: Sequence[_Period], elements: Sequence[_Element], dimension: str) -> list[_Bill]:
    bills = []
    for period in periods:
        if not period.priced:
            continue
        volume = {ENERGY: period.energy, TIME: period.time_h, PARKING_TIME: period.parking_h}[
            dimension
        ]
        units = (volume * _UNITS[dimension]).quantize(_VOLUME, rounding=ROUND_HALF_UP)
        if units <= 0:
            continue
        component = _active(elements, dimension, period.state)
        if component is not None:
            bills.append(_Bill(component, units))
    return bills


def _round_up_total(bills: list[_Bill]) -> None:
    """§10.3.1: round the session total up to the last component's step_size; the surplus is
    billed by that last component."""
    if not bills:
        return
    step = Decimal(bills[-1].component.step_size)
    if step <= 0:
        return
    total = sum((bill.units for bill in bills), _ZERO)
    rounded = (total / step).to_integral_value(rounding=ROUND_CEILING) * step
    bills[-1].units += rounded - total


def _charge(ledger: _Ledger, kind: str, bills: Iterable[_Bill]) -> None:
    for bill in bills:
        component = bill.component
        amount = component.price * bill.units / _UNITS[component.dimension]
        ledger.add(kind, component, amount)


def _price_reservation(
    ledger: _Ledger, elements: Sequence[_Element], reservation: Reservation, zone: ZoneInfo
) -> None:
    start = _aware(reservation.start, "reservation.start")
    end = _aware(reservation.end, "reservation.end")
    if end < start:
        raise ValueError("reservation.end is before reservation.start")
    state = _State(
        local=start.astimezone(zone), duration_s=_ZERO, kwh=_ZERO, current=None, power=None
    )
    made = [e for e in elements if e.reservation == RESERVATION]
    expired = [e for e in elements if e.reservation == RESERVATION_EXPIRES]
    flats = [_active(made, FLAT, state, ignore="reservation")]
    if reservation.expired:
        flats.append(_active(expired, FLAT, state, ignore="reservation"))
    for flat in flats:
        if flat is not None:
            ledger.add("reservation", flat, flat.price)
    time_component = None
    if reservation.expired:
        time_component = _active(expired, TIME, state, ignore="reservation")
    if time_component is None:
        time_component = _active(made, TIME, state, ignore="reservation")
    units = _seconds(end - start).quantize(_VOLUME, rounding=ROUND_HALF_UP)
    if time_component is not None and units > 0:
        bills = [_Bill(time_component, units)]
        _round_up_total(bills)
        _charge(ledger, "reservation", bills)


def _money(value: Decimal) -> Decimal:
    return value.quantize(_MONEY, rounding=ROUND_HALF_UP)


def _price(excl: Decimal, incl: Decimal | None) -> Price:
    price: Price = {"excl_vat": float(excl)}
    if incl is not None:
        price["incl_vat"] = float(incl)
    return price


def _clamp(
    value: Decimal | None, bound: Mapping[str, Any] | None, key: str, *, lower: bool
) -> Decimal | None:
    if value is None or bound is None or bound.get(key) is None:
        return value
    limit = _money(_dec(bound[key], key))
    return max(value, limit) if lower else min(value, limit)


def price_cdr(
    tariff: Mapping[str, Any],
    charging_periods: Sequence[Mapping[str, Any]],
    *,
    start: datetime,
    end: datetime,
    time_zone: str,
    reservation: Reservation | None = None,
) -> CdrCosts:
    """Price one session with one Tariff: the CDR's cost and volume fields.

    `charging_periods` are OCPI ChargingPeriods (`start_date_time`, `dimensions`, `tariff_id`);
    each lasts until the next one's start, the last until `end`. `start`/`end` are the charging
    session's, `time_zone` the Location's (IANA name). See the module docstring for the rules.
    """
    start = _aware(start, "start")
    end = _aware(end, "end")
    if end < start:
        raise ValueError("end is before start")
    zone = ZoneInfo(time_zone)
    elements = _elements(tariff)
    session_elements = [e for e in elements if e.reservation is None]
    periods = _periods(
        charging_periods, tariff_id=tariff.get("id"), start=start, end=end, zone=zone
    )
    ledger = _Ledger()

    if any(p.priced for p in periods):
        first = periods[0].state
        at_start = _State(
            local=start.astimezone(zone),
            duration_s=_ZERO,
            kwh=_ZERO,
            current=first.current,
            power=first.power,
        )
        for element in session_elements:
            flat = element.components.get(FLAT)
            if flat is not None and _matches(element.restrictions, at_start):
                ledger.add("parking" if element.flat_is_parking else "fixed", flat, flat.price)
                break

    energy = _bills(periods, session_elements, ENERGY)
    _round_up_total(energy)
    _charge(ledger, "energy", energy)
    charging = _bills(periods, session_elements, TIME)
    parking = _bills(periods, session_elements, PARKING_TIME)
    _round_up_total(parking if parking else charging)
    _charge(ledger, "time", charging)
    _charge(ledger, "parking", parking)

    if reservation is not None:
        _price_reservation(ledger, elements, reservation, zone)

    costs: dict[str, Price] = {}
    total_excl = _ZERO
    total_incl: Decimal | None = _ZERO
    for kind, bucket in ledger.buckets.items():
        excl = _money(bucket.excl)
        incl = _money(bucket.incl) if bucket.all_vat else None
        costs[kind] = _price(excl, incl)
        total_excl += excl
        total_incl = None if incl is None or total_incl is None else total_incl + incl

    min_price = tariff.get("min_price")
    max_price = tariff.get("max_price")
    clamped_excl = _clamp(total_excl, min_price, "excl_vat", lower=True)
    clamped_excl = _clamp(clamped_excl, max_price, "excl_vat", lower=False)
    total_incl = _clamp(total_incl, min_price, "incl_vat", lower=True)
    total_incl = _clamp(total_incl, max_price, "incl_vat", lower=False)
    assert clamped_excl is not None

    result: CdrCosts = {
        "total_cost": _price(clamped_excl, total_incl),
        "total_energy": float(sum((p.energy for p in periods), _ZERO)),
        "total_time": float(_seconds(end - start) / _UNITS[TIME]),
        "total_parking_time": float(sum((p.parking_h for p in periods), _ZERO)),
    }
    if "fixed" in costs:
        result["total_fixed_cost"] = costs["fixed"]
    if "energy" in costs:
        result["total_energy_cost"] = costs["energy"]
    if "time" in costs:
        result["total_time_cost"] = costs["time"]
    if "parking" in costs:
        result["total_parking_cost"] = costs["parking"]
    if "reservation" in costs:
        result["total_reservation_cost"] = costs["reservation"]
    return result


# --------------------------------------------------------------------------- boundaries


def tariff_boundaries(
    tariff: Mapping[str, Any], start: datetime, end: datetime, time_zone: str
) -> list[datetime]:
    """The instants strictly between `start` and `end` (UTC, sorted, distinct) at which a
    charging-session element of `tariff` may switch on or off by the clock: `start_time`/`end_time`
    on every local day, local midnights where `day_of_week` is used, `start_date`/`end_date`, and
    `start + min_duration`/`max_duration`. The session start itself always opens the first period.
    Energy-, current- and power-driven switches depend on measurements and are not listed here: the
    simulator cuts those where the meter crosses the threshold.
    """
    start = _aware(start, "start")
    end = _aware(end, "end")
    zone = ZoneInfo(time_zone)
    first_day = start.astimezone(zone).date() - timedelta(days=1)
    days = [
        first_day + timedelta(days=n)
        for n in range((end.astimezone(zone).date() - first_day).days + 2)
    ]
    candidates: set[datetime] = set()

    def local(day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)

    for element in _elements(tariff):
        if element.reservation is not None:
            continue
        r = element.restrictions
        for key in ("start_time", "end_time"):
            if r.get(key) is not None:
                clock = _hhmm(r[key])
                candidates.update(local(day, clock) for day in days)
        if r.get("day_of_week"):
            candidates.update(local(day, time(0, 0)) for day in days)
        for key in ("start_date", "end_date"):
            if r.get(key) is not None:
                candidates.add(local(date.fromisoformat(r[key]), time(0, 0)))
        for key in ("min_duration", "max_duration"):
            if r.get(key) is not None:
                candidates.add((start + timedelta(seconds=int(r[key]))).astimezone(UTC))
    return sorted(c for c in candidates if start < c < end)
