"""Versions and version details (§6): structure, credentials present, URLs that answer, roles."""

from __future__ import annotations

import pytest

from conformance.checks.objects import check_object, check_status
from conformance.session import Judge

# §2.3.1: the interface each role typically implements.
TYPICAL = {
    "cpo": {"locations": "SENDER", "sessions": "SENDER", "cdrs": "SENDER", "tariffs": "SENDER",
            "tokens": "RECEIVER", "commands": "RECEIVER", "chargingprofiles": "RECEIVER",
            "hubclientinfo": "RECEIVER"},
    "emsp": {"locations": "RECEIVER", "sessions": "RECEIVER", "cdrs": "RECEIVER",
             "tariffs": "RECEIVER", "tokens": "SENDER", "commands": "SENDER",
             "hubclientinfo": "RECEIVER"},
}  # fmt: skip


@pytest.mark.rule("VER-001", "VER-004")
def test_versions_list(judge: Judge) -> None:
    reply = judge.get(judge.config.versions_url, "versions", judge.config.token)
    if judge.config.token_kind == "bootstrap":
        check_status(judge.ledger, "VER-004", reply.exchange, http=200, ocpi=1000)
    data = reply.data
    judge.ledger.check(
        "VER-001",
        isinstance(data, list) and len(data) > 0,
        expected="data: a non-empty list of Version objects (§6.1.2)",
        actual=data,
        exchange=reply.exchange,
    )
    for version in data:
        check_object(judge.ledger, "VER-001", version, "Version", reply.exchange)


@pytest.mark.rule("VER-002", "VER-003", "VER-004", "VER-005")
def test_version_details(judge: Judge) -> None:
    versions = judge.get(judge.config.versions_url, "versions", judge.config.token).data
    usable = [v for v in versions if isinstance(v, dict)] if isinstance(versions, list) else []
    if not usable:
        pytest.skip("no usable versions list to follow (see VER-001)")
    for version in usable:
        reply = judge.get(version["url"], "versions", judge.config.token)
        if judge.config.token_kind == "bootstrap":
            check_status(judge.ledger, "VER-004", reply.exchange, http=200, ocpi=1000)
        details = reply.data if isinstance(reply.data, dict) else {}
        judge.ledger.check(
            "VER-005",
            details.get("version") == version["version"],
            expected=f"details of version {version['version']}",
            actual=details.get("version"),
            exchange=reply.exchange,
        )
        if version["version"] != "2.2.1":
            continue
        check_object(judge.ledger, "VER-002", details, "VersionDetails", reply.exchange)
        identifiers = [e.get("identifier") for e in details.get("endpoints", [])]
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
    for key, url in endpoints.items():
        judge.ledger.check(
            "VER-002",
            isinstance(url, str) and url.startswith(("http://", "https://")),
            expected="absolute endpoint URLs (§6.2.2)",
            actual=f"{key}: {url}",
            exchange=judge.details.exchange if judge.details else None,
        )
