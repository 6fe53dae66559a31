"""HTML reports rendered from `results.json` alone (jinja2; self-contained, readable offline)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

_ENV = Environment(
    loader=PackageLoader("conformance", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
STATUS_ORDER = ("failed", "passed", "skipped", "not_covered", "not_applicable")
CLIP = 3000  # characters of a body shown in a transcript; results.json keeps all of it


def _clip(text: str | None) -> str:
    if not text:
        return ""
    if len(text) <= CLIP:
        return text
    return f"{text[:CLIP]}\n… {len(text) - CLIP} more characters in results.json"


_ENV.filters["clip"] = _clip


def _modules(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Per module and level: how many rules in each status."""
    table: dict[str, dict[str, dict[str, int]]] = defaultdict(
        lambda: {"MUST": defaultdict(int), "SHOULD": defaultdict(int)}
    )
    for rule in results["rules"]:
        table[rule["module"]][rule["level"]][rule["status"]] += 1
    return [{"module": module, "levels": levels} for module, levels in table.items()]


def render_run(results: dict[str, Any], target: Path) -> None:
    exchanges = {e["id"]: e for e in results["exchanges"]}
    template = _ENV.get_template("run.html.j2")
    target.write_text(
        template.render(
            results=results,
            run=results["run"],
            summary=results["summary"],
            modules=_modules(results),
            rules=results["rules"],
            failures=[r for r in results["rules"] if r["status"] == "failed"],
            tests=results["tests"],
            exchanges=exchanges,
            statuses=STATUS_ORDER,
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


def rerender(results_json: Path) -> Path:
    """Render a run again from its results.json (`plugfest report`)."""
    results = json.loads(results_json.read_text(encoding="utf-8"))
    target = results_json.parent / "index.html"
    render_run(results, target)
    return target
