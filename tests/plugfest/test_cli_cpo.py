"""`plugfest cpo serve`, `plugfest token ...`, `plugfest db upgrade`."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import typer
from click.testing import Result
from litestar.testing import AsyncTestClient
from typer.testing import CliRunner

from plugfest import serving
from plugfest.cli import app
from plugfest.token_commands import parse_party, parse_ttl
from simulator.cpo.app import CpoSettings, create_app
from simulator.platform.tokens_codec import encode_header

WIDE = {"COLUMNS": "200"}
TOKEN_LINE = re.compile(r"^token:\s+(\S+)$", re.MULTILINE)
ID_LINE = re.compile(r"^id:\s+(\S+)$", re.MULTILINE)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CPO's environment: a database and a data directory in tmp_path, no secrets set."""
    for name in ("TOKEN_HMAC_SECRET", "ADMIN_TOKEN", "OCPI_BASE_URL", "PLUGFEST_MODE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "cpo.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)  # no stray .env
    return path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=WIDE)


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    return {name for (name,) in rows}


def test_db_upgrade_creates_the_tables(database: Path) -> None:
    result = invoke("db", "upgrade", "--role", "cpo")
    assert result.exit_code == 0, result.output
    assert {"bootstrap_tokens", "partners", "audit_events"} <= tables(database)
    again = invoke("db", "upgrade")
    assert again.exit_code == 0, again.output


async def test_token_create_authenticates_on_the_server(database: Path) -> None:
    result = await asyncio.to_thread(invoke, "token", "create", "--ttl", "15m", "--label", "X")
    assert result.exit_code == 0, result.output
    match = TOKEN_LINE.search(result.output)
    assert match is not None, result.output
    token = match.group(1)
    assert result.output.count(token) == 1
    assert "versions URL: http://127.0.0.1:9000/ocpi/versions" in result.output
    assert (database.parent / "data" / "cpo-dev-secrets.env").is_file()

    # A server on the same environment (same generated dev secrets) accepts the token.
    async with AsyncTestClient(app=create_app(CpoSettings())) as client:
        ok = await client.get("/ocpi/versions", headers={"Authorization": encode_header(token)})
        assert ok.status_code == 200, ok.text
        bad = await client.get("/ocpi/versions", headers={"Authorization": encode_header("x")})
        assert bad.status_code == 401


def test_token_list_and_revoke(database: Path) -> None:
    created = invoke("token", "create", "--ttl", "2d", "--label", "acme", "--party", "nl/abc")
    assert created.exit_code == 0, created.output
    token = TOKEN_LINE.search(created.output)
    token_id = ID_LINE.search(created.output)
    assert token is not None
    assert token_id is not None
    assert "for party:    NL/ABC" in created.output

    listing = invoke("token", "list")
    assert listing.exit_code == 0, listing.output
    assert token_id.group(1) in listing.output
    assert "acme" in listing.output
    assert "live" in listing.output
    assert token.group(1) not in listing.output

    revoked = invoke("token", "revoke", token_id.group(1))
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in invoke("token", "list").output
    assert invoke("token", "revoke", token_id.group(1)).exit_code == 1


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("15m", 900), ("1h", 3600), ("2d", 172800), ("45", 45)]
)
def test_parse_ttl(text: str, seconds: int) -> None:
    assert parse_ttl(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["0s", "-1h", "1w", "h", "", "1.5h"])
def test_parse_ttl_refuses(text: str) -> None:
    with pytest.raises(typer.BadParameter):
        parse_ttl(text)


def test_parse_party() -> None:
    assert parse_party("nl/abc") == ("NL", "ABC")
    assert parse_party(None) is None
    with pytest.raises(typer.BadParameter):
        parse_party("NLD/AB")


def test_bad_ttl_is_a_usage_error(database: Path) -> None:
    result = invoke("token", "create", "--ttl", "forever")
    assert result.exit_code == 2
    assert not database.exists()


def test_quiet_prints_the_token_alone(database: Path) -> None:
    result = invoke("token", "create", "--ttl", "90s", "--quiet")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}\n", result.stdout)


def test_production_without_secrets_exits_1(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLUGFEST_MODE", "production")
    result = invoke("token", "create")
    assert result.exit_code == 1
    assert "TOKEN_HMAC_SECRET" in result.output


def test_production_refuses_planted_faults(database: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Some planted faults switch authentication checks off: never in production."""
    for name, value in (("PLUGFEST_MODE", "production"), ("TOKEN_HMAC_SECRET", "h" * 32),
                        ("ADMIN_TOKEN", "a" * 32), ("OCPI_BASE_URL", "https://cpo.example"),
                        ("PLUGFEST_FAULTS", "token_a_reusable")):  # fmt: skip
        monkeypatch.setenv(name, value)
    result = invoke("token", "create")
    assert result.exit_code == 1
    assert "production mode refuses planted faults (PLUGFEST_FAULTS): token_a_reusable" in (
        result.output
    )


def test_cpo_serve_defaults_the_base_url(database: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(serving.uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    result = invoke("cpo", "serve", "--port", "9123")
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:9123/ocpi/versions" in result.output
    assert calls == [{"host": "127.0.0.1", "port": 9123}]


def test_cpo_serve_keeps_a_configured_base_url(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OCPI_BASE_URL", "https://cpo.example.com")
    monkeypatch.setattr(serving.uvicorn, "run", lambda app, **kwargs: None)
    result = invoke("cpo", "serve", "--host", "0.0.0.0")
    assert result.exit_code == 0, result.output
    assert "https://cpo.example.com/ocpi/versions" in result.output


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("OUTBOX_LEASE_SECONDS", "1", "outbox lease must be at least twice the request timeout"),
        ("PLUGFEST_FAULTS", "nonsense", "unknown planted faults ['nonsense']"),
    ],
)
def test_cpo_serve_refuses_bad_settings_with_a_message(
    database: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    monkeypatch.setattr(serving.uvicorn, "run", lambda app, **kwargs: pytest.fail("served"))
    result = invoke("cpo", "serve")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # refused, not crashed
    assert "Error: " in result.output
    assert message in result.output
