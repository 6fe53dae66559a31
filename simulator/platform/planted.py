"""Planted faults: realistic bugs the reference CPO and the eMSP simulator can be started with,
so that the self-test (tests/selftest) proves the judge catches each one under its own rules,
many at once, as real parties have them.

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


@dataclass(frozen=True)
class Fault:
    name: str
    roles: tuple[str, ...]
    plants: str  # what the bug is, in one line
    rules: frozenset[str]  # the rules the judge must fail, with evidence, whenever it is planted
    # Rules it may also fail together with another fault (a spent TOKEN_A that still works
    # opens modules only where modules take a TOKEN_A): never outside rules + also.
    also: frozenset[str]
    # Faults that hide it when planted with it (no Link at all hides a Link that loses filters).
    masked_by: frozenset[str]
    # The reading of its rules' ambiguity (specs/ambiguities.yaml) the fault follows: the judge
    # must report its rules `disputed` under that reading, not `failed`.
    reading: str | None = None

    @property
    def verdict(self) -> str:
        return "disputed" if self.reading else "failed"


def _fault(name: str, roles: tuple[str, ...], plants: str, rules: Iterable[str], *,
           also: Iterable[str] = (), masked_by: Iterable[str] = (),
           reading: str | None = None) -> Fault:  # fmt: skip
    return Fault(name, roles, plants, frozenset(rules), frozenset(also), frozenset(masked_by),
                 reading)  # fmt: skip


def of_role(role: str) -> list[Fault]:
    """Every fault that can be planted in a party of `role`."""
    return [fault for fault in FAULTS.values() if role in fault.roles]


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        # --- transport (§4, §5): the shared platform, both roles ----------------------------------
        _fault(
            "forbidden_instead_of_unauthorized",
            BOTH,
            "the error handler answers an unknown or missing token with HTTP 403, not 401",
            ["TRANS-001", "TRANS-002"],
        ),
        _fault(
            "error_without_envelope",
            BOTH,
            'HTTP errors leave as a bare {"error": ...} body, without the OCPI envelope',
            ["TRANS-012", "TRANS-013"],
        ),
        _fault(
            "timestamp_not_utc",
            BOTH,
            "the envelope's timestamp is CET wall-clock time without a zone designator, not UTC",
            ["TRANS-040"],
            masked_by=["envelope_without_timestamp"],
        ),
        _fault(
            "envelope_without_timestamp",
            BOTH,
            "the response envelope leaves out its timestamp",
            ["TRANS-012", "TRANS-013"],
        ),
        _fault(
            "string_status_code",
            BOTH,
            'the envelope\'s status_code is a string ("1000"), not a number',
            ["TRANS-012", "TRANS-013"],
        ),
        _fault(
            "no_request_ids",
            BOTH,
            "answers carry neither X-Request-ID nor X-Correlation-ID",
            ["TRANS-016", "TRANS-017"],
        ),
        _fault(
            "start_session_checks_token",
            (CPO,),
            "START_SESSION is REJECTED for a Token the CPO was never pushed",
            ["CMD-005"],
        ),
        _fault(
            "preferences_on_any_evse",
            (CPO,),
            "charging preferences are taken on an EVSE without CHARGING_PREFERENCES_CAPABLE",
            ["SES-010"],
        ),
        _fault(
            "no_profile_shows_zero",
            (CPO,),
            "with no charging profile active, the ActiveChargingProfile limit is 0 W",
            ["CP-006"],
        ),
        _fault(
            "push_token_not_base64",
            (CPO,),
            "pushes carry the credentials token verbatim after `Token`, not Base64-encoded",
            ["TRANS-005"],
            reading="raw",
        ),
        _fault(
            "push_request_id_reused",
            (CPO,),
            "every push to a partner carries the same X-Request-ID",
            ["TRANS-018"],
        ),
        _fault(
            "scheme_word_not_checked",
            BOTH,
            "the word before the token is not checked: `Bearer <base64 token>` authenticates",
            ["SEC-006"],
        ),
        _fault(
            "request_id_not_echoed",
            BOTH,
            "a fresh X-Request-ID on every response instead of the request's",
            ["TRANS-016"],
        ),
        _fault(
            "correlation_id_not_echoed",
            BOTH,
            "X-Correlation-ID answered with the request id instead of the request's own",
            ["TRANS-017"],
        ),
        _fault(
            "routing_headers_not_swapped",
            BOTH,
            "OCPI-to/OCPI-from routing headers echoed as received instead of swapped",
            ["TRANS-020"],
        ),
        _fault(
            "routing_headers_on_configuration",
            BOTH,
            "our own OCPI-from routing headers added to versions and credentials responses",
            ["TRANS-021"],
        ),
        _fault(
            "strange_header_drops_connection",
            BOTH,
            "a routing header holding a tab is echoed cut to its length, which HTTP/1.1 cannot "
            "send: the connection closes without an answer",
            ["TRANS-009"],
        ),
        _fault(
            "offset_overflow_500",
            BOTH,
            "an offset past 64 bits reaches the database, which overflows (HTTP 500)",
            ["TRANS-009"],
        ),
        _fault(
            "malformed_authorization_500",
            BOTH,
            "an Authorization header that does not parse crashes authentication (HTTP 500)",
            ["SEC-006"],
            also=["TRANS-009"],
        ),
        _fault(
            "token_a_opens_modules",
            BOTH,
            "functional modules accept a live TOKEN_A like a registered partner's token",
            ["SEC-004", "TRANS-003"],
            also=["CRED-006"],
        ),
        _fault(
            "bad_json_500",
            BOTH,
            "a request body that is not JSON crashes the handler (HTTP 500) instead of HTTP 400",
            ["TRANS-008"],
            also=["TRANS-009"],
        ),
        _fault(
            "detail_422_errors",
            BOTH,
            'invalid parameters (OCPI 2001) answered by the framework: HTTP 422 {"detail": ...}',
            ["TRANS-013", "TRANS-042"],
        ),
        # --- versions (§6) ----------------------------------------------------------------------
        _fault(
            "details_without_credentials",
            BOTH,
            "the version details leave the credentials module out of the endpoints",
            ["VER-003"],
        ),
        _fault(
            "relative_endpoint_urls",
            BOTH,
            "the version details give endpoint paths instead of absolute URLs",
            ["VER-002"],
        ),
        _fault(
            "details_wrong_version",
            BOTH,
            'the version details report version "2.2" for the 2.2.1 URL',
            ["VER-005"],
        ),
        _fault(
            "versions_single_object",
            BOTH,
            "the versions list is a single Version object, not a list",
            ["VER-001"],
        ),
        _fault(
            "details_roles_swapped",
            BOTH,
            "the version details publish every module in the other role (SENDER for RECEIVER)",
            ["VER-006"],
        ),
        # --- credentials and TOKEN_A (§7, SEC) --------------------------------------------------
        _fault(
            "optional_fields_required",
            BOTH,
            "registration refuses spec-valid Credentials without the optional business logo",
            ["CRED-019"],
        ),
        _fault(
            "token_a_reusable",
            BOTH,
            "a spent TOKEN_A still authenticates on versions and credentials",
            ["CRED-007"],
            also=["CRED-006", "CRED-011"],
        ),
        _fault(
            "expired_token_a_accepted",
            BOTH,
            "an expired TOKEN_A still authenticates (its expiry is never compared)",
            ["SEC-002"],
        ),
        _fault(
            "second_post_crashes",
            BOTH,
            "a second credentials POST by a registered partner crashes (HTTP 500), not 405",
            ["CRED-002"],
            also=["TRANS-009"],
        ),
        _fault(
            "put_before_registration_401",
            BOTH,
            "PUT/DELETE credentials with TOKEN_A answered 401 instead of 405",
            ["CRED-003"],
            reading="http-401",
        ),
        _fault(
            "duplicate_credentials_roles",
            BOTH,
            "the registration answer lists our CredentialsRole twice",
            ["CRED-015"],
        ),
        _fault(
            "credentials_echo_client_token",
            BOTH,
            "the credentials POST/PUT answer hands the client's own token B back as token C",
            ["CRED-001", "CRED-009"],
        ),
        # --- eMSP Locations Receiver (§8.2.2) --------------------------------------------------
        _fault(
            "emsp_patch_without_last_updated",
            (EMSP,),
            "a Location PATCH without last_updated is accepted and applied",
            ["TRANS-038"],
        ),
        _fault(
            "emsp_put_ignores_url_id",
            (EMSP,),
            "a Location PUT whose URL id differs from the body's id is stored",
            ["TRANS-037"],
        ),
        _fault(
            "emsp_put_other_party",
            (EMSP,),
            "a Location PUT under another party's country_code/party_id is stored",
            ["LOC-004"],
        ),
        _fault(
            "emsp_put_always_200",
            (EMSP,),
            "a Location PUT answers HTTP 200 even when it created the object",
            ["TRANS-011"],
        ),
        _fault(
            "emsp_parent_last_updated_kept",
            (EMSP,),
            "a pushed EVSE leaves its Location's last_updated unchanged",
            ["LOC-003"],
        ),
        _fault(
            "emsp_unknown_location_200",
            (EMSP,),
            "GET of an unknown Location answers 200 with an empty object, not 404",
            ["LOC-010"],
            also=["LOC-014"],  # the empty object, where the fuzzer asks for unknown ones
        ),
        _fault(
            "emsp_patch_ignored",
            (EMSP,),
            "a Location PATCH stores only last_updated and drops the other given fields",
            ["LOC-013"],
        ),
        _fault(
            "emsp_cdr_post_without_location",
            (EMSP,),
            "a CDR POST is stored but answered without the Location header",
            ["CDR-001"],
        ),
        _fault(
            "case_sensitive_cistrings",
            (EMSP,),
            "a stored Location is looked up by its id case-sensitively: another case gets 404",
            ["TRANS-044"],
        ),
        _fault(
            "emsp_lowercase_ids",
            (EMSP,),
            "a stored Location is served with its id lower-cased: no fault, a CiString (§16.1)",
            [],
        ),
        _fault(
            "emsp_any_party_stored",
            (EMSP,),
            "Locations are stored and served under any country_code/party_id, not only the "
            "caller's credentials roles",
            ["TRANS-036"],
        ),
        # --- eMSP real-time authorization (§12.2.2.2, §12.1.3) ---------------------------------
        _fault(
            "emsp_location_required_2001",
            (EMSP,),
            "authorize without LocationReferences is refused with OCPI 2001, not decided or 2002",
            ["TOK-008", "TOK-006"],  # TOK-006: a known Token got no AuthorizationInfo
        ),
        _fault(
            "emsp_authorize_on_evse_status",
            (EMSP,),
            "authorize is NOT_ALLOWED at EVSEs the stored Location says are OUTOFORDER/INOPERATIVE",
            ["TOK-009"],
        ),
        # --- eMSP callbacks (§13.2.2), reached through the act hook ---------------------------
        _fault(
            "emsp_command_result_refused",
            (EMSP,),
            "a CommandResult POSTed to the response_url is checked as a CommandResponse: 2001",
            ["CMD-014"],
        ),
        # --- eMSP Token pushes (§12.2.1), reached through the act hook -------------------------
        _fault(
            "token_patch_without_last_updated",
            (EMSP,),
            "a Token PATCH pushed to a CPO's Tokens Receiver leaves out last_updated",
            ["TOK-002"],
        ),
        # --- CPO Senders (§8.2.1, §4.1.4.1 pagination) -----------------------------------------
        _fault(
            "no_link_header",
            BOTH,
            'list pages never carry Link rel="next", so a client stops after page one',
            ["TRANS-030"],
        ),
        _fault(
            "total_count_is_page_size",
            (CPO,),
            "X-Total-Count is the size of the page, not of the whole list",
            ["TRANS-028"],
        ),
        _fault(
            "limit_not_capped",
            (CPO,),
            "a limit above X-Limit is honoured instead of capped to the server maximum",
            ["TRANS-032"],
        ),
        _fault(
            "link_drops_date_filters",
            BOTH,
            "the next-page Link drops date_from/date_to (and limit)",
            ["TRANS-031"],
            masked_by=["no_link_header"],
        ),
        _fault(
            "single_location_in_a_list",
            (CPO,),
            "GET of one Location answers a list holding it, not the object",
            ["LOC-014"],
        ),
        _fault(
            "unknown_connector_500",
            (CPO,),
            "GET of an unknown Connector crashes (HTTP 500) instead of 404",
            ["LOC-010"],
            also=["TRANS-009"],
        ),
        _fault(
            "next_link_wrong_scheme",
            BOTH,
            "next links say https:// where the server speaks plain http",
            ["TRANS-030"],
            masked_by=["no_link_header", "link_drops_date_filters"],  # such a link is not followed
        ),
        _fault(
            "link_query_not_returnable",
            BOTH,
            "next links carry date filters as isoformat() renders them, `+00:00` unencoded: "
            "read back, the `+` is a space",
            ["TRANS-031"],
            masked_by=["no_link_header", "link_drops_date_filters"],
        ),
        _fault(
            "limit_zero_loops",
            BOTH,
            "limit=0 answers an empty page whose next link points at the same offset: a loop",
            ["TRANS-030"],
            masked_by=["no_link_header"],
        ),
        _fault(
            "empty_link_on_last_page",
            BOTH,
            "the last page carries an empty `Link:` header: no fault to report, no next page",
            [],
        ),
        _fault(
            "list_only_with_slash",
            BOTH,
            "list GETs answer 404 at the advertised URL and work only with a trailing slash",
            ["VER-007"],
            # its own next links lack the slash too; a list GET has no 404 (TRANS-045)
            also=["TRANS-030", "TRANS-045"],
        ),
        _fault(
            "x_limit_echoes_limit",
            BOTH,
            "X-Limit repeats the limit the client asked for, not the server maximum it applies",
            ["TRANS-032"],
        ),
        _fault(
            "later_version_fields",
            (CPO,),
            "GET of one Location adds a field OCPI 2.2.1 does not define (`parking_places`)",
            ["LOC-011", "LOC-014"],
            masked_by=["single_location_in_a_list"],
        ),
        # --- CPO Commands and ChargingProfiles Receivers (§13, §14) ----------------------------
        _fault(
            "command_result_never_sent",
            (CPO,),
            "START_SESSION is ACCEPTED and the session starts, but no CommandResult is POSTed",
            ["CMD-003"],
        ),
        _fault(
            "profile_result_never_sent",
            (CPO,),
            "a SetChargingProfile is ACCEPTED and applied, but no ChargingProfileResult is POSTed",
            ["CP-007"],
        ),
        # --- CPO Tokens Receiver (§12.2.1) -----------------------------------------------------
        _fault(
            "cpo_tokens_any_party",
            (CPO,),
            "Tokens are stored and served under any country_code/party_id, not only the "
            "caller's credentials roles",
            ["TRANS-036"],
        ),
        # --- CPO real-time authorization (§12.4.5) and credit CDRs (§10.1.1), act hook ------------
        _fault(
            "authorizes_from_cache_when_invalid",
            (CPO,),
            "a swipe of a cached Token with valid=false is refused locally, without the real-time "
            "authorization its whitelist NEVER demands",
            ["TOK-010"],
        ),
        _fault(
            "credit_cdr_keeps_costs_positive",
            (CPO,),
            "a credit CDR repeats the credited CDR's cost amounts as they were, not negated",
            ["CDR-005"],
        ),
    )
}


def planted(platform: Any, name: str) -> bool:
    """Whether the party (anything with `.settings`) was started with fault `name`."""
    return planted_in(platform.settings.planted_faults, name)


def planted_in(faults: frozenset[str], name: str) -> bool:
    """Whether `name` is among the planted `faults` (for code that holds no settings)."""
    if name not in FAULTS:
        raise KeyError(f"no planted fault {name!r} in simulator/platform/planted.py")
    return name in faults


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
        "with several faults planted at once (`PLUGFEST_FAULTS=a,b,...`, for the eMSP",
        "`EMSP_PLUGFEST_FAULTS`), runs `plugfest check` in full, and asserts for each combination:",
        "",
        "- every fault is reported under each of its rules, with evidence (expected, actual, the",
        "  exchange and its curl line), unless a fault that masks it is planted too: `failed`, or",
        "  `disputed` for a fault that follows another reading of an ambiguity of the spec",
        "  (`specs/ambiguities.yaml`; its reading is in the table);",
        "- no rule outside the union of their rules (and the rules they may also fail together)",
        "  fails or is disputed;",
        "- at least 80% of the MUST rules the clean party passes are still judged;",
        "- the judge itself never crashes.",
        "",
        "Combinations: both clean parties; every fault of a role at once; and subsets of 2 to 6",
        "faults drawn by Hypothesis (a fixed few in CI, more with `HYPOTHESIS_PROFILE=thorough`).",
        "",
        "| Fault | Roles | What it plants | Rules that catch it | May also fail | Masked by |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for fault in FAULTS.values():
        roles = ", ".join(r.upper() for r in fault.roles)
        rules = ", ".join(sorted(fault.rules))
        if fault.reading:
            rules += f" (disputed: the `{fault.reading}` reading)"
        also = ", ".join(sorted(fault.also))
        masked = ", ".join(f"`{m}`" for m in sorted(fault.masked_by))
        lines.append(f"| `{fault.name}` | {roles} | {fault.plants} | {rules} | {also} | {masked} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] != ["--markdown"]:
        sys.exit("usage: python -m simulator.platform.planted --markdown")
    sys.stdout.write(markdown())
