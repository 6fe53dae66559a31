"""A run's results: the versioned `results.json`, from which every report is rendered.

Schema `plugfest-results/1`: `run` (target, role, versions, seed, timing), `summary`, `rules`
(every catalogue rule with its status: passed, failed, skipped, not_covered, not_applicable),
`coverage` (per catalogue module: `total` rules, how many in each status, `applicable` to the
target's role and `checked`), `tests` (outcome, rules, violation, exchange ids) and `exchanges`
(redacted transcripts).
"""

from __future__ import annotations

import json
import platform
import time
from collections import Counter
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance.report import STATUSES, module_coverage, render_index, render_run

if TYPE_CHECKING:
    from conformance.session import Judge

SCHEMA = "plugfest-results/1"
__all__ = ["SCHEMA", "STATUSES", "build_results", "write_run"]


def _tests(reports: list[pytest.TestReport]) -> list[dict[str, Any]]:
    """One entry per test: the worst phase decides (a failing setup is an error)."""
    by_id: dict[str, dict[str, Any]] = {}
    for report in reports:
        props: dict[str, Any] = dict(report.user_properties)
        entry = by_id.setdefault(
            report.nodeid,
            {"nodeid": report.nodeid, "outcome": "passed", "duration": 0.0, "rules": [],
             "message": None, "violation": None, "exchanges": []},
        )  # fmt: skip
        entry["duration"] += report.duration
        if props.get("rules"):
            entry["rules"] = str(props["rules"]).split(",")
        if props.get("exchanges"):
            entry["exchanges"] = props["exchanges"]
        if report.skipped:
            entry["outcome"] = "skipped"
            longrepr = report.longrepr
            entry["message"] = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        elif report.failed:
            entry["outcome"] = "failed" if report.when == "call" else "error"
            entry["message"] = report.longreprtext[-4000:]
            entry["violation"] = props.get("violation")
    return list(by_id.values())


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
        # A test that crashed (an error, or a failure that is no Violation) proves nothing: the
        # rules it declares count as failed, with the test named, never as unrun.
        errored = [
            t["nodeid"]
            for t in tests_of_rule
            if t["outcome"] == "error" or (t["outcome"] == "failed" and not t["violation"])
        ]
        if (found and found.violations) or errored:
            status = "failed"
        elif found and found.passes:
            status = "passed"
        elif judge.config.role not in rule.applies_to:
            status = "not_applicable"  # before "skipped": its tests skip for the other role
        elif skip_reasons:
            status = "skipped"
        else:
            status = "not_covered"
        rows.append({
            **rule.as_dict(),
            "status": status,
            "passes": found.passes if found else 0,
            "violations": [_redacted(judge, v.as_dict()) for v in violations],
            "tests": sorted({t["nodeid"] for t in tests_of_rule} | (found.tests if found else set())),  # noqa: E501
            "skip_reasons": skip_reasons,
            "errors": errored,
        })  # fmt: skip
    return rows


def _redacted(judge: Judge, violation: dict[str, Any]) -> dict[str, Any]:
    """Violations quote responses; no secret may reach a report through them."""
    return {k: judge.recorder.redact(v) if isinstance(v, str) else v for k, v in violation.items()}


def build_results(
    judge: Judge, reports: list[pytest.TestReport], *, started: float, exit_status: int
) -> dict[str, Any]:
    tests = _tests(reports)
    for test in tests:
        test["message"] = judge.recorder.redact(test["message"])
        if test["violation"]:
            test["violation"] = _redacted(judge, test["violation"])
    rules = _rules(judge, tests)
    summary: dict[str, Any] = {
        level.lower(): dict(Counter(r["status"] for r in rules if r["level"] == level))
        for level in ("MUST", "SHOULD")
    }
    summary["tests"] = dict(Counter(t["outcome"] for t in tests))
    summary["verdict"] = "pass" if exit_status == 0 else "fail"
    config = judge.config
    return {
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
            "exit_status": exit_status,
        },
        "summary": summary,
        "rules": rules,
        "coverage": module_coverage(rules),
        "tests": tests,
        "exchanges": [e.as_dict() for e in judge.recorder.all()],
    }  # fmt: skip


def write_run(
    judge: Judge, reports: list[pytest.TestReport], *, started: float, exit_status: int
) -> Path:
    """results.json and index.html in reports/<run-id>/, then reports/index.html."""
    directory = judge.config.report_dir / judge.config.run_id
    directory.mkdir(parents=True, exist_ok=True)
    results = build_results(judge, reports, started=started, exit_status=exit_status)
    (directory / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    render_run(results, directory / "index.html")
    render_index(judge.config.report_dir)
    return directory
