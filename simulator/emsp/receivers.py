"""The eMSP's Receiver interfaces: what a CPO pushes (§8.2.2 Locations, §9.2.2 Sessions,
§10.2.2 CDRs, §11.2.2 Tariffs, §15.3.1 HubClientInfo). Every body is checked against the YAML;
a violation is answered 2001 (HTTP 200) and recorded as a finding. Objects are stored in the
document store with the caller's partner id as origin.
"""

from __future__ import annotations

import base64
import binascii
import copy
from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from simulator.emsp.services import BASE, emsp_of, owned, partner_of, refuse, same, validate
from simulator.platform.documents import Key
from simulator.platform.errors import NotFound
from simulator.platform.planted import planted
from simulator.platform.transport import (
    Caller,
    authenticate_partner,
    json_body,
    ocpi_response,
    platform_of,
)

Reply = Response[dict[str, Any]]
AUTH = {"caller": Provide(authenticate_partner)}


def _created(request: Request[Any, Any, Any], created: bool) -> Reply:
    """§5 rule 8: 201 when the push created the object, 200 when it replaced one."""
    if planted(platform_of(request), "emsp_put_always_200"):
        created = False
    return ocpi_response(request, None, 201 if created else 200)


def _index(items: list[dict[str, Any]], field: str, value: str) -> int | None:
    for n, item in enumerate(items):
        if str(item.get(field, "")).upper() == value.upper():
            return n
    return None


# --- Locations (§8.2.2) ---------------------------------------------------------------------------


