"""A CDR read for pricing (§10.3.1 CDR, §10.4.6 ChargingPeriod, §10.4.2 CdrDimension): its
periods (each lasting until the next one's start, the last until `end_date_time`), the Tariffs
they name (`tariff_id`; the CDR's own `tariffs`, §10.4, else the Tariffs Sender's as a second
source) and its cost fields; or why it cannot be read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cached_property
from itertools import pairwise
from typing import Any, Final
from zoneinfo import ZoneInfo

from conformance.checks.compare import instant
from conformance.checks.pricing.numbers import ZERO, decimals, excl_vat, half_unit, number
from conformance.checks.pricing.readings import Power
from conformance.checks.pricing.restrictions import Span, State
from conformance.checks.pricing.tariff import (
    ENERGY,
    METERED,
    PARKING_TIME,
    RESERVATION_TIME,
    TIME,
    Tariff,
    parse_tariff,
)

PART: Final = {ENERGY: "total_energy_cost", TIME: "total_time_cost",
               PARKING_TIME: "total_parking_cost"}  # fmt: skip
COST_FIELDS: Final = ("total_cost", "total_fixed_cost", *PART.values())
#: What the judge assumes to price a CDR whose periods name no tariff (a CDR-013 reading).
UNTAGGED: Final = ("no ChargingPeriod names a tariff_id (§10.4.6: then none is relevant); the "
                   "CDR's only tariff read as pricing all of them")  # fmt: skip


@dataclass(frozen=True)
class Period:
    index: int
    start: datetime
    end: datetime
    tariff: Tariff | None  # None: no tariff relevant (§10.4.6)
    volumes: Mapping[str, Decimal]  # ENERGY, TIME, PARKING_TIME, RESERVATION_TIME as reported
    slack: Mapping[str, Decimal]  # how far each volume may be from the one measured
    current: Span | None  # None: neither MIN_CURRENT nor MAX_CURRENT reported
    power: Span | None
    kwh_before: Decimal

    @property
    def time_known(self) -> bool:
        return TIME in self.volumes or PARKING_TIME in self.volumes

    def volume(self, dimension: str) -> Decimal | None:
        """The period's volume of a metered dimension; None when TIME and PARKING_TIME are
        both missing (the split of its duration is not known)."""
        if dimension == ENERGY:
            return self.volumes.get(ENERGY, ZERO)
        return self.volumes.get(dimension, ZERO) if self.time_known else None

    @property
    def one_sided(self) -> bool:
        """Only MIN_ or only MAX_ reported for its current or power."""
        return any(s is not None and None in s for s in (self.current, self.power))

    @property
    def label(self) -> str:
        return f"period #{self.index + 1} ({iso(self.start)} to {iso(self.end)})"


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
    note: str = ""  # UNTAGGED when its only tariff was read as pricing untagged periods

    @property
    def priced(self) -> list[Period]:
        return [p for p in self.periods if p.tariff is not None]

    @cached_property
    def tariffs(self) -> tuple[Tariff, ...]:
        """The tariffs its priced periods name, each once, in order."""
        found = {p.tariff.id: p.tariff for p in self.periods if p.tariff is not None}
        return tuple(found.values())

    def local(self, moment: datetime) -> datetime | None:
        return moment.astimezone(self.zone) if self.zone is not None else None

    def state(self, period: Period, moment: datetime, kwh: Decimal, *,
              power: Power = Power.RESPECT, cut_at_thresholds: bool = False) -> State:  # fmt: skip
        """What restrictions see at `moment` in `period` with `kwh` consumed. `power` START
        takes the current and power of the first period; `cut_at_thresholds` reads a bound
        reported alone as the value throughout (true when periods are cut at every current
        and power threshold, CDR-007)."""
        source = self.periods[0] if power == Power.START else period
        spans = [_filled(s) if cut_at_thresholds else s for s in (source.current, source.power)]
        return State(self.local(moment), Decimal(str((moment - self.start).total_seconds())),
                     kwh, *spans)  # fmt: skip


def _filled(span: Span | None) -> Span | None:
    if span is None:
        return None
    low, high = span
    return (low if low is not None else high, high if high is not None else low)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return None


def _span_of(dims: Mapping[str, Decimal], low: str, high: str) -> Span | None:
    """The MIN_ and MAX_ of a quantity; one not reported is an open bound (None)."""
    lowest, highest = dims.get(low), dims.get(high)
    return None if lowest is None and highest is None else (lowest, highest)


def parse_cdr(cdr: Any, *, time_zone: str | None = None, more_tariffs: Iterable[Any] = ()
              ) -> Cdr | str:  # fmt: skip
    """A CDR ready to be judged, or why it cannot be. `time_zone` is the Location's (CdrLocation
    has none); `more_tariffs` a second source (the Tariffs Sender) for tariffs the CDR names
    but does not carry. A CDR whose periods name no tariff_id is priced by its only tariff,
    an assumption said in its `note`."""
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
        note = UNTAGGED
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
    kwh = ZERO
    for index, raw in enumerate(raw_periods):
        dims: dict[str, Decimal] = {}
        slack: dict[str, Decimal] = {}
        raw_dims = raw.get("dimensions")
        for dim in raw_dims if isinstance(raw_dims, list) else []:
            kind = dim.get("type") if isinstance(dim, dict) else None
            value = number(dim.get("volume")) if isinstance(dim, dict) else None
            if isinstance(kind, str) and value is not None and kind not in dims:
                dims[kind], slack[kind] = value, half_unit(dim["volume"])
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
        kwh += dims.get(ENERGY, ZERO)
    costs = {name: value for name in COST_FIELDS
             if (value := excl_vat(cdr.get(name))) is not None}  # fmt: skip
    # A CPO rounding to cents writes 0.5 for 0.50: at least cents, at most 4 decimals assumed.
    units = {name: Decimal(1).scaleb(-min(4, max(2, decimals(cdr[name]["excl_vat"]))))
             for name in costs}  # fmt: skip
    reserved = excl_vat(cdr.get("total_reservation_cost"))
    reservation = bool(reserved) or any(p.volumes.get(RESERVATION_TIME) for p in periods)
    return Cdr(cdr_id, start, end, _zone(time_zone), tuple(periods), costs, units, reservation,
               note)  # fmt: skip
