from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt

from pyrewatch.auth.tokens import Keyring, TokenClaims, TokenKind, TokenStatus, key_id, new_jti
from tests.support.constants import OTHER_SECRET, SECRET


def _now() -> datetime:
    # Read per test: the keyring checks expiry against the wall clock when it decodes.
    return datetime.now(UTC)


def _claims(kind: TokenKind = TokenKind.ACCESS, expires_in: timedelta = timedelta(minutes=5)) -> TokenClaims:
    return TokenClaims(kind=kind, jti=new_jti(), user_id=7, expires_at=_now() + expires_in, session_id=3)


def test_round_trip_carries_kid_and_claims() -> None:
    ring = Keyring(SECRET)
    claims = _claims()
    token = ring.encode(claims, _now())
    assert jwt.get_unverified_header(token)["kid"] == key_id(SECRET)
    decoded = ring.decode(token, TokenKind.ACCESS)
    assert decoded.status is TokenStatus.VALID
    assert decoded.claims is not None and decoded.claims.jti == claims.jti and decoded.claims.session_id == 3


def test_previous_secrets_verify_but_never_sign() -> None:
    old = Keyring(SECRET).encode(_claims(), _now())
    rotated = Keyring(OTHER_SECRET, previous=(SECRET,))
    assert rotated.decode(old, TokenKind.ACCESS).status is TokenStatus.VALID
    assert jwt.get_unverified_header(rotated.encode(_claims(), _now()))["kid"] == key_id(OTHER_SECRET)
    assert Keyring(OTHER_SECRET).decode(old, TokenKind.ACCESS).status is TokenStatus.INVALID


def test_wrong_kind_expired_and_tampered_tokens() -> None:
    ring = Keyring(SECRET)
    refresh = ring.encode(_claims(TokenKind.REFRESH), _now())
    assert ring.decode(refresh, TokenKind.ACCESS).status is TokenStatus.INVALID
    expired = ring.encode(_claims(expires_in=timedelta(seconds=-5)), _now())
    assert ring.decode(expired, TokenKind.ACCESS).status is TokenStatus.EXPIRED
    token = ring.encode(_claims(), _now())
    header, payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=="))
    body["sub"] = "1"
    forged_payload = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    assert ring.decode(f"{header}.{forged_payload}.{signature}", TokenKind.ACCESS).status is TokenStatus.INVALID


def test_alg_none_and_unknown_kid_are_refused() -> None:
    ring = Keyring(SECRET)
    payload = {"jti": "x", "sub": "1", "typ": "access", "exp": int((_now() + timedelta(minutes=5)).timestamp())}
    none_header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "kid": key_id(SECRET)}).encode()).rstrip(b"=")
    none_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=")
    assert ring.decode(f"{none_header.decode()}.{none_body.decode()}.", TokenKind.ACCESS).status is TokenStatus.INVALID
    unknown_kid = jwt.encode(payload, SECRET, algorithm="HS256", headers={"kid": "nope"})
    assert ring.decode(unknown_kid, TokenKind.ACCESS).status is TokenStatus.INVALID
    hs512 = jwt.encode(payload, SECRET * 2, algorithm="HS512", headers={"kid": key_id(SECRET)})
    assert ring.decode(hs512, TokenKind.ACCESS).status is TokenStatus.INVALID
    assert ring.decode("garbage", TokenKind.ACCESS).status is TokenStatus.INVALID
