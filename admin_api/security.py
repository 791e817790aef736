"""Passwords (Argon2 through pwdlib) and signed access tokens (JWT, HS256, through PyJWT)."""

from __future__ import annotations

from datetime import timedelta

import jwt
from pwdlib import PasswordHash

from admin_api.roles import Role
from core.db.models import utcnow

ALGORITHM = "HS256"
_hasher = PasswordHash.recommended()
# Checked when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class InvalidTokenError(Exception):
    """The token is malformed, forged or expired."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    return _hasher.verify(password, password_hash or _DUMMY_HASH) and password_hash is not None


def create_token(username: str, role: Role, secret: str, minutes: int) -> str:
    now = utcnow()
    claims = {"sub": username, "role": str(role), "iat": now, "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(token: str, secret: str) -> str:
    """The username the token was issued to (its role is re-read from the database)."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]})
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(str(exc)) from exc
    return str(claims["sub"])
