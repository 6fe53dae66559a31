"""The credentials module (§7): the handshake as server and as client, update and unregister."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import bindparam, or_, select, update

from simulator.platform import audit
from simulator.platform.audit import AuditLog, RequestContext
from simulator.platform.bootstrap import BootstrapTokens
from simulator.platform.clock import Clock
from simulator.platform.database import Database
from simulator.platform.errors import InvalidParameters, OcpiError, Unauthorized
from simulator.platform.partner_client import (
    Discovery,
    PartnerCallFailed,
    discover,
    send_credentials,
)
from simulator.platform.planted import planted
from simulator.platform.tables import BootstrapToken, Partner
from simulator.platform.tokens_codec import generate_token, hash_token
from specs import contract

if TYPE_CHECKING:
    from simulator.platform.settings import PartySettings


@dataclass(frozen=True)
class OwnIdentity:
    """What we tell partners about ourselves in Credentials (§7.3.1)."""

    versions_url: str
    role: str
    country_code: str
    party_id: str
    business_name: str
    business_website: str | None

    def credentials(self, token: str, *, nulls: bool = False) -> dict[str, Any]:
        """Every field we have; with `nulls`, the optional ones we lack present as null (§2.8:
        `?` may be omitted or null), for a partner that refuses them absent (CRED-019)."""
        details: dict[str, Any] = {"name": self.business_name}
        if self.business_website or nulls:
            details["website"] = self.business_website
        if nulls:
            details["logo"] = None
        return {
            "token": token,
            "url": self.versions_url,
            "roles": [
                {
                    "role": self.role,
                    "business_details": details,
                    "party_id": self.party_id,
                    "country_code": self.country_code,
                }
            ],
        }


# Every authenticated request runs this: built once, so SQLAlchemy compiles it once.
_PARTNER_BY_TOKEN = select(Partner.__table__).where(
    or_(
        Partner.inbound_token_hash == bindparam("digest"),
        Partner.next_inbound_token_hash == bindparam("digest"),
    )
)


class RegistrationFailed(Exception):
    """A handshake we started did not complete."""


def validate_credentials(body: Any) -> dict[str, Any]:
    """The Credentials object of a POST/PUT body, or 2001 with what is wrong (§7.3.1)."""
    problems = contract.errors(body, "Credentials")
    if problems:
        raise InvalidParameters("invalid Credentials: " + "; ".join(problems[:5]))
    keys = [(r["role"], r["party_id"].upper(), r["country_code"].upper()) for r in body["roles"]]
    if len(set(keys)) != len(keys):
        raise InvalidParameters("each (role, party_id, country_code) in roles must be unique")
    return dict(body)


class Registration:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        secret: bytes,
        identity: OwnIdentity,
        tokens: BootstrapTokens,
        log: AuditLog,
        http: httpx.AsyncClient,
        required_modules: tuple[str, ...],
        settings: PartySettings,
    ) -> None:
        self.settings = settings  # what `planted` reads
        self._db = database
        self._clock = clock
        self._secret = secret
        self.identity = identity
        self._tokens = tokens
        self._audit = log
        self._http = http
        self._required = required_modules

    # --- lookups -----------------------------------------------------------------------------

    async def partner_for_token(self, token: str) -> Partner | None:
        """The partner calling with this token (current one, or the next one mid-rotation)."""
        rows = await self._db.read(_PARTNER_BY_TOKEN, {"digest": hash_token(self._secret, token)})
        return Partner(**rows[0]._mapping) if rows else None  # detached: read, never flushed

    async def partners(self) -> list[Partner]:
        async with self._db.transaction() as session:
            return list((await session.scalars(select(Partner).order_by(Partner.created_at))).all())

    async def partner(self, partner_id: str) -> Partner | None:
        async with self._db.transaction() as session:
            return await session.get(Partner, partner_id)

    # --- server side (§7.2) --------------------------------------------------------------------

    def _check_expected_party(self, bootstrap: BootstrapToken, body: dict[str, Any]) -> None:
        if bootstrap.expected_country_code is None:
            return
        wanted = (bootstrap.expected_country_code, bootstrap.expected_party_id)
        offered = {(r["country_code"].upper(), r["party_id"].upper()) for r in body["roles"]}
        if wanted not in offered:
            raise Unauthorized("this token was issued to another party", reason="party_mismatch")

    async def register(
        self, bootstrap: BootstrapToken, body: Any, context: RequestContext
    ) -> dict[str, Any]:
        """POST credentials with TOKEN_A: fetch the client's endpoints with token B, answer C."""
        credentials = validate_credentials(body)
        try:
            self._check_expected_party(bootstrap, credentials)
            if not await self._tokens.redeem(bootstrap.id):
                # Another request redeemed it between authentication and here (the race).
                raise Unauthorized("token already used, expired or revoked", reason="spent")
        except Unauthorized as refused:
            await self._audit.record(
                audit.TOKEN_REJECTED, context, reason=refused.reason, token_id=bootstrap.id
            )
            raise
        try:
            discovery = await discover(
                self._http, credentials["url"], credentials["token"], self._required
            )
        except Exception as exc:
            # The handshake failed on the client's side (or ours): TOKEN_A is given back, so
            # that it can retry until the token expires.
            reason = f"ocpi_{exc.ocpi_status}" if isinstance(exc, OcpiError) else "error"
            message = exc.message if isinstance(exc, OcpiError) else type(exc).__name__
            await self._tokens.release(bootstrap.id, reason, context)
            await self._audit.record(
                audit.REGISTRATION_FAILED,
                context,
                reason=reason,
                token_id=bootstrap.id,
                detail={"message": message},
            )
            raise
        token_c, now = generate_token(), self._clock.now()
        if planted(self, "credentials_echo_client_token"):
            token_c = credentials["token"]  # the client's token B handed back as token C
        partner = Partner(
            id=str(uuid.uuid4()),
            status="registered",
            initiated_by="partner",
            versions_url=credentials["url"],
            version=discovery.version,
            endpoints=discovery.endpoints,
            roles=credentials["roles"],
            inbound_token_hash=hash_token(self._secret, token_c),
            outbound_token=credentials["token"],
            bootstrap_token_id=bootstrap.id,
            created_at=now,
            updated_at=now,
        )
        async with self._db.transaction() as session:
            session.add(partner)
            await session.flush()
            await session.execute(
                update(BootstrapToken)
                .where(BootstrapToken.id == bootstrap.id)
                .values(redeemed_by=partner.id)
            )
            self._audit.add(
                session, audit.TOKEN_REDEEMED, context, token_id=bootstrap.id, partner_id=partner.id
            )
            self._audit.add(
                session,
                audit.PARTNER_REGISTERED,
                context,
                partner_id=partner.id,
                detail={"versions_url": partner.versions_url, "roles": _role_keys(partner.roles)},
            )
        return self.identity.credentials(token_c)

    async def update(self, partner: Partner, body: Any, context: RequestContext) -> dict[str, Any]:
        """PUT credentials: re-fetch the client's endpoints, rotate its token (§7.2.3)."""
        credentials = validate_credentials(body)
        discovery = await discover(
            self._http, credentials["url"], credentials["token"], self._required
        )
        token_c = generate_token()
        if planted(self, "credentials_echo_client_token"):
            token_c = credentials["token"]  # the client's new token B handed back
        await self._store_update(partner.id, credentials, discovery, token_c, context)
        return self.identity.credentials(token_c)

    async def _store_update(
        self,
        partner_id: str,
        credentials: dict[str, Any],
        discovery: Discovery,
        inbound_token: str,
        context: RequestContext,
    ) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(Partner)
                .where(Partner.id == partner_id)
                .values(
                    versions_url=credentials["url"],
                    version=discovery.version,
                    endpoints=discovery.endpoints,
                    roles=credentials["roles"],
                    inbound_token_hash=hash_token(self._secret, inbound_token),
                    next_inbound_token_hash=None,
                    outbound_token=credentials["token"],
                    status="registered",
                    updated_at=self._clock.now(),
                )
            )
            self._audit.add(session, audit.PARTNER_UPDATED, context, partner_id=partner_id)

    async def unregister(self, partner: Partner, context: RequestContext) -> None:
        """DELETE credentials: the client's token stops working at once (§7.2.4)."""
        await self._mark_unregistered(partner.id, context, initiated="partner")

    async def _mark_unregistered(
        self, partner_id: str, context: RequestContext, initiated: str
    ) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(Partner)
                .where(Partner.id == partner_id)
                .values(
                    status="unregistered",
                    inbound_token_hash=None,
                    next_inbound_token_hash=None,
                    outbound_token=None,  # §7.2.4: neither party uses the other's token again
                    updated_at=self._clock.now(),
                )
            )
            self._audit.add(
                session,
                audit.PARTNER_UNREGISTERED,
                context,
                partner_id=partner_id,
                detail={"initiated_by": initiated},
            )

    # --- client side: we start the handshake (admin API) -------------------------------------

    async def register_with(
        self, versions_url: str, token_a: str, context: RequestContext
    ) -> Partner:
        """Register with a partner given its versions URL and the TOKEN_A it issued us."""
        try:
            discovery = await discover(self._http, versions_url, token_a, self._required)
        except OcpiError as exc:
            raise RegistrationFailed(exc.message) from exc
        credentials_url = discovery.endpoint("credentials")
        if credentials_url is None:
            raise RegistrationFailed("the partner publishes no credentials endpoint")
        partner_id, token_b = await self.expect(versions_url, discovery)
        try:
            answer = await self._offer(
                partner_id, "POST", credentials_url, (token_a, token_b), context
            )
        except Exception as exc:
            async with self._db.transaction() as session:
                await session.delete(await session.get(Partner, partner_id))
                self._audit.add(
                    session,
                    audit.REGISTRATION_FAILED,
                    context,
                    reason="partner_refused",
                    detail={"versions_url": versions_url, "message": str(exc)},
                )
            raise RegistrationFailed(str(exc)) from exc
        assert answer is not None
        return await self.activate(partner_id, answer["token"], answer.get("roles", []), context)

    async def _offer(
        self, partner_id: str, method: str, url: str, tokens: tuple[str, str],
        context: RequestContext,
    ) -> dict[str, Any]:  # fmt: skip
        """POST or PUT our Credentials. Lenient reading: refused for its data, they are sent
        once more with the optional fields we lack present as null, and the audit trail records
        that the partner required them (its CRED-019 deviation)."""
        token, token_b = tokens  # ours at the partner, and the one we give it
        try:
            answer = await send_credentials(
                self._http, method, url, token, self.identity.credentials(token_b)
            )
        except PartnerCallFailed as refusal:
            if not refusal.refused_data:
                raise
            answer = await send_credentials(
                self._http, method, url, token, self.identity.credentials(token_b, nulls=True)
            )
            await self._audit.record(
                audit.CREDENTIALS_RETRIED,
                context,
                partner_id=partner_id,
                detail={
                    "rule": "CRED-019",
                    "url": url,
                    "refused": str(refusal),
                    "accepted": "the optional fields we lack present as null",
                },
            )
        assert answer is not None
        return answer

    async def expect(
        self, versions_url: str, discovery: Discovery | None = None
    ) -> tuple[str, str]:
        """Step 1 of a handshake we start: a pending partner and the token B it will call us
        with (stored before our POST, because the partner calls our versions meanwhile)."""
        token_b, now = generate_token(), self._clock.now()
        partner = Partner(
            id=str(uuid.uuid4()),
            status="pending",
            initiated_by="us",
            versions_url=versions_url,
            version=discovery.version if discovery else None,
            endpoints=discovery.endpoints if discovery else [],
            roles=[],
            inbound_token_hash=hash_token(self._secret, token_b),
            created_at=now,
            updated_at=now,
        )
        async with self._db.transaction() as session:
            session.add(partner)
        return partner.id, token_b

    async def activate(
        self,
        partner_id: str,
        outbound_token: str,
        roles: list[dict[str, Any]],
        context: RequestContext,
        known: Discovery | None = None,
    ) -> Partner:
        """Step 2: the partner answered with its token. Its endpoints are discovered now (with
        that token) unless step 1, or the caller (`known`: the judge, which reads a partner's
        version details leniently), already knew them."""
        partner = await self.partner(partner_id)
        if partner is None:
            raise RegistrationFailed(f"no pending partner {partner_id}")
        discovery = known or Discovery(
            partner.versions_url, partner.version or "", partner.endpoints
        )
        if not discovery.endpoints:
            try:
                discovery = await discover(
                    self._http, partner.versions_url, outbound_token, self._required
                )
            except OcpiError as exc:
                raise RegistrationFailed(exc.message) from exc
        async with self._db.transaction() as session:
            await session.execute(
                update(Partner)
                .where(Partner.id == partner_id)
                .values(
                    status="registered",
                    roles=roles,
                    version=discovery.version,
                    endpoints=discovery.endpoints,
                    outbound_token=outbound_token,
                    updated_at=self._clock.now(),
                )
            )
            self._audit.add(
                session,
                audit.PARTNER_REGISTERED,
                context,
                partner_id=partner_id,
                detail={"versions_url": partner.versions_url, "initiated_by": "us"},
            )
        refreshed = await self.partner(partner_id)
        assert refreshed is not None
        return refreshed

    async def refresh(self, partner_id: str, context: RequestContext) -> Partner:
        """PUT our credentials to the partner: new tokens both ways, endpoints re-fetched."""
        partner = await self._registered(partner_id)
        assert partner.outbound_token is not None
        try:
            discovery = await discover(
                self._http, partner.versions_url, partner.outbound_token, self._required
            )
        except OcpiError as exc:
            raise RegistrationFailed(exc.message) from exc
        url = discovery.endpoint("credentials")
        if url is None:
            raise RegistrationFailed("the partner publishes no credentials endpoint")
        token_b = generate_token()
        async with self._db.transaction() as session:
            await session.execute(
                update(Partner)
                .where(Partner.id == partner_id)
                .values(next_inbound_token_hash=hash_token(self._secret, token_b))
            )
        try:
            answer = await self._offer(
                partner_id, "PUT", url, (partner.outbound_token, token_b), context
            )
        except Exception as exc:
            async with self._db.transaction() as session:
                await session.execute(
                    update(Partner)
                    .where(Partner.id == partner_id)
                    .values(next_inbound_token_hash=None)
                )
            raise RegistrationFailed(str(exc)) from exc
        assert answer is not None
        credentials = {
            "url": partner.versions_url,
            "roles": answer.get("roles", partner.roles),
            "token": answer["token"],
        }
        await self._store_update(partner_id, credentials, discovery, token_b, context)
        refreshed = await self.partner(partner_id)
        assert refreshed is not None
        return refreshed

    async def unregister_from(self, partner_id: str, context: RequestContext) -> None:
        """DELETE our registration at the partner, then forget its tokens."""
        partner = await self._registered(partner_id)
        assert partner.outbound_token is not None
        url = Discovery(partner.versions_url, partner.version or "", partner.endpoints).endpoint(
            "credentials"
        )
        if url is None:
            raise RegistrationFailed("the partner publishes no credentials endpoint")
        try:
            await send_credentials(self._http, "DELETE", url, partner.outbound_token, None)
        except Exception as exc:
            raise RegistrationFailed(str(exc)) from exc
        await self._mark_unregistered(partner_id, context, initiated="us")

    async def _registered(self, partner_id: str) -> Partner:
        partner = await self.partner(partner_id)
        if partner is None or partner.status != "registered" or partner.outbound_token is None:
            raise RegistrationFailed(f"no registered partner {partner_id}")
        return partner


def _role_keys(roles: list[dict[str, Any]]) -> list[str]:
    return [f"{r.get('country_code')}/{r.get('party_id')}/{r.get('role')}" for r in roles]
