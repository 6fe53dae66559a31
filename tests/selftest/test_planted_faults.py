"""The self-test: the judge against our own parties, clean and with many planted faults at once.

Real parties have many deviations at once, so the judge is tested that way. Each combination of
`simulator.platform.planted.FAULTS` is planted in a party started as its own process (as
`plugfest selfcheck` does) and judged in full by `plugfest check`. For each combination:

- every fault is reported under each of its rules with evidence (unless another planted fault
  masks it, as the registry says);
- no rule outside the union of the faults' rules (and what they may also fail together) fails;
- at least 80% of the MUST rules the clean party passes are still judged (passed or failed);
- the judge never crashes, and the run finishes within 5 minutes.

Combinations: both clean parties, every fault of a role at once (two at a time, in threads), and
subsets of 2 to 6 faults drawn by Hypothesis (2 per role in CI, more under `thorough`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conformance.mint import mint
from plugfest.selfcheck import hook_options, serve
from simulator.platform.planted import FAULTS, markdown, of_role

pytestmark = pytest.mark.selftest

REPO_ROOT = Path(__file__).resolve().parents[2]
ROLES = ("cpo", "emsp")
JUDGED_SHARE = 0.8  # of the clean party's passed MUST rules, still judged with faults planted
RUN_SECONDS = 300  # a whole run, however broken the party
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"


@dataclass(frozen=True)
class Outcome:
    faults: tuple[str, ...]
    code: int
    results: dict[str, Any]
    log: str

    def status(self, rule: str) -> str:
        return str(self.rule(rule)["status"])

    def rule(self, rule: str) -> dict[str, Any]:
        return next(r for r in self.results["rules"] if r["id"] == rule)

    def with_status(self, *statuses: str, level: str | None = None) -> set[str]:
        return {r["id"] for r in self.results["rules"]
                if r["status"] in statuses and level in (None, r["level"])}  # fmt: skip


def _judge(role: str, faults: tuple[str, ...]) -> Outcome:
    """Our `role` party with `faults` planted, judged in full by `plugfest check`."""
    with tempfile.TemporaryDirectory(prefix="plugfest-selftest-") as tmp:
        work = Path(tmp)
        with serve(role, work, seed=role == "cpo", faults=faults) as party:
            token = mint(party.base_url, party.admin_token, 1800, "selftest")
            done = subprocess.run(  # our own CLI
                [sys.executable, "-m", "plugfest", "check", "--role", role,
                 "--versions-url", party.versions_url, "--token", token,
                 "--report-dir", str(work / "reports"), *hook_options(party),
                 "--hypothesis-profile", "ci"],
                env={**os.environ, party.admin_env: party.admin_token},
                capture_output=True, text=True, timeout=2 * RUN_SECONDS,
            )  # fmt: skip
        runs = list((work / "reports").glob("*/results.json"))
        log = done.stdout[-3000:] + done.stderr[-3000:]
        assert runs, f"no results.json for {role} with {faults}:\n{log}"
        return Outcome(faults, done.returncode, json.loads(runs[0].read_text()), log)


def _fixed() -> list[tuple[str, tuple[str, ...]]]:
    """(role, faults): both clean parties, then every fault of each role at once."""
    clean = [(role, ()) for role in ROLES]
    every = [(role, tuple(f.name for f in of_role(role))) for role in ROLES]
    return [*clean, *every]


@cache
def _outcomes() -> dict[tuple[str, tuple[str, ...]], Outcome]:
    """The fixed combinations, two at a time (done once, shared by the tests below)."""
    jobs = _fixed()
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(jobs, pool.map(lambda job: _judge(*job), jobs), strict=True))


def _clean(role: str) -> Outcome:
    return _outcomes()[(role, ())]


def _problems(role: str, outcome: Outcome) -> list[str]:
    """Everything a combination got wrong, as readable lines (empty: the judge did right)."""
    planted = [FAULTS[name] for name in outcome.faults]
    problems = []
    for fault in planted:
        if fault.masked_by & set(outcome.faults):
            continue
        for rule in sorted(fault.rules):
            row = outcome.rule(rule)
            evidence = [v for v in row["violations"] if v["exchange"] and v["curl"]]
            disputes = {(v.get("dispute") or {}).get("reading") for v in row["violations"]}
            if (
                row["status"] != fault.verdict
                or not evidence
                or (fault.reading and disputes != {fault.reading})
            ):
                problems.append(f"{fault.name}: {rule} is {row['status']}, with "
                                f"{len(evidence)} violations with evidence")  # fmt: skip
    allowed = set().union(*(f.rules | f.also for f in planted)) if planted else set()
    for rule in sorted(outcome.with_status("failed", "disputed") - allowed):
        first = outcome.rule(rule)["violations"][:1]
        problems.append(f"{rule} {outcome.status(rule)}, outside the planted faults' rules: "
                        f"{first}")  # fmt: skip
    for rule in outcome.with_status("failed", "disputed"):
        bare = [v for v in outcome.rule(rule)["violations"] if not (v["expected"] and v["actual"]
                and v["exchange"] and v["curl"])]  # fmt: skip
        if bare:
            problems.append(f"{rule} failed without evidence: {bare[0]}")
    clean = _clean(role).with_status("passed", level="MUST")
    judged = clean & outcome.with_status("passed", "failed", "disputed")
    if len(judged) < JUDGED_SHARE * len(clean):
        left = sorted((r, outcome.status(r)) for r in clean - judged)
        problems.append(f"only {len(judged)} of the clean party's {len(clean)} MUST passes "
                        f"still judged: {left}")  # fmt: skip
    crashed = [t["nodeid"] for t in outcome.results["tests"] if t["outcome"] == "error"]
    if crashed:
        problems.append(f"the judge crashed in {crashed}")
    if outcome.results["run"]["duration_s"] >= RUN_SECONDS:
        problems.append(f"the run took {outcome.results['run']['duration_s']} s")
    must_failed = bool(outcome.with_status("failed", level="MUST"))
    if outcome.code != int(must_failed):
        problems.append(f"exit code {outcome.code} with MUST failures: {must_failed}")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_the_clean_parties_fail_no_rule(role: str) -> None:
    outcome = _clean(role)
    assert outcome.with_status("failed", "disputed", "blocked", "error") == set(), outcome.log
    assert {t["outcome"] for t in outcome.results["tests"]} <= {"passed", "skipped"}
    assert outcome.code == 0, outcome.log


@pytest.mark.parametrize("role", ROLES)
def test_every_fault_of_a_role_at_once(role: str) -> None:
    outcome = _outcomes()[(role, tuple(f.name for f in of_role(role)))]
    problems = _problems(role, outcome)
    assert not problems, "\n".join(problems)


def _subsets(role: str) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from([f.name for f in of_role(role)]),
                    min_size=2, max_size=6, unique=True)  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_drawn_subsets_of_faults(role: str) -> None:
    """Hypothesis draws the subsets: a fixed few (derandomized) in CI, more under `thorough`.
    Never shrunk: each example is a full run against a freshly started party."""

    @settings(max_examples=8 if THOROUGH else 2, derandomize=not THOROUGH, deadline=None,
              phases=[Phase.generate], database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(faults=_subsets(role))
    def judged(faults: list[str]) -> None:
        outcome = _judge(role, tuple(faults))
        problems = _problems(role, outcome)
        assert not problems, "\n".join(problems)

    _clean(role)  # the baseline first, outside Hypothesis's clock
    judged()


def _names(faults: Iterable[Any]) -> set[str]:
    return {fault.name for fault in faults}


def test_there_are_enough_faults_across_both_roles() -> None:
    assert len(FAULTS) >= 25
    assert _names(of_role("cpo")) - _names(of_role("emsp"))
    assert _names(of_role("emsp")) - _names(of_role("cpo"))
    for fault in FAULTS.values():
        assert fault.masked_by <= FAULTS.keys(), fault.name


def test_the_docs_table_matches_the_registry() -> None:
    committed = (REPO_ROOT / "docs" / "selftest.md").read_text(encoding="utf-8")
    assert committed == markdown(), (
        "docs/selftest.md is stale: python -m simulator.platform.planted --markdown "
        "> docs/selftest.md"
    )