class LocationsReceiver(Controller):
    """GET, PUT and PATCH at Location, EVSE and Connector level; parents' `last_updated`
    follow a pushed child's (§8.2.2.2, §8.2.2.3)."""

    path = f"{BASE}/locations/{{country_code:str}}/{{party_id:str}}/{{location_id:str}}"
    dependencies = AUTH
    M = "locations"

    @staticmethod
    def _key(request: Request[Any, Any, Any], caller: Caller, cc: str, pid: str, lid: str) -> Key:
        partner = partner_of(request, caller)
        if not planted(platform_of(request), "emsp_any_party_stored"):
            owned(caller, cc, pid)
        return Key("location", partner.id, cc, pid, lid)

    async def _load(
        self, request: Request[Any, Any, Any], key: Key, session: AsyncSession
    ) -> dict[str, Any]:
        stored = await platform_of(request).documents.get(key, session)
        if stored is None and planted(platform_of(request), "emsp_unknown_location_200"):
            return {}
        if stored is None or (planted(platform_of(request), "case_sensitive_cistrings")
                              and stored.get("id") != key.object_id):  # fmt: skip
            raise NotFound(f"no Location {key.object_id}")
        return stored

    @staticmethod
    def _evse(location: dict[str, Any], evse_uid: FromPath[str]) -> dict[str, Any]:
        evses = location.get("evses") or []
        n = _index(evses, "uid", evse_uid)
        if n is None:
            raise NotFound(f"no EVSE {evse_uid} in Location {location.get('id')}")
        evse: dict[str, Any] = evses[n]
        return evse

    @staticmethod
    def _connector(evse: dict[str, Any], connector_id: FromPath[str]) -> dict[str, Any]:
        n = _index(evse.get("connectors") or [], "id", connector_id)
        if n is None:
            raise NotFound(f"no Connector {connector_id} in EVSE {evse.get('uid')}")
        connector: dict[str, Any] = evse["connectors"][n]
        return connector

    def _check_whole(self, request: Request[Any, Any, Any], location: dict[str, Any]) -> None:
        validate(request, location, "Location", self.M, "8.3.1 (the Location after the change)")

    # GET --------------------------------------------------------------------------------------

    @get()
    async def get_location(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        location_id: FromPath[str],
    ) -> Reply:
        """§8.2.2.1"""
        key = self._key(request, caller, country_code, party_id, location_id)
        async with platform_of(request).database.transaction() as session:
            location = await self._load(request, key, session)
        if planted(platform_of(request), "emsp_lowercase_ids") and "id" in location:
            location = {**location, "id": str(location["id"]).lower()}  # a CiString (§16.1)
        return ocpi_response(request, location)

    @get("/{evse_uid:str}")
    async def get_evse(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        location_id: FromPath[str],
        evse_uid: FromPath[str],
    ) -> Reply:
        """§8.2.2.1"""
        key = self._key(request, caller, country_code, party_id, location_id)
        async with platform_of(request).database.transaction() as session:
            location = await self._load(request, key, session)
        return ocpi_response(request, self._evse(location, evse_uid))

    @get("/{evse_uid:str}/{connector_id:str}")
    async def get_connector(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        location_id: FromPath[str],
        evse_uid: FromPath[str],
        connector_id: FromPath[str],
    ) -> Reply:
        """§8.2.2.1"""
        key = self._key(request, caller, country_code, party_id, location_id)
        async with platform_of(request).database.transaction() as session:
            location = await self._load(request, key, session)
        return ocpi_response(request, self._connector(self._evse(location, evse_uid), connector_id))

    # PUT --------------------------------------------------------------------------------------

    @put()
    async def put_location(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        location_id: FromPath[str],
    ) -> Reply:
        """§8.2.2.2: a new or replaced Location; URL segments must equal the body's."""
        key = self._key(request, caller, country_code, party_id, location_id)
        body = validate(request, await json_body(request), "Location", self.M, "8.2.2.2")
        if not planted(platform_of(request), "emsp_put_other_party"):
            same(request, self.M, "8.2.2.2", "country_code", country_code, body["country_code"])
            same(request, self.M, "8.2.2.2", "party_id", party_id, body["party_id"])
        if not planted(platform_of(request), "emsp_put_ignores_url_id"):
            same(request, self.M, "8.2.2.2", "location_id", location_id, body["id"])
        created = await platform_of(request).documents.put(key, body)
        return _created(request, created)

    @put("/{evse_uid:str}")
    async def put_evse(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        location_id: FromPath[str],
        evse_uid: FromPath[str],
    ) -> Reply:
        """§8.2.2.2: an EVSE into a stored Location (added when new); the Location's
        `last_updated` becomes the EVSE's."""
        key = self._key(request, caller, country_code, party_id, location_id)
        evse = validate(request, await json_body(request), "EVSE", self.M, "8.2.2.2")
        same(request, self.M, "8.2.2.2", "evse_uid", evse_uid, evse["uid"])
        platform = platform_of(request)
        async with platform.database.transaction() as session:
            location = await self._load(request, key, session)
            evses = list(location.get("evses") or [])
            n = _index(evses, "uid", evse_uid)
            if n is None:
                evses.append(evse)
            else:
                evses[n] = evse
            location["evses"] = evses
            if not planted(platform, "emsp_parent_last_updated_kept"):
                location["last_updated"] = evse["last_updated"]
            self._check_whole(request, location)
            await platform.documents.put(key, location, session)
        return _created(request, n is None)

    @put("/{evse_uid:str}/{connector_id:str}")
    async def put_connector(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        location_id: FromPath[str],
        evse_uid: FromPath[str],
        connector_id: FromPath[str],
    ) -> Reply:
        """§8.2.2.2: a Connector into a stored EVSE; EVSE and Location take its
        `last_updated`."""
        key = self._key(request, caller, country_code, party_id, location_id)
        connector = validate(request, await json_body(request), "Connector", self.M, "8.2.2.2")
        same(request, self.M, "8.2.2.2", "connector_id", connector_id, connector["id"])
        platform = platform_of(request)
        async with platform.database.transaction() as session:
            location = await self._load(request, key, session)
            evse = self._evse(location, evse_uid)
            connectors = list(evse.get("connectors") or [])
            n = _index(connectors, "id", connector_id)
            if n is None:
                connectors.append(connector)
            else:
                connectors[n] = connector
            evse["connectors"] = connectors
            evse["last_updated"] = location["last_updated"] = connector["last_updated"]
            self._check_whole(request, location)
            await platform.documents.put(key, location, session)
        return _created(request, n is None)

    # PATCH ------------------------------------------------------------------------------------

    def _patch_ids(
        self, request: Request[Any, Any, Any], patch_body: dict[str, Any], ids: dict[str, str]
    ) -> None:
        """Identifiers in a PATCH body may only repeat the URL's (§8.2.2.3)."""
        for field, in_url in ids.items():
            if field in patch_body:
                same(request, self.M, "8.2.2.3", field, in_url, patch_body[field])

    @patch()
    async def patch_location(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        location_id: FromPath[str],
    ) -> Reply:
        """§8.2.2.3: merge the given fields (`last_updated` required)."""
        key = self._key(request, caller, country_code, party_id, location_id)
        changes = await json_body(request)
        if not (planted(platform_of(request), "emsp_patch_without_last_updated")
                and isinstance(changes, dict) and "last_updated" not in changes):  # fmt: skip
            changes = validate(request, changes, "LocationPatch", self.M, "8.2.2.3")
        ids = {"country_code": country_code, "party_id": party_id, "id": location_id}
        self._patch_ids(request, changes, ids)
        platform = platform_of(request)
        async with platform.database.transaction() as session:
            location = await self._load(request, key, session)
            if planted(platform, "emsp_patch_ignored"):
                changes = {"last_updated": changes["last_updated"]}
            location.update(changes)
            self._check_whole(request, location)
            await platform.documents.put(key, location, session)
        return ocpi_response(request)

    @patch("/{evse_uid:str}")
    async def patch_evse(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        location_id: FromPath[str],
        evse_uid: FromPath[str],
    ) -> Reply:
        """§8.2.2.3: merge into the EVSE; the Location's `last_updated` follows."""
        key = self._key(request, caller, country_code, party_id, location_id)
        changes = validate(request, await json_body(request), "EVSEPatch", self.M, "8.2.2.3")
        self._patch_ids(request, changes, {"uid": evse_uid})
        platform = platform_of(request)
        async with platform.database.transaction() as session:
            location = await self._load(request, key, session)
            self._evse(location, evse_uid).update(changes)
            location["last_updated"] = changes["last_updated"]
            self._check_whole(request, location)
            await platform.documents.put(key, location, session)
        return ocpi_response(request)

    @patch("/{evse_uid:str}/{connector_id:str}")
    async def patch_connector(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        location_id: FromPath[str],
        evse_uid: FromPath[str],
        connector_id: FromPath[str],
    ) -> Reply:
        """§8.2.2.3: merge into the Connector; EVSE and Location take its `last_updated`."""
        key = self._key(request, caller, country_code, party_id, location_id)
        changes = validate(request, await json_body(request), "ConnectorPatch", self.M, "8.2.2.3")
        self._patch_ids(request, changes, {"id": connector_id})
        platform = platform_of(request)
        async with platform.database.transaction() as session:
            location = await self._load(request, key, session)
            evse = self._evse(location, evse_uid)
            self._connector(evse, connector_id).update(changes)
            evse["last_updated"] = location["last_updated"] = changes["last_updated"]
            self._check_whole(request, location)
            await platform.documents.put(key, location, session)
        return ocpi_response(request)


