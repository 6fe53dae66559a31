"""Any value anywhere in a CDR (and any restriction value) is judged or set aside with a reason
by the pricing evaluator (conformance/checks/pricing/), never a crash of the judge."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.checks.pricing.cdr import Cdr, parse_cdr
from conformance.checks.pricing.cost_rules import check_cost
from conformance.checks.pricing.splits import check_period_cuts
from tests.conformance.pricing.pricing_support import POWER_TIERS, tiers_cdr

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
