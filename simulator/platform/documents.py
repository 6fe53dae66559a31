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
from functools import cache, cached_property
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from simulator.platform.clock import parse_ocpi_datetime
from simulator.platform.database import Database
from simulator.platform.tables import Document, DocumentCount

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
    """One page as stored: each body is the JSON text we serve, so a page is assembled without
    parsing (`items` parses, for callers that need objects)."""

    bodies: list[str]
    total: int
    offset: int
    limit: int
    last_seq: int | None  # where the next page starts (the keyset cursor of the Link)

    @cached_property
    def items(self) -> list[dict[str, Any]]:
        return [_loads(body) for body in self.bodies]


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
        query = select(Document.body).where(key.where())
        if session is not None:
            row = await session.scalar(query)
        else:
            row = next((found.body for found in await self._db.read(query)), None)
        return None if row is None else _loads(row)

    async def find(self, kind: str, origin: str, object_id: str) -> dict[str, Any] | None:
        """By id alone, for URLs without owner segments (the CPO's Sender GET, §8.2.1.2)."""
        body = await self.find_body(kind, origin, object_id)
        return None if body is None else _loads(body)

    async def find_body(self, kind: str, origin: str, object_id: str) -> str | None:
        """`find`, as the stored JSON text; None when absent or when the id is ambiguous."""
        found = await self._db.read(
            _FIND, {"kind": kind, "origin": origin, "key": object_id.upper()}
        )
        return found[0].body if len(found) == 1 else None

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
        after_seq: int | None = None,
    ) -> Page:
        """§4.1.4.1: last_updated >= date_from and < date_to, in creation order, offset/limit.

        `after_seq` (the cursor our Link carries) starts the page after that document instead
        of skipping `offset` rows, so the hundredth page costs what the first does."""
        params = {
            "kind": kind,
            "origins": list(origins),
            "date_from": date_from,
            "date_to": date_to,
            "offset": offset,
            "after_seq": after_seq,
            "limit": limit,
        }
        window = (date_from is not None, date_to is not None)
        counted = await self._db.read(_count(*window), params)
        rows = await self._db.read(_page(*window, after_seq is not None), params)
        total = int(counted[0].total or 0)
        bodies: list[str] = [row.body for row in rows]
        return Page(bodies, total, offset, limit, rows[-1].seq if rows else None)


# The read paths run on every GET: their statements are built once per shape, with bound
# parameters, so SQLAlchemy compiles each shape once.
_FIND = (
    select(Document.body)
    .where(
        Document.kind == bindparam("kind"),
        Document.origin == bindparam("origin"),
        Document.object_key == bindparam("key"),
    )
    .limit(2)  # two: an id alone may be ambiguous across owners
)


def _conditions(date_from: bool, date_to: bool) -> list[ColumnElement[bool]]:
    conditions = [
        Document.kind == bindparam("kind"),
        Document.origin.in_(bindparam("origins", expanding=True)),
    ]
    if date_from:
        conditions.append(Document.last_updated >= bindparam("date_from"))
    if date_to:
        conditions.append(Document.last_updated < bindparam("date_to"))
    return conditions


@cache
def _count(date_from: bool, date_to: bool) -> Select[Any]:
    """X-Total-Count: unfiltered from the trigger-kept counts, else a COUNT over the window."""
    if not (date_from or date_to):
        return select(func.coalesce(func.sum(DocumentCount.n), 0).label("total")).where(
            DocumentCount.kind == bindparam("kind"),
            DocumentCount.origin.in_(bindparam("origins", expanding=True)),
        )
    return select(func.count().label("total")).where(*_conditions(date_from, date_to))


@cache
def _page(date_from: bool, date_to: bool, keyset: bool) -> Select[int, str]:
    query = select(Document.seq, Document.body).where(*_conditions(date_from, date_to))
    if keyset:
        query = query.where(Document.seq > bindparam("after_seq"))
    else:
        query = query.offset(bindparam("offset"))
    return query.order_by(Document.seq).limit(bindparam("limit"))


def _loads(body: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(body)
    return loaded
