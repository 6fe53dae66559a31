"""JUnit with one testcase per catalogue rule (`rules.junit.xml`), rendered from results.json, so
that CI dashboards show rules, not pytest functions. pytest's own `junit.xml` stays beside it.

A failed rule is a `failure` (its type the rule's level, its text the evidence: expected, actual
and the curl line), and so is a disputed one in a --strict run; an error of the judge an
`error`; every other rule without a pass a `skipped` whose message starts with its status and
says why: waived (the waiver's reason and expiry, the evidence kept as its text), disputed (the
reading under which the rule passes), blocked, skipped, unobservable, not_covered,
not_applicable.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

SUITE = "plugfest rules"
#: What XML 1.0 cannot hold even escaped (a fuzzed body's control bytes): written as \xNN.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _why(rule: dict[str, Any]) -> str:
    status = rule["status"]
    if status == "waived":
        waiver = rule.get("waiver") or {}
        link = f" ({waiver['link']})" if waiver.get("link") else ""
        reasons = [f"{waiver.get('reason')}{link}, until {waiver.get('expires')}"]
    elif status == "disputed":
        reasons = [f"passes if read as: {text}" for text in _readings(rule)]
    elif status == "blocked":
        reasons = sorted({str(b.get("reason")) for b in rule.get("blocked_by") or []})
    elif status == "skipped":
        reasons = [str(r) for r in rule.get("skip_reasons") or []]
    elif status == "unobservable":
        reasons = [str(rule.get("unobservable") or "")]
    elif status == "not_applicable":
        reasons = [f"applies to {', '.join(rule.get('applies_to') or [])}"]
    else:
        reasons = ["no check yet"]
    return f"{status}: {'; '.join(r for r in reasons if r)}"


def _readings(rule: dict[str, Any]) -> list[str]:
    """The texts of the other readings under which the rule's violations are none."""
    disputes = (v.get("dispute") for v in rule.get("violations") or [])
    return sorted({str(d["text"]) for d in disputes if d})


def _evidence(rule: dict[str, Any]) -> str:
    lines = []
    for violation in rule.get("violations") or []:
        lines.append(f"expected {violation.get('expected')}; got {violation.get('actual')}")
        if violation.get("curl"):
            lines.append(f"  {violation['curl']}")
    more = int(rule.get("violation_count") or 0) - len(rule.get("violations") or [])
    if more > 0:
        lines.append(f"... and {more} more violations (results.json)")
    return "\n".join(lines)


def rules_junit(results: dict[str, Any]) -> str:
    """The per-rule JUnit document of a run's results."""
    rules = results["rules"]
    strict = bool(results.get("run", {}).get("strict"))
    counts = {"failures": 0, "errors": 0, "skipped": 0}
    suite = ET.Element("testsuite", name=SUITE, tests=str(len(rules)))
    for rule in rules:
        case = ET.SubElement(
            suite, "testcase", classname=str(rule["module"]), name=f"{rule['id']} {rule['title']}"
        )
        status = rule["status"]
        if status == "failed" or (status == "disputed" and strict):
            counts["failures"] += 1
            first = (rule.get("violations") or [{}])[0]
            message = f"expected {first.get('expected')}; got {first.get('actual')}"
            failure = ET.SubElement(case, "failure", type=str(rule["level"]), message=_xml(message))
            failure.text = _xml(_evidence(rule))
        elif status == "error":
            counts["errors"] += 1
            ET.SubElement(case, "error", message="the judge crashed: not a verdict on the rule")
        elif status != "passed":
            counts["skipped"] += 1
            skipped = ET.SubElement(case, "skipped", message=_xml(_why(rule)))
            if status in ("waived", "disputed"):
                skipped.text = _xml(_evidence(rule))
    suite.attrib.update({name: str(count) for name, count in counts.items()})
    testsuites = ET.Element("testsuites")
    testsuites.append(suite)
    ET.indent(testsuites)
    return ET.tostring(testsuites, encoding="unicode", xml_declaration=True) + "\n"
