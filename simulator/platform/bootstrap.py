"""Bootstrap tokens (CREDENTIALS_TOKEN_A, §7.1.1): minted by an admin, single use, expiring.

Stored only as HMAC-SHA256 under TOKEN_HMAC_SECRET. Redemption is one conditional UPDATE, so of N
concurrent redemptions exactly one succeeds, on SQLite and PostgreSQL alike.

A handshake that fails after redemption (the partner's versions unreachable: 3001, no common
version: 3002, endpoints missing: 3003) *releases* the token: it becomes usable again until it
expires, so the partner can fix its side and retry with the same token. Each release is audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from simulator.platform import audit
from simulator.platform.audit import AuditLog, RequestContext
from simulator.platform.clock import Clock
from simulator.platform.database import Database
from simulator.platform.tables import BootstrapToken
from simulator.platform.tokens_codec import generate_token, hash_token


@dataclass(frozen=True)
class MintedToken:
    """What `create` returns: the only time the secret is ever in hand."""

    id: str
    token: str
    expires_at: datetime
    label: str | None


class BootstrapTokens:
    def __init__(self, database: Database, clock: Clock, secret: bytes, log: AuditLog) -> None:
        self._db = database
        self._clock = clock
        self._secret = secret
        self._audit = log

    def _hash(self, token: str) -> str:
        return hash_token(self._secret, token)

    async def create(
        self,
        ttl: timedelta,
        context: RequestContext,
        *,
        label: str | None = None,
        expected_party: tuple[str, str] | None = None,
    ) -> MintedToken:
        if ttl <= timedelta(0):
            raise ValueError("a bootstrap token needs a positive time to live")
        token, now = generate_token(), self._clock.now()
        row = BootstrapToken(
            id=str(uuid.uuid4()),
            token_hash=self._hash(token),
            label=label,
            expected_country_code=expected_party[0].upper() if expected_party else None,
            expected_party_id=expected_party[1].upper() if expected_party else None,
            created_at=now,
            expires_at=now + ttl,
        )
        async with self._db.transaction() as session:
            session.add(row)
            self._audit.add(
                session, audit.TOKEN_CREATED, context, token_id=row.id, detail={"label": label}
            )
        return MintedToken(row.id, token, row.expires_at, label)

    async def find_usable(self, token: str, also: Sequence[str] = ()) -> BootstrapToken | None:
        """The token if it is live (not expired, spent or revoked; or in a state of `also`)."""
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(BootstrapToken).where(BootstrapToken.token_hash == self._hash(token))
            )
        return row if row is not None and self._state(row) in ("live", *also) else None

    async def why_unusable(self, token: str) -> tuple[str, str | None]:
        """(reason, token id) for a token that `find_usable` refused: unknown/expired/..."""
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(BootstrapToken).where(BootstrapToken.token_hash == self._hash(token))
            )
        return ("unknown", None) if row is None else (self._state(row), row.id)

    def _state(self, row: BootstrapToken) -> str:
        if row.revoked_at is not None:
            return "revoked"
        if row.redeemed_at is not None:
            return "spent"
        if row.expires_at <= self._clock.now():
            return "expired"
        return "live"

    async def redeem(self, token_id: str) -> bool:
        """Claim the token atomically; False if another request claimed it first or it lapsed."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            result = await session.execute(
                update(BootstrapToken)
                .where(
                    BootstrapToken.id == token_id,
                    BootstrapToken.redeemed_at.is_(None),
                    BootstrapToken.revoked_at.is_(None),
                    BootstrapToken.expires_at > now,
                )
                .values(redeemed_at=now)
            )
            return bool(getattr(result, "rowcount", 0) == 1)

    async def release(self, token_id: str, reason: str, context: RequestContext) -> None:
        """Undo a redemption whose handshake failed (see the module docstring)."""
        async with self._db.transaction() as session:
            await session.execute(
                update(BootstrapToken)
                .where(BootstrapToken.id == token_id, BootstrapToken.redeemed_by.is_(None))
                .values(redeemed_at=None)
            )
            self._audit.add(
                session, audit.TOKEN_RELEASED, context, reason=reason, token_id=token_id
            )

    async def revoke(self, token_id: str, context: RequestContext) -> bool:
        async with self._db.transaction() as session:
            result = await session.execute(
                update(BootstrapToken)
                .where(BootstrapToken.id == token_id, BootstrapToken.revoked_at.is_(None))
                .values(revoked_at=self._clock.now())
            )
            done = bool(getattr(result, "rowcount", 0) == 1)
            if done:
                self._audit.add(session, audit.TOKEN_REVOKED, context, token_id=token_id)
        return done

    async def purge_expired(self, context: RequestContext) -> int:
        """Delete expired tokens that were never redeemed; the audit trail keeps their history."""
        async with self._db.transaction() as session:
            rows = (
                await session.scalars(
                    select(BootstrapToken).where(
                        BootstrapToken.expires_at <= self._clock.now(),
                        BootstrapToken.redeemed_by.is_(None),
                    )
                )
            ).all()
            for row in rows:
                await session.delete(row)
            self._audit.add(session, audit.TOKENS_PURGED, context, detail={"count": len(rows)})
        return len(rows)

    async def listing(self) -> list[dict[str, Any]]:
        """Every token's metadata and state; never the secret nor its hash."""
        async with self._db.transaction() as session:
            rows = (
                await session.scalars(select(BootstrapToken).order_by(BootstrapToken.created_at))
            ).all()
        return [
            {
                "id": row.id,
                "label": row.label,
                "state": self._state(row),
                "created_at": row.created_at.isoformat(),
                "expires_at": row.expires_at.isoformat(),
                "redeemed_at": row.redeemed_at.isoformat() if row.redeemed_at else None,
                "redeemed_by": row.redeemed_by,
                "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
                "expected_party": (
                    f"{row.expected_country_code}/{row.expected_party_id}"
                    if row.expected_country_code
                    else None
                ),
            }
            for row in rows
        ]
