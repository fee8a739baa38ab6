from __future__ import annotations

import re

import pytest

from pyrewatch.auth.api_keys import (
    KEY_LENGTH,
    KEY_PATTERN,
    KeyKind,
    digest_secret,
    generate_key,
    looks_like_key,
    parse_key,
    verify_secret,
)


@pytest.mark.parametrize("kind", list(KeyKind))
def test_generated_keys_round_trip_and_match_the_documented_pattern(kind: KeyKind) -> None:
    new = generate_key(kind)
    assert len(new.token) == KEY_LENGTH == 59
    assert re.fullmatch(KEY_PATTERN, new.token)
    parsed = parse_key(new.token)
    assert parsed is not None and parsed.kind is kind and parsed.key_id == new.key_id
    assert verify_secret(parsed.secret, new.secret_digest)
    assert new.secret_digest == digest_secret(parsed.secret)
    assert new.secret_digest not in new.token


def test_keys_are_unique() -> None:
    tokens = {generate_key(KeyKind.SYSTEM).token for _ in range(1000)}
    assert len(tokens) == 1000


def test_any_single_character_change_fails_the_checksum() -> None:
    token = generate_key(KeyKind.USER).token
    for i in range(5, KEY_LENGTH):
        replacement = "a" if token[i] != "a" else "b"
        assert parse_key(token[:i] + replacement + token[i + 1 :]) is None, i


@pytest.mark.parametrize(
    "token",
    ["", "pwsk_", "pwxk_" + "a" * 54, "pwsk_" + "a" * 53, "pwsk_" + "-" * 54, "pwsk_" + "é" * 54, "Bearer pwsk_x"],
)
def test_malformed_keys_do_not_parse(token: str) -> None:
    assert parse_key(token) is None


def test_wrong_secret_does_not_verify() -> None:
    new = generate_key(KeyKind.SYSTEM)
    assert not verify_secret("x" * 32, new.secret_digest)


def test_prefix_detection() -> None:
    assert looks_like_key("pwsk_anything") and looks_like_key("pwuk_") and not looks_like_key("eyJhbGciOi")
