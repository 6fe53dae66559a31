"""A run's results: the versioned `results.json`, from which every report is rendered.

Schema `plugfest-results/4`: `run` (target, role, versions, seed, the `options` it ran with
(no secret; `plugfest check --replay` repeats them), timing, `exit_status`), `summary`, `rules`
(every catalogue rule with its status: passed, failed, disputed (every violation is one another
reading of an ambiguous spec accepts: each violation's `dispute` names it), waived (a waiver
covers its failure: `waiver`, and `waived_status` what it was), blocked, error, skipped,
unobservable (its `unobservable` says why), not_covered, not_applicable; its violations with
evidence, `blocked_by`, and the lenient `readings` the judge took of its deviations), `waivers`
(each waiver of the run and its `state`: applied, expired, passing, out_of_scope or idle;
`stale` for expired or passing), `baseline` (with --baseline: the diff against that run),
`coverage` (per catalogue module: `total` rules, how many in each status, `applicable` to the
target's role and `checked`), `tests` (outcome: passed, failed, blocked, skipped or error;
rules, violation, blocked, exchange ids) and `exchanges` (redacted transcripts).
"""

from __future__ import annotations

import json
import platform
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance.diff import compare, load_results
from conformance.junit import rules_junit
from conformance.report import STATUSES, module_coverage, render_index, render_run
from conformance.waivers import apply_waivers, load_waivers

if TYPE_CHECKING:
    from conformance.session import Judge

SCHEMA = "plugfest-results/4"
__all__ = ["SCHEMA", "STATUSES", "build_results", "write_run"]


def _tests(reports: list[pytest.TestReport]) -> list[dict[str, Any]]:
    """One entry per test: the worst phase decides. Outcomes: `passed`, `failed` (it recorded
    a failing violation), `blocked` (it could not go on; `blocked` says by what), `skipped`
    (a reason such as a missing hook), `error` (the judge itself crashed: never the target's)."""
    by_id: dict[str, dict[str, Any]] = {}
    for report in reports:
        props: dict[str, Any] = dict(report.user_properties)
        entry = by_id.setdefault(
            report.nodeid,
            {"nodeid": report.nodeid, "outcome": "passed", "duration": 0.0, "rules": [],
             "message": None, "violation": None, "blocked": None, "exchanges": []},
        )  # fmt: skip
        entry["duration"] += report.duration
        if props.get("rules"):
            entry["rules"] = str(props["rules"]).split(",")
        if props.get("exchanges"):
            entry["exchanges"] = props["exchanges"]
        if props.get("blocked"):
            entry["blocked"] = props["blocked"]
        if report.skipped and entry["outcome"] == "passed":
            longrepr = report.longrepr
            message = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
            entry["outcome"] = "blocked" if props.get("blocked") else "skipped"
            entry["message"] = message.removeprefix("Skipped: ")
        elif report.failed:
            entry["violation"] = props.get("violation")
            entry["outcome"] = "failed" if entry["violation"] else "error"
            entry["message"] = report.longreprtext[-4000:]
    return list(by_id.values())


def rule_status(
    *,
    violated: bool,
    disputed: bool = False,
    passed: bool,
    applicable: bool,
    blocked: bool,
    errored: bool,
    skipped: bool,
    unobservable: bool = False,
) -> str:
    """A rule's status, from its evidence: a verdict (failed, disputed: every violation is one
    another reading of the spec accepts, passed) wins over why there is none (blocked, error of
    the judge, skipped, unobservable from outside, not covered). Waivers apply after."""
    if violated:
        return "disputed" if disputed else "failed"
    if passed:
        return "passed"
    if not applicable:
        return "not_applicable"  # before "skipped": its tests skip for the other role
    if blocked:
        return "blocked"
    if errored:
        return "error"
    if skipped:
        return "skipped"
    return "unobservable" if unobservable else "not_covered"  # Rule.unobservable says why


