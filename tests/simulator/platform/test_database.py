"""The database layer: the read path of the hot GETs, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from simulator.platform.database import Database, is_sqlite
from simulator.platform.migrate import upgrade_async
from tests.simulator.conftest import _admin_connection


async def test_reads_see_what_a_transaction_committed(database_url: str) -> None:
    await upgrade_async(database_url)
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            await session.execute(
                text("INSERT INTO document_counts (kind, origin, n) VALUES ('probe', 'own', 3)")
            )
        rows = await database.read(text("SELECT n FROM document_counts WHERE kind = 'probe'"))
        assert [row.n for row in rows] == [3]
    finally:
        await database.dispose()


async def test_a_read_survives_the_server_dropping_its_connections(database_url: str) -> None:
    """The PostgreSQL reader pings nobody (a round trip per request saved): a connection found
    dead is dropped and the read tried once more on a new one, so a server restart costs no
    request an error."""
    if is_sqlite(database_url):
        pytest.skip("SQLite: a file has no server that could drop a connection")
    await upgrade_async(database_url)
    database = Database(database_url)
    try:
        assert (await database.read(text("SELECT 1 AS one")))[0].one == 1  # a pooled connection
        admin, _ = await _admin_connection()
        try:
            name = database_url.rsplit("/", 1)[1]
            terminated = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
        finally:
            await admin.close()
        assert terminated >= 1
        assert (await database.read(text("SELECT 2 AS two")))[0].two == 2
    finally:
        await database.dispose()
