"""HTML reports rendered from `results.json` alone (jinja2; self-contained, readable offline)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from conformance.diff import compare, load_results, target_role

_ENV = Environment(
    loader=PackageLoader("conformance", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
# Summary cards, most telling first; table columns in reading order.
STATUS_ORDER = ("failed", "disputed", "waived", "blocked", "error", "passed", "skipped",
                "unobservable", "not_covered", "not_applicable")  # fmt: skip
STATUSES = ("passed", "failed", "disputed", "waived", "blocked", "error", "skipped",
            "unobservable", "not_covered", "not_applicable")  # fmt: skip
#: The statuses a check ran to: a verdict, whatever became of it (disputed, waived) after.
CHECKED = ("passed", "failed", "disputed", "waived")
CLIP = 3000  # characters of a body shown in a transcript; results.json keeps all of it


def _clip(text: str | None) -> str:
    if not text:
        return ""
    if len(text) <= CLIP:
        return text
    return f"{text[:CLIP]}\n… {len(text) - CLIP} more characters in results.json"


_ENV.filters["clip"] = _clip


def module_coverage(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per catalogue module, in catalogue order: its rules in each status for the run's target
    role, out of its total; `applicable` leaves out the other role's rules, `checked` counts
    the rules a check ran on (`CHECKED`). results.json keeps this as `coverage`."""
    table: dict[str, dict[str, Any]] = {}
    for rule in rules:
        row = table.setdefault(
            rule["module"], {"module": rule["module"], "total": 0, **dict.fromkeys(STATUSES, 0)}
        )
        row["total"] += 1
        row[rule["status"]] = row.get(rule["status"], 0) + 1
    for row in table.values():
        row["applicable"] = row["total"] - row["not_applicable"]
        row["checked"] = sum(row[s] for s in CHECKED)
    return list(table.values())


def render_run(results: dict[str, Any], target: Path) -> None:
    exchanges = {e["id"]: e for e in results["exchanges"]}
    template = _ENV.get_template("run.html.j2")
    target.write_text(
        template.render(
            results=results,
            run=results["run"],
            summary=results["summary"],
            # Runs written before `coverage` existed are rendered from their rules alone.
            coverage=results.get("coverage") or module_coverage(results["rules"]),
            rules=results["rules"],
            failures=[r for r in results["rules"] if r["status"] == "failed"],
            disputed=[r for r in results["rules"] if r["status"] == "disputed"],
            waived=[r for r in results["rules"] if r["status"] == "waived"],
            waivers=results.get("waivers") or [],
            baseline=results.get("baseline"),
            blocked=[r for r in results["rules"] if r["status"] == "blocked"],
            readings=[x for r in results["rules"] for x in r.get("readings", [])],
            errors=[t for t in results["tests"] if t["outcome"] == "error"],
            tests=results["tests"],
            exchanges=exchanges,
            statuses=STATUS_ORDER,
            statuses_in_order=STATUSES,
        ),
        encoding="utf-8",
    )


def render_index(report_dir: Path) -> None:
    """`reports/index.html`: every run found under the report directory, newest first."""
    runs = []
    for path in sorted(report_dir.glob("*/results.json")):
        try:
            results = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        runs.append({"dir": path.parent.name, "run": results["run"], "summary": results["summary"]})
    runs.sort(key=lambda r: r["run"]["started_at"], reverse=True)
    template = _ENV.get_template("index.html.j2")
    (report_dir / "index.html").write_text(template.render(runs=runs), encoding="utf-8")


def rerender(results_json: Path, baseline: Path | None = None) -> Path:
    """Render a run again from its results.json (`plugfest report`); with `baseline`, the diff
    against that run is kept in results.json first, so the report stays renderable from it."""
    results = json.loads(results_json.read_text(encoding="utf-8"))
    if baseline is not None:
        older = load_results(baseline, role=target_role(results))
        results["baseline"] = compare(older, results).as_dict()
        results_json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    target = results_json.parent / "index.html"
    render_run(results, target)
    return target
