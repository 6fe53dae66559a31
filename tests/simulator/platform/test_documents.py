"""The document store and paging (§4.1.4.1), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from simulator.platform.clock import ocpi_datetime
from simulator.platform.database import Database
from simulator.platform.documents import OWN, Documents, Key, key_of
from simulator.platform.migrate import upgrade_async

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def tariff(n: int, minutes: int) -> dict[str, object]:
    return {"country_code": "nl", "party_id": "plf", "id": f"t{n}",
            "last_updated": ocpi_datetime(T0 + timedelta(minutes=minutes))}  # fmt: skip


async def _store(database_url: str) -> tuple[Database, Documents]:
    await upgrade_async(database_url)
    database = Database(database_url)
    return database, Documents(database)


async def test_put_get_replace_case_insensitively(database_url: str) -> None:
    database, documents = await _store(database_url)
    try:
        assert await documents.put(key_of("tariff", OWN, tariff(1, 0)), tariff(1, 0)) is True
        newer = tariff(1, 5)
        assert await documents.put(key_of("tariff", OWN, newer), newer) is False
        assert await documents.get(Key("tariff", OWN, "NL", "PLF", "T1")) == newer
        assert await documents.find("tariff", OWN, "T1") == newer
        assert await documents.get(Key("tariff", "partner-x", "NL", "PLF", "T1")) is None
        assert await documents.delete(Key("tariff", OWN, "nl", "plf", "t1")) is True
        assert await documents.find("tariff", OWN, "t1") is None
    finally:
        await database.dispose()


async def test_pages_filter_inclusive_from_exclusive_to_in_creation_order(
    database_url: str,
) -> None:
    database, documents = await _store(database_url)
    try:
        for n in range(10):
            await documents.put(key_of("tariff", OWN, tariff(n, 10 - n)), tariff(n, 10 - n))
        everything = await documents.page("tariff", [OWN], limit=100)
        assert [t["id"] for t in everything.items] == [f"t{n}" for n in range(10)]
        window = await documents.page(
            "tariff", [OWN], limit=100,
            date_from=T0 + timedelta(minutes=3), date_to=T0 + timedelta(minutes=7),
        )  # fmt: skip
        # minutes 3,4,5,6 are in (from inclusive, to exclusive): tariffs 7,6,5,4
        assert [t["id"] for t in window.items] == ["t4", "t5", "t6", "t7"]
        assert window.total == 4
        second = await documents.page("tariff", [OWN], offset=3, limit=3)
        assert [t["id"] for t in second.items] == ["t3", "t4", "t5"]
        assert second.total == 10
    finally:
        await database.dispose()
