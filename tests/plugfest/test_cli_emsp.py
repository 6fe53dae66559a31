"""`plugfest emsp serve | register | refresh | unregister | command | pull`, `plugfest token
create --role emsp`, and `plugfest cpo tokens refresh` against the eMSP simulator."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from click.testing import Result
from litestar import Litestar
from litestar.testing import AsyncTestClient
from typer.testing import CliRunner

from plugfest import cpo_commands, emsp_commands, serving
from plugfest.cli import app
from plugfest.db_commands import Role, role_settings
from simulator.cpo.app import CpoSettings
from simulator.cpo.app import create_app as create_cpo
from simulator.emsp.app import EmspSettings, create_app
from simulator.platform.settings import PartySettings
from simulator.platform.tokens_codec import encode_header

WIDE = {"COLUMNS": "200"}
TOKEN_LINE = re.compile(r"^token:\s+(\S+)$", re.MULTILINE)
PARTNER_LINE = re.compile(r"^partner id: (\S+)$", re.MULTILINE)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=WIDE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class Served:
    """An app under uvicorn in a daemon thread (the CLI talks to it over HTTP)."""

    def __init__(self, application: Litestar, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Both parties' environments side by side: unprefixed for the CPO, EMSP_ for the eMSP."""
    for name in ("TOKEN_HMAC_SECRET", "ADMIN_TOKEN", "OCPI_BASE_URL", "PLUGFEST_MODE"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"EMSP_{name}", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cpo.db")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "cpo-data"))
    monkeypatch.setenv("EMSP_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/emsp.db")
    monkeypatch.setenv("EMSP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_settings_defaults_and_prefix(environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMSP_DATABASE_URL")
    monkeypatch.delenv("EMSP_DATA_DIR")
    settings = EmspSettings()
    assert settings.versions_url == "http://127.0.0.1:9001/ocpi/versions"
    assert settings.ocpi_party_id == "PFE"
    assert settings.ocpi_business_name == "Plugfest eMSP simulator"
    assert settings.effective_database_url == "sqlite+aiosqlite:///data/emsp.db"
    monkeypatch.setenv("OCPI_BASE_URL", "http://cpo.example")
    monkeypatch.setenv("EMSP_OCPI_BASE_URL", "http://emsp.example")
    assert EmspSettings().ocpi_base_url == "http://emsp.example"
    assert CpoSettings().ocpi_base_url == "http://cpo.example"


def test_emsp_serve_prints_the_versions_url(
    environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(serving.uvicorn, "run", lambda a, **kwargs: calls.append(kwargs))
    result = invoke("emsp", "serve", "--port", "9123")
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:9123/ocpi/versions" in result.output
    assert calls == [{"host": "127.0.0.1", "port": 9123}]
    assert (environment / "data" / "emsp-dev-secrets.env").is_file()


async def test_token_create_role_emsp_authenticates_on_the_emsp(environment: Path) -> None:
    result = await asyncio.to_thread(invoke, "token", "create", "--role", "emsp")
    assert result.exit_code == 0, result.output
    match = TOKEN_LINE.search(result.output)
    assert match is not None, result.output
    assert "versions URL: http://127.0.0.1:9001/ocpi/versions" in result.output
    async with AsyncTestClient(app=create_app(EmspSettings(outbox_worker_enabled=False))) as client:
        ok = await client.get("/ocpi/versions", headers={"Authorization": encode_header(match[1])})
        assert ok.status_code == 200, ok.text


@pytest.fixture
def parties(environment: Path) -> Iterator[tuple[Served, Served]]:
    """A CPO and the eMSP simulator on loopback, each on its environment."""
    cpo_port, emsp_port = free_port(), free_port()
    cpo = Served(create_cpo(CpoSettings(ocpi_base_url=f"http://127.0.0.1:{cpo_port}")), cpo_port)
    emsp = Served(
        create_app(EmspSettings(ocpi_base_url=f"http://127.0.0.1:{emsp_port}")), emsp_port
    )
    yield cpo, emsp
    emsp.stop()
    cpo.stop()


def test_register_refresh_command_pull_unregister(parties: tuple[Served, Served]) -> None:
    cpo, emsp = parties
    minted = invoke("token", "create", "--role", "cpo")
    assert minted.exit_code == 0, minted.output
    token = TOKEN_LINE.search(minted.output)
    assert token is not None
    url = ["--url", emsp.url]
    registered = invoke(
        "emsp", "register", "--versions-url", f"{cpo.url}/ocpi/versions", "--token", token[1], *url
    )
    assert registered.exit_code == 0, registered.output
    assert "NL/PLF CPO" in registered.output
    partner = PARTNER_LINE.search(registered.output)
    assert partner is not None
    assert invoke("emsp", "refresh", partner[1], *url).exit_code == 0

    stop = invoke("emsp", "command", "STOP_SESSION", "--partner", partner[1], "--session", "S1",
                  *url)  # fmt: skip
    assert stop.exit_code == 0, stop.output
    assert "/ocpi/emsp/2.2.1/commands/STOP_SESSION/" in stop.output
    assert "answer:       HTTP 200" in stop.output
    unknown_token = invoke(
        "emsp", "command", "START_SESSION", "--partner", partner[1], "--location", "L",
        "--evse", "E", "--token", "GHOST", *url,
    )  # fmt: skip
    assert unknown_token.exit_code == emsp_commands.EXIT_REFUSED
    assert "GHOST" in unknown_token.output

    pulled = invoke("emsp", "pull", "--partner", partner[1], "--module", "locations")
    assert pulled.exit_code == 0, pulled.output
    assert "locations: 0 stored" in pulled.output
    assert invoke("emsp", "pull", "--partner", partner[1], "--module", "x").exit_code == 2

    assert invoke("emsp", "unregister", partner[1], *url).exit_code == 0
    again = invoke("emsp", "refresh", partner[1], *url)
    assert again.exit_code == emsp_commands.EXIT_REFUSED


def test_cpo_tokens_refresh_pulls_the_emsps_tokens(parties: tuple[Served, Served]) -> None:
    """Tokens made before registration were never pushed: the refresh pulls them (§12.2.2), as
    our eMSP simulator serves them, with nothing it finds wrong in how the CPO asked."""
    cpo, emsp = parties
    emsp_admin = {"Authorization": f"Bearer {_admin_token(emsp_commands._settings())}"}
    for uid in ("T1", "T2"):
        made = httpx.put(f"{emsp.url}/admin/emsp/tokens/{uid}", json={}, headers=emsp_admin)
        assert made.status_code == 200, made.text
    token = TOKEN_LINE.search(invoke("token", "create", "--role", "cpo").output)
    assert token is not None
    registered = invoke("emsp", "register", "--versions-url", f"{cpo.url}/ocpi/versions",
                        "--token", token[1], "--url", emsp.url)  # fmt: skip
    assert registered.exit_code == 0, registered.output
    cpo_admin = {"Authorization": f"Bearer {_admin_token(role_settings(Role.cpo))}"}
    (partner,) = httpx.get(f"{cpo.url}/admin/partners", headers=cpo_admin).json()

    first = invoke("cpo", "tokens", "refresh", "--partner", partner["id"])
    assert first.exit_code == 0, first.output
    assert "tokens (all): 2 stored, 0 invalid, 1 page(s)" in first.output
    again = invoke("cpo", "tokens", "refresh", "--partner", partner["id"])
    assert again.exit_code == 0, again.output
    assert "tokens (changed since 20" in again.output
    exchanges = httpx.get(f"{emsp.url}/admin/emsp/exchanges", params={"module": "tokens"},
                          headers=emsp_admin).json()  # fmt: skip
    pulls = [e for e in exchanges if e["direction"] == "in" and e["method"] == "GET"]
    assert [e["status"] for e in pulls] == [200, 200], pulls
    assert "date_from=" not in pulls[0]["url"]
    assert "date_from=20" in pulls[1]["url"]
    assert all(not e["findings"] for e in pulls), pulls
    unknown = invoke("cpo", "tokens", "refresh", "--partner", "nobody")
    assert unknown.exit_code == cpo_commands.EXIT_REFUSED
    assert "no registered partner nobody" in unknown.output


def _admin_token(settings: PartySettings) -> str:
    assert settings.admin_token is not None
    return settings.admin_token.get_secret_value()


def test_admin_commands_fail_cleanly_when_nothing_listens(environment: Path) -> None:
    result = invoke("emsp", "refresh", "p1", "--url", f"http://127.0.0.1:{free_port()}")
    assert result.exit_code == emsp_commands.EXIT_REFUSED
    assert "not reachable" in result.output
