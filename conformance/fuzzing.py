"""Fuzzing every operation the target publishes through schemathesis's own engine (issue #16).

The role's contract is bound to the target's URLs (`conformance/binding.py`); schemathesis runs
its phases on each bound document (examples, coverage, fuzzing, stateful where links between
operations can be inferred), with its own checks and the seed of the run. The judge only turns
what the engine recorded into evidence:

- every request and answer becomes an exchange of the run (redacted like all others) and goes
  through the judge's transport checks (envelope, headers);
- every check result is a verdict under the rule `CHECK_RULES` maps it to. Never cascade: an
  operation goes on being fuzzed after a failure (schemathesis `continue-on-failure`), since a
  deviation every answer has (a broken envelope, say) would otherwise end the operation at its
  first case, before the cases that judge anything else. The price is Hypothesis's shrinking,
  which only runs on a failure that ends the test: of the cases one check failed on in one
  operation, the shortest request is reported instead;
- a request left without any answer, while the target answers the next one, is TRANS-009's.

OCPI's readings (its errors in HTTP 200, callbacks that go nowhere) are schemathesis hooks and
checks of their own, in `conformance/schemathesis_ocpi.py`, shared with `plugfest fuzz`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from conformance import schemathesis_ocpi  # registers OCPI's hook and check on import
from conformance.binding import METHODS, Binding, Bound
from conformance.checks.objects import validation_error
from conformance.checks.transport import check_exchange
from conformance.client import token_header
from conformance.exchange import Exchange
from conformance.session import Judge
from specs import contract

NO_5XX = "TRANS-009"
INVALID_INPUT = "TRANS-042"
DOCUMENTED_STATUS = "TRANS-045"
METHOD_NOT_ALLOWED = "TRANS-046"
ENVELOPE = "TRANS-012"
OCPI_NEGATIVE = schemathesis_ocpi.CHECK
#: Lenient reading (TRANS-012/013's deviation, judged on every exchange): an error body without
#: the envelope answering an invalid body is read as the refusal it stands for.
BARE_REFUSAL = "an error body without the OCPI envelope read as the refusal of an invalid body"

#: The object rule each module's answers fall under (their `data` breaking the contract).
OBJECT_RULES: dict[str, str] = {
    "locations": "LOC-014",
    "sessions": "SES-014",
    "cdrs": "CDR-013",
    "tariffs": "TAR-011",
    "tokens": "TOK-015",
    "commands": "CMD-015",
    "chargingprofiles": "CP-009",
    "credentials": "CRED-018",
    "hubclientinfo": "HUB-002",
}
VERSIONS_RULES = {"versions": "VER-001", "details": "VER-002"}

#: Response headers the contract documents, and the rule each belongs to.
HEADER_RULES = {
    "x-total-count": "TRANS-028",
    "x-limit": "TRANS-029",
    "link": "TRANS-030",
    "x-request-id": "TRANS-016",
    "x-correlation-id": "TRANS-017",
}

#: What each check expects, in the report's words (the check's own message follows as actual).
EXPECTED = {
    "not_a_server_error": "no HTTP 5xx, whatever the input (§5)",
    "positive_data_acceptance": "a schema-valid request accepted, or refused as OCPI allows",
    "ensure_resource_availability": "an object just created can be read back",
    "use_after_free": "an object just deleted is gone (HTTP 404)",
    "status_code_conformance": "an HTTP status the spec foresees for the operation "
    "(specs/ocpi-2.2.1/statuses.yaml)",
    "content_type_conformance": "Content-Type: application/json",
    "response_headers_conformance": "the response headers as the contract documents them",
    "response_schema_conformance": "the answer as the contract documents it",
    OCPI_NEGATIVE: "a body that breaks the schema refused: OCPI 2xxx (in HTTP 200 too) or an "
    "HTTP 4xx",
    "missing_required_header": "a request without a required header refused",
    "unsupported_method": "HTTP 405 with Allow for a method the endpoint does not serve",
    "allow_header_conformance": "Allow listing exactly the methods the endpoint serves",
    "ignored_auth": "HTTP 401 for a request without a token the server knows (§4.1.2)",
    "object_level_authorization": "another party's objects kept from the caller",
}

#: Response headers by their component in the contract, and the rule their value belongs to
#: (X-Limit: the server's maximum, X-Total-Count: the whole count).
HEADER_VALUE_RULES = {"XLimit": "TRANS-032", "XTotalCount": "TRANS-034"}

#: Each schemathesis check the judge runs, and the rule its failures break (None: decided per
#: failure, see `rule_for`). Checks not listed are not run: `negative_data_rejection` is
#: replaced by its OCPI reading (conformance/schemathesis_ocpi.py).
CHECK_RULES: dict[str, str | None] = {
    "not_a_server_error": NO_5XX,
    "positive_data_acceptance": NO_5XX,  # a valid request refused with an HTTP error status
    "ensure_resource_availability": NO_5XX,  # an object just created cannot be read back
    "use_after_free": "TRANS-010",  # an object just deleted can still be read
    "status_code_conformance": DOCUMENTED_STATUS,
    "content_type_conformance": "TRANS-007",
    "response_headers_conformance": None,  # by header: HEADER_RULES
    "response_schema_conformance": None,  # the module's object rule, or the envelope's
    OCPI_NEGATIVE: INVALID_INPUT,
    "missing_required_header": None,  # TRANS-001 for Authorization, else TRANS-042
    "unsupported_method": METHOD_NOT_ALLOWED,
    "allow_header_conformance": METHOD_NOT_ALLOWED,
    "ignored_auth": "TRANS-001",
    "object_level_authorization": "TRANS-036",
}
RULES = tuple(
    dict.fromkeys(
        [r for r in CHECK_RULES.values() if r]
        + [ENVELOPE, "TRANS-001", *HEADER_RULES.values(), *HEADER_VALUE_RULES.values()]
        + [*VERSIONS_RULES.values(), *OBJECT_RULES.values()]
    )
)

#: Values that broke real parties and that random generation seldom draws, as schemathesis fuzz
#: dictionaries: an offset or a limit past 64 bits (schema-valid: drawn in positive mode), a tab
#: in a routing header (schema-breaking: drawn in negative mode).
EDGES: dict[str, Any] = {
    "dictionaries": {
        "past-64-bits": {"values": [2**64]},
        "country-with-tab": {"values": ["N\tL"]},
        "party-with-tab": {"values": ["PF\tJ"]},
    },
    "parameters": {
        "query.offset": {"dictionary": "past-64-bits", "probability": 0.2},
        "query.limit": {"dictionary": "past-64-bits", "probability": 0.2},
        "header.OCPI-to-country-code": {"dictionary": "country-with-tab", "probability": 0.3},
        "header.OCPI-to-party-id": {"dictionary": "party-with-tab", "probability": 0.3},
    },
}

#: How a check that sends a request of its own names the status it got (`ignored_auth`).
_GOT_STATUS = re.compile(r"got `(\d{3})\b")

#: What the `ci`, `dev` and `thorough` profiles give each operation: examples per generation
#: phase, and the bound of the whole fuzzing run in seconds (every wait has a bound).
BUDGETS = {"dev": (5, 20.0), "ci": (10, 30.0), "thorough": (100, 1800.0)}


@dataclass
class Outcome:
    """What fuzzing did: requests sent per operation, and what the reader should know."""

    sent: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    stop: str | None = None


def settings(judge: Judge, token: str, bound: Bound, profile: str) -> dict[str, Any]:
    """The schemathesis configuration of one bound document (its TOML keys, as a dict)."""
    examples, budget = BUDGETS.get(profile, BUDGETS["ci"])
    checks: dict[str, Any] = {"enabled": False}
    checks.update({name: {"enabled": True} for name in CHECK_RULES})
    country, party = judge.config.party
    return {
        "base-url": bound.origin,
        "headers": {
            "Authorization": token_header(token),
            "OCPI-from-country-code": country,
            "OCPI-from-party-id": party,
        },
        "seed": _seed(judge.seed),
        "max-time": budget,
        "request-timeout": judge.config.max_wait,
        "workers": 1,
        "continue-on-failure": True,  # never cascade: see the module's docstring
        "generation": {"max-examples": examples},
        "checks": checks,
        "operations": [*bound.schemathesis_operations(), *schemathesis_ocpi.OPERATIONS],
        **EDGES,
    }


def _seed(seed: str | None) -> int:
    return int(seed) if seed and seed.isdigit() else 0


def rule_for(check: str, failure: Any, module: str, body: Any = None) -> str:
    """The rule a failure of schemathesis check `check` breaks on an operation of `module`
    answered with `body`: a schema failure in `data`, or at the root (an envelope whose `data`
    matches none of the alternatives), is the module's object rule; elsewhere the envelope's."""
    rule = CHECK_RULES.get(check)
    if rule is not None:
        return rule
    if check == "missing_required_header":
        header = str(getattr(failure, "header_name", "")).lower()
        return "TRANS-001" if header == "authorization" else INVALID_INPUT
    if check == "response_headers_conformance":
        missing = [str(n).lower() for n in getattr(failure, "missing_headers", None) or []]
        if missing:
            return next((HEADER_RULES[n] for n in missing if n in HEADER_RULES), "TRANS-028")
        # A value its schema refuses: the header is the one of the contract with that schema.
        headers = contract.components()["headers"]
        schema = getattr(failure, "schema", None)
        named = [rule for name, rule in HEADER_VALUE_RULES.items()
                 if headers[name].get("schema") == schema]  # fmt: skip
        return named[0] if len(named) == 1 else "TRANS-028"
    path = list(getattr(failure, "instance_path", None) or [])
    if path[:1] != ["data"] and (path or not _envelope(body)):
        return ENVELOPE
    return VERSIONS_RULES.get(module) or OBJECT_RULES.get(module, ENVELOPE)


def _envelope(body: Any) -> bool:
    """An envelope's frame (§4.1.7): a 4-digit integer status_code and a timestamp."""
    return (
        isinstance(body, dict)
        and isinstance(body.get("status_code"), int)
        and 1000 <= body["status_code"] <= 9999
        and isinstance(body.get("timestamp"), str)
    )


