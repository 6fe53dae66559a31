"""The audit trail: append-only security events, and the counters `/metrics` derives from them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from simulator.platform.clock import Clock
from simulator.platform.database import Database
from simulator.platform.tables import AuditEvent

# Event names. Reasons for rejections: unknown, expired, spent, revoked, party_mismatch, missing,
# malformed, bootstrap_scope (TOKEN_A outside versions/credentials), pending (token B of a
# handshake we started, on a functional module before it ended).
TOKEN_CREATED = "token.created"
TOKEN_REDEEMED = "token.redeemed"
TOKEN_RELEASED = "token.released"
TOKEN_REJECTED = "token.rejected"
TOKEN_REVOKED = "token.revoked"
TOKENS_PURGED = "token.purged"
AUTH_REJECTED = "auth.rejected"
PARTNER_REGISTERED = "partner.registered"
PARTNER_UPDATED = "partner.updated"
PARTNER_UNREGISTERED = "partner.unregistered"
REGISTRATION_FAILED = "registration.failed"
CREDENTIALS_RETRIED = "registration.credentials_retried"  # accepted only with nulls (CRED-019)
TOKENS_REFRESHED = "tokens.refreshed"  # the token cache pulled from an eMSP (§12.2.2)
TOKENS_REFRESH_FAILED = "tokens.refresh_failed"
ADMIN_ACTION = "admin.action"


@dataclass(frozen=True)
class RequestContext:
    """Who asked: recorded beside every event (never the token itself)."""

    client_address: str | None = None
    request_id: str | None = None


class AuditLog:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    def add(
        self,
        session: AsyncSession,
        event: str,
        context: RequestContext,
        *,
        reason: str | None = None,
        token_id: str | None = None,
        partner_id: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Record an event inside the caller's transaction."""
        session.add(
            AuditEvent(
                at=self._clock.now(),
                event=event,
                reason=reason,
                token_id=token_id,
                partner_id=partner_id,
                client_address=context.client_address,
                request_id=context.request_id,
                detail=json.dumps(detail, sort_keys=True) if detail else None,
            )
        )

    async def record(self, event: str, context: RequestContext, **fields: Any) -> None:
        """Record an event in a transaction of its own."""
        async with self._db.transaction() as session:
            self.add(session, event, context, **fields)

    async def recent(self, limit: int = 100, event: str | None = None) -> list[dict[str, Any]]:
        query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
        if event:
            query = query.where(AuditEvent.event == event)
        async with self._db.transaction() as session:
            rows = (await session.scalars(query)).all()
        return [
            {
                "id": row.id,
                "at": row.at.isoformat(),
                "event": row.event,
                "reason": row.reason,
                "token_id": row.token_id,
                "partner_id": row.partner_id,
                "client_address": row.client_address,
                "request_id": row.request_id,
                "detail": json.loads(row.detail) if row.detail else None,
            }
            for row in rows
        ]

    async def counts(self) -> dict[tuple[str, str | None], int]:
        """Events by (event, reason): the source of the Prometheus counters, across workers."""
        query = select(AuditEvent.event, AuditEvent.reason, func.count()).group_by(
            AuditEvent.event, AuditEvent.reason
        )
        async with self._db.transaction() as session:
            rows = (await session.execute(query)).all()
        return {(event, reason): count for event, reason, count in rows}