def _rules(judge: Judge, tests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    evidence = judge.ledger.evidence()
    declared: dict[str, list[dict[str, Any]]] = {}
    for test in tests:
        for rule_id in test["rules"]:
            declared.setdefault(rule_id, []).append(test)
    rows = []
    for rule in judge.catalogue:
        found = evidence.get(rule.id)
        violations = found.violations if found else []
        tests_of_rule = declared.get(rule.id, [])
        skip_reasons = sorted(
            {str(t["message"]) for t in tests_of_rule if t["outcome"] == "skipped"}
        )
        skip_reasons += found.skipped if found else []
        blocked_by = [
            {"test": t["nodeid"], **t["blocked"]} for t in tests_of_rule if t["blocked"]
        ] + (found.blocked if found else [])
        # A test that crashed proves nothing either way: the judge's error, never the target's.
        errored = [t["nodeid"] for t in tests_of_rule if t["outcome"] == "error"]
        status = rule_status(
            violated=bool(violations),
            disputed=bool(found and found.undisputed == 0),
            passed=bool(found and found.passes),
            applicable=judge.config.role in rule.applies_to,
            blocked=bool(blocked_by),
            errored=bool(errored),
            skipped=bool(skip_reasons),
            unobservable=rule.unobservable is not None,
        )
        rows.append({
            **rule.as_dict(),
            "status": status,
            "passes": found.passes if found else 0,
            "violations": [_redacted(judge, v.as_dict()) for v in violations],
            "violation_count": found.violation_count if found else 0,
            "readings": [r.as_dict() for r in found.readings] if found else [],
            "tests": sorted({t["nodeid"] for t in tests_of_rule} | (found.tests if found else set())),  # noqa: E501
            "skip_reasons": skip_reasons,
            "blocked_by": blocked_by,
            "errors": errored,
        })  # fmt: skip
    return rows


def exit_code(
    rules: list[dict[str, Any]],
    *,
    strict: bool,
    waivers: Sequence[Mapping[str, Any]] = (),
    strict_waivers: bool = False,
) -> int:
    """1 when a MUST rule failed (with --strict, a SHOULD rule too, and disputed rules count as
    failed; with --strict-waivers, a stale waiver fails the run); 0 otherwise. Waived failures,
    blocked, skipped and the judge's own errors never fail a run."""
    levels = ("MUST", "SHOULD") if strict else ("MUST",)
    failing = ("failed", "disputed") if strict else ("failed",)
    failed = any(r["status"] in failing and r["level"] in levels for r in rules)
    stale = strict_waivers and any(w["stale"] for w in waivers)
    return int(failed or stale)


def _redacted(judge: Judge, violation: dict[str, Any]) -> dict[str, Any]:
    """Violations quote responses; no secret may reach a report through them."""
    return {k: judge.recorder.redact(v) if isinstance(v, str) else v for k, v in violation.items()}


def build_results(
    judge: Judge, reports: list[pytest.TestReport], *, started: float
) -> dict[str, Any]:
    tests = _tests(reports)
    for test in tests:
        test["message"] = judge.recorder.redact(test["message"])
        if test["violation"]:
            test["violation"] = _redacted(judge, test["violation"])
    rules = _rules(judge, tests)
    config = judge.config
    waivers = _waivers(judge, rules, tests)
    summary: dict[str, Any] = {
        level.lower(): dict(Counter(r["status"] for r in rules if r["level"] == level))
        for level in ("MUST", "SHOULD")
    }
    summary["tests"] = dict(Counter(t["outcome"] for t in tests))
    exit_status = exit_code(
        rules, strict=config.strict, waivers=waivers, strict_waivers=config.strict_waivers
    )
    summary["verdict"] = "pass" if exit_status == 0 else "fail"
    summary["stale_waivers"] = sum(1 for w in waivers if w["stale"])
    results = {
        "schema": SCHEMA,
        "run": {
            "id": config.run_id,
            "started_at": datetime.fromtimestamp(started, UTC).isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "duration_s": round(time.time() - started, 2),
            "target": {"role": config.role, "versions_url": config.versions_url,
                       "token_kind": config.token_kind},
            "strict": config.strict,
            "only": list(config.only),
            "counterpart": judge.counterpart_url(),
            "versions": {"plugfest": version("ocpi-plugfest"), "ocpi": "2.2.1",
                         "python": platform.python_version(), "pytest": pytest.__version__},
            "seed": judge.seed,
            "options": judge.options,
            "exit_status": exit_status,
        },
        "summary": summary,
        "rules": rules,
        "waivers": waivers,
        "coverage": module_coverage(rules),
        "tests": tests,
        "exchanges": [e.as_dict() for e in judge.recorder.all()],
    }  # fmt: skip
    if config.baseline is not None:
        baseline = load_results(config.baseline, role=config.role)
        results["baseline"] = compare(baseline, results).as_dict()
    return results


def _waivers(
    judge: Judge, rules: list[dict[str, Any]], tests: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """What became of each of the run's waivers; the rules they cover become `waived`."""
    if judge.config.waivers is None:
        return []
    waivers = load_waivers(judge.config.waivers, judge.catalogue)
    module_of = {rule.id: rule.module for rule in judge.catalogue}
    return apply_waivers(rules, tests, waivers, today=date.today(), module_of=module_of)


def write_run(judge: Judge, reports: list[pytest.TestReport], *, started: float) -> Path:
    """results.json, rules.junit.xml and index.html in reports/<run-id>/, then
    reports/index.html."""
    directory = judge.config.report_dir / judge.config.run_id
    directory.mkdir(parents=True, exist_ok=True)
    results = build_results(judge, reports, started=started)
    (directory / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    (directory / "rules.junit.xml").write_text(rules_junit(results), encoding="utf-8")
    render_run(results, directory / "index.html")
    render_index(judge.config.report_dir)
    return directory
