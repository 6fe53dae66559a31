"""`plugfest db seed`: the demo network, its validity against the YAML, and its storage."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from plugfest.cli import app
from simulator.cpo.seed import DEFAULT_LOCATIONS, generate_locations, generate_tariffs, seed_catalog
from simulator.platform.clock import parse_ocpi_datetime
from simulator.platform.tables import Document
from specs import contract
from tests.simulator.cpo.data_support import running_cpo

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_default_network_is_valid_varied_and_consistent() -> None:
    tariffs = generate_tariffs("NL", "PLF", NOW)
    locations = list(generate_locations(DEFAULT_LOCATIONS, "NL", "PLF", NOW))
    assert 3 <= len(tariffs) <= 4
    for tariff in tariffs:
        assert contract.errors(tariff, "Tariff") == []
    for location in locations:
        assert contract.errors(location, "Location") == [], location["id"]
    evses = [e for loc in locations for e in loc["evses"]]
    connectors = [c for e in evses for c in e["connectors"]]
    assert {loc["country"] for loc in locations} == {"NLD", "DEU", "BEL"}
    assert all(1 <= len(loc["evses"]) <= 4 for loc in locations)
    assert {"IEC_62196_T2", "IEC_62196_T2_COMBO", "CHADEMO"} <= {c["standard"] for c in connectors}
    capabilities = {cap for e in evses for cap in e["capabilities"]}
    assert {"REMOTE_START_STOP_CAPABLE", "RESERVABLE", "UNLOCK_CAPABLE",
            "CHARGING_PREFERENCES_CAPABLE"} <= capabilities  # fmt: skip
    # Every referenced tariff exists; all four are used.
    referenced = {t for c in connectors for t in c["tariff_ids"]}
    assert referenced == {t["id"] for t in tariffs}
    # Ids are unique; parents are never older than their children (§8.2.1.1).
    assert len({e["uid"] for e in evses}) == len(evses)
    for location in locations:
        for evse in location["evses"]:
            assert location["last_updated"] >= evse["last_updated"]
            assert all(evse["last_updated"] >= c["last_updated"] for c in evse["connectors"])
    # Deterministic: the same seed gives the same network.
    assert list(generate_locations(DEFAULT_LOCATIONS, "NL", "PLF", NOW)) == locations
    assert list(generate_locations(5, "NL", "PLF", NOW, random_seed=7)) != locations[:5]


async def test_seeding_stores_replaces_and_pushes(tmp_path: Path, database_url: str) -> None:
    async with running_cpo(tmp_path, database_url) as cpo:
        platform = cpo.platform

        async def counts() -> dict[str, int]:
            async with platform.database.transaction() as session:
                rows = await session.execute(
                    select(Document.kind, func.count()).group_by(Document.kind)
                )
                return {kind: n for kind, n in rows.all()}

        quiet = await seed_catalog(platform.database, platform.outbox, country_code="nl",
                                   party_id="plf", now=cpo.clock.now(), locations=40,
                                   batch_size=16)  # fmt: skip
        assert (quiet.locations, quiet.tariffs, quiet.pushes) == (40, 4, 0)
        assert quiet.evses >= 40
        assert quiet.connectors >= quiet.evses
        assert await counts() == {"location": 40, "tariff": 4}
        assert await cpo.outbox() == []

        # Seeding again replaces by id; with a receiving partner, every object is pushed.
        await cpo.register(receives=("locations", "tariffs"))
        again = await seed_catalog(platform.database, platform.outbox, country_code="NL",
                                   party_id="PLF", now=cpo.clock.now(), locations=45,
                                   batch_size=16)  # fmt: skip
        assert again.pushes == 49
        assert await counts() == {"location": 45, "tariff": 4}
        events = await cpo.outbox()
        assert {(e.module, e.method) for e in events} == {("locations", "PUT"), ("tariffs", "PUT")}
        assert "/NL/PLF/LOC000045" in {e.path for e in events}

        location = await platform.documents.find("location", "own", "LOC000001")
        assert location is not None
        assert contract.errors(location, "Location") == []
        assert parse_ocpi_datetime(location["last_updated"]) <= cpo.clock.now()


def test_cli_seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TOKEN_HMAC_SECRET", "ADMIN_TOKEN", "OCPI_BASE_URL", "PLUGFEST_MODE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "cpo.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["db", "seed", "--locations", "12"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "seeded 12 locations" in result.output
    with sqlite3.connect(path) as connection:
        rows = dict(connection.execute(
            "SELECT kind, count(*) FROM documents GROUP BY kind").fetchall())  # fmt: skip
    assert rows == {"location": 12, "tariff": 4}
    refused = CliRunner().invoke(app, ["db", "seed", "--locations", "0"])
    assert refused.exit_code != 0
