"""Which element prices a dimension at a moment (§11.3.1: the first element with a component
for it whose restrictions all match; none matching = free), every TariffRestrictions field
evaluated (§11.4.6) three-valued: True, False, or None when it cannot be evaluated (the
Location's time zone unknown, a bound of the current or power not reported, an undefined
window, a day ambiguous). What depends on an unknown gets no verdict: the judge does not guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from conformance.checks.pricing.numbers import number
from conformance.checks.pricing.readings import SPEC, Power, Reading, Selection
from conformance.checks.pricing.tariff import Component, Tariff

DAYS: Final = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
DAY_SECONDS: Final = 86400

Tri = bool | None  # None: cannot be evaluated
#: The lowest and highest value of a quantity seen in a period (§10.4.3 MIN_/MAX_ dimensions);
#: a bound not reported is None (open).
Span = tuple[Decimal | None, Decimal | None]


class Unknown:
    """The type of UNKNOWN: no element can be named."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = Unknown()
Choice = Component | None | Unknown  # a component, None (free), or UNKNOWN


@dataclass(frozen=True)
class State:
    """What restrictions are evaluated on (§11.4.6)."""

    local: datetime | None  # local time of the Location; None: time zone unknown
    duration_s: Decimal  # since the session start
    kwh: Decimal  # energy consumed so far
    current: Span | None  # A, sum over phases; None: not reported
    power: Span | None  # kW


def clock(value: Any) -> int | None:
    """Seconds of the day of an "HH:MM" (§11.4.6), None when unreadable."""
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        return None
    hours, minutes = value[:2], value[3:]
    if not (hours.isdigit() and minutes.isdigit()) or int(hours) > 23 or int(minutes) > 59:
        return None
    return int(hours) * 3600 + int(minutes) * 60


