"""A charging session as the simulated charge point sees it, and its OCPI documents.

Energy flows at the connector's power (capped by an active charging profile) while the EV is
charging; once its energy need is met it stays parked. Periods split at every cost-relevant
moment: tariff boundaries, charging/parking changes and power changes (§10.3.1, rule 56).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from simulator.cpo.backend.charge_points import connector_power_w
from simulator.cpo.pricing import tariff_boundaries
from simulator.platform.clock import ocpi_datetime, parse_ocpi_datetime

CDR_ADDRESS_MAX = 45  # §10.4.4: CdrLocation.address is still string(45) (errata 8.14)
CDR_STATE_MAX = 20


def _round(value: float) -> float:
    return round(value, 6)


@dataclass
class Period:
    """One stretch of constant state: charging or parked, one tariff."""

    start: datetime
    end: datetime
    charging: bool
    tariff_id: str | None
    energy: float = 0.0  # kWh
    power_kw: float = 0.0

    def charging_period(self) -> dict[str, Any]:
        """§10.4.6 ChargingPeriod: ENERGY and TIME while charging, PARKING_TIME when parked; the
        power, constant within a period here, as both its MIN_POWER and MAX_POWER (§10.4.2), so
        that a partner can price power-restricted elements (§11.4.6) without guessing."""
        hours = _round((self.end - self.start).total_seconds() / 3600)
        if self.charging:
            dimensions = [
                {"type": "ENERGY", "volume": _round(self.energy)},
                {"type": "TIME", "volume": hours},
                {"type": "MIN_POWER", "volume": _round(self.power_kw)},
                {"type": "MAX_POWER", "volume": _round(self.power_kw)},
            ]
        else:
            dimensions = [{"type": "PARKING_TIME", "volume": hours}]
        period: dict[str, Any] = {
            "start_date_time": ocpi_datetime(self.start),
            "dimensions": dimensions,
        }
        if self.tariff_id is not None:
            period["tariff_id"] = self.tariff_id
        return period


@dataclass
class Reservation:
    """§13.3.4: the eMSP's reservation id, mapped to our own (rule 76)."""

    internal_id: str
    partner_id: str
    reservation_id: str
    location_id: str
    response_url: str
    expiry: datetime


