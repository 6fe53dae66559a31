"""The CPO's admin API under `/admin/cpo`: the catalogue (Locations, EVSEs, Tariffs) and a
look at Sessions and CDRs; and under `/admin/partners/{id}/tokens/refresh`, the token cache
refreshed from an eMSP.

Guarded by the platform's `require_admin` (Bearer ADMIN_TOKEN); plain JSON bodies; errors are
OCPI envelopes rendered by the platform's error handler, an invalid object HTTP 400 with 2001.
Every mutating call is audited as `admin.action`. Changes go through `Catalog`, so each one is
stored and queued for partners in one transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from simulator.cpo.catalog import Catalog, Change
from simulator.cpo.senders import CDR, SESSION
from simulator.cpo.token_refresh import refresh_tokens
from simulator.platform import audit
from simulator.platform.admin import ADMIN_PATH, SECURITY_SCHEME, require_admin
from simulator.platform.documents import OWN
from simulator.platform.errors import InvalidParameters, NotFound, OcpiError
from simulator.platform.transport import context_of, json_body, platform_of

Json = dict[str, Any]


class InvalidObject(OcpiError):
    """2001 in HTTP 400: the admin API is not OCPI, so a bad request is an HTTP error."""

    ocpi_status = 2001
    http_status = 400


class EvseStatusChange(msgspec.Struct, forbid_unknown_fields=True):
    """A new EVSE status (§8.4.22); REMOVED retires the EVSE."""

    status: str


def _catalog(request: Request[Any, Any, Any]) -> Catalog:
    return Catalog(platform_of(request))


async def _audited(request: Request[Any, Any, Any], action: str, **detail: str) -> None:
    await platform_of(request).audit.record(
        audit.ADMIN_ACTION, context_of(request), detail={"action": action, **detail}
    )


async def _object(request: Request[Any, Any, Any], id_field: str, object_id: str) -> Json:
    body = await json_body(request)
    if not isinstance(body, dict):
        raise InvalidObject("the body must be a JSON object")
    if str(body.get(id_field, "")).upper() != object_id.upper():
        raise InvalidObject(f"{id_field} in the body must equal the URL's {object_id!r}")
    return body


async def _run(call: Awaitable[Change]) -> Change:
    """Await a catalogue call; its 2001 becomes HTTP 400 here."""
    try:
        result = await call
    except InvalidParameters as exc:
        raise InvalidObject(exc.message) from exc
    return result


def _answer(change: Change) -> Response[Json]:
    return Response(change.obj, status_code=201 if change.created else 200)


class CpoAdminController(Controller):
    """Operator endpoints of the reference CPO; documented in the OpenAPI page at /schema."""

    path = f"{ADMIN_PATH}/cpo"
    guards = [require_admin]  # noqa: RUF012
    security = [{SECURITY_SCHEME: []}]  # noqa: RUF012
    tags = ["admin: cpo"]  # noqa: RUF012

    @put("/locations/{location_id:str}")
    async def put_location(
        self, request: Request[Any, Any, Any], location_id: FromPath[str]
    ) -> Response[Json]:
        """Publish or replace a whole Location (OCPI JSON); 201 when created. EVSEs and
        Connectors cannot be dropped (§8.1); `last_updated` is set by the CPO."""
        body = await _object(request, "id", location_id)
        change = await _run(_catalog(request).put_location(body))
        await _audited(request, "location.put", location_id=location_id)
        return _answer(change)

    @patch("/locations/{location_id:str}/evses/{evse_uid:str}")
    async def set_evse_status(
        self,
        request: Request[Any, Any, Any],
        location_id: FromPath[str],
        evse_uid: FromPath[str],
        data: JSONBody[EvseStatusChange],
    ) -> Json:
        """Change an EVSE's status; the EVSE is answered."""
        catalog = _catalog(request)
        await _run(catalog.set_evse_status(location_id, evse_uid, data.status))
        await _audited(request, "evse.status", location_id=location_id, evse_uid=evse_uid)
        return await _stored_evse(catalog, location_id, evse_uid)

    @delete("/locations/{location_id:str}/evses/{evse_uid:str}", status_code=200)
    async def remove_evse(
        self, request: Request[Any, Any, Any], location_id: FromPath[str], evse_uid: FromPath[str]
    ) -> Json:
        """Retire an EVSE: status REMOVED, as OCPI never deletes one (§8.1)."""
        catalog = _catalog(request)
        await _run(catalog.remove_evse(location_id, evse_uid))
        await _audited(request, "evse.remove", location_id=location_id, evse_uid=evse_uid)
        return await _stored_evse(catalog, location_id, evse_uid)

    @put("/tariffs/{tariff_id:str}")
    async def put_tariff(
        self, request: Request[Any, Any, Any], tariff_id: FromPath[str]
    ) -> Response[Json]:
        """Publish or replace a Tariff (OCPI JSON); 201 when created."""
        body = await _object(request, "id", tariff_id)
        change = await _run(_catalog(request).put_tariff(body))
        await _audited(request, "tariff.put", tariff_id=tariff_id)
        return _answer(change)

    @delete("/tariffs/{tariff_id:str}", status_code=200)
    async def delete_tariff(
        self, request: Request[Any, Any, Any], tariff_id: FromPath[str]
    ) -> dict[str, bool]:
        """Delete a Tariff (§11.2.2.3: the only deletable object)."""
        if not await _catalog(request).delete_tariff(tariff_id):
            raise NotFound(f"no Tariff {tariff_id}")
        await _audited(request, "tariff.delete", tariff_id=tariff_id)
        return {"deleted": True}

    @get("/sessions")
    async def list_sessions(
        self,
        request: Request[Any, Any, Any],
        offset: Annotated[int, Parameter(ge=0)] = 0,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    ) -> list[Json]:
        """Our Sessions in creation order."""
        page = await platform_of(request).documents.page(SESSION, [OWN], offset=offset, limit=limit)
        return page.items

    @get("/cdrs")
    async def list_cdrs(
        self,
        request: Request[Any, Any, Any],
        offset: Annotated[int, Parameter(ge=0)] = 0,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    ) -> list[Json]:
        """Our CDRs in creation order."""
        page = await platform_of(request).documents.page(CDR, [OWN], offset=offset, limit=limit)
        return page.items


