"""HubClientInfo Receiver (§15.3.1): GET and PUT `{cc}/{pid}`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from specs import contract
from tests.simulator.cpo.data_support import running_cpo

URL = "/ocpi/cpo/2.2.1/hubclientinfo/BE/ABC"


def info(**changes: Any) -> dict[str, Any]:
    return {"party_id": "ABC", "country_code": "BE", "role": "EMSP", "status": "CONNECTED",
            "last_updated": "2026-01-01T00:00:00Z"} | changes  # fmt: skip


async def test_put_get_and_errors(tmp_path: Path, database_url: str) -> None:
    hub_role = {"role": "HUB", "business_details": {"name": "Hub"}, "party_id": "HUB",
                "country_code": "NL"}  # fmt: skip
    async with running_cpo(tmp_path, database_url) as cpo:
        headers = await cpo.register(roles=[hub_role])
        client = cpo.client
        assert (await client.get(URL, headers=headers)).status_code == 404
        created = await client.put(URL, json=info(), headers=headers)
        assert (created.status_code, created.json()["status_code"]) == (201, 1000)
        replaced = await client.put(URL, json=info(status="SUSPENDED"), headers=headers)
        assert (replaced.status_code, replaced.json()["status_code"]) == (200, 1000)
        got = await client.get("/ocpi/cpo/2.2.1/hubclientinfo/be/abc", headers=headers)
        assert got.json()["data"] == info(status="SUSPENDED")
        assert contract.errors(got.json(), "ClientInfoResponse") == []
        for bad in (info(party_id="XYZ"), info(status="GONE"), info(role="DRIVER"),
                    {k: v for k, v in info().items() if k != "last_updated"}):  # fmt: skip
            response = await client.put(URL, json=bad, headers=headers)
            assert (response.status_code, response.json()["status_code"]) == (200, 2001), bad
        assert (await client.get(URL, headers=headers)).json()["data"] == info(status="SUSPENDED")
        # A configuration module: no routing headers on the answer (§4.1.8.2) unless sent.
        assert "ocpi-to-party-id" not in got.headers
        assert (await client.get(URL)).status_code == 401
