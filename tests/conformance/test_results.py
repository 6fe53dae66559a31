"""A rule's status and the run's exit code come from evidence only (conformance/results.py)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.results import exit_code, rule_status

NOTHING = {"violated": False, "passed": False, "applicable": True, "blocked": False,
           "errored": False, "skipped": False}  # fmt: skip


@pytest.mark.parametrize(
    ("evidence", "status"),
    [
        ({"violated": True, "passed": True}, "failed"),
        ({"passed": True, "blocked": True}, "passed"),  # judged elsewhere: a verdict wins
        ({"applicable": False, "skipped": True}, "not_applicable"),
        ({"blocked": True, "errored": True, "skipped": True}, "blocked"),
        ({"errored": True, "skipped": True}, "error"),
        ({"skipped": True}, "skipped"),
        ({"unobservable": True}, "unobservable"),
        ({"passed": True, "unobservable": True}, "passed"),  # a check found a way after all
        ({"applicable": False, "unobservable": True}, "not_applicable"),
        ({}, "not_covered"),
    ],
)
def test_a_verdict_wins_over_why_there_is_none(evidence: dict[str, bool], status: str) -> None:
    assert rule_status(**{**NOTHING, **evidence}) == status


def _rule(status: str, level: str = "MUST") -> dict[str, Any]:
    return {"status": status, "level": level}


def test_only_a_failed_must_rule_fails_the_run() -> None:
    assert exit_code([_rule("passed"), _rule("blocked"), _rule("error")], strict=False) == 0
    assert exit_code([_rule("skipped"), _rule("failed", "SHOULD")], strict=False) == 0
    assert exit_code([_rule("failed", "SHOULD")], strict=True) == 1
    assert exit_code([_rule("failed")], strict=False) == 1
