"""Fuzzing every operation of the target's role document (issue #7): schemathesis generates the
cases, the judge's own client sends them (recorded, redacted, transport-checked) and the judge's
checks give the verdicts.

`specs.contract.bundled_document(role)` is the role's OpenAPI document with paths relative to the
endpoint URLs a party publishes: `/locations/...` hangs off the target's `locations` endpoint of
the operation's interface (`x-ocpi-interface`), `/versions` is the versions URL and
`/versions/2.2.1` the version details URL. Each operation is bound to the real URL the target
published; operations of modules it does not publish, callbacks whose URL only the target knows
(a `response_url`, a `Location` header) and credentials changes are never fuzzed.

Per exchange: TRANS-009 (an answer, never a 5xx: a request left without any answer while the
target answers the next one is its violation too), the module's object rule (a 200/201 with
status_code 1000 carries what the operation documents) and TRANS-042 (a body that breaks the
request schema gets OCPI 2001). The envelope and header rules come from the transport checks of
every exchange. Besides schemathesis's cases, each operation gets the edge values its generation
rarely draws (`EDGES`): an offset and a limit past 64 bits, routing headers holding a tab.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import unquote

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from jsonschema import Draft202012Validator

from conformance.checks.objects import refused
from conformance.checks.transport import check_exchange
from conformance.client import Reply
from conformance.session import Judge, Registration
from specs import contract
from specs.contract import Role

MAX_EXAMPLES = 10  # per operation and generation mode
BUDGET_SECONDS = 20.0  # for all operations of one target
NOWHERE = "http://127.0.0.1:9/plugfest-fuzz"  # where fuzzed callbacks (response_url) go

# The object rule each module's answers fall under (its `data` breaking the documented schema).
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
VERSIONS_RULES = {"/versions": "VER-001", "/versions/2.2.1": "VER-002"}
NO_5XX = "TRANS-009"
INVALID_INPUT = "TRANS-042"
INVALID_JSON = "TRANS-008"
RULES = (NO_5XX, INVALID_JSON, INVALID_INPUT, *VERSIONS_RULES.values(), *OBJECT_RULES.values())

#: Edge values sent once per operation that takes them, on a positive case (issue #16: both
#: broke real parties, and random generation seldom draws them): query parameters, headers.
PAST_64_BITS = str(2**64)
EDGE_QUERIES = ({"offset": PAST_64_BITS}, {"limit": PAST_64_BITS})
EDGE_HEADERS = {"OCPI-to-country-code": "N\tL", "OCPI-to-party-id": "PF\tJ"}

# Statuses that may rightly answer an invalid body before it is read: not authorised, no such
# object, method not allowed (§4.1.2, §5, §7.2).
_EARLIER_REFUSALS = frozenset({401, 404, 405})


@dataclass(frozen=True)
class Target:
    """One operation of the role's document bound to the URL the target published for it."""

    path: str
    method: str
    module: str
    base: str  # the URL that replaces the path's `/<module>` (or `/versions...`) prefix
    operation: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def url(self, formatted_path: str) -> str:
        prefix = self.path if self.module == "versions" else f"/{self.module}"
        return self.base.rstrip("/") + formatted_path[len(prefix) :]


@dataclass
class Outcome:
    """What fuzzing one operation did."""

    target: Target
    sent: int = 0
    generated: int = 0
    notes: list[str] = field(default_factory=list)


def targets(judge: Judge, role: Role, registration: Registration) -> tuple[list[Target], list[str]]:
    """(the operations to fuzz, why the others are not fuzzed) for a target of `role`; its
    endpoints as `Registration.endpoint` reads them (swapped roles leniently)."""
    found: list[Target] = []
    skipped: list[str] = []
    details_url = judge.details.exchange.url if judge.details is not None else None
    for path, method, operation in contract.operations(role):
        name = f"{method.upper()} {path}"
        module = str(operation.get("x-ocpi-module", ""))
        where = str(operation.get("x-ocpi-endpoint", ""))
        interface = operation.get("x-ocpi-interface")
        if "response_url" in where or "Location" in where:
            skipped.append(f"{name}: a callback URL only the target knows ({where})")
            continue
        if module == "credentials" and method != "get":
            skipped.append(f"{name}: never change our registration while fuzzing")
            continue
        base: str | None
        if path == "/versions":
            base = judge.config.versions_url
        elif path.startswith("/versions/"):
            base = details_url
        else:
            base = registration.endpoint(module, None if interface is None else str(interface))
        if base is None:
            skipped.append(f"{name}: the target publishes no {module} {interface or ''}".rstrip())
            continue
        found.append(Target(path, method, module, base, operation))
    return found, skipped


