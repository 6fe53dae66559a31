"""Builders for the pricing evaluator's tests (conformance/checks/pricing/): tariffs, elements
and CDRs written as a CPO would, and the readings of them the tests compare."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from conformance.checks.pricing.cdr import Cdr, parse_cdr
from conformance.checks.pricing.cost import price
from conformance.checks.pricing.cost_rules import check_cost
from conformance.checks.pricing.readings import SPEC, Reading
from conformance.checks.pricing.restrictions import State

Json = dict[str, Any]


def tariff(*elements: Json, tariff_id: str = "T1", **extra: Any) -> Json:
    return {"country_code": "NL", "party_id": "PLF", "id": tariff_id, "currency": "EUR",
            "elements": list(elements), "last_updated": "2024-01-01T00:00:00Z",
            **extra}  # fmt: skip


def element(*components: tuple[str, float, int], **restrictions: Any) -> Json:
    found: Json = {"price_components": [
        {"type": kind, "price": amount, "vat": 21.0, "step_size": step}
        for kind, amount, step in components
    ]}  # fmt: skip
    if restrictions:
        found["restrictions"] = restrictions
    return found


def make_cdr(
    tariffs: list[Json],
    periods: list[tuple[str, dict[str, float]]],
    end: str,
    total: float | None,
    *,
    tariff_id: str | None = "T1",
    **parts: float,
) -> Json:
    """A CDR: periods as (start, {dimension: volume}), the session from the first period's
    start to `end`, `total` its total_cost.excl_vat, `parts` other cost fields."""
    cdr: Json = {
        "country_code": "NL", "party_id": "PLF", "id": "CDR1",
        "start_date_time": periods[0][0], "end_date_time": end, "currency": "EUR",
        "tariffs": tariffs,
        "charging_periods": [
            {"start_date_time": start,
             "dimensions": [{"type": k, "volume": v} for k, v in dims.items()],
             **({"tariff_id": tariff_id} if tariff_id else {})}
            for start, dims in periods
        ],
        **{name: {"excl_vat": value} for name, value in parts.items()},
    }  # fmt: skip
    if total is not None:
        cdr["total_cost"] = {"excl_vat": total}
    return cdr


def parsed(cdr: Json, time_zone: str | None = "UTC", more: list[Json] | None = None) -> Cdr:
    result = parse_cdr(cdr, time_zone=time_zone, more_tariffs=more or [])
    assert isinstance(result, Cdr), result
    return result


def outcomes(cdr: Json, time_zone: str | None = "UTC") -> dict[str, str]:
    return {rule: v.outcome for rule, v in check_cost(parsed(cdr, time_zone)).verdicts.items()}


def spec_total(cdr: Json, reading: Reading = SPEC, time_zone: str | None = "UTC") -> Decimal:
    cost = price(parsed(cdr, time_zone), reading)
    assert not isinstance(cost, str), cost
    return cost.total


def example(shared: Path, name: str) -> Json:
    data: Json = json.loads((shared / "examples" / name).read_text())
    return data


def at(hour: int, minute: int, day: int = 1, second: int = 0) -> str:
    """2024-01-<day> (the 1st is a Monday, the 5th a Friday) at hour:minute:second UTC."""
    return f"2024-01-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}Z"


def state(local: datetime | None = None, *, duration: float = 0, kwh: float = 0,
          current: tuple[float | None, float | None] | None = None,
          power: tuple[float | None, float | None] | None = None) -> State:  # fmt: skip
    """What restrictions see; current and power as (MIN_, MAX_), None where not reported."""

    def bound(value: float | None) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    def span(values: tuple[float | None, float | None] | None
             ) -> tuple[Decimal | None, Decimal | None] | None:  # fmt: skip
        return None if values is None else (bound(values[0]), bound(values[1]))

    return State(local, Decimal(str(duration)), Decimal(str(kwh)), span(current), span(power))


#: The elements of tariffrestriction_example_max_power.json: €0.20/kWh below 16 kW, €0.35 below
#: 32 kW, else €0.50.
POWER_TIERS = tariff(
    element(("ENERGY", 0.20, 1), max_power=16.00),
    element(("ENERGY", 0.35, 1), max_power=32.00),
    element(("ENERGY", 0.50, 1)),
)


def tiers_cdr(total: float) -> Json:
    """10 kWh at 11 kW, 10 kWh at 22 kW, 10 kWh at 50 kW (periods cut where power changed; the
    power steady in each, MIN_POWER and MAX_POWER both reported)."""
    return make_cdr([POWER_TIERS], [
        (at(10, 0), {"ENERGY": 10, "TIME": 0.9, "MIN_POWER": 11, "MAX_POWER": 11}),
        (at(10, 54), {"ENERGY": 10, "TIME": 0.45, "MIN_POWER": 22, "MAX_POWER": 22}),
        (at(11, 21), {"ENERGY": 10, "TIME": 0.2, "MIN_POWER": 50, "MAX_POWER": 50}),
    ], at(11, 33), total)  # fmt: skip


#: The elements of tariffrestriction_example_max_duration.json: free for 30 min, €0.25/kWh until
#: 1 h, then €0.40.
DURATION_TIERS = tariff(
    element(("ENERGY", 0.00, 1), max_duration=1800),
    element(("ENERGY", 0.25, 1), max_duration=3600),
    element(("ENERGY", 0.40, 1)),
)

#: The reviewer's tariff of a switch at noon: €2.00/h until 12:00, €3.00/h from 12:00, else
#: €2.50/h.
NOON = tariff(
    element(("TIME", 2.00, 1), end_time="12:00"),
    element(("TIME", 3.00, 1), start_time="12:00"),
    element(("TIME", 2.50, 1)),
)
