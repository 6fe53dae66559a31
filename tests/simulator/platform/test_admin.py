"""The admin API (`/admin`): bearer guard, bootstrap tokens, audit trail, partners."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient
from pydantic import SecretStr

from simulator.cpo.app import CpoSettings, create_app
from simulator.platform.clock import FakeClock
from simulator.platform.tokens_codec import encode_header

ADMIN = {"Authorization": "Bearer admin-secret"}


def settings(tmp_path: Path) -> CpoSettings:
    return CpoSettings(
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/cpo.db",
        admin_token="admin-secret",
        token_hmac_secret="hmac-secret",
    )


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused", request=request)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def client(tmp_path: Path, clock: FakeClock) -> AsyncIterator[AsyncTestClient[Any]]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(_unreachable))
    app = create_app(settings(tmp_path), clock=clock, http=http)
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


def assert_envelope(body: dict[str, Any], status_code: int) -> None:
    assert body["status_code"] == status_code
    assert "timestamp" in body
    assert body.get("status_message")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "admin-secret"},
        {"Authorization": "Token admin-secret"},
    ],
)
async def test_refused_without_the_admin_bearer(
    client: AsyncTestClient[Any], headers: dict[str, str]
) -> None:
    response = await client.get("/admin/bootstrap-tokens", headers=headers)
    assert response.status_code == 401
    assert_envelope(response.json(), 2000)
    trail = (await client.get("/admin/audit?event=auth.rejected", headers=ADMIN)).json()
    assert [(e["event"], e["reason"]) for e in trail] == [("auth.rejected", "admin")]


async def test_create_then_list_never_shows_the_secret(client: AsyncTestClient[Any]) -> None:
    created = await client.post(
        "/admin/bootstrap-tokens",
        json={
            "ttl_seconds": 600,
            "label": "partner X",
            "expected_country_code": "de",
            "expected_party_id": "abc",
        },
        headers=ADMIN,
    )
    assert created.status_code == 201, created.text
    minted = created.json()
    assert set(minted) == {"id", "token", "expires_at", "versions_url"}
    assert minted["versions_url"].endswith("/ocpi/versions")
    assert minted["expires_at"].startswith("2026-01-01T00:10:00")

    listing = await client.get("/admin/bootstrap-tokens", headers=ADMIN)
    assert listing.status_code == 200
    (row,) = listing.json()
    assert row["id"] == minted["id"]
    assert row["state"] == "live"
    assert row["label"] == "partner X"
    assert row["expected_party"] == "DE/ABC"
    assert minted["token"] not in listing.text
    assert "hash" not in listing.text

    # The minted token opens the versions endpoint (§4.1.2, TOKEN_A).
    versions = await client.get(
        "/ocpi/versions", headers={"Authorization": encode_header(minted["token"])}
    )
    assert versions.status_code == 200


async def test_default_ttl_is_an_hour(client: AsyncTestClient[Any]) -> None:
    minted = (await client.post("/admin/bootstrap-tokens", json={}, headers=ADMIN)).json()
    assert minted["expires_at"].startswith("2026-01-01T01:00:00")


@pytest.mark.parametrize(
    "body",
    [
        {"ttl_seconds": 0},
        {"ttl_seconds": -5},
        {"ttl_seconds": "soon"},
        {"ttl_seconds": 10, "unexpected": True},
        {"expected_country_code": "NL"},
        {"expected_country_code": "NLD", "expected_party_id": "ABC"},
        [],
    ],
)
async def test_bad_create_bodies_are_4xx_envelopes(client: AsyncTestClient[Any], body: Any) -> None:
    response = await client.post("/admin/bootstrap-tokens", json=body, headers=ADMIN)
    assert response.status_code == 400, response.text
    assert_envelope(response.json(), 2000)


async def test_invalid_json_is_a_4xx_envelope(client: AsyncTestClient[Any]) -> None:
    response = await client.post(
        "/admin/bootstrap-tokens",
        content=b"{not json",
        headers={**ADMIN, "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500
    assert_envelope(response.json(), 2000)


async def test_revoke(client: AsyncTestClient[Any]) -> None:
    minted = (await client.post("/admin/bootstrap-tokens", json={}, headers=ADMIN)).json()
    first = await client.post(f"/admin/bootstrap-tokens/{minted['id']}/revoke", headers=ADMIN)
    assert first.status_code == 200
    assert first.json() == {"revoked": True}
    again = await client.post(f"/admin/bootstrap-tokens/{minted['id']}/revoke", headers=ADMIN)
    assert again.json() == {"revoked": False}
    (row,) = (await client.get("/admin/bootstrap-tokens", headers=ADMIN)).json()
    assert row["state"] == "revoked"
    refused = await client.get(
        "/ocpi/versions", headers={"Authorization": encode_header(minted["token"])}
    )
    assert refused.status_code == 401


async def test_revoke_unknown_is_404(client: AsyncTestClient[Any]) -> None:
    response = await client.post("/admin/bootstrap-tokens/nope/revoke", headers=ADMIN)
    assert response.status_code == 404
    assert_envelope(response.json(), 2000)


async def test_purge_expired(client: AsyncTestClient[Any], clock: FakeClock) -> None:
    short = (
        await client.post("/admin/bootstrap-tokens", json={"ttl_seconds": 60}, headers=ADMIN)
    ).json()
    long = (
        await client.post("/admin/bootstrap-tokens", json={"ttl_seconds": 7200}, headers=ADMIN)
    ).json()
    nothing = await client.delete("/admin/bootstrap-tokens/expired", headers=ADMIN)
    assert nothing.status_code == 200
    assert nothing.json() == {"deleted": 0}
    clock.advance(61)
    purged = await client.delete("/admin/bootstrap-tokens/expired", headers=ADMIN)
    assert purged.json() == {"deleted": 1}
    ids = [row["id"] for row in (await client.get("/admin/bootstrap-tokens", headers=ADMIN)).json()]
    assert ids == [long["id"]]
    assert short["id"] not in ids


async def test_audit_shows_admin_actions_without_secrets(client: AsyncTestClient[Any]) -> None:
    minted = (await client.post("/admin/bootstrap-tokens", json={}, headers=ADMIN)).json()
    await client.post(f"/admin/bootstrap-tokens/{minted['id']}/revoke", headers=ADMIN)
    await client.delete("/admin/bootstrap-tokens/expired", headers=ADMIN)
    response = await client.get("/admin/audit", params={"event": "admin.action"}, headers=ADMIN)
    assert response.status_code == 200
    actions = [event["detail"]["action"] for event in response.json()]
    assert actions == [
        "bootstrap_token.purge_expired",
        "bootstrap_token.revoke",
        "bootstrap_token.create",
    ]
    everything = await client.get("/admin/audit", params={"limit": 2}, headers=ADMIN)
    assert len(everything.json()) == 2
    full = await client.get("/admin/audit", headers=ADMIN)
    assert minted["token"] not in full.text
    assert "admin-secret" not in full.text


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "100000"])
async def test_audit_bad_limit_is_400(client: AsyncTestClient[Any], limit: str) -> None:
    response = await client.get("/admin/audit", params={"limit": limit}, headers=ADMIN)
    assert response.status_code == 400
    assert_envelope(response.json(), 2000)


async def test_partners_empty_and_unknown(client: AsyncTestClient[Any]) -> None:
    listing = await client.get("/admin/partners", headers=ADMIN)
    assert listing.status_code == 200
    assert listing.json() == []
    refresh = await client.post("/admin/partners/nope/refresh", headers=ADMIN)
    assert refresh.status_code == 404
    gone = await client.delete("/admin/partners/nope", headers=ADMIN)
    assert gone.status_code == 404
    assert_envelope(gone.json(), 2000)


async def test_register_with_unreachable_partner_is_502(client: AsyncTestClient[Any]) -> None:
    response = await client.post(
        "/admin/partners",
        json={"versions_url": "https://partner.invalid/ocpi/versions", "token": "token-a"},
        headers=ADMIN,
    )
    assert response.status_code == 502
    body = response.json()
    assert body["status_code"] == 3001
    assert "registration failed" in body["status_message"]
    assert "token-a" not in json.dumps(body)
    assert (await client.get("/admin/partners", headers=ADMIN)).json() == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"versions_url": "https://x/ocpi/versions"},
        {"token": "a"},
        {"versions_url": 5, "token": "a"},
    ],
)
async def test_register_with_bad_body_is_400(client: AsyncTestClient[Any], body: Any) -> None:
    response = await client.post("/admin/partners", json=body, headers=ADMIN)
    assert response.status_code == 400
    assert_envelope(response.json(), 2000)


async def test_openapi_documents_the_admin_api_only(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    paths = document["paths"]
    assert "/admin/bootstrap-tokens" in paths
    assert "/admin/partners/{partner_id}/refresh" in paths
    assert not any(path.startswith("/ocpi") for path in paths)
    scheme = document["components"]["securitySchemes"]["AdminBearer"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    create = paths["/admin/bootstrap-tokens"]["post"]
    assert create["security"] == [{"AdminBearer": []}]
    assert "requestBody" in create


async def test_an_empty_admin_token_opens_nothing(tmp_path: Path) -> None:
    empty = settings(tmp_path).model_copy(update={"admin_token": SecretStr("")})
    async with AsyncTestClient(app=create_app(empty)) as client:
        for headers in ({"Authorization": "Bearer "}, {"Authorization": "Bearer"}):
            response = await client.get("/admin/bootstrap-tokens", headers=headers)
            assert response.status_code == 401
