"""Waivers (conformance/waivers.py): the file's exact format, what each waiver does to a run's
rules, and the usage errors that name the line."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conformance.config import UsageError
from conformance.results import exit_code
from conformance.waivers import Waiver, apply_waivers, load_waivers
from specs.catalogue import default_catalogue

TODAY = date(2026, 12, 6)
FILE = """\
# known deviations of our gateway
[[waiver]]
rule = "TRANS-016"            # required: a catalogue rule ID
reason = "gateway strips X-Request-ID; fix planned"   # required
expires = 2027-03-31          # required: a TOML date
only = "locations"            # optional: a module or a test's name
link = "https://tracker.example/PRJ-12"               # optional

[[waiver]]
rule = "cred-011"
reason = "rotation keeps the old token for a minute"
expires = 2026-12-01
"""


def _load(tmp_path: Path, text: str) -> tuple[Waiver, ...]:
    path = tmp_path / "waivers.toml"
    path.write_text(text, encoding="utf-8")
    return load_waivers(path, default_catalogue())


def _rule(rule_id: str, status: str, *tests: str, level: str = "MUST") -> dict[str, Any]:
    violations = [{"test": t, "expected": "x", "actual": "y"} for t in tests]
    return {"id": rule_id, "status": status, "level": level, "violations": violations}


def _waiver(rule: str, expires: date = date(2027, 1, 1), only: str | None = None) -> Waiver:
    return Waiver(rule, "known", expires, only, None, line=1)


def _apply(rules: list[dict[str, Any]], *waivers: Waiver) -> list[dict[str, Any]]:
    tests = [{"nodeid": "emsp/test_locations.py::test_push[a]", "rules": ["LOC-012"]},
             {"nodeid": "emsp/test_sessions.py::test_patch", "rules": ["SES-002"]}]  # fmt: skip
    module_of = {"LOC-012": "locations", "SES-002": "sessions"}
    return apply_waivers(rules, tests, waivers, today=TODAY, module_of=module_of)


def test_the_documented_format_loads_with_the_lines(tmp_path: Path) -> None:
    first, second = _load(tmp_path, FILE)
    link = "https://tracker.example/PRJ-12"
    assert first == Waiver("TRANS-016", "gateway strips X-Request-ID; fix planned",
                           date(2027, 3, 31), "locations", link, 2)  # fmt: skip
    assert (second.rule, second.only, second.link, second.line) == ("CRED-011", None, None, 9)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[waiver]]\nrule = "TRANS-999"\nreason = "r"\nexpires = 2027-01-01\n',
         ":2: unknown rule 'TRANS-999'"),
        ('[[waiver]]\nrule = "TRANS-016"\nreason = "r"\n', ":1: the waiver has no expires"),
        ('[[waiver]]\nrule = "TRANS-016"\nreason = "r"\nexpires = "2027-01-01"\n',
         ":4: expires must be a TOML date"),
        ('[[waiver]]\nrule = "TRANS-016"\nreason = "r"\nexpires = 2027-01-01\nreson = "x"\n',
         ":5: unknown key 'reson'"),
        ('[[waiver]]\nrule = "TRANS-016"\nreason = "r"\nexpires = 2027-01-01\n\n'
         '[[waiver]]\nrule = "NOPE-001"\nreason = "r"\nexpires = 2027-01-01\n',
         ":7: unknown rule 'NOPE-001'"),
        ("[[waiver]\n", "not a TOML file"),
    ],
)  # fmt: skip
def test_a_bad_waiver_is_a_usage_error_naming_its_line(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        _load(tmp_path, text)


def test_a_live_waiver_turns_a_failure_into_waived_and_the_run_passes() -> None:
    rules = [_rule("TRANS-016", "failed", "emsp/test_locations.py::test_push[a]")]
    assert exit_code(rules, strict=False) == 1
    [state] = _apply(rules, _waiver("TRANS-016"))
    assert rules[0]["status"] == "waived"
    assert rules[0]["waived_status"] == "failed"
    assert rules[0]["waiver"]["reason"] == "known"
    assert rules[0]["violations"]  # the evidence is still shown
    assert (state["state"], state["stale"]) == ("applied", False)
    assert exit_code(rules, strict=False, waivers=[state], strict_waivers=True) == 0


def test_an_expired_waiver_waives_nothing_and_is_stale() -> None:
    rules = [_rule("TRANS-016", "failed", "emsp/test_locations.py::test_push[a]")]
    [state] = _apply(rules, _waiver("TRANS-016", expires=date(2026, 12, 5)))
    assert rules[0]["status"] == "failed"
    assert (state["state"], state["stale"]) == ("expired", True)
    # valid through its expiry day
    [state] = _apply([_rule("TRANS-016", "failed", "x::y")], _waiver("TRANS-016", expires=TODAY))
    assert state["state"] == "applied"


def test_a_waiver_whose_rule_passes_is_stale_and_fails_only_strict_waivers() -> None:
    rules = [_rule("TRANS-016", "passed")]
    states = _apply(rules, _waiver("TRANS-016"))
    assert (states[0]["state"], states[0]["stale"]) == ("passing", True)
    assert exit_code(rules, strict=False, waivers=states) == 0
    assert exit_code(rules, strict=False, waivers=states, strict_waivers=True) == 1


def test_only_scopes_a_waiver_to_a_module_or_a_test() -> None:
    in_locations = "emsp/test_locations.py::test_push[a]"
    in_sessions = "emsp/test_sessions.py::test_patch"
    rules = [_rule("TRANS-016", "failed", in_locations, in_sessions)]
    [state] = _apply(rules, _waiver("TRANS-016", only="locations"))
    assert rules[0]["status"] == "failed"  # a violation outside its scope is not waived
    assert state["state"] == "out_of_scope"
    # two waivers that together cover every violation (a module, and a test's name)
    states = _apply(rules, _waiver("TRANS-016", only="locations"),
                    _waiver("TRANS-016", only="test_patch"))  # fmt: skip
    assert rules[0]["status"] == "waived"
    assert [s["state"] for s in states] == ["applied", "applied"]


def test_a_disputed_rule_can_be_waived_and_a_blocked_one_leaves_the_waiver_idle() -> None:
    rules = [_rule("LOC-010", "disputed", "x::y"), _rule("TRANS-016", "blocked")]
    states = _apply(rules, _waiver("LOC-010"), _waiver("TRANS-016"))
    assert rules[0]["status"] == "waived"
    assert rules[0]["waived_status"] == "disputed"
    assert [s["state"] for s in states] == ["applied", "idle"]
    assert rules[1]["status"] == "blocked"
