"""An EVSE's maximum capacity (§8.4.3, §14.4.2.5), and the ActiveChargingProfile that must show
it once no charging profile is active (CP-006)."""

from __future__ import annotations

import math
from typing import Any

from conformance.exchange import Exchange
from conformance.verdicts import Ledger

#: The phases a connector's current flows in, by its PowerType (§8.4.24); DC counts as one.
PHASES = {"AC_1_PHASE": 1, "AC_2_PHASE": 2, "AC_2_PHASE_SPLIT": 2, "AC_3_PHASE": 3, "DC": 1}


def _number(value: Any) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else None


def phases(connector: dict[str, Any]) -> int:
    """The phases of `connector`'s power_type (one when it names none we know)."""
    return PHASES.get(str(connector.get("power_type")), 1)


def capacities(
    evse: dict[str, Any], connector: dict[str, Any], connector_id: Any = None
) -> dict[str, set[float]]:
    """Per charging_rate_unit, the limits that show the EVSE's maximum capacity (§14.4.2.5): the
    capacity of the connector in use (`connector_id`, the Session's, else `connector`) or of
    the EVSE's strongest connector; in W its max_electric_power (§8.4.3; read leniently, also
    voltage x amperage x phases), in A (per phase, §14.6.2) its max_amperage or the
    max_electric_power over voltage and phases. Empty where the Locations do not say (no
    max_electric_power: no capacity in W)."""
    connectors = [c for c in evse.get("connectors") or [] if isinstance(c, dict)]
    wanted = str(connector_id or connector.get("id"))
    used = next((c for c in connectors if str(c.get("id")).upper() == wanted.upper()), connector)
    relevant = [used]
    powers = [_number(c.get("max_electric_power")) for c in connectors]
    if powers and all(p is not None for p in powers):
        relevant.append(connectors[powers.index(max(p for p in powers if p is not None))])
    found: dict[str, set[float]] = {"W": set(), "A": set()}
    for each in relevant:
        power = _number(each.get("max_electric_power"))
        amps, volts = _number(each.get("max_amperage")), _number(each.get("max_voltage"))
        lines = phases(each)
        if power:
            found["W"].add(power)
            if volts:
                found["A"].add(power / (volts * lines))
            if volts and amps:
                found["W"].add(volts * amps * lines)
        if amps:
            found["A"].add(amps)
    return found


def check_capacity_shown(ledger: Ledger, active: Any, capacity: dict[str, set[float]], evse: str,
                         what: str, exchange: Exchange) -> str | None:  # fmt: skip
    """CP-006 on one ActiveChargingProfile (`what`): the limit in force at its start_date_time
    is EVSE `evse`'s maximum capacity (`capacities`). None once judged, else why it could not
    be."""
    profile = active.get("charging_profile") if isinstance(active, dict) else None
    profile = profile if isinstance(profile, dict) else {}
    unit = profile.get("charging_rate_unit")
    listed = profile.get("charging_profile_period")
    periods = [p for p in (listed if isinstance(listed, list) else [])
               if isinstance(p, dict) and _number(p.get("limit")) is not None
               and (at := _number(p.get("start_period"))) is not None and at <= 0]  # fmt: skip
    if not isinstance(unit, str) or unit not in capacity or not periods:
        return f"{what} has no limit in force at its start_date_time (its shape: CP-004, CP-009)"
    wanted = sorted(capacity[unit])
    if not wanted:
        given = "max_electric_power" if unit == "W" else "max_amperage"
        return f"the capacity of EVSE {evse} in {unit} is unknown (its connectors give no {given})"
    period = max(periods, key=lambda p: float(p["start_period"]))
    limit = float(period["limit"])
    ledger.check(
        "CP-006",
        any(math.isclose(limit, c, rel_tol=1e-3, abs_tol=0.1) for c in wanted),
        expected=f"{what}, with no profile active, shows EVSE {evse}'s maximum capacity: a "
        f"limit of {' or '.join(f'{c:g}' for c in wanted)} {unit} (§14.4.2.5)",
        actual=f"limit {limit:g} {unit} from start_period {period['start_period']}",
        exchange=exchange,
    )
    return None