async def _stored_evse(catalog: Catalog, location_id: str, evse_uid: str) -> Json:
    location = await catalog.location(location_id)
    for evse in (location or {}).get("evses") or []:
        if str(evse["uid"]).upper() == evse_uid.upper():
            found: Json = evse
            return found
    raise NotFound(f"no EVSE {evse_uid} at Location {location_id}")


class TokenRefreshController(Controller):
    """The token cache refreshed from an eMSP (issue #14), beside the platform's partners."""

    path = f"{ADMIN_PATH}/partners"
    guards = [require_admin]  # noqa: RUF012
    security = [{SECURITY_SCHEME: []}]  # noqa: RUF012
    tags = ["admin: cpo"]  # noqa: RUF012

    @post("/{partner_id:str}/tokens/refresh", status_code=200)
    async def refresh_tokens(
        self,
        request: Request[Any, Any, Any],
        partner_id: FromPath[str],
        full: FromQuery[bool] = False,
    ) -> Json:
        """Pull the eMSP's Tokens Sender into the token cache (§12.2.2), following its Link
        headers: everything the first time or with `full`, else what changed since the last
        complete pull. A page that fails answers 502 (OCPI 3001) and completes nothing."""
        await _audited(request, "tokens.refresh", partner_id=partner_id, full=str(full).lower())
        result = await refresh_tokens(platform_of(request), partner_id, context_of(request),
                                      full=full)  # fmt: skip
        return result.view()
