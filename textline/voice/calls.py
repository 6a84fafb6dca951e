"""What one call remembers between its steps: the last prompt (for * and repeats), crisis words, who took a dial.

Keys (owned here): `tl:member:{phone}:call:{CallSid}` hash (`prompt` as JSON, `speech` the words that
started a crisis dial) for a caller whose number is known, `tl:call:{CallSid}` for a hidden number, and
`tl:call:{CallSid}:taken` (the staff number that pressed 1 on that call's crisis dial; first one wins),
`tl:call:{CallSid}:case` (the crisis case a handed-over call belongs to),
`tl:call:{CallSid}:unverified` (STIR/SHAKEN said the caller ID is not the caller's: the whole call goes
on as a hidden number's, whatever later requests of it say).
Everything expires after CALL_TTL: a call is short, and nothing here is needed once it ends.
"""
from __future__ import annotations

import redis

from textline.models import members
from textline.voice.twiml import Prompt

CALL_TTL = 4 * 3600
#: Crisis words kept for the case are cut at this length (a sentence, not a transcript).
MAX_SPEECH = 500


def _key(phone: str | None, sid: str) -> str:
    return members.sub_key(phone, "call", sid) if phone else f"tl:call:{sid}"


def _taken(sid: str) -> str:
    return f"tl:call:{sid}:taken"


def _case(sid: str) -> str:
    return f"tl:call:{sid}:case"


def _unverified(sid: str) -> str:
    return f"tl:call:{sid}:unverified"


def mark_unverified(r: redis.Redis, sid: str) -> None:
    r.set(_unverified(sid), "1", ex=CALL_TTL)


def is_unverified(r: redis.Redis, sid: str) -> bool:
    return bool(r.exists(_unverified(sid)))


def save_prompt(r: redis.Redis, phone: str | None, sid: str, prompt: Prompt) -> None:
    pipe = r.pipeline()
    pipe.hset(_key(phone, sid), "prompt", prompt.to_json())
    pipe.expire(_key(phone, sid), CALL_TTL)
    pipe.execute()


def last_prompt(r: redis.Redis, phone: str | None, sid: str) -> Prompt | None:
    raw = r.hget(_key(phone, sid), "prompt")
    return Prompt.from_json(raw) if raw else None


def remember_speech(r: redis.Redis, phone: str | None, sid: str, speech: str) -> None:
    """The words that made this call ring crisis staff, for the case if nobody answers."""
    pipe = r.pipeline()
    pipe.hset(_key(phone, sid), "speech", speech[:MAX_SPEECH])
    pipe.expire(_key(phone, sid), CALL_TTL)
    pipe.execute()


def speech(r: redis.Redis, phone: str | None, sid: str) -> str:
    return r.hget(_key(phone, sid), "speech") or ""


def remember_case(r: redis.Redis, sid: str, case_id: int) -> None:
    """The case a crisis call was handed over for, to record how the handover ended."""
    r.set(_case(sid), str(case_id), ex=CALL_TTL)


def case_of(r: redis.Redis, sid: str) -> int | None:
    value = r.get(_case(sid))
    return int(value) if value else None


def take(r: redis.Redis, sid: str, staff_phone: str) -> bool:
    """A dialled staff member pressed 1: True for the first one on this call."""
    return bool(r.set(_taken(sid), staff_phone, nx=True, ex=CALL_TTL))


def taken_by(r: redis.Redis, sid: str) -> str | None:
    return r.get(_taken(sid))
