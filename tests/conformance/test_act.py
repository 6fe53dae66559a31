"""The act hook of our parties (conformance/act.py): `push_token` makes a Token, then changes it,
through the admin API, and a Token's pushes are judged as a Receiver holds them
(conformance/checks/pushes.py: TOK-015, TOK-002, the Token's type in its address); the CPO's
actions (swipe, credit_cdr) and the role an action belongs to; and the minting hook
(conformance/mint.py) on the same admin API client."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from conformance import act, mint
from conformance.act import ActError, Admin, push_token
from conformance.checks.pushes import Push, check_push, replay
from conformance.exchange import Exchange
from conformance.verdicts import Ledger
from specs.catalogue import default_catalogue

CPO = {"versions_url": "http://judge.test/ocpi/versions", "country_code": "NL", "party_id": "PFJ"}
TOKEN = {"country_code": "NL", "party_id": "PFE", "uid": "PLUGFEST-PUSH", "type": "APP_USER",
         "contract_id": "NL-PFE-C1", "issuer": "eMSP", "valid": True, "whitelist": "ALLOWED",
         "last_updated": "2026-01-01T00:00:00Z"}  # fmt: skip


class FakeAdmin(Admin):
    """The admin API as a script: what was called, and what each call answers."""

    def __init__(self, partners: list[dict[str, Any]], queued: int = 1) -> None:
        super().__init__("http://emsp.test", "secret")
        self.partners, self.queued = partners, queued
        self.calls: list[tuple[str, str, Any, dict[str, Any]]] = []

    def call(self, method: str, path: str, body: Any = None, **query: str | int) -> Any:
        self.calls.append((method, path, body, query))
        if path == "/admin/partners":
            return self.partners
        token = {**TOKEN, **(body or {})}
        return {"token": token, "queued": self.queued}


REGISTERED = [{"id": "p1", "versions_url": CPO["versions_url"], "status": "registered"}]


def test_push_token_puts_then_patches_one_token() -> None:
    admin = FakeAdmin(REGISTERED)
    printed = push_token(admin, {"cpo": CPO})
    assert printed == {"country_code": "NL", "party_id": "PFE", "uid": "PLUGFEST-PUSH",
                       "type": "APP_USER"}  # fmt: skip
    changes = [(m, p, b, q) for m, p, b, q in admin.calls if p != "/admin/partners"]
    assert changes == [
        ("PUT", "/admin/emsp/tokens/PLUGFEST-PUSH", {"valid": True, "whitelist": "ALLOWED"},
         {"type": "APP_USER"}),
        ("PATCH", "/admin/emsp/tokens/PLUGFEST-PUSH", {"valid": False}, {"type": "APP_USER"}),
    ]  # fmt: skip


@pytest.mark.parametrize(("partners", "queued"), [([], 1), (REGISTERED, 0)])
def test_push_token_fails_when_the_cpo_would_get_nothing(
    partners: list[dict[str, Any]], queued: int
) -> None:
    with pytest.raises(ActError):
        push_token(FakeAdmin(partners, queued), {"cpo": CPO})


def _push(method: str, body: Any, token_type: str | None = "APP_USER") -> Push:
    url = f"http://judge.test/ocpi/cpo/2.2.1/tokens/NL/PFE/PLUGFEST-PUSH?type={token_type}"
    exchange = Exchange(1, method, url, {}, None, 200, direction="in")
    return Push("tokens", method, ("NL", "PFE", "PLUGFEST-PUSH"), body, exchange, token_type)


def test_token_pushes_are_judged_and_rebuilt_per_uid_and_type() -> None:
    ledger = Ledger(default_catalogue(), strict=True)
    later = "2026-01-01T00:00:05Z"
    pushes = [_push("PUT", TOKEN), _push("PATCH", {"valid": False, "last_updated": later})]
    for push in pushes:
        check_push(ledger, push)
    evidence = ledger.evidence()
    assert evidence["TOK-015"].passes == 2
    assert evidence["TOK-002"].passes == 1
    assert not ledger.failing(None)
    rebuilt = replay(pushes)[("tokens", "NL", "PFE", "PLUGFEST-PUSH", "APP_USER")]
    assert rebuilt == {**TOKEN, "valid": False, "last_updated": later}
    assert _push("PUT", TOKEN, None).address == ("tokens", "NL", "PFE", "PLUGFEST-PUSH", "RFID")


def test_a_token_patch_without_last_updated_is_tok_002_only() -> None:
    ledger = Ledger(default_catalogue(), strict=True)
    check_push(ledger, _push("PATCH", {"valid": False}))
    assert {v.rule.id for v in ledger.failing(None)} == {"TOK-002"}
    check_push(ledger, _push("PATCH", {"valid": "no", "last_updated": TOKEN["last_updated"]}))
    assert {v.rule.id for v in ledger.failing(None)} == {"TOK-002", "TOK-015"}
    check_push(ledger, _push("DELETE", None))  # §12.2.1 defines no DELETE
    assert len([v for v in ledger.failing(None) if v.rule.id == "TOK-015"]) == 2


def _main(monkeypatch: pytest.MonkeyPatch, role: str, action: str, params: Any) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(params)))
    monkeypatch.setenv("ADMIN_TOKEN", "secret")
    monkeypatch.setenv("EMSP_ADMIN_TOKEN", "secret")
    return act.main(["--role", role, "http://party.test", action])


def test_an_action_of_the_other_role_cannot_be_done(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _main(monkeypatch, "cpo", "send_command", {}) == act.UNSUPPORTED
    assert "eMSP's action" in capsys.readouterr().err
    assert _main(monkeypatch, "emsp", "credit_cdr", {"cdr_id": "X"}) == act.UNSUPPORTED
    assert "a CPO's action" in capsys.readouterr().err
    assert _main(monkeypatch, "cpo", "fly", {}) == act.UNSUPPORTED


def test_cpo_actions_drive_the_backend_admin_api(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[tuple[str, str, Any]] = []
    answers = {"/admin/cpo/backend/swipe": {"allowed": "NOT_ALLOWED", "session_id": None,
                                            "auth_method": "AUTH_REQUEST"},
               "/admin/cpo/backend/credit-cdr": {"id": "CDR1-C", "cdr": {}}}  # fmt: skip

    def call(self: act.Admin, method: str, path: str, body: Any = None, **query: Any) -> Any:
        assert self.admin_token == "secret"
        calls.append((method, path, body))
        return answers[path]

    monkeypatch.setattr(act.Admin, "call", call)
    swipe = {"token_uid": "U1", "country_code": "NL", "party_id": "PFJ", "location_id": "L1",
             "evse_uid": "E1", "connector_id": "1"}  # fmt: skip
    assert _main(monkeypatch, "cpo", "swipe", swipe) == 0
    assert json.loads(capsys.readouterr().out) == {"allowed": "NOT_ALLOWED", "session_id": None}
    assert _main(monkeypatch, "cpo", "credit_cdr", {"cdr_id": "CDR1"}) == 0
    assert json.loads(capsys.readouterr().out) == {"id": "CDR1-C"}
    assert calls == [
        ("POST", "/admin/cpo/backend/swipe", {**swipe, "token_type": "RFID"}),
        ("POST", "/admin/cpo/backend/credit-cdr", {"cdr_id": "CDR1"}),
    ]
    assert _main(monkeypatch, "cpo", "swipe", {"token_uid": "U1"}) == 1  # no location given


def test_mint_and_revoke_go_through_the_admin_api_client(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[tuple[str, str, Any]] = []

    def call(self: act.Admin, method: str, path: str, body: Any = None, **query: Any) -> Any:
        assert (self.base_url, self.admin_token) == ("http://party.test", "secret")
        calls.append((method, path, body))
        if path.endswith("/revocations"):
            raise ActError(f"{method} {path}: HTTP 404 b'unknown'")
        return {"token": "TOKEN-A-1"}

    monkeypatch.setattr(act.Admin, "call", call)
    monkeypatch.setenv("ADMIN_TOKEN", "secret")
    assert mint.main(["http://party.test/", "--ttl", "60"]) == 0
    assert capsys.readouterr().out.strip() == "TOKEN-A-1"
    monkeypatch.setattr("sys.stdin", io.StringIO("TOKEN-A-1\n"))
    assert mint.main(["http://party.test", "--revoke"]) == 1  # said on stderr, no traceback
    assert "HTTP 404" in capsys.readouterr().err
    assert calls == [
        ("POST", "/admin/bootstrap-tokens", {"ttl_seconds": 60, "label": "plugfest judge"}),
        ("POST", "/admin/bootstrap-tokens/revocations", {"token": "TOKEN-A-1"}),
    ]
