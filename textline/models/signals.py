"""Discreet signals: a member's private code word that means "I need help now".

Keys (owned here): `tl:member:{phone}:signal` hash (kdf, salt, n, r, p,
digest, set_at): the word is kept only as a slow, salted scrypt digest, so
nobody reading Redis, `members show` or an export learns it, nor recovers it
by trying words (a five-letter word took 6 s against the salted SHA-256 kept
before; each guess now costs about 45 ms and 16 MB). Digests of that older
kind are wrapped (`kdf` = `scrypt+sha256`: scrypt over the old digest) by
`migrate`, which a worker runs at start, and by `matches` when it meets one;
`tl:migrations` hash notes that the sweep ran. `tl:signal:event:{id}` hash (id, phone, at,
via) for each time a member texted their word, read by the crisis job that
opens the case (the job carries the event id, never the number), kept for
EVENT_TTL; `tl:signal:event:seq`; `tl:member:{phone}:signal:events` set of
the member's event ids, so export and erase find them.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import tomllib
import unicodedata
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import redis

from textline.models import members

MIN_LETTERS = 3
MAX_LETTERS = 20
EVENT_TTL = 7 * 86400
#: scrypt's cost: Django's defaults (N=2^14, r=8, p=1), about 45 ms and 16 MB per guess on 2 cores.
#: Kept in each record, so raising them later leaves older records readable.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SCRYPT = "scrypt"
WRAPPED = "scrypt+sha256"
MIGRATIONS = "tl:migrations"
MIGRATION = "signals:scrypt"
WORDS_FILE = Path(__file__).parent / "data" / "common_words.toml"
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_LETTERS = re.compile(r"^[A-Z]+$")


def _key(phone: str) -> str:
    return members.sub_key(phone, "signal")


def _events(phone: str) -> str:
    return members.sub_key(phone, "signal", "events")


def _event(event_id: str) -> str:
    return f"tl:signal:event:{event_id}"


def normalise(text: str) -> str:
    """The whole message as a candidate word: edges' spaces and punctuation dropped, accents folded, upper case."""
    stripped = _EDGES.sub("", text or "")
    folded = "".join(c for c in unicodedata.normalize("NFKD", stripped) if not unicodedata.combining(c))
    return folded.upper()


def is_candidate(word: str) -> bool:
    """Only one word of 3 to 20 letters can be a signal (most messages fail here, without Redis)."""
    return MIN_LETTERS <= len(word) <= MAX_LETTERS and bool(_LETTERS.match(word))


@cache
def common_words() -> frozenset[str]:
    data = tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return frozenset(normalise(w) for text in data.values() for w in str(text).split())


