"""Charge points: the EVSEs and connectors of our stored Locations (§8.3.2, §8.3.3).

Statuses change through the catalogue, which bumps `last_updated` of the EVSE and its Location
and queues the EVSE PATCH in the same transaction (§8.2.2.2).
"""

from __future__ import annotations

from typing import Any

from simulator.cpo.catalog import Catalog
from simulator.platform.errors import NotFound
from simulator.platform.services import Platform


def find_evse(location: dict[str, Any], evse_uid: str) -> dict[str, Any] | None:
    """The EVSE with this uid (CiString: case-insensitive, §16.1)."""
    for evse in location.get("evses") or []:
        if str(evse.get("uid", "")).upper() == evse_uid.upper():
            return dict(evse)
    return None


def find_connector(evse: dict[str, Any], connector_id: str) -> dict[str, Any] | None:
    for connector in evse.get("connectors") or []:
        if str(connector.get("id", "")).upper() == connector_id.upper():
            return dict(connector)
    return None


def capabilities(evse: dict[str, Any]) -> set[str]:
    return set(evse.get("capabilities") or [])


def connector_power_w(connector: dict[str, Any]) -> float:
    """§8.4.3: `max_electric_power`, else voltage x amperage (x 3 phases for AC_3_PHASE)."""
    if connector.get("max_electric_power"):
        return float(connector["max_electric_power"])
    phases = 3 if connector.get("power_type") == "AC_3_PHASE" else 1
    return float(connector["max_voltage"]) * float(connector["max_amperage"]) * phases


def evse_max_power_w(evse: dict[str, Any]) -> float:
    """The EVSE's capacity: its strongest connector (one connector charges at a time)."""
    return max((connector_power_w(c) for c in evse.get("connectors") or []), default=0.0)


class Catalogue:
    """The backend's view of the catalogue (`simulator.cpo.catalog.Catalog`): reads, and EVSE
    status changes stored and pushed as EVSE PATCHes (§8.2.2.2)."""

    def __init__(self, platform: Platform) -> None:
        self.catalog = Catalog(platform)
        self.country_code = self.catalog.country_code
        self.party_id = self.catalog.party_id

    async def location(self, location_id: str) -> dict[str, Any] | None:
        return await self.catalog.location(location_id)

    async def tariffs(self, tariff_ids: list[str]) -> list[dict[str, Any]]:
        """The stored Tariffs with these ids, in order; unknown ids are skipped."""
        found = []
        for tariff_id in tariff_ids:
            tariff = await self.catalog.tariff(tariff_id)
            if tariff is not None:
                found.append(tariff)
        return found

    async def set_evse_status(self, location_id: str, evse_uid: str, status: str) -> bool:
        """Change one EVSE's status; False when the Location or EVSE is unknown."""
        try:
            await self.catalog.set_evse_status(location_id, evse_uid, status)
        except NotFound:
            return False
        return True
