"""The per-rule JUnit (conformance/junit.py), parsed back as a CI dashboard would read it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from conformance.junit import rules_junit


def _rule(rule_id: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"id": rule_id, "title": f"title of {rule_id}", "module": rule_id.split("-")[0].lower(),
            "level": "MUST", "status": status, "applies_to": ["cpo"], **extra}  # fmt: skip


def test_one_testcase_per_rule_marked_by_its_status() -> None:
    violation = {"expected": "HTTP 401", "actual": "HTTP 403", "curl": "curl -i http://t/\x1c"}
    results = {"rules": [
        _rule("TRANS-001", "failed", violations=[violation], violation_count=3),
        _rule("TRANS-002", "passed"),
        _rule("TRANS-003", "blocked", blocked_by=[{"reason": "no answer"}]),
        _rule("TRANS-004", "unobservable", unobservable="inside the party"),
        _rule("TRANS-005", "error"),
        _rule("TRANS-006", "skipped", skip_reasons=["pass --act-command"]),
    ]}  # fmt: skip
    [suite] = ET.fromstring(rules_junit(results))
    assert suite.attrib == {"name": "plugfest rules", "tests": "6", "failures": "1",
                            "errors": "1", "skipped": "3"}  # fmt: skip
    cases = {case.attrib["name"].split()[0]: case for case in suite}
    assert cases["TRANS-001"].attrib["classname"] == "trans"
    failure = cases["TRANS-001"].find("failure")
    assert failure is not None
    assert failure.attrib == {"type": "MUST", "message": "expected HTTP 401; got HTTP 403"}
    assert "curl -i http://t/\\x1c" in (failure.text or "")  # a control byte XML cannot hold
    assert "and 2 more violations" in (failure.text or "")
    assert list(cases["TRANS-002"]) == []
    skipped = {
        rule: cases[rule].find("skipped") for rule in ("TRANS-003", "TRANS-004", "TRANS-006")
    }
    assert {rule: s.attrib["message"] for rule, s in skipped.items() if s is not None} == {
        "TRANS-003": "blocked: no answer",
        "TRANS-004": "unobservable: inside the party",
        "TRANS-006": "skipped: pass --act-command",
    }
    assert cases["TRANS-005"].find("error") is not None
