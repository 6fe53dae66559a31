"""Tokens Receiver (§12.2.1) and the token cache the charging backend reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from simulator.cpo.token_cache import TokenCache
from simulator.platform.audit import RequestContext
from simulator.platform.documents import Key
from specs import contract
from tests.simulator.cpo.data_support import Cpo, running_cpo

URL = "/ocpi/cpo/2.2.1/tokens/DE/EMS/ab12"


def token(**changes: Any) -> dict[str, Any]:
    return {"country_code": "DE", "party_id": "EMS", "uid": "AB12", "type": "RFID",
            "contract_id": "DE-EMS-C00001", "issuer": "Test eMSP", "valid": True,
            "whitelist": "ALLOWED", "last_updated": "2026-01-01T00:00:00Z"} | changes  # fmt: skip


@pytest.fixture
async def cpo(tmp_path: Path, database_url: str) -> AsyncIterator[tuple[Cpo, dict[str, str]]]:
    async with running_cpo(tmp_path, database_url) as running:
        yield running, await running.register()


async def test_put_get_patch_and_the_cache(cpo: tuple[Cpo, dict[str, str]]) -> None:
    running, headers = cpo
    client = running.client
    created = await client.put(URL, json=token(), headers=headers)
    assert (created.status_code, created.json()["status_code"]) == (201, 1000)
    assert "data" not in created.json()
    replaced = await client.put(URL, json=token(language="nl"), headers=headers)
    assert (replaced.status_code, replaced.json()["status_code"]) == (200, 1000)
    got = await client.get(URL, headers=headers)
    assert got.json()["data"] == token(language="nl")
    assert contract.errors(got.json(), "TokenResponse") == []

    patched = await client.patch(
        URL, json={"valid": False, "last_updated": "2026-01-02T00:00:00Z"}, headers=headers
    )
    assert (patched.status_code, patched.json()["status_code"]) == (200, 1000)
    after = (await client.get(URL, params={"type": "RFID"}, headers=headers)).json()["data"]
    assert after == token(language="nl", valid=False, last_updated="2026-01-02T00:00:00Z")

    # Same uid, another type: another Token (§12.3.2).
    app_user = token(type="APP_USER", whitelist="NEVER")
    assert (await client.get(URL, params={"type": "APP_USER"}, headers=headers)).status_code == 404
    put_app = await client.put(URL, params={"type": "APP_USER"}, json=app_user, headers=headers)
    assert put_app.status_code == 201

    cache = TokenCache(running.platform.database)
    assert await cache.find_token("ab12", "RFID") == after
    assert await cache.find_token("AB12", "APP_USER") == app_user
    assert await cache.find_token("AB12", "AD_HOC_USER") is None
    assert await cache.find_token("ZZ99", "RFID") is None

    # Once the partner is unregistered, its tokens no longer count.
    partner = (await running.platform.registration.partners())[0]
    await running.platform.registration.unregister(partner, RequestContext())
    assert await cache.find_token("AB12", "RFID") is None
    stored = Key("token", partner.id, "DE", "EMS", "AB12", "RFID")
    assert await running.platform.documents.get(stored) == after


@pytest.mark.parametrize(
    ("method", "url", "params", "body", "why"),
    [
        ("PUT", URL, {}, token(uid="OTHER"), "uid differs from the URL"),
        ("PUT", URL, {}, token(country_code="NL"), "country_code differs"),
        ("PUT", URL, {"type": "APP_USER"}, token(), "type differs from ?type"),
        ("PUT", URL, {"type": "BADGE"}, token(), "?type is not a TokenType"),
        ("PUT", URL, {}, {k: v for k, v in token().items() if k != "issuer"}, "issuer missing"),
        ("PUT", URL, {}, token(whitelist="SOMETIMES"), "not a WhitelistType"),
        ("PUT", URL, {}, token(uid="X" * 37), "uid too long"),
        ("PUT", URL, {}, token(extra=1), "unknown field"),
        ("PUT", URL, {}, [token()], "not an object"),
        ("PATCH", URL, {}, {"valid": False}, "last_updated missing (§12.2.1.3)"),
        ("PATCH", URL, {}, {"valid": "no", "last_updated": "2026-01-02T00:00:00Z"}, "type"),
        ("PATCH", URL, {}, {"uid": "OTHER", "last_updated": "2026-01-02T00:00:00Z"}, "uid"),
        ("GET", URL, {"type": "rfid?"}, None, "?type is not a TokenType"),
    ],
)  # fmt: skip
async def test_2001_cases(
    cpo: tuple[Cpo, dict[str, str]],
    method: str,
    url: str,
    params: dict[str, str],
    body: Any,
    why: str,
) -> None:
    running, headers = cpo
    await running.client.put(URL, json=token(), headers=headers)
    response = await running.client.request(method, url, params=params, json=body,
                                            headers=headers)  # fmt: skip
    assert (response.status_code, response.json()["status_code"]) == (200, 2001), why
    stored = await running.client.get(URL, headers=headers)
    assert stored.json()["data"] == token(), why  # nothing changed


async def test_404_cases(cpo: tuple[Cpo, dict[str, str]]) -> None:
    running, headers = cpo
    client = running.client
    assert (await client.get(URL, headers=headers)).status_code == 404
    change = {"valid": False, "last_updated": "2026-01-02T00:00:00Z"}
    unknown_patch = await client.patch(URL, json=change, headers=headers)
    assert unknown_patch.status_code == 404
    # §4.1.5.1: NL/XYZ is not one of the caller's roles (it registered as DE/EMS).
    foreign = "/ocpi/cpo/2.2.1/tokens/NL/XYZ/AB12"
    for method, body in (("GET", None), ("PUT", token(country_code="NL", party_id="XYZ"))):
        response = await client.request(method, foreign, json=body, headers=headers)
        assert response.status_code == 404, method
        assert contract.errors(response.json(), "ErrorResponse") == []
    not_json = await client.put(URL, content=b"{", headers=headers)
    assert not_json.status_code == 400
    assert (await client.delete(URL, headers=headers)).status_code == 405
    assert (await client.put(URL, json=token())).status_code == 401
