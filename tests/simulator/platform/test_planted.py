"""Planted faults (simulator/platform/planted.py) do what their registry line says, and only
when planted: the self-test (tests/selftest) relies on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from simulator.cpo.seed import seed_catalog
from tests.simulator.cpo.data_support import ADMIN, PARTNER_URL, Cpo, running_cpo, token_header

LOCATIONS = "/ocpi/cpo/2.2.1/locations"
CREDENTIALS = "/ocpi/2.2.1/credentials"


@asynccontextmanager
async def party(tmp_path: Path, faults: str) -> AsyncIterator[Cpo]:
    """The CPO with `faults` planted (none: ""), over SQLite, with 12 seeded Locations."""
    async with running_cpo(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/cpo.db", faults) as cpo:
        platform = cpo.platform
        await seed_catalog(platform.database, platform.outbox, country_code="NL",
                           party_id="PLF", now=cpo.clock.now(), locations=12)  # fmt: skip
        yield cpo


@pytest.mark.parametrize("faults", ["", "detail_422_errors"])
async def test_detail_422_errors(tmp_path: Path, faults: str) -> None:
    async with party(tmp_path, faults) as cpo:
        headers = await cpo.register()
        response = await cpo.client.get(LOCATIONS, params={"limit": "x"}, headers=headers)
        if faults:
            assert response.status_code == 422
            assert set(response.json()) == {"detail"}
        else:
            assert response.status_code == 200
            assert response.json()["status_code"] == 2001
        unauthorized = await cpo.client.get(LOCATIONS)  # not a 2001: untouched
        assert unauthorized.json()["status_code"] == 2000


@pytest.mark.parametrize("faults", ["", "link_query_not_returnable"])
async def test_link_query_not_returnable(tmp_path: Path, faults: str) -> None:
    async with party(tmp_path, faults) as cpo:
        headers = await cpo.register()
        since = "2000-01-01T00:00:00Z"
        response = await cpo.client.get(
            LOCATIONS, params={"date_from": since, "limit": 5}, headers=headers
        )
        link = response.headers["Link"].split(";")[0].strip("<>")
        read_back = parse_qs(urlsplit(link).query)["date_from"]
        if faults:
            assert "date_from=2000-01-01T00:00:00+00:00&" in link
            assert read_back == ["2000-01-01T00:00:00 00:00"]
        else:
            assert read_back == [since]


@pytest.mark.parametrize("faults", ["", "limit_zero_loops"])
async def test_limit_zero_loops(tmp_path: Path, faults: str) -> None:
    async with party(tmp_path, faults) as cpo:
        headers = await cpo.register()
        response = await cpo.client.get(LOCATIONS, params={"limit": 0}, headers=headers)
        assert response.json()["data"] == []
        if faults:
            link = response.headers["Link"].split(";")[0].strip("<>")
            assert parse_qs(urlsplit(link).query)["offset"] == ["0"]
        else:
            assert "Link" not in response.headers
        further = await cpo.client.get(LOCATIONS, params={"limit": 5}, headers=headers)
        assert "offset=5" in further.headers["Link"]  # non-empty pages link forward either way


@pytest.mark.parametrize("faults", ["", "credentials_echo_client_token"])
async def test_credentials_echo_client_token(tmp_path: Path, faults: str) -> None:
    async with party(tmp_path, faults) as cpo:
        minted = await cpo.client.post("/admin/bootstrap-tokens", json={}, headers=ADMIN)
        body = {"token": "partner-token-b", "url": f"{PARTNER_URL}/versions",
                "roles": [{"role": "EMSP", "business_details": {"name": "Test eMSP"},
                           "party_id": "EMS", "country_code": "DE"}]}  # fmt: skip
        post = await cpo.client.post(
            CREDENTIALS, json=body, headers=token_header(minted.json()["token"])
        )
        token = post.json()["data"]["token"]
        assert (token == "partner-token-b") is bool(faults)
        versions = await cpo.client.get("/ocpi/versions", headers=token_header(token))
        assert versions.status_code == 200  # the token handed out works, echoed or not
        put = await cpo.client.put(
            CREDENTIALS, json={**body, "token": "partner-token-b2"}, headers=token_header(token)
        )
        rotated = put.json()["data"]["token"]
        assert (rotated == "partner-token-b2") is bool(faults)
        assert (await cpo.client.get("/ocpi/versions", headers=token_header(rotated))).is_success
