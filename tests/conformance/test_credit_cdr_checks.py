"""CDR-005 on credit CDRs (conformance/suites/cpo/test_credit_cdrs.py), and the act hook's CPO
actions (conformance/act.py: swipe, credit_cdr, and the role an action belongs to)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from conformance import act
from conformance.exchange import Exchange
from conformance.suites.cpo.test_credit_cdrs import Seen, check_credit
from conformance.verdicts import Ledger
from specs.catalogue import default_catalogue

ORIGINAL = {
    "country_code": "NL", "party_id": "PLF", "id": "CDR1", "session_id": "S1",
    "start_date_time": "2026-01-01T10:00:00Z", "end_date_time": "2026-01-01T11:00:00Z",
    "total_cost": {"excl_vat": 1.5, "incl_vat": 1.815}, "total_energy_cost": {"excl_vat": 1.0},
    "total_fixed_cost": {"excl_vat": 0.5, "incl_vat": 0.605}, "total_energy": 4.0,
}  # fmt: skip
CREDIT = {
    **ORIGINAL, "id": "CDR1-C", "credit": True, "credit_reference_id": "cdr1",
    "start_date_time": "2026-01-01T10:00:00.000Z",
    "total_cost": {"excl_vat": -1.5, "incl_vat": -1.815}, "total_energy_cost": {"excl_vat": -1.0},
    "total_fixed_cost": {"excl_vat": -0.5, "incl_vat": -0.605},
}  # fmt: skip


def _seen(cdr: dict[str, Any], exchange_id: int) -> Seen:
    exchange = Exchange(exchange_id, "POST", "http://judge.test/ocpi/emsp/2.2.1/cdrs", {},
                        json.dumps(cdr), 201, direction="in")  # fmt: skip
    return Seen(cdr, exchange, "pushed")


def _judge(credit: dict[str, Any], *originals: dict[str, Any]) -> Ledger:
    ledger = Ledger(default_catalogue(), strict=True)
    known = {s.key: s for s in (_seen(o, n) for n, o in enumerate(originals, 1))}
    check_credit(ledger, _seen(credit, 99), known)
    return ledger


def test_a_credit_cdr_repeating_the_original_negated_passes() -> None:
    ledger = _judge(CREDIT, ORIGINAL)
    assert not ledger.failing(None)
    assert ledger.evidence()["CDR-005"].passes == 2


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"total_cost": ORIGINAL["total_cost"]}, "total_cost"),  # kept positive
        ({"total_fixed_cost": None}, "total_fixed_cost"),  # left out
        ({"total_time_cost": {"excl_vat": -0.1}}, "total_time_cost"),  # not in the original
        ({"total_cost": {"excl_vat": -1.5}}, "total_cost"),  # incl_vat lost
        ({"session_id": "S2"}, "session_id"),
        ({"end_date_time": "2026-01-01T12:00:00Z"}, "end_date_time"),
    ],
)
def test_a_credit_cdr_that_does_not_negate_the_original_fails(
    change: dict[str, Any], why: str
) -> None:
    credit = {k: v for k, v in {**CREDIT, **change}.items() if v is not None}
    (violation,) = _judge(credit, ORIGINAL).failing(None)
    assert violation.rule.id == "CDR-005"
    assert why in violation.actual
    assert violation.exchange is not None
    assert violation.exchange.id == 99


def test_a_credit_cdr_must_name_another_cdr() -> None:
    for reference in (None, "CDR1-c"):
        credit = {**CREDIT, "credit_reference_id": reference}
        violations = _judge(credit, ORIGINAL).failing(None)
        assert [v.rule.id for v in violations] == ["CDR-005"], reference


def test_without_the_credited_cdr_only_the_sign_is_judged() -> None:
    assert not _judge(CREDIT).failing(None)
    positive = {**CREDIT, "total_cost": {"excl_vat": 1.5}}
    (violation,) = _judge(positive).failing(None)
    assert "total_cost" in violation.actual


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
