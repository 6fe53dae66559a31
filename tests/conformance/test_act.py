"""The act hook of our eMSP simulator (conformance/act.py): `push_token` makes a Token, then
changes it, through the admin API; and a Token's pushes are judged as a Receiver holds them
(conformance/checks/pushes.py: TOK-015, TOK-002, the Token's type in its address)."""

from __future__ import annotations

from typing import Any

import pytest

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
