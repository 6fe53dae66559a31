"""The eMSP's Sender interfaces: Tokens (§12.2.2), and the callbacks of the asynchronous
modules it drives: CommandResult at a command's `response_url` (§13.2.2), ChargingProfile
results at theirs and ActiveChargingProfile updates (§14.4.2).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter

from simulator.emsp.services import BASE, emsp_of, partner_of, refuse, validate
from simulator.platform.clock import ocpi_datetime
from simulator.platform.documents import OWN, Key
from simulator.platform.errors import (
    InvalidParameters,
    NotEnoughInformation,
    NotFound,
    UnknownToken,
)
from simulator.platform.pagination import list_response
from simulator.platform.planted import planted
from simulator.platform.transport import (
    Caller,
    authenticate_partner,
    json_body,
    ocpi_response,
    platform_of,
)
from specs import contract

if TYPE_CHECKING:
    from simulator.platform.services import Platform

Reply = Response[dict[str, Any]]
AUTH = {"caller": Provide(authenticate_partner)}
TokenTypeParam = Annotated[str, QueryParameter(name="type")]

#: The request schema of each command (§13.3), by CommandType.
COMMAND_SCHEMAS = {
    "START_SESSION": "StartSession",
    "STOP_SESSION": "StopSession",
    "RESERVE_NOW": "ReserveNow",
    "CANCEL_RESERVATION": "CancelReservation",
    "UNLOCK_CONNECTOR": "UnlockConnector",
}
#: The result schema the CPO POSTs after our GET, PUT or DELETE (§14.5).
PROFILE_RESULT_SCHEMAS = {
    "GET": "ActiveChargingProfileResult",
    "PUT": "ChargingProfileResult",
    "DELETE": "ClearProfileResult",
}


async def _stale_refusal(platform: Platform, partner: str, references: dict[str, Any]) -> str:
    """The planted fault `emsp_authorize_on_evse_status`: NOT_ALLOWED when the Location the CPO
    pushed us says its asked EVSEs are out of order (what §12.1.3 forbids)."""
    location = await platform.documents.find("location", partner, references["location_id"])
    asked = {str(uid).upper() for uid in references.get("evse_uids") or []}
    broken = [e for e in (location or {}).get("evses") or []
              if str(e.get("uid")).upper() in asked
              and e.get("status") in ("OUTOFORDER", "INOPERATIVE")]  # fmt: skip
    return "NOT_ALLOWED" if broken else "ALLOWED"


class TokensSender(Controller):
    """GET the eMSP's Tokens (paginated, §12.2.2.1); POST real-time authorization (§12.2.2.2)."""

    path = f"{BASE}/tokens"
    dependencies = AUTH
    M = "tokens"

    @get()
    async def list_tokens(
        self, request: Request[Any, Any, Any], caller: NamedDependency[Caller]
    ) -> Response[bytes]:
        """§12.2.2.1, §4.1.4.1: offset, limit, date_from, date_to; Link to the next page."""
        partner_of(request, caller)
        return await list_response(request, "token", [OWN])

    @post("/{token_uid:str}/authorize", status_code=200)
    async def authorize(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        token_uid: FromPath[str],
        token_type: TokenTypeParam = "RFID",  # noqa: S107
    ) -> Reply:
        """§12.2.2.2: AuthorizationInfo; unknown Token: HTTP 404 + 2004 without data."""
        partner_of(request, caller)
        platform, emsp = platform_of(request), emsp_of(request)
        references = None
        if await request.body():
            references = await json_body(request)
            if references is not None:
                validate(request, references, "LocationReferences", self.M, "12.2.2.2")
        key = Key("token", OWN, emsp.country_code, emsp.party_id, token_uid, token_type)
        token = await platform.documents.get(key)
        if token is None:
            raise UnknownToken(f"unknown Token {token_uid} of type {token_type}")
        policy = (
            await platform.documents.get(
                Key("tokenpolicy", OWN, emsp.country_code, emsp.party_id, token_uid, token_type)
            )
            or {}
        )
        if not references and planted(platform, "emsp_location_required_2001"):
            raise InvalidParameters("LocationReferences are required")
        if policy.get("location_required") and not references:
            raise NotEnoughInformation("this Token needs LocationReferences (§12.2.2.2: 2002)")
        info: dict[str, Any] = {"token": token}
        allowed = policy.get("allowed")
        if allowed is None:
            allowed = "ALLOWED" if token.get("valid") else "BLOCKED"
        if (
            references
            and allowed == "ALLOWED"
            and planted(platform, "emsp_authorize_on_evse_status")
        ):
            allowed = await _stale_refusal(platform, partner_of(request, caller).id, references)
        if references and allowed == "ALLOWED":
            denied = {uid.upper() for uid in policy.get("denied_evse_uids") or []}
            if policy.get("denied_location_ids") and references["location_id"].upper() in {
                lid.upper() for lid in policy["denied_location_ids"]
            }:
                allowed = "NOT_ALLOWED"
            else:
                asked = list(references.get("evse_uids") or [])
                kept = [uid for uid in asked if uid.upper() not in denied]
                if asked and not kept:
                    allowed = "NOT_ALLOWED"
                else:
                    echo: dict[str, Any] = {"location_id": references["location_id"]}
                    if asked:
                        echo["evse_uids"] = kept
                    info["location"] = echo
        info["allowed"] = allowed
        if allowed == "ALLOWED":
            info["authorization_reference"] = uuid.uuid4().hex[:36]
        return ocpi_response(request, {k: info[k] for k in sorted(info)})


