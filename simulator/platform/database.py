"""The async engine and sessions; SQLite (aiosqlite) by default, PostgreSQL (asyncpg) by URL."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine, Executable, Row, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# aiosqlite logs every statement *with its parameters* at DEBUG, and those include the token we
# send a partner (Partner.outbound_token): its DEBUG records are dropped so no secret is logged.
logging.getLogger("aiosqlite").addFilter(lambda record: record.levelno > logging.DEBUG)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str) -> AsyncEngine:
    if not is_sqlite(url):
        return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)
    # Writers wait for each other instead of failing at once; WAL lets readers run alongside.
    engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def make_sqlite_reader(url: str) -> Engine:
    """SQLite reads on the event loop's own thread, through the plain sqlite3 driver.

    An indexed read takes tens of microseconds, less than handing it to aiosqlite's thread and
    back, and in WAL mode a reader never waits for a writer; so the hot read paths (a partner's
    token, a page, one object) block the loop for less time than the handoff would cost."""
    return create_engine(
        url.replace("sqlite+aiosqlite:", "sqlite:", 1),
        connect_args={"timeout": 5, "check_same_thread": False},
        hide_parameters=True,
    )


def make_postgres_reader(url: str) -> AsyncEngine:
    """PostgreSQL reads in autocommit (no BEGIN/ROLLBACK round trips around one SELECT) from a
    pool of their own, without a ping per checkout: a connection found dead is retried once
    (`Database.read`). Ten connections a process: more requests wait for one."""
    return create_async_engine(
        url, isolation_level="AUTOCOMMIT", pool_size=10, max_overflow=0, hide_parameters=True
    )


class Database:
    """One engine and its session factory; services open short transactions through it.
    Single reads on the hot paths go through `read`, on a reader of their own."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._sqlite_reader = make_sqlite_reader(url) if is_sqlite(url) else None
        self._reader = None if is_sqlite(url) else make_postgres_reader(url)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self._sessions() as session, session.begin():
            yield session

    async def read(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> list[Row[Any]]:
        """The rows of one read-only statement, outside any transaction and without the ORM
        (the hot GET paths: a partner's token, a page, one object)."""
        if self._sqlite_reader is not None:
            with self._sqlite_reader.connect() as connection:
                return list(connection.execute(statement, params).all())
        assert self._reader is not None
        for attempt in range(2):
            try:
                async with self._reader.connect() as connection:
                    return list((await connection.execute(statement, params)).all())
            except DBAPIError as exc:  # the server restarted: the pool drops the dead one
                if attempt or not exc.connection_invalidated:
                    raise
        raise AssertionError("unreachable")

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._sqlite_reader is not None:
            self._sqlite_reader.dispose()
        if self._reader is not None:
            await self._reader.dispose()
