"""Per-module coverage of the rule catalogue (issue #7): the numbers in results.json and the
table of index.html, rendered from results.json alone."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path
from typing import Any

from conformance.report import STATUSES, module_coverage, render_run
from specs.catalogue import default_catalogue


def _rules(role: str = "cpo") -> list[dict[str, Any]]:
    """Every catalogue rule with a status, as a run of `role` writes them: the other role's
    rules not applicable, the others cycling through the statuses a run can leave (a rule
    blocked outside any test among them)."""
    cycle = itertools.cycle(("passed", "failed", "skipped", "blocked", "unobservable",
                             "not_covered"))  # fmt: skip
    blocked_by = [{"reason": "no answer", "exchange": None, "test": None}]
    return [
        {**rule.as_dict(), "status": next(cycle) if role in rule.applies_to else "not_applicable",
         "passes": 0, "violations": [], "tests": [], "skip_reasons": ["why"], "errors": [],
         "blocked_by": blocked_by, "readings": []}
        for rule in default_catalogue()
    ]  # fmt: skip


def _results(rules: list[dict[str, Any]], *, with_coverage: bool = True) -> dict[str, Any]:
    results: dict[str, Any] = {
        "schema": "plugfest-results/1",
        "run": {"id": "r", "started_at": "2026-01-01T00:00:00+00:00", "duration_s": 1.0,
                "target": {"role": "cpo", "versions_url": "http://x/ocpi/versions",
                           "token_kind": "bootstrap"},
                "strict": False, "only": [], "counterpart": None, "seed": None,
                "versions": {"plugfest": "0"}},
        "summary": {"must": {}, "should": {}, "tests": {}, "verdict": "pass"},
        "rules": rules, "tests": [], "exchanges": [],
    }  # fmt: skip
    if with_coverage:
        results["coverage"] = module_coverage(rules)
    return results


def test_every_rule_is_counted_once_in_its_module_in_catalogue_order() -> None:
    rules = _rules()
    coverage = module_coverage(rules)
    modules = list(dict.fromkeys(r["module"] for r in rules))
    assert [row["module"] for row in coverage] == modules
    assert sum(row["total"] for row in coverage) == len(default_catalogue())
    for row in coverage:
        mine = [r for r in rules if r["module"] == row["module"]]
        counted = Counter(r["status"] for r in mine)
        assert row["total"] == len(mine) == sum(row[s] for s in STATUSES)
        assert all(row[s] == counted.get(s, 0) for s in STATUSES), row
        assert row["applicable"] == len([r for r in mine if "cpo" in r["applies_to"]])
        assert row["checked"] == counted.get("passed", 0) + counted.get("failed", 0)


def test_the_numbers_follow_the_target_role() -> None:
    cpo = {row["module"]: row for row in module_coverage(_rules("cpo"))}
    emsp = {row["module"]: row for row in module_coverage(_rules("emsp"))}
    catalogue = list(default_catalogue())
    for module, row in cpo.items():
        assert row["not_applicable"] == sum(
            1 for r in catalogue if r.module == module and "cpo" not in r.applies_to
        )
        assert emsp[module]["not_applicable"] == sum(
            1 for r in catalogue if r.module == module and "emsp" not in r.applies_to
        )
    assert cpo["commands"]["applicable"] != emsp["commands"]["applicable"]


def _rows(html: str) -> dict[str, list[str]]:
    """The coverage table: module -> its cells (rules, checked/applicable, the statuses)."""
    table = html.split('<table class="coverage">', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]:
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows[cells[0]] = cells[1:]
    return rows


def test_index_html_shows_the_coverage_table_near_the_top(tmp_path: Path) -> None:
    rules = _rules()
    render_run(_results(rules), tmp_path / "index.html")
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert html.index("Coverage of the rule catalogue") < html.index("Rule matrix")
    rows = _rows(html)
    for row in module_coverage(rules):
        total, checked, *statuses = rows[row["module"]]
        assert total == str(row["total"])
        assert checked.startswith(f"{row['checked']}/{row['applicable']}")
        assert statuses == [str(row[s] or "") for s in STATUSES]


def test_results_written_before_coverage_existed_still_render_it(tmp_path: Path) -> None:
    rules = _rules("emsp")
    render_run(_results(rules, with_coverage=False), tmp_path / "old.html")
    rows = _rows((tmp_path / "old.html").read_text(encoding="utf-8"))
    assert {m: r[0] for m, r in rows.items()} == {
        row["module"]: str(row["total"]) for row in module_coverage(rules)
    }