class Fuzzer:
    """Runs schemathesis's engine on each bound document and records what it found."""

    def __init__(self, judge: Judge, token: str, profile: str) -> None:
        self.judge = judge
        self.token = token
        self.profile = profile
        self.outcome = Outcome()

    def run(self, binding: Binding) -> Outcome:
        import schemathesis
        from schemathesis import engine
        from schemathesis.engine import events

        for bound in binding.documents:
            config = schemathesis.Config.from_dict(
                settings(self.judge, self.token, bound, self.profile)
            )
            schema = schemathesis.openapi.from_dict(bound.document, config=config)
            for event in engine.from_schema(schema).execute():
                if isinstance(event, events.ScenarioFinished):
                    self._scenario(event.recorder, str(event.phase.value))
                elif isinstance(event, events.NonFatalError):
                    self._error(event)
                elif isinstance(event, events.EngineFinished):
                    self._finished(bound, str(event.stop_reason.value), config.max_time)
        return self.outcome

    def _finished(self, bound: Bound, reason: str, bound_seconds: Any) -> None:
        if reason == "max_time":
            self.outcome.notes.append(
                f"{bound.origin}: its time bound ({bound_seconds} s) ended it"
            )
        elif reason != "completed":
            self.outcome.stop = reason  # e.g. "server_unavailable": said in the test's output

    # --- the engine's records as evidence -----------------------------------------------------

    def _scenario(self, recorder: Any, phase: str) -> None:
        failures: dict[tuple[str, str, str], tuple[str, Any, Exchange, int]] = {}
        for case_id, node in recorder.cases.items():
            interaction = recorder.interactions.get(case_id)
            if interaction is None or interaction.response is None:
                continue
            case = node.value
            module = str(case.operation.definition.raw.get("x-ocpi-module", ""))
            exchange = self._record(interaction, module)
            label = f"{case.operation.method.upper()} {case.operation.path}"
            self.outcome.sent[label] = self.outcome.sent.get(label, 0) + 1
            for check in recorder.checks.get(case_id, []):
                info = check.failure_info
                failure = info.failure if info else None
                if check.name not in CHECK_RULES or _owned_elsewhere(check.name, failure, exchange):
                    continue
                rule = rule_for(check.name, failure, _answering(case), exchange.json())
                if info is None:
                    self.judge.ledger.passed(rule)
                    if check.name == OCPI_NEGATIVE and schemathesis_ocpi.bare_refusal(
                        case, interaction.response
                    ):
                        self.judge.ledger.reading(rule, BARE_REFUSAL, exchange)
                    continue
                key = (label, check.name, str(info.failure.title))
                count = failures[key][3] + 1 if key in failures else 1
                if key in failures and _size(failures[key][2]) <= _size(exchange):
                    failures[key] = (*failures[key][:3], count)
                else:  # the shortest failing request so far
                    failures[key] = (rule, info.failure, exchange, count)
        for (label, check, _), (rule, failure, exchange, count) in failures.items():
            again = f" (the same failure on {count} cases)" if count > 1 else ""
            self.judge.ledger.check(
                rule,
                False,
                expected=f"{EXPECTED[check]}, on {label} (schemathesis `{check}`, {phase} "
                f"phase, seed {_seed(self.judge.seed)})",
                actual=self.judge.recorder.redact(
                    f"{failure.title}: {_first_lines(failure.message)}{again}"
                ),
                exchange=exchange,
            )

    def _record(self, interaction: Any, module: str) -> Exchange:
        """One interaction as an exchange of the run, redacted, through the transport checks."""
        recorder = self.judge.recorder
        request, response = interaction.request, interaction.response
        exchange = Exchange(
            id=recorder.next_id(),
            method=request.method,
            url=request.uri,
            request_headers={k: recorder.header(k, ", ".join(v)) for k, v in _items(request)},
            request_body=recorder.redact(_text(request.body)),
            status=response.status_code,
            response_headers={k: recorder.header(k, ", ".join(v)) for k, v in _items(response)},
            response_body=recorder.redact(_text(response.content)),
            elapsed_ms=response.elapsed * 1000,
        )
        recorder.add(exchange)
        if request.method.lower() not in METHODS:
            return exchange  # a method OCPI does not use (the 405 probes): no OCPI answer due
        body = schemathesis_ocpi.parsed(response)
        check_exchange(self.judge.ledger, exchange, body, module)
        validation_error(self.judge.ledger, INVALID_INPUT, exchange, body)  # a framework's 422
        return exchange

    def _error(self, event: Any) -> None:
        """A request the engine sent but got no answer to: TRANS-009's violation when the target
        answers a plain versions GET right after; otherwise (or a schema or judge error) a note."""
        error = event.value
        prepared = getattr(error, "request", None)
        text = f"{type(error).__name__}: {error}"[:300]
        if prepared is None or not _is_transport_error(error):
            self.outcome.notes.append(f"{event.label}: {text}")
            return
        recorder = self.judge.recorder
        exchange = Exchange(
            id=recorder.next_id(),
            method=str(prepared.method),
            url=str(prepared.url),
            request_headers={k: recorder.header(k, v) for k, v in prepared.headers.items()},
            request_body=recorder.redact(_text(prepared.body)),
            status=None,
            error=recorder.redact(text),
        )
        recorder.add(exchange)
        alive = self.judge.get(self.judge.config.versions_url, "versions", self.token, check=False)
        if alive.status is None:
            self.outcome.notes.append(f"{event.label}: no answer, nor to a versions GET: {text}")
            return
        self.judge.ledger.check(
            NO_5XX,
            False,
            expected="an HTTP answer to an authenticated request, whatever its input (§5)",
            actual=f"no HTTP answer ({text[:200]}), while the next request got HTTP "
            f"{alive.status} (exchange #{alive.exchange.id})",
            exchange=exchange,
        )


