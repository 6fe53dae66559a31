"""Planted faults: realistic bugs the reference CPO and the eMSP simulator can be started with,
so that the self-test (tests/selftest) proves the judge catches each one on exactly its rules.

A party plants the faults named in `PLUGFEST_FAULTS` (the eMSP: `EMSP_PLUGFEST_FAULTS`), a comma
separated list of names from `FAULTS`; an unknown name, or one meant for the other role, refuses
the start. Each fault is a one-line branch at the spot in the real code where such a bug would
live: `if planted(platform, "no_link_header"): ...`. With no fault planted nothing changes.

`python -m simulator.platform.planted --markdown` writes the table of docs/selftest.md.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

CPO, EMSP = "cpo", "emsp"
BOTH = (CPO, EMSP)
# Selectors (`plugfest check --only`) that keep the registration test (and nothing else of the
# credentials module) in a run: the module suites need a registered judge.
# (VER-006 runs the discovery the registration test relies on.)
REGISTER = ("VER-006", "CRED-004")


@dataclass(frozen=True)
class Fault:
    name: str
    roles: tuple[str, ...]
    plants: str  # what the bug is, in one line
    rules: frozenset[str]  # exactly the rule IDs the judge must fail with this fault planted
    only: tuple[str, ...]  # `plugfest check --only` selectors enough to catch it (a short run)
    judged_as: str  # the role the self-test plants it in (a platform fault: either would do)


def _fault(name: str, roles: tuple[str, ...], plants: str, rules: Iterable[str],
           only: Iterable[str], judged_as: str | None = None) -> Fault:  # fmt: skip
    return Fault(name, roles, plants, frozenset(rules), tuple(only), judged_as or roles[0])


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        # --- transport (§4, §5): the shared platform, both roles ----------------------------------
        _fault(
            "forbidden_instead_of_unauthorized",
            BOTH,
            "the error handler answers an unknown or missing token with HTTP 403, not 401",
            ["TRANS-001"],
            ["TRANS-001"],
        ),
        _fault(
            "error_without_envelope",
            BOTH,
            'HTTP errors leave as a bare {"error": ...} body, without the OCPI envelope',
            ["TRANS-013"],
            ["TRANS-001"],
            EMSP,
        ),
        _fault(
            "timestamp_not_utc",
            BOTH,
            "the envelope's timestamp is CET wall-clock time without a zone designator, not UTC",
            ["TRANS-040"],
            ["VER-004"],
        ),
        _fault(
            "request_id_not_echoed",
            BOTH,
            "a fresh X-Request-ID on every response instead of the request's",
            ["TRANS-016"],
            ["VER-004"],
            EMSP,
        ),
        _fault(
            "correlation_id_not_echoed",
            BOTH,
            "X-Correlation-ID answered with the request id instead of the request's own",
            ["TRANS-017"],
            ["VER-004"],
        ),
        _fault(
            "routing_headers_not_swapped",
            BOTH,
            "OCPI-to/OCPI-from routing headers echoed as received instead of swapped",
            ["TRANS-020"],
            ["TRANS-001"],
            EMSP,
        ),
        _fault(
            "routing_headers_on_configuration",
            BOTH,
            "our own OCPI-from routing headers added to versions and credentials responses",
            ["TRANS-021"],
            ["VER-004"],
            EMSP,
        ),
        _fault(
            "malformed_authorization_500",
            BOTH,
            "an Authorization header that does not parse crashes authentication (HTTP 500)",
            ["SEC-006"],
            ["SEC-006"],
        ),
        _fault(
            "token_a_opens_modules",
            BOTH,
            "functional modules accept a live TOKEN_A like a registered partner's token",
            ["TRANS-003"],  # SEC-004 is never reached: TRANS-003 raises first (judge finding)
            ["TRANS-003"],
            EMSP,
        ),
        _fault(
            "bad_json_500",
            BOTH,
            "a request body that is not JSON crashes the handler (HTTP 500) instead of HTTP 400",
            ["TRANS-008"],
            [*REGISTER, "test_body_that_is_not_json_gets_400"],
        ),
        # --- versions (§6) ----------------------------------------------------------------------
        _fault(
            "details_without_credentials",
            BOTH,
            "the version details leave the credentials module out of the endpoints",
            ["VER-003"],
            ["VER-003"],
        ),
        _fault(
            "relative_endpoint_urls",
            BOTH,
            "the version details give endpoint paths instead of absolute URLs",
            ["VER-002"],
            ["VER-002"],
            EMSP,
        ),
        _fault(
            "details_wrong_version",
            BOTH,
            'the version details report version "2.2" for the 2.2.1 URL',
            ["VER-005"],
            ["VER-005"],
        ),
        _fault(
            "versions_single_object",
            BOTH,
            "the versions list is a single Version object, not a list",
            ["VER-001"],
            ["VER-004"],
            EMSP,
        ),
        # --- credentials and TOKEN_A (§7, SEC) --------------------------------------------------
        _fault(
            "token_a_reusable",
            BOTH,
            "a spent TOKEN_A still authenticates on versions and credentials",
            ["CRED-007"],
            [*REGISTER, "CRED-007"],
            EMSP,
        ),
        _fault(
            "expired_token_a_accepted",
            BOTH,
            "an expired TOKEN_A still authenticates (its expiry is never compared)",
            ["SEC-002"],
            ["SEC-002"],
        ),
        _fault(
            "second_post_crashes",
            BOTH,
            "a second credentials POST by a registered partner crashes (HTTP 500), not 405",
            ["CRED-002"],
            [*REGISTER, "CRED-002"],
        ),
        _fault(
            "put_before_registration_401",
            BOTH,
            "PUT/DELETE credentials with TOKEN_A answered 401 instead of 405",
            ["CRED-003"],
            ["CRED-003"],
            EMSP,
        ),
        _fault(
            "duplicate_credentials_roles",
            BOTH,
            "the registration answer lists our CredentialsRole twice",
            ["CRED-015"],
            [*REGISTER],
        ),
        # --- eMSP Locations Receiver (§8.2.2) --------------------------------------------------
        _fault(
            "emsp_patch_without_last_updated",
            (EMSP,),
            "a Location PATCH without last_updated is accepted and applied",
            ["TRANS-038"],
            [*REGISTER, "TRANS-038"],
        ),
        _fault(
            "emsp_put_ignores_url_id",
            (EMSP,),
            "a Location PUT whose URL id differs from the body's id is stored",
            ["TRANS-037"],
            [*REGISTER, "TRANS-037"],
        ),
        _fault(
            "emsp_put_other_party",
            (EMSP,),
            "a Location PUT under another party's country_code/party_id is stored",
            ["LOC-004"],
            [*REGISTER, "LOC-004"],
        ),
        _fault(
            "emsp_put_always_200",
            (EMSP,),
            "a Location PUT answers HTTP 200 even when it created the object",
            ["TRANS-011"],
            [*REGISTER, "LOC-012"],
        ),
        _fault(
            "emsp_parent_last_updated_kept",
            (EMSP,),
            "a pushed EVSE leaves its Location's last_updated unchanged",
            ["LOC-003"],
            [*REGISTER, "LOC-003"],
        ),
        _fault(
            "emsp_unknown_location_200",
            (EMSP,),
            "GET of an unknown Location answers 200 with an empty object, not 404",
            ["LOC-010"],
            [*REGISTER, "LOC-010"],
        ),
        _fault(
            "emsp_patch_ignored",
            (EMSP,),
            "a Location PATCH stores only last_updated and drops the other given fields",
            ["LOC-013"],
            [*REGISTER, "LOC-013"],
        ),
        _fault(
            "emsp_cdr_post_without_location",
            (EMSP,),
            "a CDR POST is stored but answered without the Location header",
            ["CDR-001"],
            [*REGISTER, "CDR-001"],
        ),
        _fault(
            "case_sensitive_cistrings",
            (EMSP,),
            "a stored Location is looked up by its id case-sensitively: another case gets 404",
            ["TRANS-044"],
            [*REGISTER, "TRANS-044"],
        ),
        # --- eMSP callbacks (§13.2.2), reached through the act hook ---------------------------
        _fault(
            "emsp_command_result_refused",
            (EMSP,),
            "a CommandResult POSTed to the response_url is checked as a CommandResponse: 2001",
            ["CMD-014"],
            [*REGISTER, "CMD-014"],
        ),
        # --- CPO Senders (§8.2.1, §4.1.4.1 pagination) -----------------------------------------
        _fault(
            "no_link_header",
            (CPO,),
            'list pages never carry Link rel="next", so a client stops after page one',
            ["TRANS-030"],
            [*REGISTER, "TRANS-030"],
        ),
        _fault(
            "total_count_is_page_size",
            (CPO,),
            "X-Total-Count is the size of the page, not of the whole list",
            ["TRANS-028"],
            [*REGISTER, "TRANS-028", "TRANS-034"],
        ),
        _fault(
            "limit_not_capped",
            (CPO,),
            "a limit above X-Limit is honoured instead of capped to the server maximum",
            ["TRANS-033"],
            [*REGISTER, "TRANS-032", "TRANS-033"],
        ),
        _fault(
            "link_drops_date_filters",
            (CPO,),
            "the next-page Link drops date_from/date_to (and limit)",
            ["TRANS-031"],
            [*REGISTER, "TRANS-031"],
        ),
        _fault(
            "single_location_in_a_list",
            (CPO,),
            "GET of one Location answers a list holding it, not the object",
            ["LOC-014"],
            [*REGISTER, "LOC-011"],
        ),
        _fault(
            "unknown_connector_500",
            (CPO,),
            "GET of an unknown Connector crashes (HTTP 500) instead of 404",
            ["LOC-010"],
            [*REGISTER, "LOC-011"],
        ),
        # --- CPO Commands and ChargingProfiles Receivers (§13, §14) ----------------------------
        _fault(
            "command_result_never_sent",
            (CPO,),
            "START_SESSION is ACCEPTED and the session starts, but no CommandResult is POSTed",
            ["CMD-003"],
            [*REGISTER, "CMD-003"],
        ),
        _fault(
            "profile_result_never_sent",
            (CPO,),
            "a SetChargingProfile is ACCEPTED and applied, but no ChargingProfileResult is POSTed",
            ["CP-007"],
            [*REGISTER, "CP-007"],
        ),
    )
}


def planted(platform: Any, name: str) -> bool:
    """Whether the party (anything with `.settings`) was started with fault `name`."""
    if name not in FAULTS:
        raise KeyError(f"no planted fault {name!r} in simulator/platform/planted.py")
    return name in platform.settings.planted_faults


def check_names(names: Iterable[str], role: str) -> frozenset[str]:
    """The names, if each is a known fault for `role`; ValueError otherwise (start-up refused)."""
    chosen = frozenset(n.strip() for n in names if n.strip())
    unknown = sorted(chosen - FAULTS.keys())
    if unknown:
        raise ValueError(f"unknown planted faults {unknown}; known: {sorted(FAULTS)}")
    foreign = sorted(n for n in chosen if role not in FAULTS[n].roles)
    if foreign:
        raise ValueError(f"planted faults {foreign} are not faults of the {role.upper()}")
    return chosen


def markdown() -> str:
    """docs/selftest.md: the table of faults, generated from `FAULTS`."""
    lines = [
        "# Self-test: planted faults",
        "",
        "Generated by `python -m simulator.platform.planted --markdown > docs/selftest.md` from",
        "`simulator/platform/planted.py`; `tests/selftest` checks that the file matches.",
        "",
        "`tests/selftest/test_planted_faults.py` starts the reference CPO or the eMSP simulator",
        "with one fault planted (`PLUGFEST_FAULTS=name`, for the eMSP `EMSP_PLUGFEST_FAULTS`),",
        "runs `plugfest check --only ...` and asserts that the failed rules are exactly the ones",
        "below; a run against the clean parties must fail no rule.",
        "",
        "| Fault | Role | Judged as | What it plants | Rules that catch it | `--only` |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for fault in FAULTS.values():
        roles = ", ".join(r.upper() for r in fault.roles)
        rules = ", ".join(sorted(fault.rules))
        only = " ".join(fault.only)
        judged = fault.judged_as.upper()
        lines.append(f"| `{fault.name}` | {roles} | {judged} | {fault.plants} | {rules} | {only} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] != ["--markdown"]:
        sys.exit("usage: python -m simulator.platform.planted --markdown")
    sys.stdout.write(markdown())
