"""The judge's own tariff evaluator (conformance/checks/tariffs.py): restriction semantics
(§11.4.6), the worked costs of the spec (§10.3.1, §11.3.1.1, §11.4.2) and hand-worked CDRs, and
the verdicts on CDR-007, CDR-008, TAR-007 and TAR-008 it gives (a violation only with evidence
for that rule)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.checks.tariffs import (
    SPEC,
    UNKNOWN,
    Cdr,
    Reading,
    State,
    active,
    check_cost,
    check_period_cuts,
    needs_local_time,
    parse_cdr,
    parse_tariff,
    price,
    restrictions_hold,
)

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


def at(hour: int, minute: int, day: int = 1) -> str:
    """2024-01-<day> (the 1st is a Monday) at hour:minute UTC."""
    return f"2024-01-{day:02d}T{hour:02d}:{minute:02d}:00Z"


# --------------------------------------------------------------------------- restrictions


def state(local: datetime | None = None, *, duration: float = 0, kwh: float = 0,
          current: tuple[float, float] | None = None, power: tuple[float, float] | None = None
          ) -> State:  # fmt: skip
    def span(values: tuple[float, float] | None) -> tuple[Decimal, Decimal] | None:
        return None if values is None else (Decimal(str(values[0])), Decimal(str(values[1])))

    return State(local, Decimal(str(duration)), Decimal(str(kwh)), span(current), span(power))


MONDAY_NOON = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("restrictions", "moment", "expected"),
    [
        ({"start_time": "09:00", "end_time": "12:00"}, MONDAY_NOON, False),  # end exclusive
        ({"start_time": "12:00", "end_time": "13:00"}, MONDAY_NOON, True),  # start inclusive
        ({"start_time": "23:00", "end_time": "07:00"}, MONDAY_NOON.replace(hour=2), True),  # wraps
        ({"start_time": "23:00", "end_time": "07:00"}, MONDAY_NOON, False),
        ({"start_time": "20:00", "end_time": "00:00"}, MONDAY_NOON.replace(hour=23), True),
        ({"start_time": "12:00", "end_time": "12:00"}, MONDAY_NOON, None),  # undefined: unknown
        ({"start_time": "09:00"}, None, None),  # no time zone: not evaluated
        ({"day_of_week": ["MONDAY"]}, MONDAY_NOON, True),
        ({"day_of_week": ["SATURDAY", "SUNDAY"]}, MONDAY_NOON, False),
        ({"start_date": "2024-01-01", "end_date": "2024-01-02"}, MONDAY_NOON, True),
        ({"end_date": "2024-01-01"}, MONDAY_NOON, False),  # end_date exclusive
    ],
)
def test_local_time_restrictions(restrictions: Json, moment: datetime | None,
                                 expected: bool | None) -> None:  # fmt: skip
    assert restrictions_hold(restrictions, state(moment)) is expected


def test_measured_restrictions_min_inclusive_max_exclusive() -> None:
    assert restrictions_hold({"min_kwh": 10}, state(kwh=10)) is True
    assert restrictions_hold({"max_kwh": 10}, state(kwh=10)) is False
    assert restrictions_hold({"min_duration": 1800}, state(duration=1799)) is False
    assert restrictions_hold({"max_duration": 1800}, state(duration=1799.9)) is True
    # Current and power are known per period as a span (MIN_/MAX_): a verdict only when the
    # whole span is on one side; unknown when straddling or not reported.
    assert restrictions_hold({"max_power": 16}, state(power=(11, 11))) is True
    assert restrictions_hold({"max_power": 16}, state(power=(16, 22))) is False
    assert restrictions_hold({"max_power": 16}, state(power=(10, 20))) is None
    assert restrictions_hold({"min_current": 32}, state(current=(40, 43))) is True
    assert restrictions_hold({"min_current": 32}, state()) is None
    assert restrictions_hold({"max_power": 16}, state(), power="ignore") is True
    # AND of all restrictions (§11.3.1); the OR reading is TAR-007's wrong one.
    both = {"max_power": 16, "min_kwh": 5}
    assert restrictions_hold(both, state(kwh=1, power=(11, 11))) is False
    assert restrictions_hold(both, state(kwh=1, power=(11, 11)), combine="any") is True
    # A definite False wins over an unknown.
    assert restrictions_hold({"start_time": "09:00", "max_kwh": 5}, state(kwh=9)) is False


def test_first_matching_element_per_dimension_and_none_is_free() -> None:
    parsed_tariff = parse_tariff(tariff(
        element(("ENERGY", 0.20, 1), max_power=16),
        element(("ENERGY", 0.35, 1), max_power=32),
        element(("TIME", 1.0, 1), reservation="RESERVATION"),
        element(("TIME", 2.0, 1), min_duration=3600),
    ))  # fmt: skip
    assert not isinstance(parsed_tariff, str)
    chosen = active(parsed_tariff, "ENERGY", state(power=(11, 11)))
    assert getattr(chosen, "price", None) == Decimal("0.2")
    last = active(parsed_tariff, "ENERGY", state(power=(11, 11)), Reading(selection="last"))
    assert getattr(last, "price", None) == Decimal("0.35")
    assert active(parsed_tariff, "ENERGY", state(power=(50, 50))) is None  # free (§11.3.1)
    assert active(parsed_tariff, "ENERGY", state()) is UNKNOWN  # power not reported
    # Reservation elements never price a charging session; TIME is free in the first hour.
    assert active(parsed_tariff, "TIME", state(duration=60)) is None


def test_needs_local_time() -> None:
    assert needs_local_time([tariff(element(("TIME", 1.0, 1), start_time="07:00"))])
    assert not needs_local_time([tariff(element(("TIME", 1.0, 1), max_power=11)), "junk"])


# --------------------------------------------------------------------------- official costs


def test_official_cdr_example_time_step_size(ocpi_shared: Path) -> None:
    """cdr_example.json: 1.973 h at €2.00/h, step_size 300 s: billed 2 h, €4.00 (§10.3.1.1)."""
    cdr = example(ocpi_shared, "cdr_example.json")
    assert spec_total(cdr, time_zone=None) == Decimal("4.00")
    assert spec_total(cdr, Reading(step="none"), time_zone=None) == Decimal("3.946")
    verdicts = check_cost(parsed(cdr, None)).verdicts
    assert verdicts["CDR-008"].outcome == "passed"  # unrounded (3.946) would have shown
    assert verdicts["TAR-008"].outcome == "unobserved"
    assert "current or power" in verdicts["TAR-008"].reason


def test_official_step_size_examples_of_tariff_14(ocpi_shared: Path) -> None:
    """§11.4.2: the €0.55, €1.30 and €0.73 sessions of tariff_14_step_size.json."""
    t14 = example(ocpi_shared, "tariff_14_step_size.json")
    one = make_cdr([t14], [(at(16, 55), {"TIME": 5 / 60}), (at(17, 0), {"TIME": 5 / 60}),
                           (at(17, 5), {"PARKING_TIME": 2 / 60})], at(17, 7), 0.55,
                   tariff_id="22")  # fmt: skip
    two = make_cdr([t14], [(at(16, 35), {"TIME": 25 / 60}), (at(17, 0), {"TIME": 10 / 60})],
                   at(17, 10), 1.30, tariff_id="22")  # fmt: skip
    three = make_cdr([t14], [(at(19, 40), {"TIME": 12 / 60}),
                             (at(19, 52), {"PARKING_TIME": 8 / 60}),
                             (at(20, 0), {"PARKING_TIME": 12 / 60})], at(20, 12), 0.73,
                     tariff_id="22")  # fmt: skip
    for cdr, expected in ((one, "0.55"), (two, "1.30"), (three, "0.73")):
        assert round(spec_total(cdr), 10) == Decimal(expected)
        assert outcomes(cdr)["CDR-008"] in ("passed", "unobserved")
    # #1 per period: 30 min at 1.20 + 15 min at 2.40 + 15 min parking at 1.00 = 1.45.
    assert round(spec_total(one, Reading(step="period")), 10) == Decimal("1.45")
    # #2 rounded at the element switch: 30 min at 1.20 + 15 min at 2.40 = 1.20.
    assert round(spec_total(two, Reading(step="element")), 10) == Decimal("1.20")
    # #3: the 12 minutes after 20:00 are free (§11.3.1: no element); a reading billing them
    # by the last PARKING_TIME element gives 20 min, rounded to 30: 0.48 + 0.50 ...
    assert round(spec_total(three, Reading(selection="fallback")), 10) == Decimal("0.98")
    assert outcomes(three)["TAR-007"] == "passed"  # ... which a fallback reading would bill.


def test_official_complex_tariff_monday_and_the_saturday_slip(ocpi_shared: Path) -> None:
    """tariff_4_complex.json (§11.3.1.1): Monday 09:30, 165 min at 16 A then 42 min parking:
    €9.00. The Saturday example says €12.28, but its own tariff gives 114 min at €1.25/h =
    2.375 (the table used €1.20/h): €12.375, which the judge computes; a CDR claiming 12.28
    differs from every reading and blames no rule."""
    t4 = example(ocpi_shared, "tariff_4_complex.json")
    monday = make_cdr([t4], [(at(9, 30), {"TIME": 2.75, "MAX_CURRENT": 16}),
                             (at(12, 15), {"PARKING_TIME": 0.7})], at(12, 57), 9.00,
                      tariff_id="14", total_fixed_cost=2.50, total_time_cost=2.75,
                      total_parking_cost=3.75)  # fmt: skip
    assert spec_total(monday) == Decimal("9.00")
    assert spec_total(monday, Reading(step="none")) == Decimal("8.75")  # parking 42 min
    assert outcomes(monday) == {"TAR-007": "unobserved", "TAR-008": "unobserved",
                                "CDR-008": "passed"}  # fmt: skip
    saturday = make_cdr([t4], [(at(13, 30, 6), {"TIME": 1.9, "MIN_CURRENT": 43}),
                               (at(15, 24, 6), {"PARKING_TIME": 71 / 60})], at(16, 35, 6),
                        12.28, tariff_id="14")  # fmt: skip
    assert spec_total(saturday) == Decimal("12.375")
    verdicts = check_cost(parsed(saturday)).verdicts
    assert {v.outcome for v in verdicts.values()} == {"blocked"}
    assert "differs from the spec's reading" in verdicts["TAR-008"].reason
    assert "12.375" in verdicts["TAR-008"].reason


def test_official_energy_step_of_100_wh(ocpi_shared: Path) -> None:
    """tariff_3_alt_url.json: 20.45 kWh billed as 20.5 kWh at €0.25 plus €0.50 start: 5.625
    (the spec's table rounds it to 5.63)."""
    t3 = example(ocpi_shared, "tariff_3_alt_url.json")
    cdr = make_cdr([t3], [(at(10, 0), {"ENERGY": 20.45, "TIME": 1.0})], at(11, 0), 5.63,
                   tariff_id="13")  # fmt: skip
    assert spec_total(cdr) == Decimal("5.625")
    # Unrounded (5.6125) is within two cent-roundings of it: nothing for CDR-008 to show.
    assert outcomes(cdr)["CDR-008"] == "unobserved"


def test_parking_only_is_rounded_when_time_and_parking_are_billed() -> None:
    """§10.3.1: step 5 min for both; 21 min charging, 7 min parking: 21 and 10 min billed."""
    both = tariff(element(("TIME", 6.0, 300), ("PARKING_TIME", 3.0, 300)))
    cdr = make_cdr([both], [(at(10, 0), {"TIME": 21 / 60}), (at(10, 21), {"PARKING_TIME": 7 / 60})],
                   at(10, 28), 2.60)  # fmt: skip
    assert round(spec_total(cdr), 10) == Decimal("2.60")
    assert round(spec_total(cdr, Reading(step="each")), 10) == Decimal("3.00")
    assert outcomes(cdr)["CDR-008"] == "passed"
    cdr["total_cost"] = {"excl_vat": 3.00}
    verdict = check_cost(parsed(cdr)).verdicts["CDR-008"]
    assert verdict.outcome == "failed"
    assert "TIME and PARKING_TIME each rounded" in verdict.actual


# --------------------------------------------------------------------------- cost verdicts

#: The elements of tariffrestriction_example_max_power.json: €0.20/kWh below 16 kW, €0.35 below
#: 32 kW, else €0.50.
POWER_TIERS = tariff(
    element(("ENERGY", 0.20, 1), max_power=16.00),
    element(("ENERGY", 0.35, 1), max_power=32.00),
    element(("ENERGY", 0.50, 1)),
)


def tiers_cdr(total: float) -> Json:
    """10 kWh at 11 kW, 10 kWh at 22 kW, 10 kWh at 50 kW (periods cut where power changed)."""
    return make_cdr([POWER_TIERS], [
        (at(10, 0), {"ENERGY": 10, "TIME": 0.9, "MAX_POWER": 11}),
        (at(10, 54), {"ENERGY": 10, "TIME": 0.45, "MAX_POWER": 22}),
        (at(11, 21), {"ENERGY": 10, "TIME": 0.2, "MAX_POWER": 50}),
    ], at(11, 33), total)  # fmt: skip


def test_power_tiers_priced_by_the_spec_pass_tar_007_and_tar_008() -> None:
    cdr = tiers_cdr(10.50)  # 2.00 + 3.50 + 5.00
    assert spec_total(cdr) == Decimal("10.50")
    assert spec_total(cdr, Reading(power="ignore")) == Decimal("6.00")
    assert spec_total(cdr, Reading(selection="last")) == Decimal("15.00")
    assert outcomes(cdr) == {"TAR-007": "passed", "TAR-008": "passed", "CDR-008": "unobserved"}


def test_current_and_power_restrictions_ignored_fail_tar_008_only() -> None:
    check = check_cost(parsed(tiers_cdr(6.00)))
    assert check.verdicts["TAR-008"].outcome == "failed"
    assert "current and power restrictions ignored" in check.verdicts["TAR-008"].actual
    assert "10.5" in check.verdicts["TAR-008"].expected
    assert check.verdicts["TAR-007"].outcome == "passed"  # the first element, as read
    assert check.verdicts["CDR-008"].outcome == "unobserved"


def test_a_later_matching_element_fails_tar_007_only() -> None:
    check = check_cost(parsed(tiers_cdr(15.00)))
    assert check.verdicts["TAR-007"].outcome == "failed"
    assert "a later (the last) matching element" in check.verdicts["TAR-007"].actual
    assert check.verdicts["TAR-008"].outcome != "failed"


def test_a_cost_no_reading_explains_blames_no_rule() -> None:
    check = check_cost(parsed(tiers_cdr(12.34)))
    assert {v.outcome for v in check.verdicts.values()} == {"blocked"}
    assert all("no general CDR cost rule" in v.reason for v in check.verdicts.values())


def test_power_not_reported_leaves_the_cost_unjudged() -> None:
    cdr = tiers_cdr(10.50)
    for period in cdr["charging_periods"]:
        period["dimensions"] = [d for d in period["dimensions"] if d["type"] != "MAX_POWER"]
    verdicts = check_cost(parsed(cdr)).verdicts
    assert {v.outcome for v in verdicts.values()} == {"unobserved"}
    assert "cannot be evaluated" in verdicts["TAR-008"].reason


def test_step_size_per_period_fails_cdr_008() -> None:
    """ENERGY billed per 500 Wh (§11.4.2's example step) over three periods of 1.05 kWh: once
    per session 3.5 kWh (€1.05 at €0.30), per period 3 x 1.5 kWh (€1.35); €0.50 start fee."""
    energy = tariff(element(("ENERGY", 0.30, 500), ("FLAT", 0.50, 1)))
    periods = [(at(10, minute), {"ENERGY": 1.05, "TIME": 0.1}) for minute in (0, 6, 12)]
    good = make_cdr([energy], periods, at(10, 18), 1.55, total_fixed_cost=0.5,
                    total_energy_cost=1.05)  # fmt: skip
    assert spec_total(good) == Decimal("1.55")
    assert outcomes(good) == {"TAR-007": "unobserved", "TAR-008": "unobserved", "CDR-008": "passed"}
    bad = make_cdr([energy], periods, at(10, 18), 1.85, total_fixed_cost=0.5,
                   total_energy_cost=1.35)  # fmt: skip
    verdict = check_cost(parsed(bad)).verdicts["CDR-008"]
    assert verdict.outcome == "failed"
    assert "step_size applied to every ChargingPeriod" in verdict.actual
    assert "total_cost 1.55" in verdict.expected
    assert outcomes(bad)["TAR-007"] == "unobserved"


def test_min_price_clamps_the_total_and_parts_are_not_compared() -> None:
    cheap = tariff(element(("ENERGY", 0.25, 1)), min_price={"excl_vat": 0.50, "incl_vat": 0.55})
    cdr = make_cdr([cheap], [(at(10, 0), {"ENERGY": 1.0, "TIME": 0.1})], at(10, 6), 0.50,
                   total_energy_cost=0.25)  # fmt: skip
    assert spec_total(cdr) == Decimal("0.50")
    assert {v.outcome for v in check_cost(parsed(cdr)).verdicts.values()} == {"unobserved"}


# --------------------------------------------------------------------------- CDR-007

#: The elements of tariffrestriction_example_max_duration.json: free for 30 min, €0.25/kWh until
#: 1 h, then €0.40.
DURATION_TIERS = tariff(
    element(("ENERGY", 0.00, 1), max_duration=1800),
    element(("ENERGY", 0.25, 1), max_duration=3600),
    element(("ENERGY", 0.40, 1)),
)


def test_a_period_across_a_duration_boundary_violates_cdr_007() -> None:
    cdr = make_cdr([DURATION_TIERS], [(at(10, 0), {"ENERGY": 11.0, "TIME": 0.75})], at(10, 45),
                   2.0)  # fmt: skip
    check = check_period_cuts(parsed(cdr))
    assert check.observable
    (cut,) = check.cuts
    assert cut.dimension == "ENERGY"
    assert "2024-01-01T10:30:00.000Z" in cut.describe()
    assert "element #1" in cut.describe()
    assert "element #2" in cut.describe()


def test_periods_cut_at_every_boundary_pass_cdr_007() -> None:
    cdr = make_cdr([DURATION_TIERS], [(at(10, 0), {"ENERGY": 7.0, "TIME": 0.5}),
                                      (at(10, 30), {"ENERGY": 7.0, "TIME": 0.5}),
                                      (at(11, 0), {"ENERGY": 3.0, "TIME": 0.25})],
                   at(11, 15), 2.95)  # fmt: skip
    check = check_period_cuts(parsed(cdr))
    assert check.observable
    assert not check.cuts
    assert not check.unknown
    assert spec_total(cdr) == Decimal("2.95")  # 7 kWh free, 7 at 0.25, 3 at 0.40


def test_kwh_thresholds_only_when_strictly_inside_a_period() -> None:
    kwh = tariff(element(("ENERGY", 0.30, 1), max_kwh=10), element(("ENERGY", 0.25, 1)))
    across = make_cdr([kwh], [(at(10, 0), {"ENERGY": 15.0, "TIME": 1.0})], at(11, 0), 4.50)
    (cut,) = check_period_cuts(parsed(across)).cuts
    assert "kWh threshold between 0 and 15" in cut.where
    up_to = make_cdr([kwh], [(at(10, 0), {"ENERGY": 10.0, "TIME": 0.7}),
                             (at(10, 42), {"ENERGY": 5.0, "TIME": 0.3})],
                     at(11, 0), 4.25)  # fmt: skip
    check = check_period_cuts(parsed(up_to))
    assert check.observable  # the threshold is where the second period starts
    assert not check.cuts


def test_time_of_day_boundary_needs_the_time_zone(ocpi_shared: Path) -> None:
    t14 = example(ocpi_shared, "tariff_14_step_size.json")
    cdr = make_cdr([t14], [(at(16, 50), {"TIME": 1 / 6})], at(17, 10), None, tariff_id="22")
    (cut,) = check_period_cuts(parsed(cdr, "UTC")).cuts
    assert "17:00:00.000Z" in cut.where
    # In Amsterdam (UTC+1 in January) 16:50-17:10 UTC is 17:50-18:10 local: no boundary.
    assert not check_period_cuts(parsed(cdr, "Europe/Amsterdam")).cuts
    unknown = check_period_cuts(parsed(cdr, None))
    assert not unknown.cuts
    assert not unknown.observable
    assert unknown.unknown
    assert {v.outcome for v in check_cost(parsed(cdr, None)).verdicts.values()} == {"unobserved"}


def test_current_and_power_inside_a_period_get_no_cdr_007_verdict() -> None:
    cdr = tiers_cdr(10.50)
    cdr["charging_periods"][0]["dimensions"].append({"type": "MIN_POWER", "volume": 2})
    check = check_period_cuts(parsed(cdr))
    assert not check.cuts
    assert not check.observable


def test_a_boundary_in_a_period_that_cannot_be_evaluated_is_not_observed() -> None:
    """A duration boundary inside the session, but the element also needs the power, which
    the period does not report: neither a cut nor a (vacuous) pass."""
    slow_first = tariff(element(("ENERGY", 0.20, 1), max_power=16, max_duration=1800),
                        element(("ENERGY", 0.30, 1)))  # fmt: skip
    cdr = make_cdr([slow_first], [(at(10, 0), {"ENERGY": 8.0, "TIME": 0.75})], at(10, 45), 2.0)
    check = check_period_cuts(parsed(cdr))
    assert not check.cuts
    assert not check.observable
    assert check.unknown


def test_a_short_fast_dc_session_shows_all_three_cost_rules() -> None:
    """What our reference CPO's DC-FAST tariff makes of the judge's one-second session at a
    300 kW charger: start fee and energy (per 0.1 kWh) by power class. 14.45 Wh at 300 kW:
    €0.75 + 0.1 kWh x €0.69 = €0.819. Ignoring power: €0.25 + €0.049; the last matching
    element: €0.50 + €0.059; no step_size: €0.75997."""
    dc = tariff(
        element(("FLAT", 1.0, 1), ("TIME", 3.0, 1), reservation="RESERVATION"),
        element(("FLAT", 0.25, 1), ("ENERGY", 0.49, 100), max_power=50.0),
        element(("FLAT", 0.75, 1), ("ENERGY", 0.69, 100), min_power=150.0),
        element(("FLAT", 0.5, 1), ("ENERGY", 0.59, 100)),
    )
    cdr = make_cdr([dc], [("2026-12-05T02:49:19.515Z",
                           {"ENERGY": 0.01445, "TIME": 4.8e-05, "MAX_POWER": 300.0})],
                   "2026-12-05T02:49:19.688Z", 0.819, total_fixed_cost=0.75,
                   total_energy_cost=0.069)  # fmt: skip
    assert spec_total(cdr) == Decimal("0.819")
    assert spec_total(cdr, Reading(power="ignore")) == Decimal("0.299")
    assert spec_total(cdr, Reading(selection="last")) == Decimal("0.559")
    assert outcomes(cdr) == {"TAR-007": "passed", "TAR-008": "passed", "CDR-008": "passed"}
    # The reservation element's €1.00 fee never prices a charging session (§11.4.6).
    cdr["total_cost"], cdr["total_fixed_cost"] = {"excl_vat": 1.069}, {"excl_vat": 1.0}
    assert {v.outcome for v in check_cost(parsed(cdr)).verdicts.values()} == {"blocked"}


# --------------------------------------------------------------------------- reading a CDR


def test_what_a_cdr_cannot_be_judged_on() -> None:
    assert parse_cdr("junk") == "not an object"
    assert "credit CDR" in str(parse_cdr({**tiers_cdr(1.0), "credit": True}))
    missing = make_cdr([], [(at(10, 0), {"ENERGY": 1.0})], at(11, 0), 1.0)
    assert "neither the CDR nor the Tariffs Sender" in str(parse_cdr(missing))
    # The Tariffs Sender's copy is the second source.
    found = parse_cdr(missing, more_tariffs=[POWER_TIERS])
    assert isinstance(found, Cdr)
    assert found.periods[0].tariff is not None
    untagged = make_cdr([POWER_TIERS], [(at(10, 0), {"ENERGY": 1.0})], at(11, 0), 1.0,
                        tariff_id=None)  # fmt: skip
    read = parse_cdr(untagged)
    assert isinstance(read, Cdr)
    assert "only tariff" in read.note
    reversed_periods = tiers_cdr(1.0)
    reversed_periods["charging_periods"].reverse()
    assert "out of order" in str(parse_cdr(reversed_periods))
    no_total = check_cost(parsed(make_cdr([POWER_TIERS], [(at(10, 0), {"ENERGY": 1.0})],
                                          at(11, 0), None)))  # fmt: skip
    assert {v.outcome for v in no_total.verdicts.values()} == {"unobserved"}


def test_time_volumes_missing_leave_a_time_tariff_unjudged() -> None:
    hourly = tariff(element(("TIME", 2.0, 1)))
    cdr = make_cdr([hourly], [(at(10, 0), {"ENERGY": 5.0})], at(11, 0), 2.0)
    assert "neither TIME nor PARKING_TIME" in str(price(parsed(cdr)))


# --------------------------------------------------------------------------- odd answers

_ODD = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    | st.sampled_from(["00:00", "23:59", "24:00", "2024-02-30", "MONDAY", "RESERVATION"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8,
)  # fmt: skip
_RESTRICTION_KEYS = ("start_time", "end_time", "start_date", "end_date", "min_kwh", "max_kwh",
                     "min_current", "max_current", "min_power", "max_power", "min_duration",
                     "max_duration", "day_of_week", "reservation")  # fmt: skip


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*path, index))
    return found


