"""TAR-007, TAR-008 and CDR-008 judged from a CDR's cost (conformance/checks/pricing/
cost_rules.py): a violation only when every reading that explains the cost breaks the rule and
nothing about the CDR is ambiguous; otherwise a pass or no verdict, with the reason."""

from __future__ import annotations

from pathlib import Path

from conformance.checks.pricing.cost_rules import UNSPLIT, check_cost
from conformance.checks.pricing.splits import check_period_cuts
from tests.conformance.pricing.pricing_support import (
    NOON,
    POWER_TIERS,
    at,
    element,
    example,
    make_cdr,
    outcomes,
    parsed,
    tariff,
    tiers_cdr,
)

# --------------------------------------------------------------------------- official costs


def test_official_cdr_example_shows_cdr_008(ocpi_shared: Path) -> None:
    """cdr_example.json: billed 2 h (€4.00) of 1.973 h; unrounded (3.946) would have shown."""
    verdicts = check_cost(parsed(example(ocpi_shared, "cdr_example.json"), None)).verdicts
    assert verdicts["CDR-008"].outcome == "passed"
    assert verdicts["TAR-008"].outcome == "unobserved"
    assert "current or power" in verdicts["TAR-008"].reason


def test_official_step_size_examples_of_tariff_14(ocpi_shared: Path) -> None:
    t14 = example(ocpi_shared, "tariff_14_step_size.json")
    one = make_cdr([t14], [(at(16, 55), {"TIME": 5 / 60}), (at(17, 0), {"TIME": 5 / 60}),
                           (at(17, 5), {"PARKING_TIME": 2 / 60})], at(17, 7), 0.55,
                   tariff_id="22")  # fmt: skip
    three = make_cdr([t14], [(at(19, 40), {"TIME": 12 / 60}),
                             (at(19, 52), {"PARKING_TIME": 8 / 60}),
                             (at(20, 0), {"PARKING_TIME": 12 / 60})], at(20, 12), 0.73,
                     tariff_id="22")  # fmt: skip
    assert outcomes(one)["CDR-008"] in ("passed", "unobserved")
    assert outcomes(three)["TAR-007"] == "passed"  # a fallback reading would bill 0.98


def test_official_complex_tariff_monday_and_the_saturday_slip(ocpi_shared: Path) -> None:
    """tariff_4_complex.json: Monday €9.00 as the spec; a CDR claiming the Saturday example's
    €12.28 (its own tariff gives €12.375) differs from every reading and blames no rule."""
    t4 = example(ocpi_shared, "tariff_4_complex.json")
    monday = make_cdr([t4], [(at(9, 30), {"TIME": 2.75, "MAX_CURRENT": 16}),
                             (at(12, 15), {"PARKING_TIME": 0.7})], at(12, 57), 9.00,
                      tariff_id="14", total_fixed_cost=2.50, total_time_cost=2.75,
                      total_parking_cost=3.75)  # fmt: skip
    assert outcomes(monday) == {"TAR-007": "unobserved", "TAR-008": "unobserved",
                                "CDR-008": "passed"}  # fmt: skip
    saturday = make_cdr([t4], [(at(13, 30, 6), {"TIME": 1.9, "MIN_CURRENT": 43}),
                               (at(15, 24, 6), {"PARKING_TIME": 71 / 60})], at(16, 35, 6),
                        12.28, tariff_id="14")  # fmt: skip
    verdicts = check_cost(parsed(saturday)).verdicts
    assert {v.outcome for v in verdicts.values()} == {"blocked"}
    assert "differs from the spec's reading" in verdicts["TAR-008"].reason
    assert "12.375" in verdicts["TAR-008"].reason


def test_official_energy_step_of_100_wh(ocpi_shared: Path) -> None:
    """Unrounded (5.6125) is within two cent-roundings of 5.625: nothing for CDR-008 to show."""
    t3 = example(ocpi_shared, "tariff_3_alt_url.json")
    cdr = make_cdr([t3], [(at(10, 0), {"ENERGY": 20.45, "TIME": 1.0})], at(11, 0), 5.63,
                   tariff_id="13")  # fmt: skip
    assert outcomes(cdr)["CDR-008"] == "unobserved"


def test_time_and_parking_each_rounded_fails_cdr_008() -> None:
    both = tariff(element(("TIME", 6.0, 300), ("PARKING_TIME", 3.0, 300)))
    cdr = make_cdr([both], [(at(10, 0), {"TIME": 21 / 60}), (at(10, 21), {"PARKING_TIME": 7 / 60})],
                   at(10, 28), 2.60)  # fmt: skip
    assert outcomes(cdr)["CDR-008"] == "passed"
    cdr["total_cost"] = {"excl_vat": 3.00}
    verdict = check_cost(parsed(cdr)).verdicts["CDR-008"]
    assert verdict.outcome == "failed"
    assert "TIME and PARKING_TIME each rounded" in verdict.actual


