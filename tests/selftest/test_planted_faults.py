"""The self-test (issue #7): the judge against our own parties, clean and with planted faults.

Each fault of `simulator.platform.planted.FAULTS` is planted alone in a party started as its own
process (`plugfest <role> serve`, as `plugfest selfcheck` does), judged by `plugfest check --only`
limited to what catches it; the run must fail with exactly the fault's rules. The clean parties,
judged in full, must fail no rule. The runs go two at a time, each with its own ports and data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from conformance.mint import mint
from plugfest.selfcheck import SEED_LOCATIONS, Party, _environment, _wait_healthy, act_options
from simulator.platform.loopback import free_port, stop_process
from simulator.platform.planted import FAULTS, markdown
from specs.catalogue import default_catalogue

pytestmark = pytest.mark.selftest

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2
CLEAN = "clean"


@dataclass(frozen=True)
class Outcome:
    code: int
    failed: frozenset[str]
    log: str


@contextmanager
def _serve(role: str, workdir: Path, faults: tuple[str, ...], seed: bool) -> Iterator[Party]:
    """Like `plugfest.selfcheck.serve`, with `PLUGFEST_FAULTS` (`EMSP_PLUGFEST_FAULTS`) set."""
    port, admin = free_port(), os.urandom(18).hex()
    data = workdir / role
    data.mkdir(parents=True)
    prefix = "EMSP_" if role == "emsp" else ""
    env = {**_environment(role, data, port, admin), f"{prefix}PLUGFEST_FAULTS": ",".join(faults)}
    if seed:
        seed_command = ["plugfest", "db", "seed", "--locations", str(SEED_LOCATIONS)]
        subprocess.run(
            [sys.executable, "-m", *seed_command], env=env, check=True, capture_output=True
        )
    log = (workdir / f"{role}.log").open("wb")
    process = subprocess.Popen(  # our own CLI
        [sys.executable, "-m", "plugfest", role, "serve", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        party = Party(role, f"http://127.0.0.1:{port}", admin,
                      "EMSP_ADMIN_TOKEN" if role == "emsp" else "ADMIN_TOKEN")  # fmt: skip
        _wait_healthy(party.base_url, process)
        yield party
    finally:
        stop_process(process)
        log.close()


def _judge(role: str, faults: tuple[str, ...], only: tuple[str, ...]) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="plugfest-selftest-") as tmp:
        work = Path(tmp)
        with _serve(role, work, faults, seed=role == "cpo") as party:
            token = mint(party.base_url, party.admin_token, 1800, "selftest")
            mint_command = (
                f"{sys.executable} -m conformance.mint {party.base_url} --ttl {{ttl}} "
                f"--admin-token-env {party.admin_env}"
            )
            done = subprocess.run(  # our own CLI
                [sys.executable, "-m", "plugfest", "check", "--role", role,
                 "--versions-url", party.versions_url, "--token", token,
                 "--report-dir", str(work / "reports"), "--mint-token-command", mint_command,
                 *act_options(party), "--hypothesis-profile", "ci", *(f"--only={o}" for o in only)],
                env={**os.environ, party.admin_env: party.admin_token},
                capture_output=True, text=True, timeout=600,
            )  # fmt: skip
        runs = [p for p in (work / "reports").glob("*/results.json")]
        if not runs:
            return Outcome(done.returncode, frozenset({"<no results.json>"}),
                           done.stdout[-3000:] + done.stderr[-3000:])  # fmt: skip
        results: dict[str, Any] = json.loads(runs[0].read_text())
        failed = frozenset(r["id"] for r in results["rules"] if r["status"] == "failed")
        broken = [f"{t['nodeid']}: {t['outcome']}\n{(t['message'] or '')[-1500:]}"
                  for t in results["tests"] if t["outcome"] in ("failed", "error")]  # fmt: skip
        return Outcome(done.returncode, failed, "\n".join([done.stdout[-2000:], *broken]))


Job = tuple[str, str, tuple[str, ...], tuple[str, ...]]


def _jobs() -> list[Job]:
    """(key, role, faults, only): both clean parties in full, then each fault alone."""
    jobs: list[Job] = [(f"{CLEAN}/{role}", role, (), ()) for role in ("cpo", "emsp")]
    for fault in FAULTS.values():
        jobs.append((fault.name, fault.judged_as, (fault.name,), fault.only))
    return jobs


@cache
def _outcomes() -> dict[str, Outcome]:
    """Every run of the self-test, two at a time (done once, shared by the tests below)."""
    jobs = _jobs()
    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = pool.map(lambda job: _judge(job[1], job[2], job[3]), jobs)
        return {job[0]: outcome for job, outcome in zip(jobs, outcomes, strict=True)}


@pytest.mark.parametrize("role", ["cpo", "emsp"])
def test_the_clean_parties_pass_every_rule(role: str) -> None:
    outcome = _outcomes()[f"{CLEAN}/{role}"]
    assert outcome.failed == set(), outcome.log
    assert outcome.code == 0, outcome.log


@pytest.mark.parametrize("name", list(FAULTS))
def test_a_planted_fault_fails_exactly_its_rules(name: str) -> None:
    outcome = _outcomes()[name]
    assert outcome.failed == FAULTS[name].rules, outcome.log
    # A broken MUST fails the run; a broken SHOULD shows in the report only (no --strict).
    must = any(default_catalogue().get(rule).level == "MUST" for rule in FAULTS[name].rules)
    assert outcome.code == (1 if must else 0), outcome.log


def test_there_are_enough_faults_across_both_roles() -> None:
    assert len(FAULTS) >= 25
    assert {role for fault in FAULTS.values() for role in fault.roles} == {"cpo", "emsp"}


def test_the_docs_table_matches_the_registry() -> None:
    committed = (REPO_ROOT / "docs" / "selftest.md").read_text(encoding="utf-8")
    assert committed == markdown(), (
        "docs/selftest.md is stale: python -m simulator.platform.planted --markdown "
        "> docs/selftest.md"
    )