# --- Sessions (§9.2.2) ----------------------------------------------------------------------------


class SessionsReceiver(Controller):
    """GET, PUT (replaces, charging periods included) and PATCH (appends charging periods)."""

    path = f"{BASE}/sessions/{{country_code:str}}/{{party_id:str}}/{{session_id:str}}"
    dependencies = AUTH
    M = "sessions"

    @staticmethod
    def _key(request: Request[Any, Any, Any], caller: Caller, cc: str, pid: str, sid: str) -> Key:
        partner = partner_of(request, caller)
        owned(caller, cc, pid)
        return Key("session", partner.id, cc, pid, sid)

    @get()
    async def get_session(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        session_id: FromPath[str],
    ) -> Reply:
        """§9.2.2.1"""
        key = self._key(request, caller, country_code, party_id, session_id)
        stored = await platform_of(request).documents.get(key)
        if stored is None:
            raise NotFound(f"no Session {session_id}")
        return ocpi_response(request, stored)

    @put()
    async def put_session(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        session_id: FromPath[str],
    ) -> Reply:
        """§9.2.2.2: the whole Session; an omitted `charging_periods` clears the stored ones."""
        key = self._key(request, caller, country_code, party_id, session_id)
        body = validate(request, await json_body(request), "Session", self.M, "9.2.2.2")
        same(request, self.M, "9.2.2.2", "country_code", country_code, body["country_code"])
        same(request, self.M, "9.2.2.2", "party_id", party_id, body["party_id"])
        same(request, self.M, "9.2.2.2", "session_id", session_id, body["id"])
        return _created(request, await platform_of(request).documents.put(key, body))

    @patch()
    async def patch_session(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        session_id: FromPath[str],
    ) -> Reply:
        """§9.2.2.3: merge; `charging_periods` are appended (none or [] change nothing)."""
        key = self._key(request, caller, country_code, party_id, session_id)
        changes = validate(request, await json_body(request), "SessionPatch", self.M, "9.2.2.3")
        for field, in_url in (
            ("country_code", country_code), ("party_id", party_id), ("id", session_id)
        ):  # fmt: skip
            if field in changes:
                same(request, self.M, "9.2.2.3", field, in_url, changes[field])
        platform = platform_of(request)
        async with platform.database.transaction() as session:
            stored = await platform.documents.get(key, session)
            if stored is None:
                raise NotFound(f"no Session {session_id}: PUT it first (§4.1.4.3)")
            changes = dict(changes)
            periods = changes.pop("charging_periods", None) or []
            stored.update(changes)
            if periods:
                stored["charging_periods"] = [*(stored.get("charging_periods") or []), *periods]
            validate(request, stored, "Session", self.M, "9.3.1 (the Session after the change)")
            await platform.documents.put(key, stored, session)
        return ocpi_response(request)


