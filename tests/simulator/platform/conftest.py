"""Platform test fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from simulator.platform.database import Database
from simulator.platform.migrate import upgrade_async


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A migrated database (SQLite and PostgreSQL, by `database_url`), disposed afterwards."""
    await upgrade_async(database_url)
    db = Database(database_url)
    yield db
    await db.dispose()