def _is_transport_error(error: BaseException) -> bool:
    import requests

    return isinstance(error, requests.RequestException)


def _owned_elsewhere(check: str, failure: Any, exchange: Exchange) -> bool:
    """Whether a check's result belongs to another rule, so that one deviation is booked once:
    a 5xx is TRANS-009's (`not_a_server_error`'s); a 403 refusing a token is TRANS-001/002's
    (the authentication suite's); a web framework's 422 for OCPI 2001 is TRANS-042's (recorded
    by `validation_error` when the exchange is recorded)."""
    if check == "not_a_server_error":
        return False
    status = _failed_status(failure, exchange)
    if status >= 500:
        return True
    return check in ("status_code_conformance", "positive_data_acceptance") and status in (403, 422)


def _failed_status(failure: Any, exchange: Exchange) -> int:
    """The HTTP status a failure is about: its own request's (a check such as `ignored_auth`
    sends one of its own, named in its message), else the case's."""
    status = getattr(failure, "status_code", None)
    if isinstance(status, int):
        return status
    named = _GOT_STATUS.search(str(getattr(failure, "message", "")))
    return int(named.group(1)) if named else exchange.status or 0


def _answering(case: Any) -> str:
    """What answers the case's operation: its module, or `versions` / `details` (VER-001/002)."""
    raw = case.operation.definition.raw
    module = str(raw.get("x-ocpi-module", ""))
    if module == "versions":
        return "details" if raw.get("operationId") == "getVersionDetails" else "versions"
    return module


def _items(message: Any) -> Iterator[tuple[str, list[str]]]:
    for name, values in (message.headers or {}).items():
        yield str(name), [str(v) for v in (values if isinstance(values, list) else [values])]


def _text(content: bytes | str | None) -> str | None:
    if content is None or isinstance(content, str):
        return content
    return content.decode("utf-8", errors="replace")


def _first_lines(message: str, limit: int = 400) -> str:
    text = " ".join(line.strip() for line in str(message).splitlines() if line.strip())
    return text[:limit]


def _size(exchange: Exchange) -> int:
    """How long a request is to read: its URL, headers and body."""
    headers = sum(len(k) + len(v) for k, v in exchange.request_headers.items())
    return len(exchange.url) + headers + len(exchange.request_body or "")