# --- CDRs (§10.2.2) -------------------------------------------------------------------------------


def cdr_ref(country_code: str, party_id: str, cdr_id: str) -> str:
    """Our reference of a CDR in the Location URL: URL-safe Base64 of cc/pid/id."""
    raw = f"{country_code.upper()}/{party_id.upper()}/{cdr_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _parse_ref(ref: str) -> tuple[str, str, str] | None:
    try:
        raw = base64.urlsafe_b64decode(ref + "=" * (-len(ref) % 4)).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    parts = raw.split("/", 2)
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None


class CdrsReceiver(Controller):
    """POST a final CDR (201 + `Location` header, §10.2.2.2); GET it back there (§10.2.2.1)."""

    path = f"{BASE}/cdrs"
    dependencies = AUTH
    M = "cdrs"

    @post(status_code=201)
    async def post_cdr(
        self, request: Request[Any, Any, Any], caller: NamedDependency[Caller]
    ) -> Reply:
        """§10.2.2.2: CDRs are immutable: the same CDR again is accepted, a different one
        under the same id is refused (2001)."""
        partner = partner_of(request, caller)
        body = validate(request, await json_body(request), "CDR", self.M, "10.2.2.2")
        try:
            owned(caller, body["country_code"], body["party_id"])
        except NotFound:
            raise refuse(
                request, self.M, "4.1.5.1",
                f"CDR owner {body['country_code']}/{body['party_id']} is not one of your roles",
            ) from None  # fmt: skip
        key = Key("cdr", partner.id, body["country_code"], body["party_id"], body["id"])
        platform = platform_of(request)
        async with platform.database.transaction() as session:
            stored = await platform.documents.get(key, session)
            if stored is not None and stored != body:
                raise refuse(
                    request, self.M, "10.2.2",
                    f"CDR {body['id']} was already received with other content; CDRs are "
                    "immutable (send a credit CDR, §10.1.1)",
                )  # fmt: skip
            if stored is None:
                await platform.documents.put(key, body, session)
        ref = cdr_ref(body["country_code"], body["party_id"], body["id"])
        response = ocpi_response(request, None, 201)
        if not planted(platform, "emsp_cdr_post_without_location"):
            response.headers["Location"] = platform.url(f"{BASE}/cdrs/{ref}")
        return response

    @get("/{ref:str}")
    async def get_cdr(
        self, request: Request[Any, Any, Any], caller: NamedDependency[Caller], ref: FromPath[str]
    ) -> Reply:
        """§10.2.2.1: the CDR at the URL our POST answer gave."""
        partner = partner_of(request, caller)
        parsed = _parse_ref(ref)
        stored = None
        if parsed is not None:
            key = Key("cdr", partner.id, *parsed)
            stored = await platform_of(request).documents.get(key)
        if stored is None:
            raise NotFound(f"no CDR {ref}")
        return ocpi_response(request, stored)


