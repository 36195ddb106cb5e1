"""Password hashing (argon2 via pwdlib) and JWT access tokens (PyJWT)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
import uuid
from typing import Any

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from gateway.config import Settings
from plumbing.clock import utcnow
from plumbing.errors import DomainError
from plumbing.principal import Principal

ALGORITHMS = ["HS256"]  # the allow-list: nothing else (and never "none") is accepted

_hasher = PasswordHash((Argon2Hasher(),))
# Verifying against this when the user does not exist keeps the timing the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, password_hash)


def issue_access_token(settings: Settings, principal: Principal) -> str:
    now = utcnow()
    claims: dict[str, Any] = {
        "sub": str(principal.id),
        "role": principal.role,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + dt.timedelta(seconds=settings.access_token_ttl_s),
        "jti": uuid.uuid4().hex,
    }
    for field in ("username", "unit_code", "institution_id", "evaluation_body_id"):
        value = getattr(principal, field)
        if value is not None:
            claims[field] = value
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=ALGORITHMS[0])


# Tokens already verified, with their expiry: an access token is immutable and nothing
# revokes it before it expires (logout ends the refresh token), so once its signature and
# claims have been checked, the same string verifies the same way until `exp`. The key
# carries what verification depends on (secret, audience, issuer), so a token is never
# trusted under other settings. A forged or altered token is a different string: it misses
# and is verified in full. Bounded: when full, the oldest half is dropped.
_VERIFIED_MAX = 8192
_verified: dict[tuple[str, str, str, str], tuple[Principal, int]] = {}


def decode_access_token(settings: Settings, token: str) -> Principal:
    key = (
        settings.jwt_secret.get_secret_value(),
        settings.jwt_audience,
        settings.jwt_issuer,
        token,
    )
    hit = _verified.get(key)
    if hit is not None:
        # PyJWT's own rule: expired once `exp <= now` (no leeway).
        if time.time() < hit[1]:
            return hit[0]
        del _verified[key]
    principal, exp = _verify(settings, token)
    if len(_verified) >= _VERIFIED_MAX:
        for old in list(_verified)[: _VERIFIED_MAX // 2]:
            del _verified[old]
    _verified[key] = (principal, exp)
    return principal


def _verify(settings: Settings, token: str) -> tuple[Principal, int]:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=ALGORITHMS,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
        principal = Principal(
            id=int(claims["sub"]),
            role=claims["role"],
            username=claims.get("username"),
            unit_code=claims.get("unit_code"),
            institution_id=claims.get("institution_id"),
            evaluation_body_id=claims.get("evaluation_body_id"),
        )
        return principal, int(claims["exp"])
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise DomainError("invalid_token", "the access token is invalid or expired") from exc


def new_refresh_token() -> tuple[str, str]:
    """(token given to the client, hash stored)."""
    token = secrets.token_urlsafe(32)
    return token, refresh_token_hash(token)


def refresh_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
