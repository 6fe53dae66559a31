"""The admin API under `/admin`: bootstrap tokens, the audit trail, partners, the outbox.

Guarded by `Authorization: Bearer <ADMIN_TOKEN>`; plain JSON bodies (not the OCPI envelope),
but errors are rendered by the platform's one error handler, so they are OCPI envelopes. Every
mutating call is audited as `admin.action` with the action name, never a secret.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, JSONBody, Parameter

from simulator.platform import audit
from simulator.platform.audit import RequestContext
from simulator.platform.errors import GenericClientError, NotFound, OcpiError, Unauthorized
from simulator.platform.outbox import outbox_state, recent_events, retry_failing
from simulator.platform.registration import RegistrationFailed
from simulator.platform.services import Platform
from simulator.platform.tables import Partner

ADMIN_PATH = "/admin"
SECURITY_SCHEME = "AdminBearer"

CountryCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z]{2}$")]
PartyId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9]{3}$")]


class PartnerUnreachable(OcpiError):
    """3001 in HTTP 502: the handshake we started with a partner failed (§7.1.1)."""

    ocpi_status = 3001
    http_status = 502


class RevokeBootstrapToken(msgspec.Struct, forbid_unknown_fields=True):
    """A bootstrap token to revoke, by its value."""

    token: Annotated[str, msgspec.Meta(min_length=1, max_length=512)]


class CreateBootstrapToken(msgspec.Struct, forbid_unknown_fields=True):
    """A new CREDENTIALS_TOKEN_A; with an expected party, only that party may redeem it."""

    ttl_seconds: Annotated[int, msgspec.Meta(gt=0)] = 3600
    label: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    expected_country_code: CountryCode | None = None
    expected_party_id: PartyId | None = None


class CreatedBootstrapToken(msgspec.Struct):
    """The only response that ever shows the token."""

    id: str
    token: str
    expires_at: str
    versions_url: str


class RegisterWithPartner(msgspec.Struct, forbid_unknown_fields=True):
    """Start the handshake as client (§7.1.1): the partner's versions URL and its TOKEN_A."""

    versions_url: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    token: Annotated[str, msgspec.Meta(pattern=r"^[\x21-\x7E]{1,64}$")]


def _context(connection: ASGIConnection[Any, Any, Any, Any]) -> RequestContext:
    client = connection.client.host if connection.client else None
    return RequestContext(
        client_address=client, request_id=connection.scope["state"].get("request_id")
    )


def _platform(connection: ASGIConnection[Any, Any, Any, Any]) -> Platform:
    platform: Platform = connection.app.state.platform
    return platform


async def require_admin(
    connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
) -> None:
    """Guard: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time."""
    platform = _platform(connection)
    expected = platform.settings.admin_token
    scheme, _, offered = connection.headers.get("authorization", "").partition(" ")
    if (
        expected is None
        or not expected.get_secret_value()
        or scheme.lower() != "bearer"
        or not hmac.compare_digest(offered.encode(), expected.get_secret_value().encode())
    ):
        await platform.audit.record(audit.AUTH_REJECTED, _context(connection), reason="admin")
        raise Unauthorized("admin API: missing or wrong bearer token", reason="admin")


async def _action(
    request: Request[Any, Any, Any], action: str, *, reason: str | None = None, **fields: Any
) -> None:
    await _platform(request).audit.record(
        audit.ADMIN_ACTION, _context(request), reason=reason, detail={"action": action}, **fields
    )


def partner_view(partner: Partner) -> dict[str, Any]:
    """A partner for the admin: metadata only, never a token nor a token hash."""
    return {
        "id": partner.id,
        "status": partner.status,
        "initiated_by": partner.initiated_by,
        "versions_url": partner.versions_url,
        "version": partner.version,
        "roles": partner.roles,
        "endpoints": partner.endpoints,
        "created_at": partner.created_at.isoformat(),
        "updated_at": partner.updated_at.isoformat(),
    }


