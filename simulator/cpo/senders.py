"""The CPO's Sender interfaces: Locations (§8.2.1), Sessions (§9.2.1), CDRs (§10.2.1) and
Tariffs (§11.2.1), served from `platform.documents` (origin OWN).

Lists are paginated (§4.1.4.1) through `simulator.platform.pagination`; single objects that do
not exist get HTTP 404 (§5). Only registered partners may call (TOKEN_A gets 401, §4.1.2).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath

from simulator.cpo.catalog import LOCATION, TARIFF, require_valid
from simulator.platform.clock import parse_ocpi_datetime
from simulator.platform.documents import OWN, Key
from simulator.platform.errors import NotFound, OcpiError
from simulator.platform.pagination import list_response
from simulator.platform.planted import planted
from simulator.platform.routes import VERSION
from simulator.platform.services import Platform
from simulator.platform.transport import (
    Caller,
    authenticate_partner,
    json_body,
    ocpi_response,
    platform_of,
    stored_response,
)

SESSION = "session"
CDR = "cdr"
BASE = f"/ocpi/cpo/{VERSION}"
LOCATIONS_PATH = f"{BASE}/locations"
SESSIONS_PATH = f"{BASE}/sessions"
CDRS_PATH = f"{BASE}/cdrs"
TARIFFS_PATH = f"{BASE}/tariffs"

Reply = Response[Any]
Json = dict[str, Any]


class PreferencesNotSupported(OcpiError):
    """§9.4.1: charging preferences for an EVSE without CHARGING_PREFERENCES_CAPABLE are
    answered HTTP 404 with OCPI 2001."""

    ocpi_status = 2001
    http_status = 404


async def own_page(request: Request[Any, Any, Any], kind: str) -> Response[bytes]:
    """One page of our objects of `kind`, with X-Total-Count, X-Limit and Link (§4.1.4.1)."""
    return await list_response(request, kind, [OWN])


def _child(items: list[Json] | None, field: str, wanted: str) -> Json | None:
    """A sub-object by CiString id (§16.1: compared case-insensitively)."""
    for item in items or []:
        if str(item[field]).upper() == wanted.upper():
            return item
    return None


async def _location(platform: Platform, location_id: FromPath[str]) -> Json:
    location = await platform.documents.find(LOCATION, OWN, location_id)
    if location is None:
        raise NotFound(f"no Location {location_id}")
    return location


class LocationsController(Controller):
    """§8.2.1: GET the list, one Location, one EVSE, one Connector."""

    path = LOCATIONS_PATH
    dependencies = {"caller": Provide(authenticate_partner)}  # noqa: RUF012

    @get()
    async def list_locations(
        self, request: Request[Any, Any, Any], caller: NamedDependency[Caller]
    ) -> Reply:
        return await own_page(request, LOCATION)

    @get("/{location_id:str}")
    async def get_location(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        location_id: FromPath[str],
    ) -> Reply:
        body = await platform_of(request).documents.find_body(LOCATION, OWN, location_id)
        if body is None:
            raise NotFound(f"no Location {location_id}")
        if planted(platform_of(request), "single_location_in_a_list"):
            return stored_response(request, [body])
        if planted(platform_of(request), "later_version_fields"):
            body = body[:-1] + ',"parking_places":[]}'  # not a field of OCPI 2.2.1
        return stored_response(request, body)

    @get("/{location_id:str}/{evse_uid:str}")
    async def get_evse(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        location_id: FromPath[str],
        evse_uid: FromPath[str],
    ) -> Reply:
        location = await _location(platform_of(request), location_id)
        evse = _child(location.get("evses"), "uid", evse_uid)
        if evse is None:
            raise NotFound(f"no EVSE {evse_uid} at Location {location_id}")
        return ocpi_response(request, evse)

    @get("/{location_id:str}/{evse_uid:str}/{connector_id:str}")
    async def get_connector(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        location_id: FromPath[str],
        evse_uid: FromPath[str],
        connector_id: FromPath[str],
    ) -> Reply:
        location = await _location(platform_of(request), location_id)
        evse = _child(location.get("evses"), "uid", evse_uid)
        connector = None if evse is None else _child(evse["connectors"], "id", connector_id)
        if connector is None and planted(platform_of(request), "unknown_connector_500"):
            raise KeyError(connector_id)
        if connector is None:
            raise NotFound(f"no Connector {location_id}/{evse_uid}/{connector_id}")
        return ocpi_response(request, connector)


class SessionsController(Controller):
    """§9.2.1: GET the list (date_from optional, errata: DIGEST 8.6) and PUT charging
    preferences."""

    path = SESSIONS_PATH
    dependencies = {"caller": Provide(authenticate_partner)}  # noqa: RUF012

    @get()
    async def list_sessions(
        self, request: Request[Any, Any, Any], caller: NamedDependency[Caller]
    ) -> Reply:
        return await own_page(request, SESSION)

    @put("/{session_id:str}/charging_preferences")
    async def charging_preferences(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        session_id: FromPath[str],
    ) -> Reply:
        platform = platform_of(request)
        session = await platform.documents.find(SESSION, OWN, session_id)
        if session is None:
            raise NotFound(f"no Session {session_id}")
        preferences = await json_body(request)
        require_valid(preferences, "ChargingPreferences")
        location = await platform.documents.find(LOCATION, OWN, session["location_id"])
        evse = (
            None if location is None else _child(location.get("evses"), "uid", session["evse_uid"])
        )
        capable = "CHARGING_PREFERENCES_CAPABLE" in ((evse or {}).get("capabilities") or [])
        if evse is None or not (capable or planted(platform, "preferences_on_any_evse")):
            raise PreferencesNotSupported(
                f"the EVSE of Session {session_id} does not accept charging preferences (§9.4.1)"
            )
        answer = await decide_preferences(platform, session, evse, preferences)
        return ocpi_response(request, answer)


async def decide_preferences(
    platform: Platform, session: Json, evse: Json, preferences: Json
) -> str:
    """The ChargingPreferencesResponse (§9.4.1) for a capable EVSE.

    NOT_POSSIBLE for a finished Session or a departure already past; PROFILE_TYPE_NOT_SUPPORTED
    unless the Connector has a Tariff for the profile (§9.3.2: "a Tariff must exist for it";
    REGULAR is also served by an untyped Tariff); DEPARTURE_REQUIRED for CHEAP and GREEN, which
    need a deadline to plan against; ACCEPTED otherwise (a best effort, no guarantee).
    """
    if session["status"] in {"COMPLETED", "INVALID"}:
        return "NOT_POSSIBLE"
    departure = preferences.get("departure_time")
    if departure is not None and parse_ocpi_datetime(departure) <= platform.clock.now():
        return "NOT_POSSIBLE"
    profile = preferences["profile_type"]
    connector = _child(evse["connectors"], "id", session["connector_id"])
    tariff_ids: list[str] = (connector or {}).get("tariff_ids") or []
    types = set()
    for tariff_id in tariff_ids:
        tariff = await platform.documents.get(
            Key(TARIFF, OWN, session["country_code"], session["party_id"], tariff_id)
        )
        if tariff is not None:
            types.add(tariff.get("type") or "REGULAR")
    wanted = "REGULAR" if profile == "REGULAR" else f"PROFILE_{profile}"
    if wanted not in types and not (profile == "REGULAR" and not tariff_ids):
        return "PROFILE_TYPE_NOT_SUPPORTED"
    if profile in {"CHEAP", "GREEN"} and departure is None:
        return "DEPARTURE_REQUIRED"
    return "ACCEPTED"


class CdrsController(Controller):
    """§10.2.1: GET the list; CDRs are immutable, `last_updated` is their creation time."""

    path = CDRS_PATH
    dependencies = {"caller": Provide(authenticate_partner)}  # noqa: RUF012

    @get()
    async def list_cdrs(
        self, request: Request[Any, Any, Any], caller: NamedDependency[Caller]
    ) -> Reply:
        return await own_page(request, CDR)


class TariffsController(Controller):
    """§11.2.1: GET the list."""

    path = TARIFFS_PATH
    dependencies = {"caller": Provide(authenticate_partner)}  # noqa: RUF012

    @get()
    async def list_tariffs(
        self, request: Request[Any, Any, Any], caller: NamedDependency[Caller]
    ) -> Reply:
        return await own_page(request, TARIFF)


SENDERS = [LocationsController, SessionsController, CdrsController, TariffsController]
