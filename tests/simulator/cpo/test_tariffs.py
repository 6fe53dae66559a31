"""Tariffs Sender (§11.2.1): the paginated list of the seeded Tariffs."""

from __future__ import annotations

from pathlib import Path

from simulator.cpo.seed import seed_catalog
from specs import contract
from tests.simulator.cpo.data_support import crawl, running_cpo

TARIFFS = "/ocpi/cpo/2.2.1/tariffs"


async def test_tariff_pages(tmp_path: Path, database_url: str) -> None:
    async with running_cpo(tmp_path, database_url) as cpo:
        headers = await cpo.register()
        platform = cpo.platform
        await seed_catalog(platform.database, platform.outbox, country_code="NL",
                           party_id="PLF", now=cpo.clock.now(), locations=3)  # fmt: skip
        result = await crawl(cpo.client, TARIFFS, headers, "TariffListResponse", limit=1)
        assert [t["id"] for t in result.items] == ["AC-ENERGY", "AC-TIME", "DC-FAST", "AC-CHEAP"]
        assert (result.pages, result.totals) == (4, {4})
        assert all(contract.errors(t, "Tariff") == [] for t in result.items)
        newest = max(t["last_updated"] for t in result.items)
        since = await crawl(cpo.client, TARIFFS, headers, "TariffListResponse", date_from=newest)
        assert [t["last_updated"] for t in since.items] == [newest]
        before = await crawl(cpo.client, TARIFFS, headers, "TariffListResponse", date_to=newest)
        assert len(before.items) == 3
        assert (await cpo.client.get(TARIFFS)).status_code == 401