# --- Tariffs (§11.2.2) ----------------------------------------------------------------------------


class TariffsReceiver(Controller):
    """GET, PUT and DELETE; there is no PATCH for Tariffs (§11.2.2)."""

    path = f"{BASE}/tariffs/{{country_code:str}}/{{party_id:str}}/{{tariff_id:str}}"
    dependencies = AUTH
    M = "tariffs"

    @staticmethod
    def _key(request: Request[Any, Any, Any], caller: Caller, cc: str, pid: str, tid: str) -> Key:
        partner = partner_of(request, caller)
        owned(caller, cc, pid)
        return Key("tariff", partner.id, cc, pid, tid)

    @get()
    async def get_tariff(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        tariff_id: FromPath[str],
    ) -> Reply:
        """§11.2.2.1"""
        stored = await platform_of(request).documents.get(
            self._key(request, caller, country_code, party_id, tariff_id)
        )
        if stored is None:
            raise NotFound(f"no Tariff {tariff_id}")
        return ocpi_response(request, stored)

    @put()
    async def put_tariff(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        tariff_id: FromPath[str],
    ) -> Reply:
        """§11.2.2.2"""
        key = self._key(request, caller, country_code, party_id, tariff_id)
        body = validate(request, await json_body(request), "Tariff", self.M, "11.2.2.2")
        same(request, self.M, "11.2.2.2", "country_code", country_code, body["country_code"])
        same(request, self.M, "11.2.2.2", "party_id", party_id, body["party_id"])
        same(request, self.M, "11.2.2.2", "tariff_id", tariff_id, body["id"])
        return _created(request, await platform_of(request).documents.put(key, body))

    @delete(status_code=200)
    async def delete_tariff(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
        tariff_id: FromPath[str],
    ) -> Reply:
        """§11.2.2.3: 404 when there is no such Tariff."""
        key = self._key(request, caller, country_code, party_id, tariff_id)
        if not await platform_of(request).documents.delete(key):
            raise NotFound(f"no Tariff {tariff_id}")
        return ocpi_response(request)


# --- HubClientInfo (§15.3.1) ----------------------------------------------------------------------


class HubClientInfoReceiver(Controller):
    """GET and PUT `{cc}/{pid}`: the status of a party connected to the hub (not the caller's
    own role, so no ownership check)."""

    path = f"{BASE}/hubclientinfo/{{country_code:str}}/{{party_id:str}}"
    dependencies = AUTH
    M = "hubclientinfo"

    @get()
    async def get_clientinfo(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
    ) -> Reply:
        """§15.3.1.1"""
        partner = partner_of(request, caller)
        stored = await platform_of(request).documents.get(
            Key("clientinfo", partner.id, country_code, party_id, "")
        )
        if stored is None:
            raise NotFound(f"no ClientInfo {country_code}/{party_id}")
        return ocpi_response(request, stored)

    @put()
    async def put_clientinfo(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        country_code: FromPath[str],
        party_id: FromPath[str],
    ) -> Reply:
        """§15.3.1.2"""
        partner = partner_of(request, caller)
        body = validate(request, await json_body(request), "ClientInfo", self.M, "15.3.1.2")
        same(request, self.M, "15.3.1.2", "country_code", country_code, body["country_code"])
        same(request, self.M, "15.3.1.2", "party_id", party_id, body["party_id"])
        key = Key("clientinfo", partner.id, country_code, party_id, "")
        return _created(request, await platform_of(request).documents.put(key, copy.copy(body)))


RECEIVERS = [
    LocationsReceiver, SessionsReceiver, CdrsReceiver, TariffsReceiver, HubClientInfoReceiver,
]  # fmt: skip
__all__ = ["RECEIVERS", "cdr_ref", "emsp_of"]
