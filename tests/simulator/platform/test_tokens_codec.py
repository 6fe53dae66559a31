"""The Authorization header codec (§4.1.2) and token generation."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import strategies as st

from simulator.platform.tokens_codec import (
    encode_header,
    generate_token,
    hash_token,
    header_candidates,
    same_hash,
)

_printable = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=64)


def test_generated_tokens_carry_256_bits() -> None:
    tokens = {generate_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert len(base64.urlsafe_b64decode(token + "=")) == 32
        assert header_candidates(encode_header(token)) == [token]


def test_hash_is_hmac_sha256_under_the_secret() -> None:
    digest = hash_token(b"secret", "token")
    assert len(digest) == 64
    assert digest == hash_token(b"secret", "token")
    assert digest != hash_token(b"other", "token")
    assert "token" not in digest
    assert same_hash(digest, hash_token(b"secret", "token"))
    assert not same_hash(digest, hash_token(b"secret", "token2"))


@given(_printable)
def test_header_round_trip(token: str) -> None:
    assert header_candidates(encode_header(token)) == [token]


def test_unusable_headers() -> None:
    good = base64.b64encode(b"abc").decode()
    for header in (
        None,
        "",
        "Token",
        "Token ",
        f"token {good}",
        f"Bearer {good}",
        f"Token  {good}",
        f"Token {good} ",
        "Token YWJjZA",  # missing padding
        "Token " + base64.b64encode(b"a b").decode(),  # space is not printable here
        "Token " + base64.b64encode(b"\xff").decode(),
        "Token " + base64.b64encode(b"x" * 65).decode(),
        "Token " + base64.urlsafe_b64encode(b"\xfb\xff").decode(),
    ):
        assert header_candidates(header) == [], header


def test_raw_tokens_only_when_accepted() -> None:
    assert header_candidates("Token my-raw-token") == []
    assert header_candidates("Token my-raw-token", accept_raw=True) == ["my-raw-token"]
    # Base64 decoding first, then the value itself.
    encoded = base64.b64encode(b"abcd").decode()
    assert header_candidates(f"Token {encoded}", accept_raw=True) == ["abcd", encoded]