@settings(max_examples=max(settings().max_examples, 100))
@given(data=st.data())
def test_odd_answers_never_crash_the_evaluator(data: st.DataObject) -> None:
    """Any value anywhere in a CDR (and any restriction value) is judged or set aside with a
    reason, never a crash of the judge."""
    cdr = tiers_cdr(10.50)
    cdr["tariffs"][0] = json.loads(json.dumps(cdr["tariffs"][0]))
    cdr["tariffs"][0]["elements"][0]["restrictions"] = data.draw(
        st.dictionaries(st.sampled_from(_RESTRICTION_KEYS), _ODD, max_size=4), label="restrictions"
    )
    for path in data.draw(st.lists(st.sampled_from(_paths(cdr)[1:]), max_size=3), label="paths"):
        target: Any = cdr
        try:
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = data.draw(_ODD, label=str(path))
        except (KeyError, IndexError, TypeError):  # an earlier change removed that path
            continue
    for zone in ("Europe/Amsterdam", None, "Not/AZone"):
        found = parse_cdr(cdr, time_zone=zone, more_tariffs=[cdr, "junk", POWER_TIERS])
        if isinstance(found, Cdr):
            check_period_cuts(found)
            assert set(check_cost(found).verdicts) == {"TAR-007", "TAR-008", "CDR-008"}
        else:
            assert isinstance(found, str)
