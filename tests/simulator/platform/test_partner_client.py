"""Calls to a partner (simulator/platform/partner_client.py): URLs as given, redirects."""

from __future__ import annotations

import httpx
import pytest

from simulator.platform.partner_client import (
    ForeignRedirect,
    PartnerCallFailed,
    partner_http,
    under,
)


@pytest.mark.parametrize(
    ("endpoint", "path", "url"),
    [
        ("https://p.example/ocpi/locations/", "", "https://p.example/ocpi/locations/"),
        ("https://p.example/ocpi/locations", "", "https://p.example/ocpi/locations"),
        ("https://p.example/ocpi/locations/", "/NL/PFJ/L1", "https://p.example/ocpi/locations/NL/PFJ/L1"),
        ("https://p.example/ocpi/tokens", "NL/X/1?type=RFID", "https://p.example/ocpi/tokens/NL/X/1?type=RFID"),
    ],
)  # fmt: skip
def test_urls_below_an_endpoint_keep_it_as_given(endpoint: str, path: str, url: str) -> None:
    assert under(endpoint, path) == url


def _moving(target: str) -> httpx.MockTransport:
    """Redirects /old to `target`; answers everything else with its URL."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(307, headers={"Location": target})
        return httpx.Response(200, json={"at": str(request.url)})

    return httpx.MockTransport(answer)


async def test_a_redirect_within_the_partners_origin_is_followed() -> None:
    async with partner_http(5, _moving("/new?x=1")) as client:
        response = await client.post("https://p.example/old", json={"a": 1})
    assert response.json() == {"at": "https://p.example/new?x=1"}
    assert [r.status_code for r in response.history] == [307]


@pytest.mark.parametrize(
    "target", ["https://elsewhere.example/new", "http://p.example/new", "https://p.example:8443/"]
)
async def test_a_redirect_off_the_partners_origin_is_refused(target: str) -> None:
    """Our token would go along: never followed (another host, scheme or port)."""
    async with partner_http(5, _moving(target)) as client:
        with pytest.raises(ForeignRedirect, match="off the partner's origin"):
            await client.get("https://p.example/old")


async def test_redirects_in_a_row_are_bounded() -> None:
    async with partner_http(5, _moving("/old")) as client:
        with pytest.raises(httpx.TooManyRedirects):
            await client.get("https://p.example/old")


@pytest.mark.parametrize(
    ("http_status", "status", "refused_data"),
    [
        (422, None, True),
        (400, 2001, True),
        (200, 2001, True),
        (200, 2000, True),
        (401, 2000, False),  # our token, not our data: never retried with nulls
        (403, 2000, False),
        (404, 2000, False),
        (503, 3000, False),
        (None, None, False),  # no answer at all
    ],
)
def test_only_a_refusal_of_our_data_is_one(
    http_status: int | None, status: int | None, refused_data: bool
) -> None:
    failure = PartnerCallFailed("POST x", status, http_status)
    assert failure.refused_data is refused_data