class Refused(ValueError):
    """A word that cannot be a signal; `key` is the catalog entry that says why."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def check(text: str, taken: Callable[[str], bool]) -> str:
    """The normalised word, or Refused: not one word of letters, a common word, or `taken` by the line."""
    word = normalise(text)
    if not is_candidate(word):
        raise Refused("signal.bad_word")
    if word in common_words() or taken(word):
        raise Refused("signal.too_common")
    return word


def _legacy_digest(salt: str, word: str) -> str:
    """The salted SHA-256 kept before (too fast to resist guessing): only ever an input to scrypt now."""
    return hashlib.sha256(f"{salt}:{word}".encode()).hexdigest()


def _scrypt(secret: str, salt: str, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    return hashlib.scrypt(secret.encode(), salt=bytes.fromhex(salt), n=n, r=r, p=p, dklen=32,
                          maxmem=256 * r * (n + p + 2)).hex()


def _record(secret: str, **extra: str) -> dict[str, str]:
    salt = secrets.token_hex(16)
    return {"salt": salt, "n": str(SCRYPT_N), "r": str(SCRYPT_R), "p": str(SCRYPT_P),
            "digest": _scrypt(secret, salt), **extra}


def set_word(r: redis.Redis, phone: str, word: str, at: datetime) -> None:
    pipe = r.pipeline(transaction=True)
    pipe.delete(_key(phone))
    pipe.hset(_key(phone), mapping={**_record(normalise(word), kdf=SCRYPT), "set_at": at.isoformat()})
    pipe.execute()


def _wrap(r: redis.Redis, key: str) -> dict[str, str] | None:
    """Turn a legacy SHA-256 record into a scrypt one without knowing the word; the record as it now is."""
    stored = r.hgetall(key)
    if not stored or stored.get("kdf") or not stored.get("salt") or not stored.get("digest"):
        return stored or None
    wrapped = _record(stored["digest"], kdf=WRAPPED, inner_salt=stored["salt"])
    pipe = r.pipeline(transaction=True)
    pipe.hdel(key, "salt", "digest")
    pipe.hset(key, mapping=wrapped)
    pipe.execute()
    return {**stored, **wrapped}


def migrate(r: redis.Redis) -> int:
    """Wrap every legacy record (once per Redis: `tl:migrations` remembers); how many were wrapped."""
    if r.hexists(MIGRATIONS, MIGRATION):
        return 0
    wrapped = 0
    for key in r.scan_iter(match=members.sub_key("*", "signal"), count=1000):
        if r.hexists(key, "digest") and not r.hexists(key, "kdf"):
            _wrap(r, key)
            wrapped += 1
    r.hset(MIGRATIONS, MIGRATION, str(wrapped))
    return wrapped


def clear(r: redis.Redis, phone: str) -> bool:
    return bool(r.delete(_key(phone)))


def is_set(r: redis.Redis, phone: str) -> bool:
    return bool(r.exists(_key(phone)))


def matches(r: redis.Redis, phone: str, text: str) -> bool:
    """True when the whole message is the member's signal word (case, accents and punctuation aside)."""
    word = normalise(text)
    if not is_candidate(word) or word in common_words():  # never a signal: no slow hash spent on it
        return False
    stored = r.hgetall(_key(phone))
    if stored and not stored.get("kdf"):
        stored = _wrap(r, _key(phone)) or {}
    if not stored.get("salt") or not stored.get("digest"):
        return False
    secret = word if stored.get("kdf") == SCRYPT else _legacy_digest(stored.get("inner_salt", ""), word)
    found = _scrypt(secret, stored["salt"], int(stored.get("n", SCRYPT_N)), int(stored.get("r", SCRYPT_R)),
                    int(stored.get("p", SCRYPT_P)))
    return hmac.compare_digest(found, stored["digest"])


def record_event(r: redis.Redis, phone: str, at: datetime) -> str:
    """Keep that `phone` texted its signal; the event id is what the crisis job receives."""
    event_id = str(r.incr("tl:signal:event:seq"))
    pipe = r.pipeline(transaction=True)
    pipe.hset(_event(event_id), mapping={"id": event_id, "phone": phone, "at": at.isoformat(), "via": "signal"})
    pipe.expire(_event(event_id), EVENT_TTL)
    pipe.sadd(_events(phone), event_id)
    pipe.expire(_events(phone), EVENT_TTL)
    pipe.execute()
    return event_id


def event(r: redis.Redis, event_id: str) -> dict[str, str] | None:
    """A signal event (`phone`, `at`, `via`="signal"), as the crisis job reads it to open the case."""
    data = r.hgetall(_event(event_id))
    return data or None


def export_member(r: redis.Redis, phone: str) -> dict[str, Any]:
    events = [r.hgetall(_event(i)) for i in sorted(r.smembers(_events(phone)), key=int)]
    return {"set": is_set(r, phone), "set_at": r.hget(_key(phone), "set_at") or "",
            "events": [e for e in events if e]}


def erase_member(r: redis.Redis, phone: str) -> None:
    ids = list(r.smembers(_events(phone)))
    if ids:
        r.delete(*[_event(i) for i in ids])


