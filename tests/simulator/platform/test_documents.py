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


async def test_the_trigger_kept_count_follows_inserts_and_deletes(database_url: str) -> None:
    """X-Total-Count of an unfiltered list comes from `document_counts` (migration 0005): it
    must agree with a real COUNT after creates, replaces and deletes, per kind and origin."""
    database, documents = await _store(database_url)
    try:
        for n in range(7):
            await documents.put(key_of("tariff", OWN, tariff(n, n)), tariff(n, n))
            await documents.put(key_of("tariff", "partner-x", tariff(n, n)), tariff(n, n))
        await documents.put(key_of("tariff", OWN, tariff(2, 30)), tariff(2, 30))  # a replace
        await documents.delete(Key("tariff", OWN, "NL", "PLF", "T5"))
        await documents.delete(Key("tariff", OWN, "NL", "PLF", "T-NONE"))  # absent: no change
        assert (await documents.page("tariff", [OWN], limit=1)).total == 6
        assert (await documents.page("tariff", ["partner-x"], limit=1)).total == 7
        assert (await documents.page("tariff", [OWN, "partner-x"], limit=1)).total == 13
        assert (await documents.page("location", [OWN], limit=1)).total == 0
        # The same figure as a COUNT over a window that holds everything.
        counted = await documents.page("tariff", [OWN], limit=1, date_from=T0)
        assert counted.total == 6
    finally:
        await database.dispose()


async def test_the_cursor_pages_like_the_offset_and_skips_nothing_after_a_delete(
    database_url: str,
) -> None:
    database, documents = await _store(database_url)
    try:
        for n in range(10):
            await documents.put(key_of("tariff", OWN, tariff(n, n)), tariff(n, n))
        first = await documents.page("tariff", [OWN], limit=4)
        by_offset = await documents.page("tariff", [OWN], offset=4, limit=4)
        by_cursor = await documents.page(
            "tariff", [OWN], offset=4, limit=4, after_seq=first.last_seq
        )
        assert [t["id"] for t in by_cursor.items] == [t["id"] for t in by_offset.items]
        assert [t["id"] for t in by_cursor.items] == ["t4", "t5", "t6", "t7"]
        # An object of the first page goes away: an offset would now skip t4; the cursor not.
        await documents.delete(Key("tariff", OWN, "NL", "PLF", "T0"))
        again = await documents.page("tariff", [OWN], offset=4, limit=4, after_seq=first.last_seq)
        assert [t["id"] for t in again.items] == ["t4", "t5", "t6", "t7"]
        last = await documents.page("tariff", [OWN], limit=4, after_seq=again.last_seq)
        assert [t["id"] for t in last.items] == ["t8", "t9"]
    finally:
        await database.dispose()
