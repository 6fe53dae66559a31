"""Reading a CDR for pricing (conformance/checks/pricing/cdr.py, §10.3.1, §10.4.6): what it
cannot be judged on, the tariffs' second source, and MIN_/MAX_ bounds kept open."""

from __future__ import annotations

from decimal import Decimal

from conformance.checks.pricing.cdr import UNTAGGED, Cdr, parse_cdr
from tests.conformance.pricing.pricing_support import (
    POWER_TIERS,
    at,
    element,
    make_cdr,
    tariff,
    tiers_cdr,
)


def test_what_a_cdr_cannot_be_judged_on() -> None:
    assert parse_cdr("junk") == "not an object"
    assert "credit CDR" in str(parse_cdr({**tiers_cdr(1.0), "credit": True}))
    missing = make_cdr([], [(at(10, 0), {"ENERGY": 1.0})], at(11, 0), 1.0)
    assert "neither the CDR nor the Tariffs Sender" in str(parse_cdr(missing))
    # The Tariffs Sender's copy is the second source.
    found = parse_cdr(missing, more_tariffs=[POWER_TIERS])
    assert isinstance(found, Cdr)
    assert found.periods[0].tariff is not None
    reversed_periods = tiers_cdr(1.0)
    reversed_periods["charging_periods"].reverse()
    assert "out of order" in str(parse_cdr(reversed_periods))


def test_untagged_periods_are_read_as_priced_by_the_only_tariff_and_said() -> None:
    untagged = make_cdr([POWER_TIERS], [(at(10, 0), {"ENERGY": 1.0})], at(11, 0), 1.0,
                        tariff_id=None)  # fmt: skip
    read = parse_cdr(untagged)
    assert isinstance(read, Cdr)
    assert read.note == UNTAGGED
    assert "only tariff" in read.note
    two = make_cdr([POWER_TIERS, tariff(element(("TIME", 1.0, 1)), tariff_id="T2")],
                   [(at(10, 0), {"ENERGY": 1.0})], at(11, 0), 1.0, tariff_id=None)  # fmt: skip
    assert "several tariffs" in str(parse_cdr(two))


def test_a_bound_reported_alone_stays_open() -> None:
    """Case 5: MAX_POWER without MIN_POWER is (None, max), not (max, max)."""
    cdr = parse_cdr(make_cdr([POWER_TIERS], [(at(10, 0), {"ENERGY": 1.0, "MAX_POWER": 300,
                                                         "MIN_CURRENT": 16})],
                             at(11, 0), 1.0))  # fmt: skip
    assert isinstance(cdr, Cdr)
    (period,) = cdr.periods
    assert period.power == (None, Decimal(300))
    assert period.current == (Decimal(16), None)
    assert period.one_sided
    steady = parse_cdr(tiers_cdr(10.5))
    assert isinstance(steady, Cdr)
    assert not any(p.one_sided for p in steady.periods)
