"""`/health` and `/metrics`: no authentication; counters derived from the audit trail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from simulator.cpo.app import CpoSettings, create_app
from simulator.platform.observability import render_metrics
from simulator.platform.services import Platform
from simulator.platform.tokens_codec import encode_header

ADMIN = {"Authorization": "Bearer admin-secret"}


def settings(tmp_path: Path) -> CpoSettings:
    return CpoSettings(
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/cpo.db",
        admin_token="admin-secret",
        token_hmac_secret="hmac-secret",
    )


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(settings(tmp_path))) as test_client:
        yield test_client


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


async def scrape(client: AsyncTestClient[Any]) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return response.text


async def test_health_ok(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_health_degraded_when_the_database_is_unreachable(
    client: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    platform: Platform = client.app.state.platform

    async def down() -> bool:
        return False

    monkeypatch.setattr(platform.database, "ping", down)
    response = await client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "unreachable"}


async def test_metrics_start_at_zero(client: AsyncTestClient[Any]) -> None:
    text = await scrape(client)
    assert value(text, "plugfest_bootstrap_tokens_created_total") == 0
    assert value(text, "plugfest_registrations_total") == 0
    assert value(text, "plugfest_bootstrap_redemptions_total", outcome="success") == 0
    names = {family.name for family in text_string_to_metric_families(text)}
    assert {
        "plugfest_bootstrap_tokens_created",
        "plugfest_bootstrap_redemptions",
        "plugfest_auth_failures",
        "plugfest_registrations",
    } <= names


async def test_metrics_count_created_tokens(client: AsyncTestClient[Any]) -> None:
    for _ in range(2):
        await client.post("/admin/bootstrap-tokens", json={}, headers=ADMIN)
    text = await scrape(client)
    assert value(text, "plugfest_bootstrap_tokens_created_total") == 2


async def test_metrics_count_auth_failures_by_reason(client: AsyncTestClient[Any]) -> None:
    await client.get("/ocpi/versions")
    await client.get("/ocpi/versions", headers={"Authorization": encode_header("nobody")})
    await client.get("/admin/audit", headers={"Authorization": "Bearer wrong"})
    minted = (
        await client.post("/admin/bootstrap-tokens", json={"ttl_seconds": 60}, headers=ADMIN)
    ).json()
    await client.post(f"/admin/bootstrap-tokens/{minted['id']}/revoke", headers=ADMIN)
    await client.get("/ocpi/versions", headers={"Authorization": encode_header(minted["token"])})

    text = await scrape(client)
    assert value(text, "plugfest_auth_failures_total", reason="missing") == 1
    assert value(text, "plugfest_auth_failures_total", reason="unknown") == 1
    assert value(text, "plugfest_auth_failures_total", reason="admin") == 1
    assert value(text, "plugfest_auth_failures_total", reason="revoked") == 1
    assert (
        value(text, "plugfest_bootstrap_redemptions_total", outcome="failure", reason="revoked")
        == 1
    )


async def test_metrics_survive_a_restart(tmp_path: Path) -> None:
    """The counters come from the database, so a new app (or worker) reports the same."""
    async with AsyncTestClient(app=create_app(settings(tmp_path))) as first:
        await first.post("/admin/bootstrap-tokens", json={}, headers=ADMIN)
    async with AsyncTestClient(app=create_app(settings(tmp_path))) as second:
        text = await scrape(second)
    assert value(text, "plugfest_bootstrap_tokens_created_total") == 1


async def test_operations_routes_are_not_ocpi_modules(client: AsyncTestClient[Any]) -> None:
    minted = (await client.post("/admin/bootstrap-tokens", json={}, headers=ADMIN)).json()
    details = await client.get(
        "/ocpi/2.2.1", headers={"Authorization": encode_header(minted["token"])}
    )
    urls = [endpoint["url"] for endpoint in details.json()["data"]["endpoints"]]
    assert not any(url.endswith(("/health", "/metrics")) for url in urls)


def test_render_maps_events_to_counters() -> None:
    text = render_metrics(
        {
            ("token.created", None): 3,
            ("token.redeemed", None): 2,
            ("token.rejected", "expired"): 4,
            ("token.released", "ocpi_3001"): 1,
            ("auth.rejected", "malformed"): 5,
            ("partner.registered", None): 2,
            ("admin.action", None): 9,
        }
    ).decode()
    assert value(text, "plugfest_bootstrap_tokens_created_total") == 3
    assert value(text, "plugfest_bootstrap_redemptions_total", outcome="success") == 2
    failure = "plugfest_bootstrap_redemptions_total"
    assert value(text, failure, outcome="failure", reason="expired") == 4
    assert value(text, failure, outcome="failure", reason="ocpi_3001") == 1
    assert value(text, "plugfest_auth_failures_total", reason="expired") == 4
    assert value(text, "plugfest_auth_failures_total", reason="malformed") == 5
    assert value(text, "plugfest_registrations_total") == 2
