"""The eMSP's admin API under `/admin/emsp` (beside the platform's `/admin`): exchanges and
findings, faults, our Tokens, commands, ChargingProfiles requests, pulls and what CPOs pushed.
Same bearer guard as the platform's admin API; plain JSON bodies."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from simulator.emsp import outbound
from simulator.emsp.faults import UnknownFault
from simulator.emsp.pull import PULLABLE, pull
from simulator.emsp.services import Emsp, emsp_of
from simulator.platform.admin import SECURITY_SCHEME, require_admin
from simulator.platform.clock import parse_ocpi_datetime
from simulator.platform.documents import OWN
from simulator.platform.errors import GenericClientError

#: /admin/emsp/objects/{kind}: what partners pushed (or we pulled), by document kind.
OBJECT_KINDS = {
    "locations": "location", "sessions": "session", "cdrs": "cdr", "tariffs": "tariff",
    "clientinfo": "clientinfo", "activeprofiles": "activeprofile",
}  # fmt: skip
JsonObject = JSONBody[dict[str, Any]]


class EmspAdminController(Controller):
    path = "/admin/emsp"
    guards = [require_admin]  # noqa: RUF012
    security = [{SECURITY_SCHEME: []}]  # noqa: RUF012
    tags = ["emsp"]  # noqa: RUF012

    # --- recorder -----------------------------------------------------------------------------

    @get("/exchanges")
    async def exchanges(
        self,
        request: Request[Any, Any, Any],
        module: FromQuery[str | None] = None,
        since: FromQuery[str | None] = None,
        direction: FromQuery[str | None] = None,
    ) -> list[dict[str, Any]]:
        """Recorded exchanges, oldest first; `since` an exchange id (exclusive) or a DateTime."""
        after: int | Any = None
        if since:
            try:
                after = int(since) if since.isdigit() else parse_ocpi_datetime(since)
            except ValueError as exc:
                raise GenericClientError("since: an exchange id or an OCPI DateTime") from exc
        if direction not in (None, "in", "out"):
            raise GenericClientError("direction: in or out")
        found = emsp_of(request).recorder.exchanges(module, after, direction)  # type: ignore[arg-type]
        return [e.view() for e in found]

    @get("/findings")
    async def findings(
        self, request: Request[Any, Any, Any], module: FromQuery[str | None] = None
    ) -> list[dict[str, Any]]:
        """Contract violations by partners, with the exchange each was found in."""
        return [f.view() for f in emsp_of(request).recorder.findings(module)]

    # --- faults ---------------------------------------------------------------------------------

    @get("/faults")
    async def faults(self, request: Request[Any, Any, Any]) -> dict[str, bool]:
        """Which fault modes are on (`slow`, `5xx`, `timeout`, ...: simulator/emsp/faults.py)."""
        return emsp_of(request).faults.state()

    @put("/faults")
    async def set_faults(
        self, request: Request[Any, Any, Any], data: JSONBody[dict[str, bool]]
    ) -> dict[str, bool]:
        """`{"slow": true, "5xx": false}`: switch modes on and off (simulator/emsp/faults.py)."""
        try:
            return emsp_of(request).faults.update(data)
        except UnknownFault as exc:
            raise GenericClientError(str(exc)) from exc

    # --- tokens ---------------------------------------------------------------------------------

    @put("/tokens/{uid:str}")
    async def put_token(
        self,
        request: Request[Any, Any, Any],
        uid: FromPath[str],
        data: JsonObject,
        token_type: Annotated[str | None, QueryParameter(name="type")] = None,
    ) -> dict[str, Any]:
        """Create or replace one of our Tokens (Token fields; ours filled in) and queue its push
        to every registered CPO; `allowed`, `denied_evse_uids`, `denied_location_ids`,
        `location_required` steer what authorize answers."""
        return await outbound.put_token(emsp_of(request), uid, token_type, data)

    @patch("/tokens/{uid:str}")
    async def patch_token(
        self,
        request: Request[Any, Any, Any],
        uid: FromPath[str],
        data: JsonObject,
        token_type: Annotated[str | None, QueryParameter(name="type")] = None,
    ) -> dict[str, Any]:
        """Change some fields of one of our Tokens (`{"valid": false}`): stored with a new
        last_updated, and a PATCH of the changed fields and last_updated queued to every
        registered CPO (§12.2.1.3); the policy fields as for PUT, never pushed."""
        return await outbound.patch_token(emsp_of(request), uid, token_type, data)

    @get("/tokens")
    async def tokens(self, request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
        """Our own Tokens, as the Tokens Sender serves them to CPOs (§12.2.2)."""
        return await _all(emsp_of(request), "token", [OWN])

    # --- commands -------------------------------------------------------------------------------

    @post("/commands/{command:str}", status_code=200)
    async def command(
        self,
        request: Request[Any, Any, Any],
        command: FromPath[str],
        partner: FromQuery[str],
        data: JsonObject,
    ) -> dict[str, Any]:
        """Send a command to the CPO `partner` (the body without response_url; `token` may be
        the uid of one of our Tokens). Returns the record with the CommandResponse."""
        return await outbound.send_command(emsp_of(request), partner, command, data)

    @get("/commands/{ref:str}")
    async def command_record(
        self, request: Request[Any, Any, Any], ref: FromPath[str]
    ) -> dict[str, Any]:
        """A command's record: request, CommandResponse, CommandResult(s) when arrived."""
        return await outbound.command_record(emsp_of(request), ref)

    # --- charging profiles ------------------------------------------------------------------------

    @put("/chargingprofiles/{session_id:str}")
    async def set_profile(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[str],
        partner: FromQuery[str],
        data: JsonObject,
    ) -> dict[str, Any]:
        """`{"charging_profile": {...}}`: SetChargingProfile on the CPO (§14.4.1.2)."""
        return await outbound.charging_profile(
            emsp_of(request), partner, "PUT", session_id,
            charging_profile=data.get("charging_profile"),
        )  # fmt: skip

    @get("/chargingprofiles/{session_id:str}")
    async def get_profile(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[str],
        partner: FromQuery[str],
        duration: Annotated[int, QueryParameter(gt=0)],
    ) -> dict[str, Any]:
        """Ask the CPO for the ActiveChargingProfile (§14.4.1.1)."""
        return await outbound.charging_profile(
            emsp_of(request), partner, "GET", session_id, duration=duration
        )

    @delete("/chargingprofiles/{session_id:str}", status_code=200)
    async def clear_profile(
        self, request: Request[Any, Any, Any], session_id: FromPath[str], partner: FromQuery[str]
    ) -> dict[str, Any]:
        """Clear the profile on the CPO (§14.4.1.3)."""
        return await outbound.charging_profile(emsp_of(request), partner, "DELETE", session_id)

    @get("/chargingprofile-requests/{ref:str}")
    async def profile_record(
        self, request: Request[Any, Any, Any], ref: FromPath[str]
    ) -> dict[str, Any]:
        """One charging-profile request we sent (`ref` from PUT or GET chargingprofiles): the
        request, the CPO's ChargingProfileResponse, and later its result on our response_url."""
        return await outbound.profile_record(emsp_of(request), ref)

    # --- pull and what we hold --------------------------------------------------------------------

    @post("/pull", status_code=200)
    async def pull(
        self,
        request: Request[Any, Any, Any],
        partner: FromQuery[str],
        module: FromQuery[str | None] = None,
    ) -> list[dict[str, Any]]:
        """Pull one module (or all four) from the CPO `partner`, following Link headers."""
        modules = [module] if module else list(PULLABLE)
        if any(m not in PULLABLE for m in modules):
            raise GenericClientError(f"module must be one of {list(PULLABLE)}")
        emsp = emsp_of(request)
        return [(await pull(emsp, partner, m)).view() for m in modules]

    @get("/objects/{kind:str}")
    async def objects(
        self,
        request: Request[Any, Any, Any],
        kind: FromPath[str],
        partner: FromQuery[str | None] = None,
    ) -> list[dict[str, Any]]:
        """What partners pushed or we pulled: locations, sessions, cdrs, tariffs, clientinfo,
        activeprofiles; of one partner or all."""
        if kind not in OBJECT_KINDS:
            raise GenericClientError(f"kind must be one of {list(OBJECT_KINDS)}")
        emsp = emsp_of(request)
        origins = (
            [partner] if partner else [p.id for p in await emsp.platform.registration.partners()]
        )
        return await _all(emsp, OBJECT_KINDS[kind], origins)


async def _all(emsp: Emsp, kind: FromPath[str], origins: list[str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = await emsp.platform.documents.page(kind, origins, offset=len(items), limit=500)
        items.extend(page.items)
        if not page.items or len(items) >= page.total:
            return items