class AdminController(Controller):
    """Operator endpoints; documented in the OpenAPI page at /schema."""

    path = ADMIN_PATH
    guards = [require_admin]  # noqa: RUF012
    security = [{SECURITY_SCHEME: []}]  # noqa: RUF012
    tags = ["admin"]  # noqa: RUF012

    # --- bootstrap tokens (§7.1.1 CREDENTIALS_TOKEN_A) ----------------------------------------

    @post("/bootstrap-tokens", status_code=201)
    async def create_token(
        self, request: Request[Any, Any, Any], data: JSONBody[CreateBootstrapToken]
    ) -> CreatedBootstrapToken:
        """Mint a bootstrap token; the response is the only time it is shown."""
        if (data.expected_country_code is None) != (data.expected_party_id is None):
            raise GenericClientError("give both expected_country_code and expected_party_id")
        platform = _platform(request)
        expected = (
            (data.expected_country_code, data.expected_party_id)
            if data.expected_country_code and data.expected_party_id
            else None
        )
        minted = await platform.bootstrap.create(
            timedelta(seconds=data.ttl_seconds),
            _context(request),
            label=data.label,
            expected_party=expected,
        )
        await _action(request, "bootstrap_token.create", token_id=minted.id)
        return CreatedBootstrapToken(
            id=minted.id,
            token=minted.token,
            expires_at=minted.expires_at.isoformat(),
            versions_url=platform.settings.versions_url,
        )

    @get("/bootstrap-tokens")
    async def list_tokens(self, request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
        """Every bootstrap token's metadata and state (never the token nor its hash)."""
        return await _platform(request).bootstrap.listing()

    @post("/bootstrap-tokens/{token_id:str}/revoke", status_code=200)
    async def revoke_token(
        self, request: Request[Any, Any, Any], token_id: FromPath[str]
    ) -> dict[str, bool]:
        """Revoke a token; `revoked` is false when it already was."""
        platform = _platform(request)
        if token_id not in {row["id"] for row in await platform.bootstrap.listing()}:
            raise NotFound(f"no bootstrap token {token_id}")
        revoked = await platform.bootstrap.revoke(token_id, _context(request))
        await _action(request, "bootstrap_token.revoke", token_id=token_id)
        return {"revoked": revoked}

    @post("/bootstrap-tokens/revocations", status_code=200)
    async def revoke_by_value(
        self, request: Request[Any, Any, Any], data: JSONBody[RevokeBootstrapToken]
    ) -> dict[str, bool]:
        """Revoke the unused bootstrap token given in the body (for a partner's revoke hook,
        which knows the token, not its id; in the body so that it never lands in a URL log)."""
        platform = _platform(request)
        row = await platform.bootstrap.find_usable(data.token)
        if row is None:
            raise NotFound("no usable bootstrap token with that value")
        revoked = await platform.bootstrap.revoke(row.id, _context(request))
        await _action(request, "bootstrap_token.revoke", token_id=row.id)
        return {"revoked": revoked}

    @delete("/bootstrap-tokens/expired", status_code=200)
    async def purge_expired(self, request: Request[Any, Any, Any]) -> dict[str, int]:
        """Delete expired, never-redeemed tokens (their history stays in the audit trail)."""
        deleted = await _platform(request).bootstrap.purge_expired(_context(request))
        await _action(request, "bootstrap_token.purge_expired")
        return {"deleted": deleted}

    # --- audit trail --------------------------------------------------------------------------

    @get("/audit")
    async def audit_trail(
        self,
        request: Request[Any, Any, Any],
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
        event: Annotated[str | None, Parameter(max_length=40)] = None,
    ) -> list[dict[str, Any]]:
        """The most recent audit events, newest first, optionally of one event name."""
        return await _platform(request).audit.recent(limit=limit, event=event)

    # --- partners (§7: we as the client) -------------------------------------------------------

    @get("/partners")
    async def list_partners(self, request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
        """Every partner, in any status; never a token nor a token hash."""
        return [partner_view(p) for p in await _platform(request).registration.partners()]

    @post("/partners", status_code=201)
    async def register_with(
        self, request: Request[Any, Any, Any], data: JSONBody[RegisterWithPartner]
    ) -> dict[str, Any]:
        """Register with a partner using the TOKEN_A it issued us (§7.1.1); 502 on failure."""
        registration = _platform(request).registration
        try:
            partner = await registration.register_with(
                data.versions_url, data.token, _context(request)
            )
        except RegistrationFailed as exc:
            await _action(request, "partner.register", reason="failed")
            raise PartnerUnreachable(f"registration failed: {exc}") from exc
        await _action(request, "partner.register", partner_id=partner.id)
        return partner_view(partner)

    @post("/partners/{partner_id:str}/refresh", status_code=200)
    async def refresh(
        self, request: Request[Any, Any, Any], partner_id: FromPath[str]
    ) -> dict[str, Any]:
        """PUT our credentials to the partner: new tokens both ways (§7.2.3)."""
        registration = _platform(request).registration
        await _known_partner(request, partner_id)
        try:
            partner = await registration.refresh(partner_id, _context(request))
        except RegistrationFailed as exc:
            await _action(request, "partner.refresh", reason="failed", partner_id=partner_id)
            raise PartnerUnreachable(f"refresh failed: {exc}") from exc
        await _action(request, "partner.refresh", partner_id=partner_id)
        return partner_view(partner)

    @delete("/partners/{partner_id:str}", status_code=200)
    async def unregister(
        self, request: Request[Any, Any, Any], partner_id: FromPath[str]
    ) -> dict[str, Any]:
        """DELETE our registration at the partner, then forget its tokens (§7.2.4)."""
        registration = _platform(request).registration
        await _known_partner(request, partner_id)
        try:
            await registration.unregister_from(partner_id, _context(request))
        except RegistrationFailed as exc:
            await _action(request, "partner.unregister", reason="failed", partner_id=partner_id)
            raise PartnerUnreachable(f"unregister failed: {exc}") from exc
        await _action(request, "partner.unregister", partner_id=partner_id)
        return {"unregistered": True}

    # --- outbox (pushes to partners) -----------------------------------------------------------

    @get("/outbox")
    async def outbox(
        self,
        request: Request[Any, Any, Any],
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
    ) -> dict[str, Any]:
        """Event counts by state (pending, delivered, failing), overall and per partner, and
        the latest events, newest first, without their bodies."""
        platform = _platform(request)
        state = await outbox_state(platform.database, platform.clock.now())
        return {
            "counts": state.total.as_dict(),
            "partners": {pid: counts.as_dict() for pid, counts in state.partners.items()},
            "events": await recent_events(platform.database, limit),
        }

    @post("/outbox/retry", status_code=200)
    async def retry_outbox(self, request: Request[Any, Any, Any]) -> dict[str, int]:
        """Make every failing event due now (an attempt in flight is left to finish)."""
        platform = _platform(request)
        retried = await retry_failing(platform.database, platform.clock.now())
        await _action(request, "outbox.retry")
        return {"retried": retried}


async def _known_partner(request: Request[Any, Any, Any], partner_id: str) -> Partner:
    partner = await _platform(request).registration.partner(partner_id)
    if partner is None:
        raise NotFound(f"no partner {partner_id}")
    return partner