# --------------------------------------------------------------------------- readings


def test_power_tiers_priced_by_the_spec_pass_tar_007_and_tar_008() -> None:
    assert outcomes(tiers_cdr(10.50)) == {"TAR-007": "passed", "TAR-008": "passed",
                                          "CDR-008": "unobserved"}  # fmt: skip


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
        period["dimensions"] = [d for d in period["dimensions"] if "POWER" not in d["type"]]
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
    assert {v.outcome for v in check_cost(parsed(cdr)).verdicts.values()} == {"unobserved"}


def test_no_total_cost_nothing_to_compare() -> None:
    no_total = make_cdr([POWER_TIERS], [(at(10, 0), {"ENERGY": 1.0})], at(11, 0), None)
    assert {v.outcome for v in check_cost(parsed(no_total)).verdicts.values()} == {"unobserved"}


#: Our reference CPO's DC-FAST tariff: a reservation fee, and start fee and energy (per 0.1 kWh)
#: by power class.
DC_FAST = tariff(
    element(("FLAT", 1.0, 1), ("TIME", 3.0, 1), reservation="RESERVATION"),
    element(("FLAT", 0.25, 1), ("ENERGY", 0.49, 100), max_power=50.0),
    element(("FLAT", 0.75, 1), ("ENERGY", 0.69, 100), min_power=150.0),
    element(("FLAT", 0.5, 1), ("ENERGY", 0.59, 100)),
)


def test_a_short_fast_dc_session_shows_all_three_cost_rules() -> None:
    """The judge's one-second session at our 300 kW charger, which reports MAX_POWER only:
    14.45 Wh, €0.75 + 0.1 kWh x €0.69 = €0.819. Ignoring power: €0.25 + €0.049; the last
    matching element: €0.50 + €0.059; no step_size: €0.75997. MAX_POWER alone places the
    period above both thresholds only when periods are cut at power thresholds (CDR-007): an
    assumption under which the rules may pass, said as a reading, and never fail."""
    cdr = make_cdr([DC_FAST], [("2026-12-05T02:49:19.515Z",
                                {"ENERGY": 0.01445, "TIME": 4.8e-05, "MAX_POWER": 300.0})],
                   "2026-12-05T02:49:19.688Z", 0.819, total_fixed_cost=0.75,
                   total_energy_cost=0.069)  # fmt: skip
    check = check_cost(parsed(cdr))
    assert {r: v.outcome for r, v in check.verdicts.items()} == {
        "TAR-007": "passed", "TAR-008": "passed", "CDR-008": "passed"}  # fmt: skip
    assert [rule for rule, _ in check.readings] == ["CDR-007"]
    assert "only one of MIN_/MAX_" in check.readings[0][1]
    # The reservation element's €1.00 fee never prices a charging session (§11.4.6).
    cdr["total_cost"], cdr["total_fixed_cost"] = {"excl_vat": 1.069}, {"excl_vat": 1.0}
    assert {v.outcome for v in check_cost(parsed(cdr)).verdicts.values()} == {"blocked"}


# --------------------------------------------------------------------------- the reviewer's cases


def test_a_period_spanning_a_switch_leaves_the_cost_rules_without_verdict() -> None:
    """Case 1: €2.00/h until 12:00, €3.00/h from 12:00, else €2.50/h; one period 11:00-13:00
    billed €5.00 (exactly the spec's, had the period been split). CDR-007 fails; the cost rules
    used to price the whole period at €2.00/h, find €5.00 only under "the last element" and fail
    TAR-007 as well: a cascade of one missing split into a false failure."""
    cdr = parsed(make_cdr([NOON], [(at(11, 0), {"TIME": 2.0})], at(13, 0), 5.00))
    assert [v.outcome for v in check_period_cuts(cdr).verdicts] == ["failed"]
    verdicts = check_cost(cdr).verdicts
    assert {v.outcome for v in verdicts.values()} == {"blocked"}
    assert all(v.reason.startswith(UNSPLIT) for v in verdicts.values())
    # Split at noon, the same amounts are the spec's.
    split = make_cdr([NOON], [(at(11, 0), {"TIME": 1.0}), (at(12, 0), {"TIME": 1.0})],
                     at(13, 0), 5.00)  # fmt: skip
    assert "failed" not in outcomes(split).values()


def test_a_day_past_midnight_gets_no_cost_verdict() -> None:
    """Case 2: €1.00/h Friday 22:00-06:00, else €2.00/h; Saturday 01:00-02:00 billed €1.00
    (Friday's night) used to fail TAR-007 as "OR, not AND"."""
    night = tariff(element(("TIME", 1.0, 1), day_of_week=["FRIDAY"], start_time="22:00",
                           end_time="06:00"), element(("TIME", 2.0, 1)))  # fmt: skip
    cdr = make_cdr([night], [(at(1, 0, 6), {"TIME": 1.0})], at(2, 0, 6), 1.00)
    verdicts = check_cost(parsed(cdr)).verdicts
    assert {v.outcome for v in verdicts.values()} == {"unobserved"}
    assert "cannot be evaluated" in verdicts["TAR-007"].reason


