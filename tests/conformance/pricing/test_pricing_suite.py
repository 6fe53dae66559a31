"""What the pricing suite (conformance/suites/cpo/test_pricing.py) records of one CDR: a
failure only with certainty, blocked with the reason otherwise, the readings it took."""

from __future__ import annotations

import json

from conformance.checks.pricing.cdr import UNTAGGED
from conformance.exchange import Exchange
from conformance.suites.cpo.test_pricing import RULES, Tally, Unjudged, _summary, judge_cdr
from conformance.verdicts import Ledger
from specs.catalogue import default_catalogue
from tests.conformance.pricing.pricing_support import (
    NOON,
    Json,
    at,
    make_cdr,
    parsed,
    tiers_cdr,
)


def _judged(*cdrs: Json) -> tuple[Ledger, Tally]:
    ledger, tally = Ledger(default_catalogue(), strict=True), Tally()
    for index, cdr in enumerate(cdrs, 1):
        exchange = Exchange(index, "GET", "http://cpo.test/ocpi/cpo/2.2.1/cdrs", {},
                            json.dumps([cdr]), 200)  # fmt: skip
        judge_cdr(ledger, parsed(cdr), exchange, tally)
    tally.close(ledger, len(cdrs))
    return ledger, tally


def test_a_missing_split_fails_cdr_007_and_blocks_the_cost_rules() -> None:
    """The reviewer's case 1 as recorded: one CDR-007 violation; TAR-007 blocked, not failed."""
    ledger, _ = _judged(make_cdr([NOON], [(at(11, 0), {"TIME": 2.0})], at(13, 0), 5.00))
    evidence = ledger.evidence()
    assert [v.rule.id for v in ledger.failing(None)] == ["CDR-007"]
    for rule in ("TAR-007", "TAR-008", "CDR-008"):
        (blocked,) = evidence[rule].blocked
        assert blocked["reason"].startswith(
            "CDR CDR1: periods not split at tariff element switches, see CDR-007"
        )


def test_untagged_periods_are_read_under_the_cdr_object_rule() -> None:
    """The reviewer's case 4 as recorded: the reading filed under CDR-013 (no rule is about
    tariff_id on periods), TAR-008 blocked instead of failed."""
    cdr = tiers_cdr(6.00)
    for period in cdr["charging_periods"]:
        del period["tariff_id"]
    ledger, _ = _judged(cdr)
    evidence = ledger.evidence()
    assert [r.text for r in evidence["CDR-013"].readings] == [UNTAGGED]
    assert not evidence["TAR-007"].readings
    assert not ledger.failing(None)
    assert "no ChargingPeriod names a tariff_id" in evidence["TAR-008"].blocked[0]["reason"]


def test_a_split_a_few_seconds_off_passes_cdr_007_with_a_reading() -> None:
    """The reviewer's case 6 as recorded: a pass, and the split said."""
    ledger, _ = _judged(make_cdr([NOON], [(at(11, 0), {"TIME": 1.0}),
                                          (at(12, 0, second=1), {"TIME": 1.0})],
                                 at(13, 0), 5.00))  # fmt: skip
    evidence = ledger.evidence()
    assert evidence["CDR-007"].passes == 1
    assert not ledger.failing(None)
    (reading,) = evidence["CDR-007"].readings
    assert "split 1 s from the boundary" in reading.text
    assert "accepted" in reading.text


def test_rules_nothing_showed_are_skipped_with_the_reasons_counted() -> None:
    ledger, tally = _judged(tiers_cdr(10.50), tiers_cdr(10.50))
    assert "CDR-007" not in tally.judged
    evidence = ledger.evidence()
    assert evidence["TAR-007"].passes == 2
    (skipped,) = evidence["CDR-007"].skipped
    assert "boundary of its tariffs fell inside its session (2 CDRs)" in skipped
    assert set(RULES) == {"CDR-007", "TAR-007", "TAR-008", "CDR-008"}
    assert _summary("CDR-008", 1, [Unjudged("A", "why"), Unjudged("B", "why: with a colon")]) == (
        "none of the 1 CDRs gave CDR-008 anything to show: why (1 CDR); why: with a colon (1 CDR)"
    )
