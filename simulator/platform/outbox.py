"""The durable outbox: pushes to partners written in the same transaction as the change.

`publish` enqueues; the delivery worker (retries with backoff, per-object order, several
workers on PostgreSQL via row locks) drains it.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from simulator.platform.clock import Clock
from simulator.platform.tables import OutboxEvent, Partner


class Outbox:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def publish(
        self,
        session: AsyncSession,
        *,
        module: str,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        object_key: str,
    ) -> int:
        """Queue one event per registered partner whose version details publish `module` as
        RECEIVER; returns how many. `path` is appended to that partner's endpoint URL (`""`
        for a CDR POST, `/NL/PLF/LOC1` for a Location PUT). Call inside the changing
        transaction, so the change and its pushes commit together or not at all.
        """
        partners = (
            await session.scalars(select(Partner).where(Partner.status == "registered"))
        ).all()
        now = self._clock.now()
        payload = None if body is None else json.dumps(body, separators=(",", ":"))
        queued = 0
        for partner in partners:
            if not any(
                e.get("identifier") == module and e.get("role") == "RECEIVER"
                for e in partner.endpoints
            ):
                continue
            session.add(
                OutboxEvent(
                    partner_id=partner.id,
                    module=module,
                    method=method,
                    path=path,
                    body=payload,
                    object_key=object_key,
                    created_at=now,
                    attempts=0,
                    next_attempt_at=now,
                )
            )
            queued += 1
        return queued
