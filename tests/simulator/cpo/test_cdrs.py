"""CDRs Sender (§10.2.1): the paginated list."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from simulator.platform.clock import ocpi_datetime
from simulator.platform.documents import OWN, key_of
from specs import contract
from tests.simulator.cpo.data_support import crawl, running_cpo

CDRS = "/ocpi/cpo/2.2.1/cdrs"


def cdr(n: int, moment: str) -> dict[str, Any]:
    return {
        "country_code": "NL", "party_id": "PLF", "id": f"CDR{n}", "start_date_time": moment,
        "end_date_time": moment, "session_id": f"S{n}",
        "cdr_token": {"country_code": "DE", "party_id": "EMS", "uid": "AB12", "type": "RFID",
                      "contract_id": "DE-EMS-C1"},
        "auth_method": "WHITELIST",
        "cdr_location": {"id": "LOC1", "address": "Coolsingel 40", "city": "Rotterdam",
                         "country": "NLD", "coordinates": {"latitude": "51.922500",
                                                           "longitude": "4.479170"},
                         "evse_uid": "E1", "evse_id": "NL*PLF*E1", "connector_id": "1",
                         "connector_standard": "IEC_62196_T2", "connector_format": "SOCKET",
                         "connector_power_type": "AC_3_PHASE"},
        "currency": "EUR",
        "charging_periods": [{"start_date_time": moment,
                              "dimensions": [{"type": "ENERGY", "volume": 10.0}]}],
        "total_cost": {"excl_vat": 3.9, "incl_vat": 4.72}, "total_energy": 10.0,
        "total_time": 1.0, "last_updated": moment,
    }  # fmt: skip


async def test_cdr_pages_and_date_window(tmp_path: Path, database_url: str) -> None:
    async with running_cpo(tmp_path, database_url) as cpo:
        headers = await cpo.register()
        start = cpo.clock.now() - timedelta(days=2)
        stored = []
        for n in range(13):
            item = cdr(n, ocpi_datetime(start + timedelta(hours=n)))
            assert contract.errors(item, "CDR") == []
            await cpo.platform.documents.put(key_of("cdr", OWN, item), item)
            stored.append(item)
        result = await crawl(cpo.client, CDRS, headers, "CDRListResponse", limit=5)
        assert result.items == stored
        assert (result.pages, result.totals) == (3, {13})
        window = await crawl(cpo.client, CDRS, headers, "CDRListResponse", limit=2,
                             date_from=stored[2]["last_updated"],
                             date_to=stored[9]["last_updated"])  # fmt: skip
        assert [c["id"] for c in window.items] == [f"CDR{n}" for n in range(2, 9)]
        assert (window.pages, window.totals) == (4, {7})
        empty = await cpo.client.get(CDRS, params={"date_from": ocpi_datetime(cpo.clock.now())},
                                     headers=headers)  # fmt: skip
        assert empty.json()["data"] == []
        assert "Link" not in empty.headers
        assert empty.headers["X-Total-Count"] == "0"
        assert empty.headers["X-Limit"] == "100"
        bad = await cpo.client.get(CDRS, params={"limit": "ten"}, headers=headers)
        assert (bad.status_code, bad.json()["status_code"]) == (200, 2001)
        admin = await cpo.client.get("/admin/cpo/cdrs", params={"limit": 3, "offset": 1},
                                     headers={"Authorization": "Bearer admin-secret"})  # fmt: skip
        assert [c["id"] for c in admin.json()] == ["CDR1", "CDR2", "CDR3"]
