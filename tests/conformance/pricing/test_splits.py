"""CDR-007 (conformance/checks/pricing/splits.py and periods.py): a new ChargingPeriod at every
change of the element pricing a dimension (§10.3.1), located exactly, a split a few seconds off
its boundary accepted, and no verdict where the element cannot be evaluated."""

from __future__ import annotations

from pathlib import Path

from conformance.checks.pricing.cost_rules import check_cost
from conformance.checks.pricing.splits import check_period_cuts
from tests.conformance.pricing.pricing_support import (
    DURATION_TIERS,
    NOON,
    at,
    element,
    example,
    make_cdr,
    parsed,
    tariff,
    tiers_cdr,
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
    assert [v.outcome for v in check.verdicts] == ["failed"]


def test_periods_cut_at_every_boundary_pass_cdr_007() -> None:
    cdr = make_cdr([DURATION_TIERS], [(at(10, 0), {"ENERGY": 7.0, "TIME": 0.5}),
                                      (at(10, 30), {"ENERGY": 7.0, "TIME": 0.5}),
                                      (at(11, 0), {"ENERGY": 3.0, "TIME": 0.25})],
                   at(11, 15), 2.95)  # fmt: skip
    check = check_period_cuts(parsed(cdr))
    assert check.observable
    assert not check.cuts
    assert not check.unknown
    assert [v.outcome for v in check.verdicts] == ["passed"]


def test_a_switch_and_back_inside_a_period_is_a_cut() -> None:
    """€3.00/h from 12:00 to 12:30 only: a period 11:00-13:00 starts and ends at €2.00/h, yet
    the element changed twice inside it (once was enough to be seen only at its ends)."""
    half_hour = tariff(element(("TIME", 3.0, 1), start_time="12:00", end_time="12:30"),
                       element(("TIME", 2.0, 1)))  # fmt: skip
    cdr = make_cdr([half_hour], [(at(11, 0), {"TIME": 2.0})], at(13, 0), 4.5)
    (cut,) = check_period_cuts(parsed(cdr)).cuts
    assert "2024-01-01T12:00:00.000Z" in cut.where


def test_a_split_a_few_seconds_off_the_boundary_is_accepted_and_said() -> None:
    """The reviewer's case 6: periods split at 12:00:01 (charger clock, meter granularity) for
    a switch at 12:00:00 used to be a MUST failure."""
    one_late = make_cdr([NOON], [(at(11, 0), {"TIME": 1.0}), (at(12, 0, second=1), {"TIME": 1.0})],
                        at(13, 0), 5.00)  # fmt: skip
    check = check_period_cuts(parsed(one_late))
    assert not check.cuts
    assert check.observable
    (slip,) = check.slips
    assert "split 1 s from the boundary" in slip.describe()
    assert "accepted" in slip.describe()
    assert [v.outcome for v in check.verdicts] == ["passed"]
    four_early = make_cdr([NOON], [(at(11, 0), {"TIME": 1.0}),
                                   (at(11, 59, second=56), {"TIME": 1.0})],
                          at(13, 0), 5.00)  # fmt: skip
    (slip,) = check_period_cuts(parsed(four_early)).slips
    assert "split 4 s from the boundary" in slip.describe()
    # Beyond the tolerance it is a missing split.
    late = make_cdr([NOON], [(at(11, 0), {"TIME": 1.0}), (at(12, 0, second=6), {"TIME": 1.0})],
                    at(13, 0), 5.00)  # fmt: skip
    (cut,) = check_period_cuts(parsed(late)).cuts
    assert "2024-01-01T12:00:00.000Z" in cut.where


def test_a_missing_split_under_the_only_tariff_read_gets_no_verdict() -> None:
    """The reviewer's case 4 on CDR-007: periods naming no tariff_id have no relevant tariff
    (§10.4.6); the judge's reading of the only tariff cannot make a split certain."""
    cdr = make_cdr([NOON], [(at(11, 0), {"TIME": 2.0})], at(13, 0), 5.00, tariff_id=None)
    check = check_period_cuts(parsed(cdr))
    assert check.cuts
    (verdict,) = check.verdicts
    assert verdict.outcome == "blocked"
    assert "no ChargingPeriod names a tariff_id" in verdict.reason


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
    assert [v.outcome for v in unknown.verdicts] == ["unobserved"]
    assert {v.outcome for v in check_cost(parsed(cdr, None)).verdicts.values()} == {"unobserved"}


def test_current_and_power_inside_a_period_get_no_cdr_007_verdict() -> None:
    cdr = tiers_cdr(10.50)
    cdr["charging_periods"][0]["dimensions"][2]["volume"] = 2  # MIN_POWER
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


def test_a_day_past_midnight_that_is_undecided_gets_no_cdr_007_verdict() -> None:
    """Friday 22:00 to Saturday 02:00 under "Friday 22:00-06:00": whether the hours after
    midnight are Friday's the spec does not say, so no switch at midnight is certain."""
    night = tariff(element(("TIME", 1.0, 1), day_of_week=["FRIDAY"], start_time="22:00",
                           end_time="06:00"), element(("TIME", 2.0, 1)))  # fmt: skip
    cdr = make_cdr([night], [(at(22, 0, 5), {"TIME": 4.0})], at(2, 0, 6), 4.0)
    check = check_period_cuts(parsed(cdr))
    assert not check.cuts
    assert check.unknown
