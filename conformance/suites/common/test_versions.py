"""Versions and version details (§6): structure, credentials present, URLs that answer, roles."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import pytest

from conformance.checks.objects import check_object, check_status, single_object
from conformance.client import Reply
from conformance.session import TYPICAL, Judge
from conformance.verdicts import Blocked, NoAnswer

pytestmark = pytest.mark.phase("discovery")


def _versions(judge: Judge) -> tuple[list[Any], Reply]:
    """The versions list as the target answers it (a single object read as a list of one)."""
    reply = judge.get(judge.config.versions_url, "versions", judge.config.token)
    if reply.status is None:
        raise NoAnswer(reply.exchange)
    data = reply.data
    return ([data] if isinstance(data, dict) else data if isinstance(data, list) else []), reply


@pytest.mark.rule("VER-001", "VER-004")
def test_versions_list(judge: Judge) -> None:
    entries, reply = _versions(judge)
    if judge.config.token_kind == "bootstrap":
        check_status(judge.ledger, "VER-004", reply.exchange, http=200, ocpi=1000)
    judge.ledger.check(
        "VER-001",
        isinstance(reply.data, list) and len(reply.data) > 0,
        expected="data: a non-empty list of Version objects (§6.1.2)",
        actual=reply.data,
        exchange=reply.exchange,
    )
    for version in entries:
        check_object(judge.ledger, "VER-001", version, "Version", reply.exchange)


@pytest.mark.rule("VER-002", "VER-003", "VER-004", "VER-005")
def test_version_details(judge: Judge) -> None:
    entries, versions = _versions(judge)
    usable = [v for v in entries if isinstance(v, dict) and isinstance(v.get("url"), str)]
    if not usable:
        raise Blocked("no version in the versions list has a URL to follow", versions.exchange)
    for version in usable:
        url = urljoin(versions.exchange.url, version["url"])  # relative: VER-002 says so
        reply = judge.get(url, "versions", judge.config.token)
        if reply.status is None:
            raise NoAnswer(reply.exchange)
        if judge.config.token_kind == "bootstrap":
            check_status(judge.ledger, "VER-004", reply.exchange, http=200, ocpi=1000)
        details = single_object(judge.ledger, "VER-002", reply) or {}
        judge.ledger.check(
            "VER-005",
            details.get("version") == version.get("version"),
            expected=f"details of version {version.get('version')}",
            actual=details.get("version"),
            exchange=reply.exchange,
        )
        if version.get("version") != "2.2.1":
            continue
        check_object(judge.ledger, "VER-002", reply.data, "VersionDetails", reply.exchange)
        listed = details.get("endpoints")
        identifiers = [e.get("identifier") for e in listed or [] if isinstance(e, dict)]
        judge.ledger.check(
            "VER-003",
            "credentials" in identifiers,
            expected="the credentials module among the endpoints (§6.2.4)",
            actual=identifiers,
            exchange=reply.exchange,
        )


@pytest.mark.rule("VER-006")
def test_published_roles_match_the_party(judge: Judge, endpoints: dict[str, str]) -> None:
    typical = TYPICAL[judge.config.role]
    for key in endpoints:
        module, role = key.split("/")
        if module in typical:
            judge.ledger.check(
                "VER-006",
                role == typical[module],
                expected=f"{module} as {typical[module]} for a {judge.config.role.upper()}",
                actual=f"{module} as {role}",
                exchange=judge.details.exchange if judge.details else None,
            )


@pytest.mark.rule("VER-002")
def test_endpoint_urls_are_absolute(judge: Judge, endpoints: dict[str, str]) -> None:
    """Judged on the endpoints as the target wrote them (the judge resolves relative ones)."""
    assert judge.details is not None  # `endpoints` discovered them
    details = single_object(judge.ledger, "VER-002", judge.details) or {}
    for entry in details.get("endpoints") or []:
        url = entry.get("url") if isinstance(entry, dict) else entry
        judge.ledger.check(
            "VER-002",
            isinstance(url, str) and url.startswith(("http://", "https://")),
            expected="absolute endpoint URLs (§6.2.2)",
            actual=f"{entry.get('identifier') if isinstance(entry, dict) else '?'}: {url}",
            exchange=judge.details.exchange,
        )
