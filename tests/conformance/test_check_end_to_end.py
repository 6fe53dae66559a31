"""`plugfest check` end to end against our reference CPO on loopback, clean and with a planted
fault: the verdict, the artefacts (results.json, index.html, junit.xml, rules.junit.xml,
pytest.html), every rule of the catalogue accounted for, and no secret anywhere in what was
written."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from conformance.report import module_coverage
from simulator.cpo.app import CpoSettings, create_app
from simulator.platform.loopback import BackgroundServer, free_port
from specs.catalogue import default_catalogue
from tests.simulator.conftest import PartnerDouble, auth, partner_app

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


def _mint(base_url: str) -> str:
    """A fresh TOKEN_A of our CPO, through its admin API."""
    mint = [sys.executable, "-m", "conformance.mint", base_url, "--ttl", "900"]
    env = {**os.environ, "ADMIN_TOKEN": ADMIN}
    return subprocess.run(mint, env=env, capture_output=True, text=True, check=True).stdout.strip()


def _check(base_url: str, report_dir: Path, *extra: str) -> tuple[int, dict[str, Any], Path, str]:
    mint = [sys.executable, "-m", "conformance.mint", base_url]
    env = {**os.environ, "ADMIN_TOKEN": ADMIN}
    token = _mint(base_url)
    command = [
        sys.executable, "-m", "plugfest", "check", "--role", "cpo",
        "--versions-url", f"{base_url}/ocpi/versions", "--token", token,
        "--report-dir", str(report_dir),
        "--mint-token-command", " ".join([*mint, "--ttl", "{ttl}"]),
        "--revoke-token-command", " ".join([*mint, "--revoke"]), *extra,
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
    assert results["schema"] == "plugfest-results/4"
    assert results["summary"]["verdict"] == "pass"
    assert results["run"]["exit_status"] == 0
    assert {r["id"] for r in results["rules"]} == {r.id for r in default_catalogue()}
    statuses = {r["status"] for r in results["rules"]}
    allowed = {"passed", "skipped", "unobservable", "not_covered", "not_applicable"}
    assert statuses <= allowed, statuses
    assert all(r["unobservable"] for r in results["rules"] if r["status"] == "unobservable")
    assert all(r["skip_reasons"] for r in results["rules"] if r["status"] == "skipped")
    assert {t["outcome"] for t in results["tests"]} <= {"passed", "skipped"}
    assert results["coverage"] == module_coverage(results["rules"])
    assert sum(row["total"] for row in results["coverage"]) == len(results["rules"])
    for name in ("index.html", "junit.xml", "pytest.html"):
        assert (run_dir / name).stat().st_size > 0
    [per_rule] = ET.parse(run_dir / "rules.junit.xml").getroot()
    assert [c.attrib["name"].split()[0] for c in per_rule] == [r["id"] for r in results["rules"]]
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


def test_one_module_alone_is_judged_on_the_registration_it_needs(cpo: str, tmp_path: Path) -> None:
    """`--only locations` runs the registration too: the Locations rules are judged, not
    blocked for want of a token C."""
    code, results, _, _ = _check(cpo, tmp_path / "reports", "--only", "locations")
    assert code == 0
    nodeids = [t["nodeid"] for t in results["tests"]]
    assert any(n.endswith("test_register_with_token_a") for n in nodeids)
    assert not any(n.startswith("common/test_credentials_") for n in nodeids), nodeids
    assert not any("not registered" in str(t["blocked"]) for t in results["tests"])
    statuses = {r["id"]: r["status"] for r in results["rules"] if r["id"].startswith("LOC-")}
    assert "passed" in statuses.values()
    assert "blocked" not in statuses.values(), statuses


def test_a_registered_token_is_judged_on_what_it_can_read_and_left_working(
    cpo: str, tmp_path: Path
) -> None:
    """`--token-kind registered`: the token C of a registration the judge did not make. What
    only reads runs on it; what would push under the judge's party or change the registration
    is skipped with the reason, never blocked or failed; and the registration still works."""
    partner_port = free_port()
    double = PartnerDouble(url=f"http://127.0.0.1:{partner_port}", accepted={"token-b"})
    partner = BackgroundServer(partner_app(double), partner_port)
    partner.start()
    try:
        answer = httpx.post(f"{cpo}/ocpi/2.2.1/credentials", headers=auth(_mint(cpo)),
                            json=double.credentials("token-b"), timeout=30)  # fmt: skip
        token_c = answer.json()["data"]["token"]
        code, results, _, _ = _check(cpo, tmp_path / "reports", "--token-kind", "registered",
                                     "--token", token_c)  # fmt: skip
        still = httpx.get(f"{cpo}/ocpi/2.2.1/credentials", headers=auth(token_c), timeout=30)
    finally:
        partner.stop()
    assert code == 0
    statuses = {r["id"]: r["status"] for r in results["rules"]}
    assert {"failed", "blocked", "error"}.isdisjoint(statuses.values()), statuses
    assert statuses["TRANS-028"] == "passed"  # the Senders' pages, read with token C
    skipped = {str(t["message"]) for t in results["tests"] if t["outcome"] == "skipped"}
    assert any("the token C of another" in reason for reason in skipped), skipped
    assert still.status_code == 200  # neither rotated nor deleted


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


def test_a_waiver_keeps_the_gate_green_and_the_diff_shows_exactly_its_rule(tmp_path: Path) -> None:
    """Issue #13's end to end: one planted fault (every 401 leaves as 403), judged twice with
    the same seed. With a waiver for its rule the run exits 0 and reports the failure `waived`,
    with its evidence; without it, exit 1; `plugfest diff` between the two shows that rule
    alone."""
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\nrule = "TRANS-001"\nreason = "the gateway answers 403; fix planned"\n'
        'expires = 2999-12-31\nlink = "https://tracker.example/PRJ-12"\n',
        encoding="utf-8",
    )
    server = _serve(tmp_path, wrap=_forbid_instead_of_unauthorized)
    url = next(server)
    try:
        only = ("--only", "TRANS-001", "--seed", "1234")
        waived_code, waived, waived_dir, _ = _check(
            url, tmp_path / "waived", *only, "--waivers", str(waivers)
        )
        failed_code, failed, failed_dir, _ = _check(url, tmp_path / "failed", *only)
        replayed = _replay(url, waived_dir, tmp_path / "replayed")
    finally:
        next(server, None)
    assert waived_code == 0
    rule = next(r for r in waived["rules"] if r["id"] == "TRANS-001")
    assert (rule["status"], rule["waived_status"]) == ("waived", "failed")
    assert rule["violations"][0]["actual"].startswith("HTTP 403")  # the evidence is kept
    assert [w["state"] for w in waived["waivers"]] == ["applied"]
    assert "the gateway answers 403; fix planned" in (waived_dir / "index.html").read_text()
    assert (waived["run"]["seed"], failed["run"]["seed"]) == ("1234", "1234")
    assert failed_code == 1
    assert next(r for r in failed["rules"] if r["id"] == "TRANS-001")["status"] == "failed"
    done = subprocess.run(
        [sys.executable, "-m", "plugfest", "diff", str(waived_dir), str(failed_dir),
         "--format", "json", "--fail-on", "new"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # a new failure: the waiver is gone
    changes = json.loads(done.stdout)["changes"]
    assert [(c["rule"], c["old"], c["new"]) for c in changes] == [("TRANS-001", "waived", "failed")]
    # the report shows the same diff against a baseline
    report = [sys.executable, "-m", "plugfest", "report", str(failed_dir / "results.json")]
    subprocess.run([*report, "--baseline", str(waived_dir)], check=True, timeout=60)
    html = (failed_dir / "index.html").read_text()
    assert f"Changes since baseline {waived['run']['id']}" in html
    # --replay: the same seed and options (the token is never recorded: given again)
    assert replayed["run"]["seed"] == "1234"
    assert {**replayed["run"]["options"], "report_dir": None} == {
        **waived["run"]["options"], "report_dir": None}  # fmt: skip
    assert next(r for r in replayed["rules"] if r["id"] == "TRANS-001")["status"] == "waived"


def _replay(base_url: str, run_dir: Path, report_dir: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "plugfest", "check", "--replay", str(run_dir),
         "--token", _mint(base_url), "--report-dir", str(report_dir)],
        env={**os.environ, "ADMIN_TOKEN": ADMIN}, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (replay_dir,) = [p for p in report_dir.iterdir() if p.is_dir()]
    return dict(json.loads((replay_dir / "results.json").read_text()))


def test_a_target_that_cannot_be_reached_is_a_usage_error_not_a_verdict(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}/ocpi/versions"
    done = subprocess.run(
        [sys.executable, "-m", "plugfest", "check", "--role", "cpo", "--versions-url", closed,
         "--token", "some-token-a", "--report-dir", str(tmp_path / "reports")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert f"cannot reach {closed}" in lines[0]
    assert "refused" in lines[0].lower()
    assert not (tmp_path / "reports").exists()  # no verdicts written


def test_a_url_that_answers_but_not_as_ocpi_is_a_usage_error(cpo: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "plugfest", "check", "--role", "cpo",
         "--versions-url", f"{cpo}/schema", "--token", "some-token-a",
         "--report-dir", str(tmp_path / "reports")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "not OCPI JSON" in done.stdout or "no OCPI response" in done.stdout, done.stdout


def _hangs_after_discovery(base: str) -> ASGIApp:
    """A party that answers its versions and 2.2.1 details, then never answers anything else
    (each request is held until the server stops)."""
    versions = {"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z",
                "data": [{"version": "2.2.1", "url": f"{base}/ocpi/2.2.1"}]}  # fmt: skip
    details = {"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z", "data": {
        "version": "2.2.1", "endpoints": [
            {"identifier": "credentials", "role": "RECEIVER", "url": f"{base}/ocpi/2.2.1/creds"},
            {"identifier": "locations", "role": "SENDER", "url": f"{base}/ocpi/2.2.1/locations"},
        ]}}  # fmt: skip
    answers = {"/ocpi/versions": versions, "/ocpi/2.2.1": details}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = answers.get(scope["path"])
        if body is None:
            await asyncio.sleep(30)  # longer than the judge's --max-wait below
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})  # fmt: skip
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})

    return app


def test_a_party_that_stops_answering_is_judged_within_bounds(tmp_path: Path) -> None:
    """Every wait is bounded (--max-wait) and a silent target is not waited for again and
    again: the run ends in bounded time, the unreached rules are blocked (by no answer), and
    nothing is failed without evidence."""
    port = free_port()
    server = BackgroundServer(_hangs_after_discovery(f"http://127.0.0.1:{port}"), port)
    server.start()
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "plugfest", "check", "--role", "cpo",
             "--versions-url", f"http://127.0.0.1:{port}/ocpi/versions", "--token", "a-token-a",
             "--max-wait", "2", "--report-dir", str(tmp_path / "reports")],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    finally:
        server.stop()
    assert time.monotonic() - started < 180, "the run was not bounded"
    (run_dir,) = [p for p in (tmp_path / "reports").iterdir() if p.is_dir()]
    results = json.loads((run_dir / "results.json").read_text())
    blocked = [r for r in results["rules"] if r["status"] == "blocked"]
    assert any("no HTTP answer" in b["reason"] for r in blocked for b in r["blocked_by"])
    for rule in results["rules"]:
        if rule["status"] == "failed":
            assert all(v["exchange"] and v["curl"] for v in rule["violations"]), rule["id"]
    assert [t["nodeid"] for t in results["tests"] if t["outcome"] == "error"] == []
    assert done.returncode in (0, 1), done.stdout + done.stderr
