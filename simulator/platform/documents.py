"""The document store: OCPI objects kept as the JSON we serve, looked up and paged by columns.

Used by both parties: the CPO keeps its Locations, Sessions, CDRs and Tariffs (origin "own") and
the Tokens partners push; the eMSP keeps its Tokens and what CPOs push. Keys compare
case-insensitively (CiString, §16.1), so they are stored upper-cased; bodies keep the original.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from simulator.platform.clock import parse_ocpi_datetime
from simulator.platform.database import Database
from simulator.platform.tables import Document

OWN = "own"


@dataclass(frozen=True)
class Key:
    """Identity of one document (§4.1.5: owner's country code and party id, object id)."""

    kind: str
    origin: str
    country_code: str
    party_id: str
    object_id: str
    variant: str = ""

    def where(self) -> ColumnElement[bool]:
        return and_(
            Document.kind == self.kind,
            Document.origin == self.origin,
            Document.country_code == self.country_code.upper(),
            Document.party_id == self.party_id.upper(),
            Document.object_key == self.object_id.upper(),
            Document.variant == self.variant,
        )


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    offset: int
    limit: int


def key_of(kind: str, origin: str, obj: dict[str, Any], variant: str = "") -> Key:
    return Key(kind, origin, obj["country_code"], obj["party_id"], obj["id"], variant)


class Documents:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def put(self, key: Key, obj: dict[str, Any], session: AsyncSession | None = None) -> bool:
        """Create or replace; True when created. In `session` when given (same transaction)."""
        if session is not None:
            return await self._put(session, key, obj)
        for attempt in range(2):
            try:
                async with self._db.transaction() as own:
                    return await self._put(own, key, obj)
            except IntegrityError:
                if attempt:  # a concurrent insert of the same key won twice: give up loudly
                    raise
        raise AssertionError("unreachable")

    async def _put(self, session: AsyncSession, key: Key, obj: dict[str, Any]) -> bool:
        body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
        updated = parse_ocpi_datetime(obj["last_updated"])
        row = await session.scalar(select(Document).where(key.where()))
        if row is None:
            session.add(
                Document(
                    kind=key.kind,
                    origin=key.origin,
                    country_code=key.country_code.upper(),
                    party_id=key.party_id.upper(),
                    object_key=key.object_id.upper(),
                    variant=key.variant,
                    last_updated=updated,
                    body=body,
                )
            )
            await session.flush()
            return True
        row.body, row.last_updated = body, updated
        return False

    async def get(self, key: Key, session: AsyncSession | None = None) -> dict[str, Any] | None:
        if session is not None:
            row = await session.scalar(select(Document.body).where(key.where()))
        else:
            async with self._db.transaction() as own:
                row = await own.scalar(select(Document.body).where(key.where()))
        return None if row is None else _loads(row)

    async def find(self, kind: str, origin: str, object_id: str) -> dict[str, Any] | None:
        """By id alone, for URLs without owner segments (the CPO's Sender GET, §8.2.1.2)."""
        query = select(Document.body).where(
            Document.kind == kind,
            Document.origin == origin,
            Document.object_key == object_id.upper(),
        )
        async with self._db.transaction() as session:
            rows = (await session.scalars(query.limit(2))).all()
        return _loads(rows[0]) if len(rows) == 1 else None

    async def delete(self, key: Key, session: AsyncSession | None = None) -> bool:
        """Remove; False when absent. In `session` when given (same transaction)."""
        if session is None:
            async with self._db.transaction() as own:
                return await self._delete(own, key)
        return await self._delete(session, key)

    async def _delete(self, session: AsyncSession, key: Key) -> bool:
        row = await session.scalar(select(Document).where(key.where()))
        if row is None:
            return False
        await session.delete(row)
        await session.flush()
        return True

    async def page(
        self,
        kind: str,
        origins: Sequence[str],
        *,
        offset: int = 0,
        limit: int,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
    ) -> Page:
        """§4.1.4.1: last_updated >= date_from and < date_to, in creation order, offset/limit."""
        conditions = [Document.kind == kind, Document.origin.in_(list(origins))]
        if date_from is not None:
            conditions.append(Document.last_updated >= date_from)
        if date_to is not None:
            conditions.append(Document.last_updated < date_to)
        async with self._db.transaction() as session:
            total = await session.scalar(select(func.count()).where(*conditions)) or 0
            bodies = (
                await session.scalars(
                    select(Document.body)
                    .where(*conditions)
                    .order_by(Document.seq)
                    .offset(offset)
                    .limit(limit)
                )
            ).all()
        return Page([_loads(body) for body in bodies], total, offset, limit)


def _loads(body: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(body)
    return loaded