def day(value: Any) -> date | None:
    """A "YYYY-MM-DD" (§11.4.6 start_date/end_date), None when unreadable."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def _bounds(r: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """start_time (inclusive) and end_time (exclusive) in seconds of the day; end "00:00" is
    the end of the day; None when unreadable."""
    start_raw, end_raw = r.get("start_time"), r.get("end_time")
    start = 0 if start_raw is None else clock(start_raw)
    end = DAY_SECONDS if end_raw is None or end_raw == "00:00" else clock(end_raw)
    return start, end


def _seconds(local: datetime) -> float:
    return local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6


def _window(r: Mapping[str, Any], local: datetime | None) -> Tri:
    """An end before the start wraps past midnight. Equal start and end is undefined."""
    start, end = _bounds(r)
    if start is None or end is None or local is None or start == end:
        return None
    now = _seconds(local)
    return start <= now < end if start < end else now >= start or now < end


def wraps_with_days(r: Mapping[str, Any]) -> bool:
    """Whether day_of_week is combined with a time window wrapping past midnight: whether the
    hours after midnight belong to the day the window opened or to the next is not defined."""
    start, end = _bounds(r)
    wraps = start is not None and end is not None and start > end
    return wraps and r.get("day_of_week") not in (None, [])


def _day_of_week(r: Mapping[str, Any], local: datetime | None) -> Tri:
    days = r.get("day_of_week")
    if not isinstance(days, list) or local is None:
        return None
    today = DAYS[local.weekday()] in days
    _, end = _bounds(r)
    if wraps_with_days(r) and end is not None and _seconds(local) < end:
        # After midnight in a window opened the day before: a verdict only when both days
        # give the same answer.
        yesterday = DAYS[(local.weekday() - 1) % 7] in days
        return today if today == yesterday else None
    return today


def _dates(r: Mapping[str, Any], local: datetime | None) -> Tri:
    """start_date inclusive, end_date exclusive."""
    first, last = day(r.get("start_date")), day(r.get("end_date"))
    if (
        local is None
        or (r.get("start_date") is not None and first is None)
        or (r.get("end_date") is not None and last is None)
    ):
        return None
    today = local.date()
    return (first is None or today >= first) and (last is None or today < last)


def _limits(low_raw: Any, high_raw: Any) -> tuple[Decimal | None, Decimal | None] | None:
    """The min and max of a restriction; None when one is given but is not a number."""
    low = None if low_raw is None else number(low_raw)
    high = None if high_raw is None else number(high_raw)
    if (low_raw is not None and low is None) or (high_raw is not None and high is None):
        return None
    return low, high


def _range(value: Decimal, low_raw: Any, high_raw: Any) -> Tri:
    """min inclusive, max exclusive (§11.4.6)."""
    limits = _limits(low_raw, high_raw)
    if limits is None:
        return None
    low, high = limits
    return (low is None or value >= low) and (high is None or value < high)


def _span(span: Span | None, low_raw: Any, high_raw: Any) -> Tri:
    """A min (inclusive) / max (exclusive) restriction on a quantity seen from span[0] to
    span[1] in a period: True when it holds over the whole span, False when it fails over the
    whole span, else (straddling, or the deciding bound not reported) unknown."""
    limits = _limits(low_raw, high_raw)
    if span is None or limits is None:
        return None
    low, high = limits
    lowest, highest = span
    results: list[Tri] = []
    if low is not None:
        met = lowest is not None and lowest >= low
        results.append(True if met else False if highest is not None and highest < low else None)
    if high is not None:
        met = highest is not None and highest < high
        results.append(True if met else False if lowest is not None and lowest >= high else None)
    return all_of(results)


def all_of(results: Sequence[Tri]) -> Tri:
    if any(r is False for r in results):
        return False
    return None if any(r is None for r in results) else True


def any_of(results: Sequence[Tri]) -> Tri:
    if not results or any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def restrictions_hold(
    restrictions: Mapping[str, Any],
    state: State,
    *,
    combine: Selection = Selection.FIRST,
    power: Power = Power.RESPECT,
) -> Tri:
    """Whether an element's restrictions match in `state` (§11.4.6), True/False/None (unknown).
    `combine` ANY is the OR reading (every other selection ANDs them, §11.3.1); `power` IGNORE
    leaves current and power out."""
    r = restrictions
    results: list[Tri] = []
    if r.get("start_time") is not None or r.get("end_time") is not None:
        results.append(_window(r, state.local))
    if r.get("start_date") is not None or r.get("end_date") is not None:
        results.append(_dates(r, state.local))
    if r.get("day_of_week") not in (None, []):
        results.append(_day_of_week(r, state.local))
    for name, value in (("kwh", state.kwh), ("duration", state.duration_s)):
        if r.get(f"min_{name}") is not None or r.get(f"max_{name}") is not None:
            results.append(_range(value, r.get(f"min_{name}"), r.get(f"max_{name}")))
    if power != Power.IGNORE:
        for name, span in (("current", state.current), ("power", state.power)):
            if r.get(f"min_{name}") is not None or r.get(f"max_{name}") is not None:
                results.append(_span(span, r.get(f"min_{name}"), r.get(f"max_{name}")))
    return any_of(results) if combine == Selection.ANY else all_of(results)


def active(tariff: Tariff, dimension: str, state: State, reading: Reading = SPEC) -> Choice:
    """The component `dimension` is priced by in `state` (§11.3.1): that of the first element
    with one whose restrictions all match; None when none matches (free); UNKNOWN when an
    element on the way cannot be evaluated."""
    candidates = tariff.candidates(dimension)
    order = reversed(candidates) if reading.selection == Selection.LAST else iter(candidates)
    for element in order:
        holds = restrictions_hold(element.restrictions, state, combine=reading.selection,
                                  power=reading.power)  # fmt: skip
        if holds is None:
            return UNKNOWN
        if holds:
            return element.components[dimension]
    if reading.selection == Selection.FALLBACK and candidates:
        return candidates[-1].components[dimension]
    return None