class CommandResults(Controller):
    """§13.2.2: the CommandResult of an earlier command, at the `response_url` we gave."""

    path = f"{BASE}/commands"
    dependencies = AUTH
    M = "commands"

    @post("/{command:str}/{result_ref:str}", status_code=200)
    async def result(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        command: FromPath[str],
        result_ref: FromPath[str],
    ) -> Reply:
        partner = partner_of(request, caller)
        platform, emsp = platform_of(request), emsp_of(request)
        body = await json_body(request)
        key = Key("command", partner.id, emsp.country_code, emsp.party_id, result_ref)
        async with platform.database.transaction() as session:
            record = await platform.documents.get(key, session)
            if record is None or record.get("command") != command:
                raise NotFound(f"no {command} request {result_ref} sent to you")
            schema = "CommandResult"
            if planted(platform, "emsp_command_result_refused"):
                schema = "CommandResponse"  # the synchronous answer's schema, not the result's
            validate(request, body, schema, self.M, "13.2.2")
            now = platform.clock.now()
            record["result"] = body
            record["results"] = [*record.get("results", []), body]
            record["last_updated"] = ocpi_datetime(now)
            await platform.documents.put(key, record, session)
        return ocpi_response(request)


class ChargingProfileCallbacks(Controller):
    """§14.4.2: results of our GET/PUT/DELETE, and ActiveChargingProfile updates; both are
    answered with `data` omitted (rule 81)."""

    path = f"{BASE}/chargingprofiles"
    dependencies = AUTH
    M = "chargingprofiles"

    @post("/results/{result_ref:str}", status_code=200)
    async def result(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        result_ref: FromPath[str],
    ) -> Reply:
        """§14.4.2.1: the schema follows the request: ActiveChargingProfileResult after GET,
        ChargingProfileResult after PUT, ClearProfileResult after DELETE."""
        partner = partner_of(request, caller)
        platform, emsp = platform_of(request), emsp_of(request)
        body = await json_body(request)
        key = Key("cprequest", partner.id, emsp.country_code, emsp.party_id, result_ref)
        async with platform.database.transaction() as session:
            record = await platform.documents.get(key, session)
            if record is None:
                raise NotFound(f"no ChargingProfiles request {result_ref} sent to you")
            schema = PROFILE_RESULT_SCHEMAS[record["method"]]
            problems = contract.errors(body, schema)
            if problems:
                raise refuse(request, self.M, "14.4.2.1", f"invalid {schema}", problems)
            record["result"] = body
            record["last_updated"] = ocpi_datetime(platform.clock.now())
            await platform.documents.put(key, record, session)
        return ocpi_response(request)

    @put("/{session_id:str}")
    async def active_profile(
        self,
        request: Request[Any, Any, Any],
        caller: NamedDependency[Caller],
        session_id: FromPath[str],
    ) -> Reply:
        """§14.4.2.2: the CPO's ActiveChargingProfile of a session."""
        partner = partner_of(request, caller)
        platform, emsp = platform_of(request), emsp_of(request)
        body = validate(
            request, await json_body(request), "ActiveChargingProfile", self.M, "14.4.2.2"
        )
        key = Key("activeprofile", partner.id, emsp.country_code, emsp.party_id, session_id)
        record = {
            "session_id": session_id,
            "active_charging_profile": body,
            "last_updated": ocpi_datetime(platform.clock.now()),
        }
        await platform.documents.put(key, record)
        return ocpi_response(request)


SENDERS = [TokensSender, CommandResults, ChargingProfileCallbacks]