@cache
def _schema(role: Role) -> Any:
    import schemathesis  # a heavy import: only when fuzzing

    return schemathesis.openapi.from_dict(contract.bundled_document(role))


class _SliceSpent(Exception):
    """Raised inside generation when an operation's share of the budget is spent."""


def generate(
    role: Role, target: Target, mode: str, count: int, seed: str | None, until: float
) -> list[Any]:
    """Up to `count` schemathesis cases for the operation (mode `positive` or `negative`),
    fewer when generating them would run past `until` (a `time.monotonic()` instant)."""
    from schemathesis import GenerationMode

    strategy = _schema(role)[target.path][target.method.upper()].as_strategy(
        generation_mode=GenerationMode(mode)
    )
    cases: list[Any] = []

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(case: Any) -> None:
        if cases and time.monotonic() >= until:
            raise _SliceSpent
        cases.append(case)

    run = hypothesis_seed(int(seed) if seed and seed.isdigit() else 0)(collect)
    with contextlib.suppress(_SliceSpent):
        run()
    return cases[:count]


def bind(case: Any, party: tuple[str, str], *, positive: bool) -> None:
    """Address the case to our own party (a receiver refuses objects of parties that are not
    the sender's with 404 before reading them); positive bodies get the URL's ids too."""
    params = case.path_parameters or {}
    if "country_code" in params:
        params["country_code"] = party[0]
    if "party_id" in params:
        params["party_id"] = party[1]
    body = case.body
    if not positive or not isinstance(body, dict):
        return
    if "country_code" in body and "party_id" in body:
        body["country_code"], body["party_id"] = party
    names = [n for n in case.path.split("/") if n.startswith("{")]
    last = names[-1].strip("{}") if names else None
    if last and last not in ("country_code", "party_id") and isinstance(params.get(last), str):
        key = next((k for k in ("id", "uid") if k in body), None)
        if key is not None:
            body[key] = unquote(params[last])


def _body(case: Any) -> tuple[bool, Any]:
    from schemathesis.core import NotSet

    body = case.body
    if isinstance(body, NotSet):
        return False, None
    if isinstance(body, dict) and isinstance(body.get("response_url"), str):
        body = {**body, "response_url": NOWHERE}  # never let the target call out anywhere else
    return True, body


def _encode(body: Any) -> bytes:
    """The request body as sent: JSON, or the raw bytes a negative case made up."""
    if isinstance(body, bytes):
        return body
    return json.dumps(
        body, default=lambda o: o.decode("latin-1") if isinstance(o, bytes) else str(o)
    ).encode()


def _query(case: Any) -> dict[str, str]:
    query: dict[str, str] = {}
    for key, value in (case.query or {}).items():
        if isinstance(value, str):
            query[str(key)] = value
        elif isinstance(value, bool) or value is None or isinstance(value, dict | list):
            query[str(key)] = json.dumps(value)
        else:
            query[str(key)] = str(value)
    if "response_url" in query:
        query["response_url"] = NOWHERE
    return query


def _parameters(role: Role, target: Target) -> list[Mapping[str, Any]]:
    """The operation's parameters, resolved."""
    return [contract.resolve(role, p) for p in target.operation.get("parameters", [])]


def _request_schema(role: Role, operation: Mapping[str, Any]) -> Any:
    body = operation.get("requestBody")
    if not isinstance(body, Mapping):
        return None
    content = contract.resolve(role, body).get("content", {})
    return content.get("application/json", {}).get("schema")


