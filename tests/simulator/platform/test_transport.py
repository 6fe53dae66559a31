"""The OCPI transport (§4, §5) over real HTTP: envelope, status codes, request ids, auth."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.simulator.conftest import (
    LoopbackServer,
    RunningCpo,
    StartCpo,
    auth,
    b64,
    cpo_settings,
    free_port,
    is_envelope,
)


async def test_no_header_is_401_envelope_with_generated_ids(
    sqlite_cpo: RunningCpo, client: httpx.AsyncClient
) -> None:
    response = await client.get(sqlite_cpo.versions_url)
    assert response.status_code == 401
    assert is_envelope(response)["status_code"] == 2000
    request_id = response.headers["x-request-id"]
    uuid.UUID(request_id)
    assert response.headers["x-correlation-id"] == request_id


async def test_request_ids_are_echoed(sqlite_cpo: RunningCpo, client: httpx.AsyncClient) -> None:
    headers = {"X-Request-ID": "req-123", "X-Correlation-ID": "corr-456"}
    for url in (sqlite_cpo.versions_url, f"{sqlite_cpo.url}/nowhere"):
        response = await client.get(url, headers=headers)
        assert response.headers["x-request-id"] == "req-123"
        assert response.headers["x-correlation-id"] == "corr-456"
        is_envelope(response)


async def test_request_ids_of_any_length_are_echoed(
    sqlite_cpo: RunningCpo, client: httpx.AsyncClient
) -> None:
    """Found by schemathesis (issue #16): ids past 255 characters came back cut; §4.2 sets no
    length (the 255 was the contract's own invention)."""
    long = "r" * 600
    response = await client.get(sqlite_cpo.versions_url, headers={"X-Request-ID": long})
    assert response.headers["x-request-id"] == long


@pytest.mark.parametrize("path", ["/ocpi/versions", "/ocpi/2.2.1", "/ocpi/2.2.1/credentials"])
async def test_configuration_modules_answer_without_routing_headers(
    sqlite_cpo: RunningCpo, client: httpx.AsyncClient, path: str
) -> None:
    """§4.1.8.2 (TRANS-021), found by the judge's fuzzing (issue #16): configuration modules use
    no routing headers, even answering a request that sent some."""
    minted = await sqlite_cpo.mint()
    routing = {"OCPI-from-country-code": "NL", "OCPI-from-party-id": "PFJ",
               "OCPI-to-country-code": "DE", "OCPI-to-party-id": "ABC"}  # fmt: skip
    response = await client.get(sqlite_cpo.url + path, headers={**auth(minted.token), **routing})
    assert response.status_code in (200, 405), response.text
    assert not [name for name in response.headers if name.lower().startswith("ocpi-")]


@pytest.mark.parametrize(
    "headers",
    [{"OCPI-to-country-code": "2Z\tX"}, {"OCPI-from-party-id": "A\x01B"},
     {"X-Request-ID": "r" * 254 + " x"}, {"X-Correlation-ID": "a\x7fb"}],
)  # fmt: skip
def test_header_values_that_cannot_be_echoed_still_get_an_answer(
    shared_cpo: str, headers: dict[str, str]
) -> None:
    """Found by schemathesis (issue #16): a routing header with a tab came back truncated to a
    trailing tab, which HTTP/1.1 cannot send, and the connection closed without an answer."""
    response = httpx.get(f"{shared_cpo}/ocpi/versions", headers=headers, timeout=10)
    assert response.status_code == 401
    is_envelope(response)
    for name, value in response.headers.items():
        assert value == value.strip(), name
        assert not any(c in value for c in "\x01\x7f"), name


async def test_versions_and_details_list_exactly_the_served_modules(
    sqlite_cpo: RunningCpo, client: httpx.AsyncClient
) -> None:
    minted = await sqlite_cpo.mint()
    versions = await client.get(sqlite_cpo.versions_url, headers=auth(minted.token))
    body = is_envelope(versions)
    assert body["data"] == [{"version": "2.2.1", "url": f"{sqlite_cpo.url}/ocpi/2.2.1"}]
    details = await client.get(body["data"][0]["url"], headers=auth(minted.token))
    data = is_envelope(details)["data"]
    assert data["version"] == "2.2.1"
    listed = {e["url"].removeprefix(sqlite_cpo.url) for e in data["endpoints"]}
    # Every module the app routes is listed, and every listed URL is routed (§6.2).
    module_roots = {
        "/".join(route.path.split("/")[:5])
        for route in sqlite_cpo.app.routes
        if route.path.startswith(("/ocpi/2.2.1/", "/ocpi/cpo/2.2.1/"))
    }
    assert listed == module_roots
    assert {(e["identifier"], e["role"]) for e in data["endpoints"]} == {
        ("credentials", "SENDER"),
        *((m, "SENDER") for m in ("locations", "sessions", "cdrs", "tariffs")),
        *((m, "RECEIVER") for m in ("tokens", "commands", "chargingprofiles", "hubclientinfo")),
    }


async def test_invalid_json_is_400_envelope_and_keeps_token(
    sqlite_cpo: RunningCpo, client: httpx.AsyncClient
) -> None:
    minted = await sqlite_cpo.mint()
    for raw in (b"{", b"\xff\xfe", b"not json", b""):
        response = await client.post(
            sqlite_cpo.credentials_url, headers=auth(minted.token), content=raw
        )
        assert response.status_code == 400, (raw, response.text)
        assert is_envelope(response)["status_code"] == 2000
    still = await client.get(sqlite_cpo.versions_url, headers=auth(minted.token))
    assert still.status_code == 200


async def test_malformed_requests_never_500_nor_foreign_body(
    sqlite_cpo: RunningCpo, client: httpx.AsyncClient
) -> None:
    minted = await sqlite_cpo.mint()
    token = auth(minted.token)
    cases: list[tuple[str, str, dict[str, str], Any]] = [
        ("GET", "/nowhere", {}, None),
        ("GET", "/ocpi/2.2.1/locations", token, None),
        ("PATCH", "/ocpi/versions", token, None),
        ("PATCH", "/ocpi/2.2.1/credentials", token, None),
        ("POST", "/ocpi/2.2.1/credentials", token, b"[1, 2"),
        ("POST", "/ocpi/2.2.1/credentials", token, b"x" * 2_000_000),
        ("POST", "/ocpi/2.2.1/credentials", token, b"[]"),
        ("POST", "/ocpi/2.2.1/credentials", token, b'{"token": null, "roles": 5}'),
        ("POST", "/ocpi/2.2.1/credentials", {**token, "Content-Type": "text/plain"}, b"{}"),
        ("GET", "/ocpi/versions", {"Authorization": "Token"}, None),
        ("GET", "/ocpi/versions", {"Authorization": "Token ===="}, None),
        ("GET", "/ocpi/versions?x=%ff%fe", token, None),
        ("DELETE", "/ocpi/versions", token, None),
    ]
    for method, path, headers, content in cases:
        response = await client.request(
            method, sqlite_cpo.url + path, headers=headers, content=content
        )
        assert response.status_code < 500, (method, path, response.text)
        is_envelope(response)
    assert (await client.get(sqlite_cpo.url + "/nowhere")).status_code == 404
    not_allowed = await client.patch(sqlite_cpo.versions_url, headers=token)
    assert not_allowed.status_code == 405
    assert not_allowed.headers["allow"] == "GET"  # RFC 9110 §15.5.6: what is allowed
    # OCPI uses no OPTIONS: a 405 too (Litestar's own answer listed too few methods, issue #16).
    options = await client.options(sqlite_cpo.credentials_url, headers=token)
    assert options.status_code == 405
    assert set(options.headers["allow"].split(", ")) == {"GET", "POST", "PUT", "DELETE"}
    is_envelope(not_allowed)
    too_big = await client.post(sqlite_cpo.credentials_url, headers=token, content=b"x" * 2_000_000)
    assert too_big.status_code == 413


async def test_raw_tokens_refused_by_default(
    sqlite_cpo: RunningCpo, client: httpx.AsyncClient
) -> None:
    minted = await sqlite_cpo.mint()
    response = await client.get(
        sqlite_cpo.versions_url, headers={"Authorization": f"Token {minted.token}"}
    )
    assert response.status_code == 401
    is_envelope(response)


async def test_raw_tokens_accepted_when_configured(
    start_cpo: StartCpo, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    cpo = start_cpo(f"sqlite+aiosqlite:///{tmp_path}/raw.db", ocpi_accept_raw_tokens=True)
    minted = await cpo.mint()
    raw = await client.get(cpo.versions_url, headers={"Authorization": f"Token {minted.token}"})
    assert raw.status_code == 200
    encoded = await client.get(cpo.versions_url, headers=auth(minted.token))
    assert encoded.status_code == 200


# --- Hypothesis: nothing random authenticates --------------------------------------------------


@pytest.fixture(scope="module")
def shared_cpo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One CPO for the property tests (a function-scoped server per example would be slow)."""
    from simulator.cpo.app import create_app
    from simulator.platform.clock import FakeClock

    tmp = tmp_path_factory.mktemp("hypothesis-cpo")
    port = free_port()
    settings_ = cpo_settings(tmp, f"sqlite+aiosqlite:///{tmp}/cpo.db", port)
    server = LoopbackServer(create_app(settings_, clock=FakeClock()), port)
    server.start()
    yield server.url
    server.stop()


def _assert_rejected(base: str, headers: dict[str, Any]) -> None:
    with httpx.Client(timeout=30) as http:
        for method, path in (
            ("GET", "/ocpi/versions"),
            ("GET", "/ocpi/2.2.1"),
            ("GET", "/ocpi/2.2.1/credentials"),
            ("POST", "/ocpi/2.2.1/credentials"),
        ):
            response = http.request(method, base + path, headers=headers, content=b"{}")
            assert response.status_code == 401, (headers, response.text)
            assert is_envelope(response)["status_code"] == 2000


_tokens = st.text(min_size=0, max_size=80)
_header_chars = st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=_tokens)
def test_random_tokens_never_authenticate(shared_cpo: str, token: str) -> None:
    encoded = base64.b64encode(token.encode()).decode()
    _assert_rejected(shared_cpo, {"Authorization": f"Token {encoded}".strip()})


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.one_of(
        st.text(_header_chars, max_size=120),
        st.builds(
            lambda s, v: f"{s} {v}",
            st.sampled_from(["Token", "token", "Bearer", "Basic", ""]),
            st.text(_header_chars, max_size=80).map(str.strip),
        ),
        st.binary(max_size=60).map(lambda b: "Token " + base64.b64encode(b).decode()),
        st.binary(max_size=60).map(lambda b: "Token " + base64.urlsafe_b64encode(b).decode()),
    )
)
def test_random_authorization_headers_never_authenticate(shared_cpo: str, header: str) -> None:
    header = header.strip(" \t")  # HTTP/1.1 cannot carry surrounding whitespace in a value
    _assert_rejected(shared_cpo, {"Authorization": header.encode("latin-1")})


def test_b64_helper_matches_spec() -> None:
    assert b64("abc") == "YWJj"
