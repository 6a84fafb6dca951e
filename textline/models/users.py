"""Dashboard accounts (coordinators and peers) and their web sessions (the login limiter: models/logins.py).

Keys (owned here): `tl:user:{email}` hash (email, role, phone, password hash,
created_at), `tl:users` set of emails, `tl:user:{email}:sessions` set of
session key hashes, `tl:websession:{sha256(sid)}` hash (email, created_at)
with an idle TTL. A session id is stored only as its hash, so a copy of Redis cannot
be replayed as a login. Passwords are hashed with werkzeug.security (scrypt).
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache

import redis
from werkzeug.security import check_password_hash, generate_password_hash

from textline.core.errors import NotFound, TextlineError

ALL = "tl:users"
MIN_PASSWORD = 10
MAX_PASSWORD = 200
_EMAIL = re.compile(r"^[^@\s:/]+@[^@\s:/]+\.[^@\s:/]+$")


class AccountRole(StrEnum):
    COORDINATOR = "coordinator"
    PEER = "peer"


class AccountError(TextlineError):
    """An email, password or role the account store refuses."""


@dataclass(frozen=True)
class User:
    email: str
    role: AccountRole
    phone: str = ""  # the staff number this account acts as (ACK, TAKE ...), if linked
    created_at: str = ""

    @property
    def coordinator(self) -> bool:
        return self.role == AccountRole.COORDINATOR

    def as_dict(self) -> dict[str, object]:
        return {"email": self.email, "role": str(self.role), "phone": self.phone, "created_at": self.created_at}


def _key(email: str) -> str:
    return f"tl:user:{email}"


def _sessions(email: str) -> str:
    return f"tl:user:{email}:sessions"


def _session_key(digest: str) -> str:
    return f"tl:websession:{digest}"


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def normalise_email(text: str) -> str:
    """Lower-cased and stripped; AccountError when it does not look like an email address."""
    email = (text or "").strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise AccountError("not an email address")
    return email


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password must have at most {MAX_PASSWORD} characters")


def add(r: redis.Redis, email: str, role: AccountRole, password: str, *, phone: str = "",
        at: datetime | None = None) -> tuple[User, bool]:
    """Create an account, or replace the role, link and password of an existing one (True when new).

    Replacing an account closes its open sessions.
    """
    email = normalise_email(email)
    check_password(password)
    created = r.hget(_key(email), "created_at") or (at.isoformat() if at else "")
    fields = {"email": email, "role": str(role), "phone": phone, "password": generate_password_hash(password),
              "created_at": created}
    pipe = r.pipeline()
    pipe.hset(_key(email), mapping=fields)
    pipe.sadd(ALL, email)
    _, new = pipe.execute()
    if not new:
        close_all_sessions(r, email)
    user = get(r, email)
    assert user is not None
    return user, bool(new)


def get(r: redis.Redis, email: str) -> User | None:
    data = r.hgetall(_key(email))
    if not data or "role" not in data:
        return None
    return User(email=data["email"], role=AccountRole(data["role"]), phone=data.get("phone", ""),
                created_at=data.get("created_at", ""))


def all_users(r: redis.Redis) -> list[User]:
    found = [get(r, email) for email in sorted(r.smembers(ALL))]
    return [u for u in found if u is not None]


def remove(r: redis.Redis, email: str) -> None:
    email = normalise_email(email)
    if get(r, email) is None:
        raise NotFound("no dashboard account with that email")
    close_all_sessions(r, email)
    pipe = r.pipeline()
    pipe.delete(_key(email))
    pipe.srem(ALL, email)
    pipe.execute()


@cache
def _decoy() -> str:
    """A hash to check against when the email is unknown, so timing does not tell which emails exist."""
    return generate_password_hash(secrets.token_hex(16))


def authenticate(r: redis.Redis, email: str, password: str) -> User | None:
    """The account when the password matches, else None (same cost either way)."""
    try:
        email = normalise_email(email)
    except AccountError:
        check_password_hash(_decoy(), password)
        return None
    stored = r.hget(_key(email), "password")
    if not stored:
        check_password_hash(_decoy(), password)
        return None
    if not check_password_hash(stored, password[:MAX_PASSWORD]):
        return None
    return get(r, email)


# -- web sessions ---------------------------------------------------------------------------------------------------
def open_session(r: redis.Redis, user: User, idle: float, at: datetime) -> str:
    """A new session id for `user`, valid until `idle` seconds pass without use."""
    sid = secrets.token_urlsafe(32)
    digest = _digest(sid)
    ttl = max(1, int(idle))
    known = list(r.smembers(_sessions(user.email)))
    gone = [d for d, alive in zip(known, _exist(r, known), strict=True) if not alive]
    pipe = r.pipeline()
    if gone:
        pipe.srem(_sessions(user.email), *gone)
    pipe.hset(_session_key(digest), mapping={"email": user.email, "created_at": at.isoformat()})
    pipe.expire(_session_key(digest), ttl)
    pipe.sadd(_sessions(user.email), digest)
    pipe.execute()
    return sid


def _exist(r: redis.Redis, digests: list[str]) -> list[bool]:
    pipe = r.pipeline()
    for digest in digests:
        pipe.exists(_session_key(digest))
    return [bool(n) for n in pipe.execute()]


def session_user(r: redis.Redis, sid: str | None, idle: float) -> User | None:
    """The account behind a session id, extending its idle time; None when unknown, expired or removed."""
    if not sid or not isinstance(sid, str) or len(sid) > 128:
        return None
    digest = _digest(sid)
    email = r.hget(_session_key(digest), "email")
    if not email:
        return None
    user = get(r, email)
    if user is None:
        r.delete(_session_key(digest))
        return None
    r.expire(_session_key(digest), max(1, int(idle)))
    return user


def close_session(r: redis.Redis, sid: str | None) -> None:
    if not sid or not isinstance(sid, str):
        return
    digest = _digest(sid)
    email = r.hget(_session_key(digest), "email")
    pipe = r.pipeline()
    pipe.delete(_session_key(digest))
    if email:
        pipe.srem(_sessions(email), digest)
    pipe.execute()


def close_all_sessions(r: redis.Redis, email: str) -> int:
    digests = list(r.smembers(_sessions(email)))
    pipe = r.pipeline()
    for digest in digests:
        pipe.delete(_session_key(digest))
    pipe.delete(_sessions(email))
    pipe.execute()
    return len(digests)