def _success_schemas(role: Role, operation: Mapping[str, Any], status: int) -> list[Any]:
    """The success alternatives of the response documented for `status` (ErrorResponse left out)."""
    response = operation.get("responses", {}).get(str(status))
    if not isinstance(response, Mapping):
        return []
    schema = contract.resolve(role, response).get("content", {}).get("application/json", {})
    schema = schema.get("schema")
    if not isinstance(schema, Mapping):
        return []
    branches = schema.get("oneOf") or schema.get("anyOf") or [schema]
    return [b for b in branches if not str(b.get("$ref", "")).endswith("/ErrorResponse")]


def _validator(role: Role, schema: Mapping[str, Any]) -> Draft202012Validator:
    return _validator_for(role, json.dumps(schema, sort_keys=True))


@cache
def _validator_for(role: Role, schema: str) -> Draft202012Validator:
    root = {**json.loads(schema), "components": contract.bundled_document(role)["components"]}
    return Draft202012Validator(root)


def _problems(role: Role, schema: Mapping[str, Any], value: Any) -> list[str]:
    found = sorted(_validator(role, schema).iter_errors(value), key=lambda e: list(e.path))
    return [f"{e.json_path}: {e.message[:200]}" for e in found]


class Fuzzer:
    """Sends the generated cases with the judge's client and checks every answer."""

    def __init__(self, judge: Judge, role: Role, token: str, *, max_examples: int) -> None:
        self.judge = judge
        self.role = role
        self.token = token
        self.max_examples = max_examples

    def fuzz(self, target: Target, until: float) -> Outcome:
        """Both generation modes, each within its half of the operation's time slice."""
        outcome = Outcome(target)
        for index, mode in enumerate(("positive", "negative")):
            now = time.monotonic()
            if now >= until:
                outcome.notes.append(f"{mode}: time budget spent")
                continue
            share = now + (until - now) / (2 - index)
            try:
                cases = generate(self.role, target, mode, self.max_examples, self.judge.seed, share)
            except Exception as exc:  # no case of this kind can be generated
                outcome.notes.append(f"{mode}: no cases ({type(exc).__name__}: {exc})"[:300])
                continue
            outcome.generated += len(cases)
            if len(cases) < self.max_examples:
                outcome.notes.append(f"{mode}: {len(cases)} cases in its time slice")
            for case in cases:
                bind(case, self.judge.config.party, positive=mode == "positive")
                self._one(outcome, case, negative=mode == "negative")
            if mode == "positive" and cases:
                self._edges(outcome, cases[0])
        return outcome

    def _edges(self, outcome: Outcome, case: Any) -> None:
        """`EDGE_QUERIES` and `EDGE_HEADERS` where the operation takes them, on `case`."""
        names = {str(p.get("name", "")).lower() for p in _parameters(self.role, outcome.target)}
        for query in EDGE_QUERIES:
            if set(query) <= names:
                self._one(outcome, case, negative=False, query=query)
        if {name.lower() for name in EDGE_HEADERS} <= names:
            self._one(outcome, case, negative=False, headers=EDGE_HEADERS)

    def _one(
        self,
        outcome: Outcome,
        case: Any,
        *,
        negative: bool,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        target = outcome.target
        has_body, body = _body(case)
        content = _encode(body) if has_body else None
        reply = self.judge.client.request(
            target.method.upper(),
            target.url(case.formatted_path),
            module=target.module,
            token=self.token,
            content=content,
            params={**_query(case), **(query or {})} or None,
            headers=headers,
            check=False,
        )
        outcome.sent += 1
        if reply.status is None:
            self._no_answer(outcome, reply)
            return
        # Each check records in the ledger and returns: one finding never hides the next.
        self._transport(target, reply)
        self._no_server_error(target, reply)
        self._documented_success(target, reply)
        if negative and has_body and content is not None:
            self._invalid_input(target, reply, content)

    def _no_answer(self, outcome: Outcome, reply: Reply) -> None:
        """A request left without any answer (the connection closed, a timeout) while the target
        answers a plain versions GET right after: TRANS-009's violation, with the exchange. A
        target that answers nothing more, or a request never sent, is no verdict (noted)."""
        error = str(reply.exchange.error)
        alive = None
        if not error.startswith("not sent"):
            versions = self.judge.config.versions_url
            alive = self.judge.get(versions, "versions", self.token, check=False)
        if alive is None or alive.status is None:
            outcome.notes.append(f"no answer: {error}"[:300])
            return
        self.judge.ledger.check(
            NO_5XX,
            False,
            expected="an HTTP answer to an authenticated request, whatever its input (§5)",
            actual=f"no HTTP answer ({error[:200]}), while the next request got HTTP "
            f"{alive.status} (exchange #{alive.exchange.id})",
            exchange=reply.exchange,
        )

    def _transport(self, target: Target, reply: Reply) -> None:
        check_exchange(self.judge.ledger, reply.exchange, reply.body, target.module)

    def _no_server_error(self, target: Target, reply: Reply) -> None:
        status = reply.status or 0
        self.judge.ledger.check(
            NO_5XX,
            status < 500,
            expected="no HTTP 5xx for an authenticated request, whatever its input (§5)",
            actual=f"HTTP {status}",
            exchange=reply.exchange,
        )

    def _documented_success(self, target: Target, reply: Reply) -> None:
        """A 200/201 with status_code 1000 carries the data the operation documents."""
        status = reply.status or 0
        if status not in (200, 201) or reply.ocpi_status != 1000:
            return
        schemas = _success_schemas(self.role, target.operation, status)
        if not schemas:
            return
        problems = [_problems(self.role, s, reply.body) for s in schemas]
        best = min(problems, key=len)
        best = [p for p in best if p.startswith("$.data")]  # the envelope is TRANS-012's
        rule = VERSIONS_RULES.get(target.path) or OBJECT_RULES[target.module]
        self.judge.ledger.check(
            rule,
            not best,
            expected=f"`data` as {target.name} documents it (specs/ocpi-2.2.1/{self.role}.yaml)",
            actual="; ".join(best[:5]),
            exchange=reply.exchange,
        )

    def _invalid_input(self, target: Target, reply: Reply, content: bytes) -> None:
        """Unparseable JSON gets HTTP 400 (TRANS-008); a body breaking the request schema gets
        OCPI 2001 (TRANS-042); unless the request was refused before its body was read."""
        schema = _request_schema(self.role, target.operation)
        status = reply.status or 0
        if schema is None or status in _EARLIER_REFUSALS or status >= 500:
            return
        try:
            body = json.loads(content)
        except ValueError:
            self.judge.ledger.check(
                INVALID_JSON,
                status == 400,
                expected="HTTP 400 for a body that is not valid JSON (§5)",
                actual=f"HTTP {status}, OCPI {reply.ocpi_status}",
                exchange=reply.exchange,
            )
            return
        problems = _problems(self.role, schema, body)
        if not problems:
            return  # the negative case broke something else (a header, a path parameter)
        self.judge.ledger.check(
            INVALID_INPUT,
            status in (200, 400)
            and (reply.ocpi_status == 2001 or refused(self.judge.ledger, INVALID_INPUT, reply)),
            expected=f"OCPI 2001 (HTTP 200 or 400) for a body that breaks {target.name}'s "
            f"schema ({problems[0]})",
            actual=f"HTTP {status}, OCPI {reply.ocpi_status}",
            exchange=reply.exchange,
        )

    def run(self, items: list[Target], budget: float = BUDGET_SECONDS) -> list[Outcome]:
        """Fuzz every target; each gets an equal share of what is left of `budget` seconds."""
        deadline = time.monotonic() + budget
        _schema(self.role)  # built once, before the clock is shared out
        outcomes = []
        for index, target in enumerate(items):
            now = time.monotonic()
            until = now + max(deadline - now, 0.0) / (len(items) - index)
            outcomes.append(self.fuzz(target, until))
        return outcomes
