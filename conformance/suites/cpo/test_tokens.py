"""The CPO's Tokens Receiver (§12.2.1): a Hypothesis state machine against a model.

The judge plays the eMSP: it PUTs Tokens generated from the YAML (under its own country_code and
party_id, with uids unique to the run), PATCHes them and GETs them back, and compares with what
it last sent: per (uid, type), the type from the `type` query parameter, RFID by default. Bad
pushes (ids differing between URL and body, a PATCH without last_updated) must change nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from hypothesis_jsonschema import from_schema

from conformance.checks.compare import differences
from conformance.checks.objects import check_status, refused, single_object
from conformance.checks.refusals import check_foreign_party
from conformance.client import Reply
from conformance.session import Judge
from conformance.suites.conftest import interface
from conformance.suites.generators import foreign_party
from conformance.verdicts import NoAnswer
from specs import contract

pytestmark = pytest.mark.phase("modules")

TYPES = ("AD_HOC_USER", "APP_USER", "OTHER", "RFID")
SUFFIXES = st.sampled_from(["A", "B", "C"])
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def _schema() -> dict[str, Any]:
    schema = dict(contract.schema_for("Token"))
    schema.pop("$schema", None)
    return schema


TOKEN_BODIES = from_schema(_schema())
STAMPS = st.integers(0, 10**8).map(
    lambda s: (_EPOCH + timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%SZ")
)


def _receiver(judge: Judge) -> tuple[str, str, str, str]:
    """(url, token C, country_code, party_id): where and as whom the judge pushes Tokens."""
    url, token = interface(judge, "tokens", "RECEIVER", "cpo")
    roles = judge.counterpart.credentials("x")["roles"]
    return url.rstrip("/"), token, roles[0]["country_code"], roles[0]["party_id"]


class TokensMachine(RuleBasedStateMachine):
    """PUT, PATCH and GET against a model {(uid, type): Token}. Bound to a judge by a subclass."""

    judge: Judge
    url: str
    token: str
    cc: str
    pid: str

    def __init__(self) -> None:
        super().__init__()
        self.prefix = "PF" + uuid.uuid4().hex[:10].upper()
        self.model: dict[tuple[str, str], dict[str, Any]] = {}

    # --- requests ------------------------------------------------------------------------------

    def _url(self, uid: str, cc: str | None = None, pid: str | None = None) -> str:
        parts = (cc or self.cc, pid or self.pid, uid)
        return self.url + "/" + "/".join(quote(p, safe="") for p in parts)

    def _send(self, method: str, uid: str, token_type: str, explicit: bool, **kw: Any) -> Reply:
        params = {"type": token_type} if explicit or token_type != "RFID" else None
        return self.judge.client.request(
            method, self._url(uid), module="tokens", token=self.token, params=params, **kw
        )

    def _uid(self, suffix: str) -> str:
        return f"{self.prefix}-{suffix}"

    def _check_stored(self, key: tuple[str, str], explicit: bool, rule_id: str) -> None:
        """GET (uid, type) and compare with the model: TOK-013/TOK-014 (or TOK-012 if absent)."""
        uid, token_type = key
        reply = self._send("GET", uid, token_type, explicit)
        wanted = self.model.get(key)
        ledger = self.judge.ledger
        if wanted is None:
            check_status(ledger, "TOK-012", reply.exchange, http=404)
            return
        check_status(ledger, rule_id, reply.exchange, http=200, ocpi=1000)
        got = single_object(ledger, rule_id, reply) or {}
        differ = differences(wanted, got)
        ledger.check(
            rule_id,
            not differ,
            expected=f"the Token {uid} ({token_type}) as last pushed (compared by meaning)",
            actual=f"fields that differ: {differ}",
            exchange=reply.exchange,
        )

    # --- rules ---------------------------------------------------------------------------------

    @rule(body=TOKEN_BODIES, suffix=SUFFIXES, token_type=st.sampled_from(TYPES),
          stamp=STAMPS, explicit=st.booleans())  # fmt: skip
    def put(
        self, body: dict[str, Any], suffix: str, token_type: str, stamp: str, explicit: bool
    ) -> None:
        uid = self._uid(suffix)
        token = {**body, "country_code": self.cc, "party_id": self.pid, "uid": uid,
                 "type": token_type, "last_updated": stamp}  # fmt: skip
        key = (uid, token_type)
        reply = self._send("PUT", uid, token_type, explicit, json=token)
        check_status(self.judge.ledger, "TOK-013", reply.exchange, http=(200, 201), ocpi=1000)
        check_status(self.judge.ledger, "TRANS-011", reply.exchange,
                     http=200 if key in self.model else 201)  # fmt: skip
        self.model[key] = token
        self._check_stored(key, explicit, "TOK-013")
        # TOK-004: the same uid under the other types is untouched by this PUT.
        for other in TYPES:
            if other != token_type and (uid, other) in self.model:
                self._check_stored((uid, other), True, "TOK-004")

    @rule(data=st.data(), valid=st.booleans(), stamp=STAMPS, explicit=st.booleans())
    def patch(self, data: st.DataObject, valid: bool, stamp: str, explicit: bool) -> None:
        if not self.model:
            return
        key = data.draw(st.sampled_from(sorted(self.model)), label="token")
        change = {"valid": valid, "last_updated": stamp}
        reply = self._send("PATCH", key[0], key[1], explicit, json=change)
        check_status(self.judge.ledger, "TOK-014", reply.exchange, http=200, ocpi=1000)
        self.model[key] = {**self.model[key], **change}
        self._check_stored(key, explicit, "TOK-014")

    @rule(data=st.data(), valid=st.booleans())
    def patch_without_last_updated(self, data: st.DataObject, valid: bool) -> None:
        if not self.model:
            return
        key = data.draw(st.sampled_from(sorted(self.model)), label="token")
        reply = self._send("PATCH", key[0], key[1], True, json={"valid": valid})
        check_status(self.judge.ledger, "TRANS-038", reply.exchange, http=(200, 400), ocpi=2001)
        self._check_stored(key, True, "TRANS-038")

    @rule(body=TOKEN_BODIES, suffix=SUFFIXES, token_type=st.sampled_from(TYPES), stamp=STAMPS)
    def put_with_another_uid(
        self, body: dict[str, Any], suffix: str, token_type: str, stamp: str
    ) -> None:
        """TRANS-037: the body's uid differs from the URL's: OCPI 2001, nothing stored."""
        uid = self._uid(suffix)
        token = {**body, "country_code": self.cc, "party_id": self.pid, "uid": uid + "-X",
                 "type": token_type, "last_updated": stamp}  # fmt: skip
        reply = self._send("PUT", uid, token_type, True, json=token)
        check_status(self.judge.ledger, "TRANS-037", reply.exchange, http=(200, 400), ocpi=2001)
        self._check_stored((uid, token_type), True, "TRANS-037")

    @rule(body=TOKEN_BODIES, suffix=SUFFIXES, token_type=st.sampled_from(TYPES), stamp=STAMPS)
    def put_with_another_party(
        self, body: dict[str, Any], suffix: str, token_type: str, stamp: str
    ) -> None:
        """TOK-001: the body's country_code/party_id differ from the URL's: refused."""
        uid = self._uid(suffix)
        other = "ZZZ" if self.pid.upper() != "ZZZ" else "ZZY"
        token = {**body, "country_code": self.cc, "party_id": other, "uid": uid,
                 "type": token_type, "last_updated": stamp}  # fmt: skip
        reply = self._send("PUT", uid, token_type, True, json=token)
        self.judge.ledger.check(
            "TOK-001",
            refused(self.judge.ledger, "TOK-001", reply),
            expected="OCPI 2001 or HTTP 404 for a Token whose party_id differs from the URL's",
            actual=f"HTTP {reply.status}, OCPI {reply.ocpi_status}",
            exchange=reply.exchange,
        )
        self._check_stored((uid, token_type), True, "TOK-001")

    @rule(suffix=SUFFIXES, token_type=st.sampled_from(TYPES), explicit=st.booleans())
    def get(self, suffix: str, token_type: str, explicit: bool) -> None:
        """TOK-013 for a known Token, TOK-012 (404) for one never pushed; TOK-003 without
        `type` (RFID)."""
        key = (self._uid(suffix), token_type)
        self._check_stored(key, explicit, "TOK-003" if token_type == "RFID" else "TOK-013")

    @invariant()
    def uids_fit(self) -> None:
        assert all(len(uid) <= 36 for uid, _ in self.model)  # our own generator, not the target


@pytest.mark.rule(
    "TOK-001", "TOK-003", "TOK-004", "TOK-012", "TOK-013", "TOK-014",
    "TRANS-011", "TRANS-037", "TRANS-038",
)  # fmt: skip
def test_tokens_receiver_model(judge: Judge) -> None:
    url, token, cc, pid = _receiver(judge)
    bound = type(
        "BoundTokensMachine",
        (TokensMachine,),
        {"judge": judge, "url": url, "token": token, "cc": cc, "pid": pid},
    )
    run_state_machine_as_test(
        bound,
        settings=settings(
            max_examples=min(settings().max_examples, 5),
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )


@pytest.mark.rule("TOK-003", "TOK-004", "TOK-012", "TOK-014", "TRANS-038")
def test_same_uid_two_types(judge: Judge) -> None:
    """A deterministic case: RFID (no `type` parameter) and APP_USER under one uid, then a
    PATCH of one (TOK-014) and a PATCH without last_updated (TRANS-038), neither touching the
    other."""
    url, token, cc, pid = _receiver(judge)
    uid = "PF" + uuid.uuid4().hex[:12].upper()
    target = f"{url}/{cc}/{pid}/{uid}"
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    base = {"country_code": cc, "party_id": pid, "uid": uid, "contract_id": f"{cc}-{pid}-C1",
            "issuer": "Plugfest judge", "valid": True, "whitelist": "ALLOWED",
            "last_updated": stamp}  # fmt: skip
    rfid = {**base, "type": "RFID"}
    app = {**base, "type": "APP_USER", "valid": False}
    send = judge.client.request
    missing = send("GET", target, module="tokens", token=token, params={"type": "APP_USER"})
    check_status(judge.ledger, "TOK-012", missing.exchange, http=404)
    for body, params in ((rfid, None), (app, {"type": "APP_USER"})):
        reply = send("PUT", target, module="tokens", token=token, params=params, json=body)
        check_status(judge.ledger, "TOK-004", reply.exchange, http=(200, 201), ocpi=1000)
    for body, params, rule_id in ((rfid, None, "TOK-003"), (app, {"type": "APP_USER"}, "TOK-004")):
        reply = send("GET", target, module="tokens", token=token, params=params)
        check_status(judge.ledger, rule_id, reply.exchange, http=200, ocpi=1000)
        judge.ledger.check(
            rule_id,
            not differences(body, reply.data),
            expected=f"the {body['type']} Token as pushed (compared by meaning)",
            actual=reply.data,
            exchange=reply.exchange,
        )
    later = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    patched = send("PATCH", target, module="tokens", token=token, params={"type": "APP_USER"},
                   json={"valid": True, "last_updated": later})  # fmt: skip
    check_status(judge.ledger, "TOK-014", patched.exchange, http=200, ocpi=1000)
    app = {**app, "valid": True, "last_updated": later}
    refused = send("PATCH", target, module="tokens", token=token, json={"valid": False})
    check_status(judge.ledger, "TRANS-038", refused.exchange, http=(200, 400), ocpi=2001)
    for body, params, rule_id in (
        (rfid, None, "TRANS-038"),
        (app, {"type": "APP_USER"}, "TOK-014"),
    ):
        reply = send("GET", target, module="tokens", token=token, params=params)
        judge.ledger.check(
            rule_id,
            not differences(body, reply.data),
            expected=f"the {body['type']} Token with only the PATCHed fields changed",
            actual=reply.data,
            exchange=reply.exchange,
        )


@pytest.mark.rule("TRANS-036")
def test_foreign_party_is_not_stored(judge: Judge) -> None:
    """§4.1.5.1: a Token PUT under a country_code/party_id that is none of our credentials roles
    (URL and body agree, unlike TOK-001's mismatch) is refused (HTTP 4xx or an OCPI error; 404
    is the advised answer) and a GET there serves nothing."""
    url, token, cc, pid = _receiver(judge)
    foreign = foreign_party(judge)
    uid = "PF" + uuid.uuid4().hex[:12].upper()
    target = f"{url}/{foreign['country_code']}/{foreign['party_id']}/{uid}"
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = {**foreign, "uid": uid, "type": "RFID", "contract_id": f"{cc}-{pid}-C1",
            "issuer": "Plugfest judge", "valid": True, "whitelist": "ALLOWED",
            "last_updated": stamp}  # fmt: skip
    put = judge.client.request("PUT", target, module="tokens", token=token, json=body)
    if put.status is None:
        raise NoAnswer(put.exchange)
    got = judge.client.request("GET", target, module="tokens", token=token)
    check_foreign_party(judge.ledger, foreign, put, got)
