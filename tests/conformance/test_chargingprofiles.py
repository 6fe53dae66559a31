"""An EVSE's maximum capacity and CP-006 (conformance/checks/chargingprofiles.py): the phases
by power_type, and the limit an ActiveChargingProfile must show with no profile active."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.chargingprofiles import capacities, check_capacity_shown, phases
from conformance.exchange import Exchange
from conformance.verdicts import Ledger
from specs.catalogue import default_catalogue

PUT = Exchange(7, "PUT", "http://judge.test/ocpi/emsp/2.2.1/chargingprofiles/S1", {}, "{}", 200)


def _evse(*connectors: dict[str, Any]) -> dict[str, Any]:
    return {"uid": "E1", "connectors": [{"id": str(n), **c} for n, c in enumerate(connectors, 1)]}


@pytest.mark.parametrize(
    ("power_type", "lines"),
    [("AC_1_PHASE", 1), ("AC_2_PHASE", 2), ("AC_2_PHASE_SPLIT", 2), ("AC_3_PHASE", 3),
     ("DC", 1), (None, 1)],
)  # fmt: skip
def test_phases_follow_the_power_type(power_type: str | None, lines: int) -> None:
    assert phases({"power_type": power_type}) == lines


@pytest.mark.parametrize(
    ("power_type", "amps"),
    [
        ("AC_1_PHASE", 32.0),
        ("AC_2_PHASE", 16.0),
        ("AC_2_PHASE_SPLIT", 16.0),
        ("AC_3_PHASE", 32 / 3),
    ],
)
def test_without_max_amperage_the_capacity_in_amperes_is_per_phase(
    power_type: str, amps: float
) -> None:
    evse = _evse({"power_type": power_type, "max_voltage": 230, "max_electric_power": 7360})
    found = capacities(evse, evse["connectors"][0])
    assert found["W"] == {7360.0}
    [capacity] = found["A"]
    assert capacity == pytest.approx(amps)


def test_a_two_phase_connector_multiplies_voltage_and_amperage_by_two() -> None:
    evse = _evse({"power_type": "AC_2_PHASE", "max_voltage": 230, "max_amperage": 16,
                  "max_electric_power": 7360})  # fmt: skip
    found = capacities(evse, evse["connectors"][0])
    assert found["W"] == {7360.0}  # 230 V x 16 A x 2 phases
    assert found["A"] == {16.0}


def test_the_sessions_connector_and_the_strongest_one_count() -> None:
    evse = _evse({"power_type": "AC_1_PHASE", "max_voltage": 230, "max_amperage": 16,
                  "max_electric_power": 3680},
                 {"power_type": "DC", "max_voltage": 400, "max_amperage": 125,
                  "max_electric_power": 50000})  # fmt: skip
    found = capacities(evse, evse["connectors"][0], connector_id="1")
    assert found["W"] == {3680.0, 50000.0}
    assert found["A"] == {16.0, 125.0}


def _active(limit: float, unit: str = "A") -> dict[str, Any]:
    return {"start_date_time": "2026-01-01T10:00:00Z", "charging_profile": {
        "charging_rate_unit": unit, "charging_profile_period": [
            {"start_period": 0, "limit": limit}, {"start_period": 600, "limit": 1.0}]}}  # fmt: skip


def test_cp_006_passes_on_the_capacity_and_fails_on_another_limit() -> None:
    evse = _evse({"power_type": "AC_2_PHASE_SPLIT", "max_voltage": 230,
                  "max_electric_power": 7360})  # fmt: skip
    capacity = capacities(evse, evse["connectors"][0])
    ledger = Ledger(default_catalogue(), strict=True)
    assert check_capacity_shown(ledger, _active(16.0), capacity, "E1", "the PUT", PUT) is None
    assert ledger.evidence()["CP-006"].passes == 1
    assert check_capacity_shown(ledger, _active(32.0), capacity, "E1", "the PUT", PUT) is None
    [violation] = ledger.failing(None)
    assert "a limit of 16 A" in violation.expected
    assert violation.exchange is PUT


def test_cp_006_is_no_verdict_where_the_capacity_is_unknown() -> None:
    evse = _evse({"power_type": "AC_3_PHASE", "max_voltage": 230})
    capacity = capacities(evse, evse["connectors"][0])
    ledger = Ledger(default_catalogue(), strict=True)
    why = check_capacity_shown(ledger, _active(0.0, "W"), capacity, "E1", "the PUT", PUT)
    assert why is not None
    assert "in W is unknown" in why
    assert "CP-006" not in ledger.evidence()