@dataclass
class LiveSession:
    """A session not yet COMPLETED/INVALID: its document plus what the charge point knows."""

    doc: dict[str, Any]
    location: dict[str, Any]  # snapshot at session start (§10.1: CDR data as at start)
    evse: dict[str, Any]
    connector: dict[str, Any] | None
    tariffs: list[dict[str, Any]]
    created: datetime
    activate_at: datetime | None = None
    accrued_to: datetime | None = None
    energy_need: float | None = None
    reservation: Reservation | None = None
    periods: list[Period] = field(default_factory=list)
    pushed_periods: int = 0
    new_period: bool = True
    profile: dict[str, Any] | None = None  # the ChargingProfile set by the Sender (§14.6.3)
    profile_start: datetime | None = None
    profile_partner: str | None = None
    profile_ever_set: bool = False

    @property
    def id(self) -> str:
        return str(self.doc["id"])

    @property
    def status(self) -> str:
        return str(self.doc["status"])

    @property
    def kwh(self) -> float:
        return _round(sum(p.energy for p in self.periods))

    @property
    def tariff(self) -> dict[str, Any] | None:
        return self.tariffs[0] if self.tariffs else None

    @property
    def time_zone(self) -> str:
        return str(self.location.get("time_zone") or "UTC")

    def max_power_w(self) -> float:
        return connector_power_w(self.connector) if self.connector else 0.0

    def limit_w(self, moment: datetime) -> float:
        """The active profile's limit at `moment` in W (§14.6.2: A is per phase)."""
        capacity = self.max_power_w()
        if self.profile is None or self.profile_start is None or self.connector is None:
            return capacity
        start = self.profile_start
        offset = (moment - start).total_seconds()
        duration = self.profile.get("duration")
        if offset < 0 or (duration is not None and offset >= duration):
            return capacity
        limit = None
        for entry in sorted(
            self.profile.get("charging_profile_period") or [], key=lambda p: p["start_period"]
        ):
            if entry["start_period"] <= offset:
                limit = float(entry["limit"])
        if limit is None:
            return capacity
        if self.profile["charging_rate_unit"] == "A":
            phases = 3 if self.connector.get("power_type") == "AC_3_PHASE" else 1
            limit = limit * float(self.connector["max_voltage"]) * phases
        return max(0.0, min(capacity, limit))

    # --- time -------------------------------------------------------------------------------

    def accrue(self, until: datetime) -> bool:
        """Advance an ACTIVE session to `until`; True when anything changed. New periods open
        at tariff boundaries (counted from the session start), where the meter crosses a
        `min_kwh`/`max_kwh` restriction, and when charging stops (§10.3.1)."""
        start = self.accrued_to
        if start is None or until <= start:
            return False
        cuts = [until]
        thresholds: list[float] = []
        tariff = self.tariff
        if tariff is not None:
            began = parse_ocpi_datetime(self.doc["start_date_time"])
            found = tariff_boundaries(tariff, began, until, self.time_zone)
            cuts = [*(moment for moment in found if start < moment < until), until]
            thresholds = sorted(
                {
                    float(element["restrictions"][name])
                    for element in tariff.get("elements") or []
                    for name in ("min_kwh", "max_kwh")
                    if (element.get("restrictions") or {}).get(name) is not None
                }
            )
        moment = start
        for cut in cuts:
            while moment < cut:
                power_kw = self.limit_w(moment) / 1000
                kwh = self.kwh
                goal = self.energy_need
                charging = power_kw > 0 and (goal is None or kwh < goal)
                end, crossing = cut, False
                if charging:
                    targets = [t for t in thresholds if t > kwh]
                    if goal is not None:
                        targets.append(goal)
                    if targets:
                        reach = moment + timedelta(hours=(min(targets) - kwh) / power_kw)
                        if reach < cut:
                            end, crossing = max(reach, moment + timedelta(microseconds=1)), True
                self._add(moment, end, charging, power_kw if charging else 0.0)
                moment = end
                if crossing:
                    self.new_period = True
            if cut != until:
                self.new_period = True
        self.accrued_to = until
        return True

    def _add(self, start: datetime, end: datetime, charging: bool, power_kw: float) -> None:
        energy = power_kw * (end - start).total_seconds() / 3600
        tariff_id = str(self.tariff["id"]) if self.tariff else None
        last = self.periods[-1] if self.periods else None
        if (
            last is not None
            and not self.new_period
            and last.charging == charging
            and last.end == start
            and abs(last.power_kw - power_kw) < 1e-9
        ):
            last.end, last.energy = end, last.energy + energy
            return
        self.periods.append(Period(start, end, charging, tariff_id, energy, power_kw))
        self.new_period = False

    def closed_periods(self, final: bool) -> list[dict[str, Any]]:
        """Periods not yet pushed that will not grow any more (§9.2.2.3: PATCH appends)."""
        upto = len(self.periods) if final else max(len(self.periods) - 1, 0)
        fresh = [p.charging_period() for p in self.periods[self.pushed_periods : upto]]
        self.pushed_periods = max(self.pushed_periods, upto)
        return fresh


def cdr_token(token: dict[str, Any]) -> dict[str, Any]:
    """§10.4.5 CdrToken from a Token (or from a CdrToken)."""
    return {
        name: token[name] for name in ("country_code", "party_id", "uid", "type", "contract_id")
    }


def cdr_location(
    location: dict[str, Any], evse: dict[str, Any], connector: dict[str, Any]
) -> dict[str, Any]:
    """§10.4.4 CdrLocation: the Location with only the EVSE and connector used."""
    out: dict[str, Any] = {
        "id": location["id"],
        "address": str(location["address"])[:CDR_ADDRESS_MAX],
        "city": location["city"],
        "country": location["country"],
        "coordinates": location["coordinates"],
        "evse_uid": evse["uid"],
        "evse_id": evse.get("evse_id") or evse["uid"],
        "connector_id": connector["id"],
        "connector_standard": connector["standard"],
        "connector_format": connector["format"],
        "connector_power_type": connector["power_type"],
    }
    if location.get("name"):
        out["name"] = location["name"]
    if location.get("postal_code"):
        out["postal_code"] = location["postal_code"]
    if location.get("state"):
        out["state"] = str(location["state"])[:CDR_STATE_MAX]
    return out