def test_a_flat_when_its_element_first_applies_is_the_spec_s_reading_too() -> None:
    """Case 3: FLAT €2.00 + €1.00/h from the first hour, else €1.00/h; 2 h split at 1 h billed
    €4.00 (the FLAT when its element first applied) used to fail TAR-007 as the "fallback"
    reading. Both timings of the FLAT are the spec's; €2.00 (no FLAT) is too."""
    late_fee = tariff(element(("FLAT", 2.0, 1), ("TIME", 1.0, 1), min_duration=3600),
                      element(("TIME", 1.0, 1)))  # fmt: skip
    periods = [(at(10, 0), {"TIME": 1.0}), (at(11, 0), {"TIME": 1.0})]
    for billed in (4.00, 2.00):
        assert "failed" not in outcomes(make_cdr([late_fee], periods, at(12, 0), billed)).values()


def test_a_restricted_flat_blocks_a_failure() -> None:
    """The general guard: with a FLAT on a restricted element a cost explained only by a wrong
    reading gets no verdict. €1.50/h in the first hour, €1.00/h with a €2.00 FLAT from then on;
    billed €5.00: 2 h at €1.50 plus the FLAT, the last element's reading."""
    late_fee = tariff(element(("FLAT", 2.0, 1), ("TIME", 1.0, 1), min_duration=3600),
                      element(("TIME", 1.5, 1)))  # fmt: skip
    periods = [(at(10, 0), {"TIME": 1.0}), (at(11, 0), {"TIME": 1.0})]
    verdict = check_cost(parsed(make_cdr([late_fee], periods, at(12, 0), 5.00))).verdicts["TAR-007"]
    assert verdict.outcome == "blocked"
    assert "a later (the last) matching element" in verdict.reason
    assert "a FLAT on a restricted element" in verdict.reason


def test_untagged_periods_allow_passes_only() -> None:
    """Case 4: no period names a tariff_id (§10.4.6: no tariff is relevant); under the judge's
    reading of the only tariff as pricing them, power ignored (€6.00) used to fail TAR-008."""
    ignored = tiers_cdr(6.00)
    for period in ignored["charging_periods"]:
        del period["tariff_id"]
    verdict = check_cost(parsed(ignored)).verdicts["TAR-008"]
    assert verdict.outcome == "blocked"
    assert "no ChargingPeriod names a tariff_id" in verdict.reason
    right = tiers_cdr(10.50)
    for period in right["charging_periods"]:
        del period["tariff_id"]
    assert outcomes(right)["TAR-008"] == "passed"


def test_a_bound_reported_alone_blocks_a_failure() -> None:
    """Case 5: €0.69/kWh from 150 kW, else €0.59/kWh; 10 kWh with MAX_POWER 300 alone, billed
    €5.90: the period may have been below 150 kW but for a peak. It used to fail TAR-007 (the
    min_power taken as met, €5.90 only "the last element"); now no verdict, and a pass at
    €6.90 says the assumption it relied on."""
    fast = tariff(element(("ENERGY", 0.69, 1), min_power=150), element(("ENERGY", 0.59, 1)))
    cdr = make_cdr([fast], [(at(10, 0), {"ENERGY": 10.0, "TIME": 0.1, "MAX_POWER": 300})],
                   at(10, 6), 5.90)  # fmt: skip
    check = check_cost(parsed(cdr))
    assert check.verdicts["TAR-007"].outcome == "blocked"
    assert "only one of MIN_/MAX_" in check.verdicts["TAR-007"].reason
    assert "failed" not in {v.outcome for v in check.verdicts.values()}
    assert check.readings == []  # nothing passed on the assumption
    cdr["total_cost"] = {"excl_vat": 6.90}
    check = check_cost(parsed(cdr))
    assert check.verdicts["TAR-007"].outcome == "passed"
    assert [rule for rule, _ in check.readings] == ["CDR-007"]


def test_a_split_a_few_seconds_off_allows_passes_only() -> None:
    """Case 6 on the cost: the seconds between the boundary and the split priced by either
    element; the periods priced by the element of their interior, failures blocked."""
    one_late = make_cdr([NOON], [(at(11, 0), {"TIME": 1.0}), (at(12, 0, second=1), {"TIME": 1.0})],
                        at(13, 0), 5.00)  # fmt: skip
    check = check_cost(parsed(one_late))
    assert "failed" not in {v.outcome for v in check.verdicts.values()}
    assert any("split 1 s from the boundary" in c.text for c in check.caveats)
    check = check_cost(parsed({**one_late, "total_cost": {"excl_vat": 4.0}}))  # all at €2.00/h
    assert check.verdicts["TAR-007"].outcome == "blocked"
