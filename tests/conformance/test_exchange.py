"""Exchanges: secrets redacted (headers named by label, token fields blanked), curl lines."""

from __future__ import annotations

import base64

from conformance.client import Recorder
from conformance.exchange import REDACTED, Exchange, redact_body, redact_header


def test_token_header_is_named_when_known_and_redacted_otherwise() -> None:
    secret = "a-real-credentials-token"
    header = "Token " + base64.b64encode(secret.encode()).decode()
    assert redact_header("Authorization", header, {secret: "token C"}) == "Token <token C>"
    assert redact_header("Authorization", header) == f"Token {REDACTED}"
    assert redact_header("authorization", "Basic abc") == REDACTED
    assert redact_header("X-Request-ID", "abc") == "abc"


def test_bodies_lose_token_fields_and_known_secrets() -> None:
    body = '{"token": "t0ps3cr3t-value", "url": "https://x/versions", "note": "s3cr3t-xyz-123"}'
    redacted = redact_body(body, ("s3cr3t-xyz-123",))
    assert "t0ps3cr3t-value" not in redacted
    assert "s3cr3t-xyz-123" not in redacted
    assert "https://x/versions" in redacted


def test_recorder_ignores_values_too_short_to_be_tokens() -> None:
    recorder = Recorder()
    recorder.secret("{", "garbage")
    recorder.secret("a-long-enough-token", "token A")
    assert recorder.secrets == {"a-long-enough-token"}
    assert recorder.redact('{"status_code": 1000}') == '{"status_code": 1000}'


def test_curl_reproduces_the_request_without_the_token() -> None:
    exchange = Exchange(
        id=1, method="POST", url="https://cpo.example/ocpi/2.2.1/credentials",
        request_headers={"Authorization": "Token <TOKEN_A>", "Content-Type": "application/json"},
        request_body='{"token": "<redacted>"}', status=200,
    )  # fmt: skip
    curl = exchange.curl()
    assert curl.startswith("curl -i -X POST")
    assert "'Authorization: Token <TOKEN_A>'" in curl
    assert curl.endswith("https://cpo.example/ocpi/2.2.1/credentials")


def test_a_known_token_is_redacted_in_every_form_and_every_place() -> None:
    secret = 'tok/en+C?with"quote'
    recorder = Recorder()
    recorder.secret(secret, "token C")
    in_base64 = base64.b64encode(secret.encode()).decode()
    echoed = f'{{"status_message": "bad header Token {in_base64}", "n": "{in_base64.rstrip("=")}"}}'
    assert in_base64.rstrip("=") not in (recorder.redact(echoed) or "")
    escaped = '{"status_message": "unknown tok/en+C?with\\"quote"}'
    assert "quote" not in (recorder.redact(escaped) or "")
    assert recorder.header("X-Echo", f"Token {in_base64}") == f"Token {REDACTED}"
    assert recorder.header("Location", f"https://x/?t={secret}") == f"https://x/?t={REDACTED}"


def test_a_token_field_is_blanked_whole_even_with_escaped_quotes() -> None:
    body = '{"token": "abc\\"def-unknown-to-us", "url": "u"}'
    assert redact_body(body) == '{"token": "<redacted>", "url": "u"}'
