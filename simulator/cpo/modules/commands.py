"""Commands, Receiver interface (§13.2.1): POST /ocpi/cpo/2.2.1/commands/{command}.

The answer is the CPO's own verdict, at once (CommandResponse with a timeout); the charge
point's answer follows as a CommandResult POSTed to `response_url` (§13.1). The CPO does not
validate the Token of START_SESSION or RESERVE_NOW (§13.3.4, §13.3.5, rule 74).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath

from simulator.cpo.backend import Backend, backend_of
from simulator.cpo.backend.charge_points import capabilities, find_connector, find_evse
from simulator.cpo.backend.service import owned_by
from simulator.platform.clock import parse_ocpi_datetime
from simulator.platform.errors import InvalidParameters
from simulator.platform.planted import planted
from simulator.platform.transport import Caller, authenticate_partner, envelope, json_body
from specs import contract

SCHEMAS = {
    "START_SESSION": "StartSession",
    "STOP_SESSION": "StopSession",
    "RESERVE_NOW": "ReserveNow",
    "CANCEL_RESERVATION": "CancelReservation",
    "UNLOCK_CONNECTOR": "UnlockConnector",
}
TIMEOUT = {"result": "TIMEOUT"}


def _owns(caller: Caller, session: dict[str, Any]) -> bool:
    assert caller.partner is not None
    return owned_by(caller.partner, session)


class CommandsController(Controller):
    path = "/ocpi/cpo/2.2.1/commands"
    dependencies = {"caller": Provide(authenticate_partner)}  # noqa: RUF012

    @post("/{command:str}", status_code=200)
    async def receive(
        self,
        request: Request[Any, Any, Any],
        command: FromPath[str],
        caller: NamedDependency[Caller],
    ) -> Response[dict[str, Any]]:
        """§13.2.1: validate the body against the command's schema (2001), answer at once."""
        schema = SCHEMAS.get(command)
        if schema is None:
            raise InvalidParameters(f"unknown command {command!r} (§13.4.3 CommandType)")
        body = await json_body(request)
        problems = contract.errors(body, schema)
        if problems:
            raise InvalidParameters(f"invalid {schema}: " + "; ".join(problems[:5]))
        backend = backend_of(request)
        handler = getattr(self, f"_{command.lower()}")
        result, ocpi_status, message = await handler(backend, caller, body)
        data = {"result": result, "timeout": backend.settings.command_timeout_seconds}
        assert contract.errors(data, "CommandResponse") == []
        return Response(envelope(backend.platform, data, ocpi_status, message))

    async def _location(self, backend: Backend, body: dict[str, Any]) -> dict[str, Any] | None:
        return await backend.catalogue.location(body["location_id"])

    async def _start_session(
        self, backend: Backend, caller: Caller, body: dict[str, Any]
    ) -> tuple[str, int, str | None]:
        if body.get("connector_id") and not body.get("evse_uid"):
            raise InvalidParameters("evse_uid is required when connector_id is set (§13.3.5)")
        location = await self._location(backend, body)
        if location is None:
            return "REJECTED", 2003, "unknown location"
        if body.get("evse_uid"):
            evse = find_evse(location, body["evse_uid"])
            if evse is None:
                return "REJECTED", 1000, "unknown EVSE"
        else:
            evse = next(
                (
                    e
                    for e in location.get("evses") or []
                    if "REMOTE_START_STOP_CAPABLE" in capabilities(e)
                    and e.get("status") == "AVAILABLE"
                    and "START_SESSION_CONNECTOR_REQUIRED" not in capabilities(e)
                ),
                None,
            )
            if evse is None:
                return "REJECTED", 1000, "no EVSE can start a session"
        caps = capabilities(evse)
        if "START_SESSION_CONNECTOR_REQUIRED" in caps and not body.get("connector_id"):
            raise InvalidParameters("this EVSE requires connector_id (§13.3.5)")
        if "REMOTE_START_STOP_CAPABLE" not in caps:
            return "NOT_SUPPORTED", 1000, "EVSE not REMOTE_START_STOP_CAPABLE"
        if body.get("connector_id") and find_connector(evse, body["connector_id"]) is None:
            return "REJECTED", 1000, "unknown connector"
        token = body.get("token") or {}
        if (
            planted(backend.platform, "start_session_checks_token")
            and (await backend.tokens.find_token(str(token.get("uid")), str(token.get("type"))))
            is None
        ):
            return "REJECTED", 1000, "unknown token"
        assert caller.partner is not None

        async def action() -> dict[str, Any] | None:
            result, _ = await backend.start_charging(
                location_id=location["id"],
                evse_uid=evse["uid"],
                connector_id=body.get("connector_id"),
                token=body["token"],
                auth_method="COMMAND",
                authorization_reference=body.get("authorization_reference"),
            )
            if planted(backend.platform, "command_result_never_sent"):
                return None  # the charge point started, and nobody tells the eMSP (§13.1)
            return {"result": result}

        backend.run_on_charge_point(
            evse["uid"], caller.partner.id, body["response_url"], action, TIMEOUT
        )
        return "ACCEPTED", 1000, None

    async def _stop_session(
        self, backend: Backend, caller: Caller, body: dict[str, Any]
    ) -> tuple[str, int, str | None]:
        session = await backend.session(body["session_id"])
        if session is None:
            return "UNKNOWN_SESSION", 1000, None
        if not _owns(caller, session):
            return "REJECTED", 1000, "session of another party"
        live = backend.live_session(body["session_id"])
        if live is None or live.status == "RESERVATION":
            return "REJECTED", 1000, "session is not in progress"
        if "REMOTE_START_STOP_CAPABLE" not in capabilities(live.evse):
            return "NOT_SUPPORTED", 1000, "EVSE not REMOTE_START_STOP_CAPABLE"
        assert caller.partner is not None

        async def action() -> dict[str, Any]:
            stopped = await backend.stop_session(body["session_id"])
            return {"result": "ACCEPTED" if stopped is not None else "REJECTED"}

        backend.run_on_charge_point(
            live.evse["uid"], caller.partner.id, body["response_url"], action, TIMEOUT
        )
        return "ACCEPTED", 1000, None

    async def _reserve_now(
        self, backend: Backend, caller: Caller, body: dict[str, Any]
    ) -> tuple[str, int, str | None]:
        location = await self._location(backend, body)
        if location is None:
            return "REJECTED", 2003, "unknown location"
        if body.get("evse_uid"):
            evse = find_evse(location, body["evse_uid"])
            if evse is None:
                return "REJECTED", 1000, "unknown EVSE"
            if "RESERVABLE" not in capabilities(evse):
                return "NOT_SUPPORTED", 1000, "EVSE not RESERVABLE"
        else:
            reservable = [e for e in location.get("evses") or [] if "RESERVABLE" in capabilities(e)]
            if not reservable:
                return "NOT_SUPPORTED", 1000, "no RESERVABLE EVSE"
            evse = next((e for e in reservable if e.get("status") == "AVAILABLE"), reservable[0])
        if parse_ocpi_datetime(body["expiry_date"]) <= backend.now():
            return "REJECTED", 1000, "expiry_date is in the past"
        assert caller.partner is not None
        partner_id = caller.partner.id

        async def action() -> dict[str, Any]:
            return {"result": await backend.reserve(partner_id, body, evse["uid"])}

        backend.run_on_charge_point(evse["uid"], partner_id, body["response_url"], action, TIMEOUT)
        return "ACCEPTED", 1000, None

    async def _cancel_reservation(
        self, backend: Backend, caller: Caller, body: dict[str, Any]
    ) -> tuple[str, int, str | None]:
        assert caller.partner is not None
        live = backend.reservation_session(caller.partner.id, None, body["reservation_id"])
        evse_uid = live.evse["uid"] if live else None

        async def action() -> dict[str, Any]:
            if live is None or not await backend.cancel_reservation(live, by_cpo=False):
                return {"result": "UNKNOWN_RESERVATION"}
            return {"result": "ACCEPTED"}

        backend.run_on_charge_point(
            evse_uid, caller.partner.id, body["response_url"], action, TIMEOUT
        )
        return "ACCEPTED", 1000, None

    async def _unlock_connector(
        self, backend: Backend, caller: Caller, body: dict[str, Any]
    ) -> tuple[str, int, str | None]:
        location = await self._location(backend, body)
        if location is None:
            return "REJECTED", 2003, "unknown location"
        evse = find_evse(location, body["evse_uid"])
        if evse is None or find_connector(evse, body["connector_id"]) is None:
            return "REJECTED", 1000, "unknown EVSE or connector"
        if "UNLOCK_CAPABLE" not in capabilities(evse):
            return "NOT_SUPPORTED", 1000, "EVSE not UNLOCK_CAPABLE"
        assert caller.partner is not None

        async def action() -> dict[str, Any]:
            return {"result": "ACCEPTED"}

        backend.run_on_charge_point(
            evse["uid"], caller.partner.id, body["response_url"], action, TIMEOUT
        )
        return "ACCEPTED", 1000, None
