"""Admin endpoints of the simulated charging backend, under /admin/cpo/backend.

Guarded like the rest of the admin API (`Authorization: Bearer <ADMIN_TOKEN>`); plain JSON.
A swipe is what a driver does at the charge point (§12.4.5: whitelist or real-time
authorization); unplug ends a session; credit-cdr corrects a CDR with a credit CDR (§10.1.1);
`advance` moves a development clock.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, post, put
from litestar.params import JSONBody

from simulator.cpo.backend import ClockNotAdjustable, backend_of
from simulator.cpo.backend.service import CreditRefused
from simulator.platform.admin import SECURITY_SCHEME, require_admin
from simulator.platform.errors import GenericClientError, NotFound, OcpiError
from specs import contract

Id36 = Annotated[str, msgspec.Meta(min_length=1, max_length=36)]
Id39 = Annotated[str, msgspec.Meta(min_length=1, max_length=39)]  # a credit CDR's id (§10.3.1)


class Conflict(OcpiError):
    """HTTP 409: the request does not fit the backend's state."""

    ocpi_status = 2000
    http_status = 409


class Swipe(msgspec.Struct, forbid_unknown_fields=True):
    location_id: Id36
    evse_uid: Id36
    connector_id: Id36
    token_uid: Id36
    token_type: str = "RFID"  # noqa: S105 - a TokenType, not a secret
    # The issuing eMSP, for tokens not in the cache (whom to ask, §12.2.2.2).
    country_code: str | None = None
    party_id: str | None = None
    energy_kwh: Annotated[float, msgspec.Meta(gt=0)] | None = None


class Unplug(msgspec.Struct, forbid_unknown_fields=True):
    session_id: Id36


class CreditCdr(msgspec.Struct, forbid_unknown_fields=True):
    cdr_id: Id39


class EvseStatus(msgspec.Struct, forbid_unknown_fields=True):
    location_id: Id36
    evse_uid: Id36
    status: str


class Advance(msgspec.Struct, forbid_unknown_fields=True):
    seconds: Annotated[float, msgspec.Meta(ge=0, le=366 * 86400)]


class Fault(msgspec.Struct, forbid_unknown_fields=True):
    evse_uid: Id36
    no_answer: bool


class BackendAdminController(Controller):
    path = "/admin/cpo/backend"
    guards = [require_admin]  # noqa: RUF012
    security = [{SECURITY_SCHEME: []}]  # noqa: RUF012
    tags = ["admin: charging backend"]  # noqa: RUF012

    @post("/swipe", status_code=200)
    async def swipe(self, request: Request[Any, Any, Any], data: JSONBody[Swipe]) -> dict[str, Any]:
        """An RFID swipe at a connector; `allowed` and the session started, if any."""
        if contract.errors(data.token_type, "TokenType"):
            raise GenericClientError(f"unknown token_type {data.token_type!r}")
        outcome = await backend_of(request).swipe(
            location_id=data.location_id,
            evse_uid=data.evse_uid,
            connector_id=data.connector_id,
            token_uid=data.token_uid,
            token_type=data.token_type,
            country_code=data.country_code,
            party_id=data.party_id,
            energy_need=data.energy_kwh,
        )
        return dataclasses.asdict(outcome)

    @post("/unplug", status_code=200)
    async def unplug(
        self, request: Request[Any, Any, Any], data: JSONBody[Unplug]
    ) -> dict[str, Any]:
        """The driver unplugs: the session completes and its CDR is created."""
        cdr = await backend_of(request).stop_session(data.session_id)
        if cdr is None:
            raise NotFound(f"no session in progress with id {data.session_id}")
        return {"session_id": data.session_id, "cdr_id": cdr.get("id")}

    @post("/credit-cdr", status_code=200)
    async def credit_cdr(
        self, request: Request[Any, Any, Any], data: JSONBody[CreditCdr]
    ) -> dict[str, Any]:
        """Correct a CDR of ours: a credit CDR, stored and POSTed like any CDR (§10.1.1). 404 for
        an unknown CDR, 409 for a credit CDR or one credited already."""
        try:
            credit = await backend_of(request).credit_cdr(data.cdr_id)
        except CreditRefused as exc:
            raise Conflict(str(exc)) from exc
        if credit is None:
            raise NotFound(f"no CDR with id {data.cdr_id}")
        return {"id": credit["id"], "credit_reference_id": credit["credit_reference_id"],
                "cdr": credit}  # fmt: skip

    @post("/cancel-reservation", status_code=200)
    async def cancel_reservation(
        self, request: Request[Any, Any, Any], data: JSONBody[Unplug]
    ) -> dict[str, Any]:
        """The CPO cancels a reservation: CANCELED_RESERVATION to the eMSP (§13.1)."""
        backend = backend_of(request)
        live = backend.live_session(data.session_id)
        if live is None or not await backend.cancel_reservation(live, by_cpo=True):
            raise NotFound(f"no reservation with session id {data.session_id}")
        return {"session_id": data.session_id, "canceled": True}

    @post("/status", status_code=200)
    async def status(
        self, request: Request[Any, Any, Any], data: JSONBody[EvseStatus]
    ) -> dict[str, Any]:
        """Set an EVSE's status (§8.4.22), pushed as an EVSE PATCH."""
        if contract.errors(data.status, "Status"):
            raise GenericClientError(f"unknown EVSE status {data.status!r}")
        backend = backend_of(request)
        if not await backend.catalogue.set_evse_status(
            data.location_id, data.evse_uid, data.status
        ):
            raise NotFound(f"no EVSE {data.evse_uid} at location {data.location_id}")
        return {"location_id": data.location_id, "evse_uid": data.evse_uid, "status": data.status}

    @post("/advance", status_code=200)
    async def advance(
        self, request: Request[Any, Any, Any], data: JSONBody[Advance]
    ) -> dict[str, Any]:
        """Move a development/test clock forward and let the backend catch up."""
        backend = backend_of(request)
        if backend.platform.settings.plugfest_mode != "development":
            raise Conflict("the clock only moves by hand in development mode")
        try:
            await backend.advance(data.seconds)
        except ClockNotAdjustable as exc:
            raise Conflict(f"cannot advance: {exc}") from exc
        return {"now": backend.now().isoformat()}

    @post("/tick", status_code=200)
    async def tick(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        """Bring every live session up to the clock's now."""
        backend = backend_of(request)
        await backend.tick()
        return {"now": backend.now().isoformat(), "live_sessions": len(backend.live)}

    @put("/charge-point-faults", status_code=200)
    async def faults(
        self, request: Request[Any, Any, Any], data: JSONBody[Fault]
    ) -> dict[str, Any]:
        """A charge point that does not answer: its commands end in TIMEOUT."""
        backend = backend_of(request)
        if data.no_answer:
            backend.no_answer.add(data.evse_uid.upper())
        else:
            backend.no_answer.discard(data.evse_uid.upper())
        return {"evse_uid": data.evse_uid, "no_answer": data.no_answer}
