"""ChargingProfiles, Receiver interface (§14.2.1) under /ocpi/cpo/2.2.1/chargingprofiles.

GET, PUT and DELETE `/{session_id}` answer at once with a ChargingProfileResponse; the EVSE's
answer follows as ActiveChargingProfileResult, ChargingProfileResult or ClearProfileResult
POSTed to `response_url`. After a successful set, every change of the ActiveChargingProfile is
PUT to the Sender's endpoint (rule 82); never for sessions without one.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery

from simulator.cpo.backend import Backend, backend_of
from simulator.cpo.backend.service import owned_by
from simulator.cpo.backend.sessions import LiveSession
from simulator.platform.errors import InvalidParameters
from simulator.platform.planted import planted
from simulator.platform.transport import Caller, authenticate_partner, envelope, json_body
from specs import contract

Reply = Response[dict[str, Any]]


def _url(value: str | None, name: str) -> str:
    if not value:
        raise InvalidParameters(f"{name} is required (§14.2.1)")
    if contract.errors(value, "URL"):
        raise InvalidParameters(f"{name} is not a URL")
    return value


class ChargingProfilesController(Controller):
    path = "/ocpi/cpo/2.2.1/chargingprofiles"
    dependencies = {"caller": Provide(authenticate_partner)}  # noqa: RUF012

    def _reply(self, backend: Backend, result: str) -> Reply:
        data = {"result": result, "timeout": backend.settings.command_timeout_seconds}
        assert contract.errors(data, "ChargingProfileResponse") == []
        return Response(envelope(backend.platform, data))

    async def _session(
        self, backend: Backend, caller: Caller, session_id: str
    ) -> tuple[LiveSession | None, str | None]:
        """(the live session, None) or (None, the ChargingProfileResponseType refusal)."""
        stored = await backend.session(session_id)
        if stored is None:
            return None, "UNKNOWN_SESSION"
        assert caller.partner is not None
        if not owned_by(caller.partner, stored):
            return None, "REJECTED"
        live = backend.live_session(session_id)
        if live is None or live.status not in {"PENDING", "ACTIVE"}:
            return None, "REJECTED"
        return live, None

    @get("/{session_id:str}")
    async def active(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[str],
        caller: NamedDependency[Caller],
        duration: FromQuery[int | None] = None,
        response_url: FromQuery[str | None] = None,
    ) -> Reply:
        """§14.2.1.1: the ActiveChargingProfile for `duration` seconds, via response_url."""
        if duration is None or duration < 0:
            raise InvalidParameters("duration (seconds) is required (§14.2.1)")
        url = _url(response_url, "response_url")
        backend = backend_of(request)
        live, refusal = await self._session(backend, caller, session_id)
        if live is None:
            return self._reply(backend, refusal or "REJECTED")
        assert caller.partner is not None

        async def action() -> dict[str, Any]:
            result = {"result": "ACCEPTED", "profile": backend.active_profile(live, duration)}
            assert contract.errors(result, "ActiveChargingProfileResult") == []
            return result

        backend.run_on_charge_point(live.evse["uid"], caller.partner.id, url, action)
        return self._reply(backend, "ACCEPTED")

    @put("/{session_id:str}", status_code=200)
    async def set_profile(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[str],
        caller: NamedDependency[Caller],
    ) -> Reply:
        """§14.2.1.2: SetChargingProfile; ChargingProfileResult, then the active profile."""
        body = await json_body(request)
        problems = contract.errors(body, "SetChargingProfile")
        if problems:
            raise InvalidParameters("invalid SetChargingProfile: " + "; ".join(problems[:5]))
        backend = backend_of(request)
        live, refusal = await self._session(backend, caller, session_id)
        if live is None:
            return self._reply(backend, refusal or "REJECTED")
        assert caller.partner is not None
        partner_id = caller.partner.id

        async def action() -> None:
            await backend.set_profile(live, partner_id, body["charging_profile"])
            if not planted(backend.platform, "profile_result_never_sent"):
                await backend.post_result(partner_id, body["response_url"], {"result": "ACCEPTED"})
            await backend.push_active_profile(live)

        backend.run_on_charge_point(live.evse["uid"], partner_id, body["response_url"], action)
        return self._reply(backend, "ACCEPTED")

    @delete("/{session_id:str}", status_code=200)
    async def clear_profile(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[str],
        caller: NamedDependency[Caller],
        response_url: FromQuery[str | None] = None,
    ) -> Reply:
        """§14.2.1.3: clear; ClearProfileResult, then the EVSE maximum (rule 83)."""
        url = _url(response_url, "response_url")
        backend = backend_of(request)
        live, refusal = await self._session(backend, caller, session_id)
        if live is None:
            return self._reply(backend, refusal or "REJECTED")
        assert caller.partner is not None
        partner_id = caller.partner.id

        async def action() -> None:
            cleared = await backend.clear_profile(live)
            await backend.post_result(
                partner_id, url, {"result": "ACCEPTED" if cleared else "UNKNOWN"}
            )
            if cleared:
                await backend.push_active_profile(live)

        backend.run_on_charge_point(live.evse["uid"], partner_id, url, action)
        return self._reply(backend, "ACCEPTED")
