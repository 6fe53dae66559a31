"""The run-to-run diff (conformance/diff.py) on small hand-made results documents."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from conformance.diff import (
    DiffInputError,
    compare,
    load_results,
    normalise,
)
from conformance.diff_render import render_markdown, render_table
from conformance.report import _ENV


def _rule(rule_id: str, status: str, *evidence: tuple[Any, Any], **extra: Any) -> dict[str, Any]:
    violations = [{"rule": rule_id, "level": "MUST", "expected": e, "actual": a, "exchange": 1,
                   "curl": "curl -i http://t/", "test": "t.py::test"}
                  for e, a in evidence]  # fmt: skip
    return {"id": rule_id, "level": extra.pop("level", "MUST"), "module": "transport",
            "title": f"title of {rule_id}", "status": status, "violations": violations,
            "violation_count": len(violations), "blocked_by": [], "skip_reasons": [],
            **extra}  # fmt: skip


def _run(run_id: str, *rules: dict[str, Any], **run: Any) -> dict[str, Any]:
    return {"schema": "plugfest-results/4",
            "run": {"id": run_id, "started_at": run.pop("started_at", "2026-01-01T00:00:00+00:00"),
                    "target": {"role": run.pop("role", "cpo"),
                               "versions_url": "http://t:1/ocpi/versions"}, **run},
            "rules": list(rules)}  # fmt: skip


def _kinds(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, str]:
    return {c.rule: c.kind for c in compare(_run("old", *old), _run("new", *new)).changes}


DEVIATION = ("HTTP 401", "HTTP 403")


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("passed", "failed", "newly_failed"),
        ("blocked", "failed", "newly_failed"),  # newly failing wins over from blocked
        ("waived", "failed", "newly_failed"),
        (None, "failed", "newly_failed"),
        ("failed", "passed", "newly_passed"),
        ("blocked", "passed", "newly_passed"),  # newly passing wins over from blocked
        (None, "passed", "newly_passed"),
        ("passed", "blocked", "to_blocked"),
        ("failed", "blocked", "to_blocked"),
        (None, "blocked", "to_blocked"),
        ("blocked", "skipped", "from_blocked"),
        ("blocked", None, "from_blocked"),
        ("failed", "waived", "status_changed"),
        ("failed", "disputed", "status_changed"),
        ("skipped", "not_covered", "status_changed"),
        ("passed", None, "status_changed"),
        (None, "not_covered", "status_changed"),
        ("passed", "some_future_status", "status_changed"),
    ],
)
def test_the_kind_of_a_status_change(old: str | None, new: str | None, kind: str) -> None:
    before = [_rule("TRANS-001", old, DEVIATION)] if old else []
    after = [_rule("TRANS-001", new, DEVIATION)] if new else []
    [change] = compare(_run("old", *before), _run("new", *after)).changes
    assert (change.kind, change.old, change.new) == (kind, old, new)


@pytest.mark.parametrize("status", ["passed", "failed", "blocked", "skipped", "not_applicable"])
def test_the_same_status_and_evidence_is_no_change(status: str) -> None:
    rule = _rule("TRANS-001", status, DEVIATION)
    assert _kinds([rule], [dict(rule)]) == {}


@pytest.mark.parametrize("status", ["failed", "disputed", "waived"])
def test_other_evidence_under_the_same_failing_status(status: str) -> None:
    old = [_rule("TRANS-001", status, ("HTTP 401", "HTTP 403"))]
    new = [_rule("TRANS-001", status, ("HTTP 401", "HTTP 500"))]
    assert _kinds(old, new) == {"TRANS-001": "evidence_changed"}


def test_evidence_is_no_change_for_statuses_without_a_verdict() -> None:
    old = [_rule("TRANS-001", "blocked", ("a", "b"))]
    new = [_rule("TRANS-001", "blocked", ("a", "c"))]
    assert _kinds(old, new) == {}


def test_evidence_is_a_set_and_a_deviation_seen_before_is_no_change() -> None:
    """Order, repetition and another sample of the same deviation (a drawn input, a kept subset
    of many violations) are no change; a rule showing none of its old deviations is."""
    a, b, c = ("HTTP 401", "HTTP 403"), ("HTTP 401", "HTTP 404"), ("HTTP 401", "HTTP 500")
    old = [_rule("TRANS-001", "failed", a, b)]
    assert _kinds(old, [_rule("TRANS-001", "failed", b, a, a)]) == {}
    assert _kinds(old, [_rule("TRANS-001", "failed", b, c)]) == {}
    assert _kinds(old, [_rule("TRANS-001", "failed", c)]) == {"TRANS-001": "evidence_changed"}


#: The same deviations seen in two runs against the same target, as the judge writes them.
SAME_DEVIATIONS = [
    (("X-Request-ID: 3605e745-fd00-468f-b178-daf77b3b9c71 echoed", "absent"),
     ("X-Request-ID: 901046b9-de4c-4c6b-a37d-58acbf4b7279 echoed", "absent")),
    (("no X-Request-ID used before", "X-Request-ID 'push-c99329cb-e2bc-4c4e-9067-190175b288d0'"),
     ("no X-Request-ID used before", "X-Request-ID 'push-e95b15e0-900d-4768-851b-1cd578b08f54'")),
    (("objects from date_from=2026-11-15T18:26:40Z", "last_updated 2026-11-15 18:26:40.1+01:00"),
     ("objects from date_from=2026-12-06T23:21:51.085Z", "last_updated 2026-12-06T23:21:51Z")),
    (("CDR 1 (as pushed in exchange #248) repeated", "credit CDR PFRTAC559349D4030 at LOC000002"),
     ("CDR 1 (as pushed in exchange #258) repeated", "credit CDR PFRTA0A1B2C3D4E5F at LOC000002")),
    (("START_SESSION (exchange #203, #204)", "uid 'PF1734C85C31-B-X' in the body differs"),
     ("START_SESSION (exchange #17, #18)", "uid 'PFE2B0A8034D-C-X' in the body differs")),
    (("PLUGFEST-UNKNOWN-1a2b3c4d, PFJ-ACT-0A1B2C3D, NL*PFJ*E0A1B2C3D", "TOKEN_B#a1b2c3d4"),
     ("PLUGFEST-UNKNOWN-99aa88bb, PFJ-ACT-FFEE0011, NL*PFJ*E99AA88BB", "TOKEN_B#ffee0011")),
    (("hash 0123456789abcdef0123", "token q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8 at http://t:1/x"),
     ("hash fedcba9876543210fedc", "token Z9x8C7v6B5n4M3l2K1j0H9g8F7d6S5a4Q3w2 at http://t:2/x")),
    (("run 20260101T000000Z-cpo-a1b2c3", ["$.id: 1234567 is not of type 'string'"]),
     ("run 20260102T101010Z-cpo-d4e5f6", ["$.id: 7654321 is not of type 'string'"])),
    (("ALLOWED, as at Location LOC-1 (exchange 343)", "HTTP 200"),
     ("ALLOWED, as at Location LOC-1 (exchange 352)", "HTTP 200")),
    (("a callback to http://127.0.0.1:50137/cb", "none"),
     ("a callback to http://127.0.0.1:41234/cb", "none")),
]  # fmt: skip


@pytest.mark.parametrize(("before", "after"), SAME_DEVIATIONS)
def test_the_same_deviation_in_another_run_is_no_change(
    before: tuple[Any, Any], after: tuple[Any, Any]
) -> None:
    """Fresh UUIDs, datetimes, ids, tokens, exchange numbers and ports in every run."""
    old = _run("old", _rule("TRANS-016", "failed", before), counterpart="http://127.0.0.1:50137")
    new = _run("new", _rule("TRANS-016", "failed", after), counterpart="http://127.0.0.1:41234")
    new["run"]["target"]["versions_url"] = "http://t:2/ocpi/versions"
    assert compare(old, new).changes == ()


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("HTTP 403, OCPI 2001 after 10 s on page 3", "HTTP 403, OCPI 2001 after 10 s on page 3"),
        ("limit 22080 W; X-Total-Count 150", "limit 22080 W; X-Total-Count 150"),
        ("id 123456", "id <n>"),
        ("at 2026-12-06T23:21:51.085+01:00.", "at <datetime>."),
        ("/3605E745-FD00-468F-B178-DAF77B3B9C71/", "/<uuid>/"),
        ("GET http://127.0.0.1:50137/x", "GET <counterpart>/x"),
    ],
)
def test_normalise(text: str, normalised: str) -> None:
    assert normalise(text, {"http://127.0.0.1:50137": "<counterpart>"}) == normalised


def test_changes_in_catalogue_order_then_rules_only_the_old_run_has() -> None:
    old = [_rule("OLD-001", "failed", DEVIATION), _rule("B-001", "passed"),
           _rule("A-001", "passed")]  # fmt: skip
    new = [_rule("A-001", "failed", DEVIATION), _rule("B-001", "blocked"),
           _rule("NEW-001", "passed")]  # fmt: skip
    assert list(_kinds(old, new).items()) == [
        ("A-001", "newly_failed"), ("B-001", "to_blocked"), ("NEW-001", "newly_passed"),
        ("OLD-001", "status_changed"),
    ]  # fmt: skip


def test_a_change_carries_the_rule_and_at_most_five_distinct_evidence_lines() -> None:
    many = [("HTTP 401", f"HTTP 40{i}") for i in range(8)]
    old = _run("old", _rule("TRANS-001", "passed", level="SHOULD"))
    diff = compare(old, _run("new", _rule("TRANS-001", "failed", *many, *many, level="SHOULD")))
    [change] = diff.changes
    assert (change.rule, change.level, change.title) == (
        "TRANS-001",
        "SHOULD",
        "title of TRANS-001",
    )
    assert change.old_evidence == ()
    assert change.new_evidence == tuple(f"expected HTTP 401; got HTTP 40{i}" for i in range(5))
    assert diff.new_failures == (change,)


def test_evidence_of_structured_values() -> None:
    rule = _rule("VER-001", "failed", ("a list", "x"))
    rule["violations"][0]["actual"] = {"version": "2.2.1"}
    [change] = compare(_run("old"), _run("new", rule)).changes
    assert change.new_evidence == ('expected a list; got {"version": "2.2.1"}',)


def test_counts_and_as_dict_parse_back() -> None:
    diff = compare(
        _run("old", _rule("A-001", "passed"), _rule("B-001", "passed"),
             _rule("C-001", "failed", DEVIATION)),
        _run("new", _rule("A-001", "failed", DEVIATION), _rule("B-001", "failed", DEVIATION),
             _rule("C-001", "passed")),
    )  # fmt: skip
    document = json.loads(json.dumps(diff.as_dict()))
    assert document["schema"] == "plugfest-diff/1"
    assert document["old"] == {"id": "old", "started_at": "2026-01-01T00:00:00+00:00",
                               "role": "cpo",
                               "versions_url": "http://t:1/ocpi/versions"}  # fmt: skip
    assert document["counts"] == {"newly_failed": 2, "newly_passed": 1, "to_blocked": 0,
                                  "from_blocked": 0, "status_changed": 0,
                                  "evidence_changed": 0}  # fmt: skip
    assert document["summary"] == "2 newly failing, 1 newly passing"
    assert document["changes"][0] == {
        "rule": "A-001", "level": "MUST", "module": "transport", "title": "title of A-001",
        "kind": "newly_failed", "label": "newly failing", "old": "passed", "new": "failed",
        "old_evidence": [],
        "new_evidence": ["expected HTTP 401; got HTTP 403"],
    }  # fmt: skip


# --- load_results ---------------------------------------------------------------------------


def _write(directory: Path, results: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "results.json"
    path.write_text(json.dumps(results), encoding="utf-8")
    return path


def test_load_results_from_a_file_a_run_directory_and_a_report_directory(tmp_path: Path) -> None:
    older = _write(tmp_path / "b-run", _run("older", started_at="2026-01-01T00:00:00+00:00"))
    _write(tmp_path / "a-run", _run("newest", started_at="2026-01-03T00:00:00+00:00"))
    _write(tmp_path / "c-run", _run("emsp", role="emsp", started_at="2026-01-04T00:00:00+00:00"))
    assert load_results(older)["run"]["id"] == "older"
    assert load_results(older.parent)["run"]["id"] == "older"
    assert load_results(tmp_path)["run"]["id"] == "emsp"
    assert load_results(tmp_path, role="cpo")["run"]["id"] == "newest"
    with pytest.raises(DiffInputError, match="no run of a hub target"):
        load_results(tmp_path, role="hub")


def _bad(tmp_path: Path, case: str) -> Path:
    if case == "missing":
        return tmp_path / "nowhere"
    if case == "empty directory":
        return tmp_path
    path = tmp_path / "results.json"
    path.write_text({"not json": "{", "not results": '{"rules": []}', "a list": "[]",
                     "rules without ids": '{"run": {}, "rules": [{}]}'}[case])  # fmt: skip
    return path


@pytest.mark.parametrize(
    ("case", "problem"),
    [
        ("missing", "no such file or directory"),
        ("empty directory", "no results.json in it"),
        ("not json", "not JSON"),
        ("not results", "not a Plugfest results.json"),
        ("a list", "not a Plugfest results.json"),
        ("rules without ids", "not a Plugfest results.json"),
    ],
)
def test_load_results_refuses_what_is_no_run(tmp_path: Path, case: str, problem: str) -> None:
    path = _bad(tmp_path, case)
    with pytest.raises(DiffInputError, match=problem) as raised:
        load_results(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert "\n" not in str(raised.value)


def test_a_bad_run_in_a_report_directory_is_named(tmp_path: Path) -> None:
    _write(tmp_path / "good", _run("good"))
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "results.json").write_text("{", encoding="utf-8")
    with pytest.raises(DiffInputError, match=r"bad/results\.json: not JSON"):
        load_results(tmp_path)


# --- rendering ------------------------------------------------------------------------------


def _example() -> Any:
    return compare(
        _run("old-run", _rule("A-001", "passed"), _rule("B-001", "failed", DEVIATION),
             _rule("C-001", "passed")),
        _run("new-run", _rule("A-001", "failed", ("a | b", "<x> *y*\nz")),
             _rule("B-001", "passed"), _rule("C-001", "blocked")),
    )  # fmt: skip


def test_markdown_for_a_pull_request_comment() -> None:
    text = render_markdown(_example())
    lines = text.splitlines()
    assert lines[0] == "### Plugfest: changes since run old-run"
    assert "**1 newly failing, 1 newly passing, 1 now blocked**" in lines
    table = lines[lines.index("| Rule | Level | Module | Was | Now | Change |") :]
    assert table[1:5] == [
        "|---|---|---|---|---|---|",
        "| A-001 | MUST | transport | passed | failed | newly failing |",
        "| B-001 | MUST | transport | failed | passed | newly passing |",
        "| C-001 | MUST | transport | passed | blocked | now blocked |",
    ]
    assert r"- **A-001** title of A-001: expected a \| b; got \<x\> \*y\* z" in lines


def test_markdown_escapes_the_cells() -> None:
    rule = _rule("A-001", "failed", DEVIATION)
    rule["module"] = "a|b"
    text = render_markdown(compare(_run("old"), _run("new", rule)))
    assert r"| A-001 | MUST | a\|b | absent | failed | newly failing |" in text.splitlines()


def test_markdown_when_nothing_changed() -> None:
    run = _run("same", _rule("A-001", "failed", DEVIATION))
    text = render_markdown(compare(run, run))
    assert "**No rule changed.**" in text
    assert "| Rule |" not in text


def test_rich_table() -> None:
    console = Console(
        file=io.StringIO(), record=True, width=200, force_terminal=True, color_system="256"
    )
    render_table(_example(), console)
    text = console.export_text(clear=False)
    rows = [line for line in text.splitlines() if "-001" in line]
    assert [row.split()[1::2][:6] for row in rows[:3]] == [
        ["A-001", "MUST", "transport", "passed", "failed", "newly"],
        ["B-001", "MUST", "transport", "failed", "passed", "newly"],
        ["C-001", "MUST", "transport", "passed", "blocked", "now"],
    ]
    assert "1 newly failing, 1 newly passing, 1 now blocked" in text
    assert "A-001: expected a | b; got <x> *y* z" in rows  # one line, no rich markup taken
    styled = console.export_text(styles=True)
    assert "\x1b[31mA-001\x1b[0m" in styled  # newly failing in red
    assert "\x1b[32mB-001\x1b[0m" in styled  # newly passing in green
    assert "\x1b[38;5;208mC-001\x1b[0m" in styled  # now blocked in orange


def test_html_partial_for_the_run_report() -> None:
    html = _ENV.get_template("_baseline.html.j2").render(baseline=_example().as_dict())
    assert "Changes since baseline old-run" in html
    assert "1 newly failing, 1 newly passing, 1 now blocked" in html
    assert '<a href="#A-001">A-001</a>' in html
    assert '<span class="s passed">passed</span> → <span class="s failed">failed</span>' in html
    assert "expected a | b; got &lt;x&gt; *y*" in html  # escaped
    assert "before: expected HTTP 401; got HTTP 403" in html  # B-001 passes now


def test_html_partial_without_changes_and_a_rule_the_run_lacks() -> None:
    run = _run("base", _rule("A-001", "passed"))
    empty = _ENV.get_template("_baseline.html.j2").render(baseline=compare(run, run).as_dict())
    assert "No rule changed since the baseline." in empty
    gone = compare(run, _run("new")).as_dict()
    html = _ENV.get_template("_baseline.html.j2").render(baseline=gone)
    assert 'href="#A-001"' not in html  # not on the new run's page
    assert '<span class="s absent">absent</span>' in html
