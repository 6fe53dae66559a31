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


def test_waived_and_disputed_rules_are_marked_with_why() -> None:
    dispute = {"reading": "ocpi-status", "text": "HTTP 200 with the OCPI error"}
    violation = {"expected": "HTTP 404", "actual": "HTTP 200, OCPI 2003", "curl": "curl -i x",
                 "dispute": dispute}  # fmt: skip
    waiver = {"reason": "gateway strips it", "expires": "2027-03-31", "link": "https://t/1"}
    rules = [
        _rule("LOC-010", "disputed", violations=[violation], violation_count=1),
        _rule("TRANS-016", "waived", violations=[violation], violation_count=1, waiver=waiver),
    ]
    [suite] = ET.fromstring(rules_junit({"run": {"strict": False}, "rules": rules}))
    cases = {case.attrib["name"].split()[0]: case.find("skipped") for case in suite}
    assert suite.attrib["failures"] == "0"
    assert suite.attrib["skipped"] == "2"
    disputed, waived = cases["LOC-010"], cases["TRANS-016"]
    assert disputed is not None
    assert waived is not None
    assert disputed.attrib["message"] == "disputed: passes if read as: HTTP 200 with the OCPI error"
    assert waived.attrib["message"] == "waived: gateway strips it (https://t/1), until 2027-03-31"
    assert "expected HTTP 404; got HTTP 200, OCPI 2003" in (waived.text or "")  # evidence kept
    # --strict counts a disputed verdict as failed: a failure for the dashboard too.
    [strict] = ET.fromstring(rules_junit({"run": {"strict": True}, "rules": rules}))
    assert strict.attrib["failures"] == "1"
    assert (
        next(c for c in strict if c.attrib["name"].startswith("LOC-010")).find("failure")
        is not None
    )
