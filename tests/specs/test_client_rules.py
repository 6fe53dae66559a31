"""Rules on a party's own requests, judged on the raw request (specs/client_rules.py)."""

from __future__ import annotations

import base64

from specs.client_rules import judge_request, read_authorization

TOKENS = {"secret-token-b-123": "token B#1"}
ENCODED = base64.b64encode(b"secret-token-b-123").decode()


def _verdicts(method: str, headers: dict[str, str], body: bytes | None,
              seen: set[str] | None = None) -> dict[str, bool]:  # fmt: skip
    findings, _ = judge_request(
        method, headers, body, tokens=TOKENS, request_ids_seen=set() if seen is None else seen
    )
    return {f.rule: f.ok for f in findings}


def test_a_well_formed_request_keeps_every_rule() -> None:
    headers = {"authorization": f"Token {ENCODED}", "x-request-id": "r1", "x-correlation-id": "c1",
               "content-type": "application/json; charset=utf-8"}  # fmt: skip
    assert _verdicts("PUT", headers, b"{}") == {"TRANS-005": True, "TRANS-006": True,
                                                "TRANS-018": True}  # fmt: skip


def test_a_token_sent_verbatim_is_known_but_not_base64() -> None:
    credential = read_authorization("Token secret-token-b-123", TOKENS)
    assert credential is not None
    assert credential.label == "token B#1"
    assert not credential.base64
    assert (
        _verdicts("GET", {"Authorization": "Token secret-token-b-123"}, None)["TRANS-005"] is False
    )
    assert read_authorization(f"Bearer {ENCODED}", TOKENS) is None
    assert _verdicts("GET", {}, None)["TRANS-005"] is False


def test_an_unknown_token_is_read_without_a_label() -> None:
    credential = read_authorization("Token " + base64.b64encode(b"other").decode(), TOKENS)
    assert credential is not None
    assert credential.label is None
    assert credential.base64


def test_a_body_needs_json_content_type_and_a_get_needs_none() -> None:
    assert _verdicts("POST", {"Content-Type": "text/plain"}, b"{}")["TRANS-006"] is False
    assert _verdicts("POST", {}, b"{}")["TRANS-006"] is False
    assert "TRANS-006" not in _verdicts("GET", {}, None)
    assert "TRANS-006" not in _verdicts("DELETE", {}, b"")


def test_a_request_id_must_be_new_and_a_correlation_id_present() -> None:
    seen: set[str] = set()
    headers = {"X-Request-ID": "r1", "X-Correlation-ID": "c1"}
    assert _verdicts("GET", headers, None, seen)["TRANS-018"] is True
    assert _verdicts("GET", headers, None, seen)["TRANS-018"] is False  # r1 again
    assert _verdicts("GET", {"X-Request-ID": "r2"}, None, seen)["TRANS-018"] is False


def test_a_header_without_the_scheme_word_is_never_echoed() -> None:
    findings, _ = judge_request("GET", {"Authorization": "secret-token-b-123"}, None,
                                tokens=TOKENS, request_ids_seen=set())  # fmt: skip
    [trans_005] = [f for f in findings if f.rule == "TRANS-005"]
    assert "secret" not in trans_005.actual
    findings, _ = judge_request("GET", {"Authorization": f"Bearer {ENCODED}"}, None,
                                tokens=TOKENS, request_ids_seen=set())  # fmt: skip
    assert [f.actual for f in findings if f.rule == "TRANS-005"] == [
        "Authorization with scheme 'Bearer', not `Token`"
    ]
