"""`plugfest check` end to end against our reference CPO on loopback, clean and with a planted
fault: the verdict, the artefacts (results.json, index.html, junit.xml, pytest.html), every rule
of the catalogue accounted for, and no secret anywhere in what was written."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from conformance.report import module_coverage
from simulator.cpo.app import CpoSettings, create_app
from simulator.platform.loopback import BackgroundServer, free_port
from specs.catalogue import default_catalogue

ADMIN = "judge-test-admin-token"


def _serve(tmp_path: Path, wrap: Any = None) -> Iterator[str]:
    port = free_port()
    settings = CpoSettings(
        data_dir=tmp_path / "cpo", database_url=f"sqlite+aiosqlite:///{tmp_path}/cpo.db",
        ocpi_base_url=f"http://127.0.0.1:{port}", admin_token=ADMIN,
        token_hmac_secret="judge-test-hmac-secret",
    )  # fmt: skip
    app = create_app(settings)
    server = BackgroundServer(wrap(app) if wrap else app, port)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def _check(base_url: str, report_dir: Path, *extra: str) -> tuple[int, dict[str, Any], Path, str]:
    mint = [sys.executable, "-m", "conformance.mint", base_url]
    env = {**os.environ, "ADMIN_TOKEN": ADMIN}
    token = subprocess.run([*mint, "--ttl", "900"], env=env, capture_output=True, text=True,
                           check=True).stdout.strip()  # fmt: skip
    command = [
        sys.executable, "-m", "plugfest", "check", "--role", "cpo",
        "--versions-url", f"{base_url}/ocpi/versions", "--token", token,
        "--report-dir", str(report_dir),
        "--mint-token-command", " ".join([*mint, "--ttl", "{ttl}"]), *extra,
    ]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert report_dir.exists(), done.stdout + done.stderr
    (run_dir,) = [p for p in report_dir.iterdir() if p.is_dir()]
    results = json.loads((run_dir / "results.json").read_text())
    return done.returncode, results, run_dir, token


@pytest.fixture
def cpo(tmp_path: Path) -> Iterator[str]:
    yield from _serve(tmp_path)


def test_our_cpo_passes_and_the_reports_are_complete_and_clean(cpo: str, tmp_path: Path) -> None:
    code, results, run_dir, token_a = _check(cpo, tmp_path / "reports")
    assert code == 0, [r["id"] for r in results["rules"] if r["status"] == "failed"]
    assert results["schema"] == "plugfest-results/1"
    assert results["summary"]["verdict"] == "pass"
    assert {r["id"] for r in results["rules"]} == {r.id for r in default_catalogue()}
    statuses = {r["status"] for r in results["rules"]}
    assert statuses <= {"passed", "failed", "skipped", "not_covered", "not_applicable"}
    assert all(r["skip_reasons"] for r in results["rules"] if r["status"] == "skipped")
    assert results["coverage"] == module_coverage(results["rules"])
    assert sum(row["total"] for row in results["coverage"]) == len(results["rules"])
    for name in ("index.html", "junit.xml", "pytest.html"):
        assert (run_dir / name).stat().st_size > 0
    html = (run_dir / "index.html").read_text()
    assert "<script src" not in html  # self-contained: readable offline
    assert '<link rel="stylesheet"' not in html
    assert (tmp_path / "reports" / "index.html").exists()
    # Secrets: every Authorization header recorded is a label, every credentials token field
    # in a body is redacted, and the TOKEN_A we minted appears nowhere, raw or in Base64.
    for exchange in results["exchanges"]:
        auth = exchange["request_headers"].get("Authorization")
        assert auth in (None, "<redacted>") or auth.startswith(("Token <", "Bearer <")), auth
        for body in (exchange["request_body"], exchange["response_body"]):
            assert '"token":"' not in (body or "").replace(" ", "").replace('"<redacted>"', "")
    for path in run_dir.iterdir():
        text = path.read_text(errors="replace")
        for secret in (token_a, ADMIN):
            assert secret not in text, f"{path.name} leaks a secret"
            assert base64.b64encode(secret.encode()).decode() not in text


def _forbid_instead_of_unauthorized(app: ASGIApp) -> ASGIApp:
    """Planted fault: every HTTP 401 leaves as 403 (a classic misreading of §4.1.2)."""

    async def faulty(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_403(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                message = {**message, "status": 403}
            await send(message)

        await app(scope, receive, send_403)

    return faulty


def test_a_planted_fault_fails_the_run_on_its_rules(tmp_path: Path) -> None:
    server = _serve(tmp_path, wrap=_forbid_instead_of_unauthorized)
    url = next(server)
    try:
        code, results, _, _ = _check(url, tmp_path / "reports", "--only", "TRANS-001")
    finally:
        next(server, None)
    assert code == 1
    failed = {r["id"] for r in results["rules"] if r["status"] == "failed"}
    assert failed == {"TRANS-001"}
    (violation,) = next(r for r in results["rules"] if r["id"] == "TRANS-001")["violations"][:1]
    assert violation["expected"] == "HTTP 401"
    assert violation["actual"].startswith("HTTP 403")
    assert violation["curl"].startswith("curl -i -X GET")
