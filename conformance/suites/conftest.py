"""Fixtures the suites share: the discovered target and our registration with it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from conformance.checks.objects import check_object
from conformance.client import Reply
from conformance.exchange import Exchange
from conformance.session import TYPICAL, Judge, Registration
from conformance.verdicts import Blocked

if TYPE_CHECKING:
    from conformance.suites.charging import CpoTarget

FUNCTIONAL = ("locations", "sessions", "cdrs", "tariffs", "tokens", "commands", "chargingprofiles")


@pytest.fixture(scope="session")
def endpoints(judge: Judge) -> dict[str, str]:
    """The target's 2.2.1 endpoints as `module/ROLE -> url`, discovered with the given token, or
    with token C once registered (with --only, this may first be asked for after the
    registration spent TOKEN_A)."""
    registration = judge.registration
    return judge.discover(registration.token if registration else judge.config.token)


@pytest.fixture(scope="session")
def cpo_target(judge: Judge) -> CpoTarget:
    """A CPO target set up for Commands, ChargingProfiles and pushes (suites/charging.py): our
    Token pushed to it, its EVSEs read; shared by the cpo/ suites of those three."""
    from conformance.suites.charging import CpoTarget  # it imports this module

    return CpoTarget.prepare(judge)


@pytest.fixture(scope="session")
def functional_probes(judge: Judge, endpoints: dict[str, str]) -> list[tuple[str, str, str, Any]]:
    """(module, method, url, body): one harmless request per functional interface published,
    addressed to a route that exists, so that only authentication can refuse it."""
    probes = []
    typical = TYPICAL[judge.config.role]
    for key, url in endpoints.items():
        module, role = key.split("/")
        probe = PROBES.get((module, typical.get(module, role)))  # swapped roles read leniently
        if probe is not None:
            method, suffix, body = probe
            probes.append((module, method, url.rstrip("/") + suffix, body))
    return probes


_PROBE_ID = "PLUGFEST-PROBE"
_NOWHERE = "http://127.0.0.1:9/plugfest-probe"
PROBES: dict[tuple[str, str], tuple[str, str, Any]] = {
    ("locations", "SENDER"): ("GET", "", None),
    ("sessions", "SENDER"): ("GET", "", None),
    ("cdrs", "SENDER"): ("GET", "", None),
    ("tariffs", "SENDER"): ("GET", "", None),
    ("tokens", "SENDER"): ("GET", "", None),
    ("tokens", "RECEIVER"): ("GET", f"/NL/PFJ/{_PROBE_ID}", None),
    ("locations", "RECEIVER"): ("GET", f"/NL/PFJ/{_PROBE_ID}", None),
    ("sessions", "RECEIVER"): ("GET", f"/NL/PFJ/{_PROBE_ID}", None),
    ("tariffs", "RECEIVER"): ("GET", f"/NL/PFJ/{_PROBE_ID}", None),
    ("cdrs", "RECEIVER"): ("POST", "", {}),
    ("commands", "RECEIVER"): (
        "POST", "/STOP_SESSION", {"response_url": _NOWHERE, "session_id": _PROBE_ID}
    ),
    ("chargingprofiles", "RECEIVER"): (
        "GET", f"/{_PROBE_ID}?duration=60&response_url={_NOWHERE}", None
    ),
}  # fmt: skip


def bootstrap_token(judge: Judge) -> str:
    if judge.config.token_kind != "bootstrap":
        pytest.skip("the run was given a registered token, not a TOKEN_A")
    return judge.config.token


def fresh_token(judge: Judge, ttl_seconds: int = 600) -> str:
    """A new TOKEN_A from --mint-token-command, or a skip that says why."""
    token = judge.mint(ttl_seconds)
    if token is None:
        pytest.skip("needs fresh TOKEN_As from the target: pass --mint-token-command")
    return token


def counterpart_cpo(judge: Judge) -> dict[str, str]:
    """The judge's counterpart CPO as an eMSP's act hook is told of it (README, "The act
    hook"): where its versions are and which party it is."""
    country_code, party_id = judge.config.party
    return {"versions_url": judge.counterpart.versions_url, "country_code": country_code,
            "party_id": party_id}  # fmt: skip


def registered(judge: Judge, *, reading: bool = False) -> Registration:
    """Our registration; without one the test is blocked (the registration test says why).

    With `--token-kind registered` the run's token C stands for a registration the judge did
    not make. A test that reads, or fuzzes without touching credentials (`reading`), runs on
    it; the others are skipped: they would push under our party, which that registration does
    not stand for (§4.1.5.1), or change or end a registration that is not the judge's."""
    if judge.config.token_kind == "registered":
        if not reading:
            pytest.skip("writes under the judge's own registration; the run was given the token "
                        "C of another (use a TOKEN_A to judge this)")  # fmt: skip
        return judge.adopt()
    if judge.registration is None:
        raise Blocked("not registered with the target (see test_register_with_token_a)")
    return judge.registration


def interface(judge: Judge, module: str, role: str, target: str | None) -> tuple[str, str]:
    """(url, token C) of the target's `module` interface in `role`, for a suite that judges a
    `target` party (None: either). The suite is skipped for the other party, or when the
    target publishes no such interface (swapped roles are read leniently, Registration)."""
    if target is not None and judge.config.role != target:
        party = {"cpo": "a CPO", "emsp": "an eMSP"}
        pytest.skip(f"judges {party[target]}'s {module} {role}: the target is "
                    f"{party[judge.config.role]}")  # fmt: skip
    registration = registered(judge, reading=role == "SENDER")
    url = registration.endpoint(module, role)
    if not url:
        pytest.skip(f"the target publishes no {module} {role} interface")
    return url, registration.token  # as given (a list may answer only there, VER-007)


def credentials_of(reply: Any) -> dict[str, Any]:
    data = reply.data
    return data if isinstance(data, dict) else {}


def fetched_during(judge: Judge, reply: Reply, first_id: int, token_b: str) -> list[str]:
    """What the target GOT from our counterpart, with token B, while it handled `reply`."""
    label = f"Token <{judge.recorder.labels[token_b]}>"
    return [
        e.url.rsplit("/ocpi", 1)[-1]
        for e in judge.counterpart.inbound()
        if first_id < e.id < reply.exchange.id
        and e.method == "GET"
        and e.request_header("Authorization") == label
    ]


def check_credentials(judge: Judge, data: Any, exchange: Exchange) -> None:
    """CRED-018 (the object) and CRED-015 (token and roles) on a Credentials answer."""
    check_object(judge.ledger, "CRED-018", data, "Credentials", exchange)
    roles = data.get("roles") if isinstance(data, dict) else None
    keys = [(r.get("role"), str(r.get("party_id")).upper(), str(r.get("country_code")).upper())
            for r in roles or [] if isinstance(r, dict)]  # fmt: skip
    judge.ledger.check(
        "CRED-015",
        bool(keys) and len(set(keys)) == len(keys),
        expected="at least one role, each (role, party_id, country_code) once (§7.3.1)",
        actual=keys,
        exchange=exchange,
    )
