"""The words of a text request: what the member and the peer wrote, relayed both ways.

Kept for `[retention] conversations` (default 7d) so a second peer can pick up after RELEASE;
exported and erased with the member; never logged. Keys (owned here): `tl:conv:{id}:lines` (a list
of JSON lines, the newest last) and `tl:member:{phone}:pending_text` (what a number wrote before
saying YES, kept for the peer who will read it). Outbound records of a conversation carry the
`ref` conv:{id}.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import redis

from textline.core.line import Line
from textline.core.one_trip import OneTrip, Queue, take
from textline.models import members, outbound
from textline.models.requests.store import index_key
from textline.models.requests.store import key as request_key

#: Lines kept per conversation (the oldest go first); a peer who picks up after RELEASE gets the last few.
MAX_LINES = 200
#: Texts kept from a number before it said YES.
MAX_PENDING = 10
MEMBER, PEER = "member", "peer"


@dataclass(frozen=True)
class Said:
    at: str
    who: str
    text: str
    peer: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"at": self.at, "who": self.who, "text": self.text, "peer": self.peer}


def lines_key(request_id: int | str) -> str:
    return f"tl:conv:{request_id}:lines"


def pending_key(phone: str) -> str:
    return members.sub_key(phone, "pending_text")


def ref(request_id: int | str) -> str:
    """The `ref` of every outbound record of conversation `request_id`."""
    return f"conv:{request_id}"


def retention(line: Line) -> int:
    return max(1, int(line.settings.conversation_retention))


def add(line: Line, request_id: int, who: str, text: str, peer: str = "") -> None:
    said = Said(line.now().isoformat(), who, text, peer)
    pipe = line.r.pipeline()
    pipe.rpush(lines_key(request_id), json.dumps(said.as_dict()))
    pipe.ltrim(lines_key(request_id), -MAX_LINES, -1)
    pipe.expire(lines_key(request_id), retention(line))
    pipe.execute()


def lines(r: redis.Redis, request_id: int | str, last: int = 0) -> list[Said]:
    raw = r.lrange(lines_key(request_id), -last if last else 0, -1)
    return [Said(**json.loads(item)) for item in raw]


def first_words(r: redis.Redis, request_id: int | str, limit: int = 40) -> str:
    """The start of the member's first line, on one line, cut at a word."""
    for said in lines(r, request_id):
        if said.who == MEMBER:
            return cut(said.text, limit)
    return ""


def cut(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    head = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return head + "..."


def keep_pending(line: Line, phone: str, text: str) -> None:
    pipe = line.r.pipeline()
    pipe.rpush(pending_key(phone), text)
    pipe.ltrim(pending_key(phone), -MAX_PENDING, -1)
    pipe.expire(pending_key(phone), max(1, int(line.settings.pending_retention)))
    pipe.execute()


def take_pending(r: redis.Redis, phone: str) -> list[str]:
    """What the number wrote before YES, once: the list is gone after."""
    trip = OneTrip(r)
    read = take_pending_queued(trip, phone)
    return read(iter(trip.execute()))


def take_pending_queued(pipe: Queue, phone: str) -> Callable[[Iterator[Any]], list[str]]:
    """`take_pending` queued on `pipe`, run with the caller's other commands; the reader gives the words."""
    pipe.lrange(pending_key(phone), 0, -1)
    pipe.delete(pending_key(phone))
    return lambda results: list(take(results, 2)[0])


def text_request_ids(r: redis.Redis, phone: str) -> list[int]:
    ids = sorted(int(x) for x in r.smembers(index_key(phone)))
    return [i for i in ids if r.hget(request_key(i), "kind") == "text" or r.exists(lines_key(i))]


def export_member(r: redis.Redis, phone: str) -> list[dict[str, Any]]:
    return [{"id": i, "lines": [s.as_dict() for s in lines(r, i)]} for i in text_request_ids(r, phone)]


def erase_member(r: redis.Redis, phone: str) -> None:
    """The words go; the texts relayed to peers keep their delivery record without their text."""
    for request_id in text_request_ids(r, phone):
        outbound.scrub_about(r, ref(request_id))
        r.delete(lines_key(request_id))
