"""Discreet signals: a member's private code word that means "I need help now".

Keys (owned here): `tl:member:{phone}:signal` hash (salt, digest, set_at):
the word is kept only as a salted SHA-256, so nobody reading Redis, `members
show` or an export learns it; `tl:signal:event:{id}` hash (id, phone, at,
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


def _digest(salt: str, word: str) -> str:
    return hashlib.sha256(f"{salt}:{word}".encode()).hexdigest()


def set_word(r: redis.Redis, phone: str, word: str, at: datetime) -> None:
    salt = secrets.token_hex(8)
    pipe = r.pipeline(transaction=True)
    pipe.delete(_key(phone))
    pipe.hset(_key(phone), mapping={"salt": salt, "digest": _digest(salt, normalise(word)),
                                    "set_at": at.isoformat()})
    pipe.execute()


def clear(r: redis.Redis, phone: str) -> bool:
    return bool(r.delete(_key(phone)))


def is_set(r: redis.Redis, phone: str) -> bool:
    return bool(r.exists(_key(phone)))


def matches(r: redis.Redis, phone: str, text: str) -> bool:
    """True when the whole message is the member's signal word (case, accents and punctuation aside)."""
    word = normalise(text)
    if not is_candidate(word):
        return False
    stored = r.hmget(_key(phone), "salt", "digest")
    salt, digest = stored[0], stored[1]
    if not salt or not digest:
        return False
    return hmac.compare_digest(_digest(salt, word), digest)


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


