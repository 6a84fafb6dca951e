"""Groups: a name, a code members join by, a time zone, and a roster.

Keys (owned here): `tl:group:seq`, `tl:group:{id}` hash (id, name, code,
timezone, created_at), `tl:group:{id}:members` set of phones (the roster),
`tl:groups:code` and `tl:groups:name` hashes (CODE / NAME in capitals -> id).
A member's groups are the rosters they are on (a line has a few groups; a member keeps no key of
their own for them: `textline migrate` moves the `tl:member:{phone}:groups` sets of earlier versions).
Only consented members are on a roster: a first `JOIN <code>` waits for YES.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import redis

from textline.core.errors import NotFound, TextlineError
from textline.models import members

SEQ = "tl:group:seq"
BY_CODE = "tl:groups:code"
BY_NAME = "tl:groups:name"
#: A group's name goes into one-segment texts, so it is kept short.
MAX_NAME = 24
CODE = re.compile(r"^[A-Z0-9]{2,10}$")
#: Words a code may not be: carriers act on them, or the line reads them as commands.
RESERVED_CODES = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT",
                            "START", "UNSTOP", "YES", "NO", "HELP", "INFO", "AYUDA", "MENU"})


class GroupError(TextlineError):
    """A group cannot be made as asked (bad or taken name or code, unknown zone)."""


def _key(group_id: int | str) -> str:
    return f"tl:group:{group_id}"


def _roster(group_id: int | str) -> str:
    return f"tl:group:{group_id}:members"


def _old_mine(phone: str) -> str:
    """Where earlier versions kept a member's group ids (`migrate_member` moves them)."""
    return members.sub_key(phone, "groups")


# The ids of the groups whose roster holds ARGV[1], every group looked at in one call.
_MINE = """
local found = {}
for _, id in ipairs(redis.call('HVALS', KEYS[1])) do
  if redis.call('SISMEMBER', 'tl:group:' .. id .. ':members', ARGV[1]) == 1 then found[#found + 1] = id end
end
return found
"""


@dataclass(frozen=True)
class Group:
    id: int
    name: str
    code: str
    timezone: str
    created_at: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def as_dict(self, members_count: int | None = None) -> dict[str, object]:
        data: dict[str, object] = {"id": self.id, "name": self.name, "code": self.code, "timezone": self.timezone,
                                   "created_at": self.created_at}
        if members_count is not None:
            data["members"] = members_count
        return data


def add(r: redis.Redis, name: str, code: str, timezone: str, at: datetime) -> Group:
    """A new group; GroupError when the name or code is bad or taken, or the zone unknown."""
    name, code = " ".join(name.split()), code.strip().upper()
    if not name or len(name) > MAX_NAME:
        raise GroupError(f"a group's name must be 1 to {MAX_NAME} characters")
    if not CODE.match(code) or code in RESERVED_CODES:
        raise GroupError(f"a group's code must be 2 to 10 letters or digits, not a keyword: {code!r}")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise GroupError(f"unknown time zone {timezone!r}") from exc
    group_id = int(r.incr(SEQ))
    if not r.hsetnx(BY_CODE, code, group_id):
        raise GroupError(f"the code {code} is taken")
    if not r.hsetnx(BY_NAME, name.upper(), group_id):
        r.hdel(BY_CODE, code)
        raise GroupError(f"a group named {name!r} exists")
    r.hset(_key(group_id), mapping={"id": group_id, "name": name, "code": code, "timezone": timezone,
                                    "created_at": at.isoformat()})
    return Group(group_id, name, code, timezone, at.isoformat())


def get(r: redis.Redis, group_id: int | str) -> Group | None:
    data = r.hgetall(_key(group_id))
    if not data:
        return None
    return Group(int(data["id"]), data["name"], data["code"], data["timezone"], data.get("created_at", ""))


def find(r: redis.Redis, text: str) -> Group | None:
    """The group whose code or name is `text`, case-insensitively."""
    wanted = " ".join((text or "").split()).upper()
    if not wanted:
        return None
    group_id = r.hget(BY_CODE, wanted) or r.hget(BY_NAME, wanted)
    return get(r, group_id) if group_id else None


def require(r: redis.Redis, text: str) -> Group:
    group = find(r, text)
    if group is None:
        raise NotFound(f"no group with the name or code {text.strip()!r}")
    return group


def all_groups(r: redis.Redis) -> list[Group]:
    found = [get(r, group_id) for group_id in r.hvals(BY_CODE)]
    return sorted((g for g in found if g is not None), key=lambda g: g.id)


def join(r: redis.Redis, group: Group, phone: str) -> bool:
    """Put `phone` on the roster; False when it was already there."""
    return bool(r.sadd(_roster(group.id), phone))


def join_many(r: redis.Redis, group: Group, phones: list[str]) -> None:
    """Put many phones on the roster in one round trip (imports, benchmarks)."""
    if not phones:
        return
    r.sadd(_roster(group.id), *phones)


def leave(r: redis.Redis, group: Group, phone: str) -> bool:
    return bool(r.srem(_roster(group.id), phone))


def is_member(r: redis.Redis, group: Group, phone: str) -> bool:
    return bool(r.sismember(_roster(group.id), phone))


def groups_of(r: redis.Redis, phone: str) -> list[Group]:
    found = [get(r, group_id) for group_id in _ids_of(r, phone)]
    return sorted((g for g in found if g is not None), key=lambda g: g.id)


def _ids_of(r: redis.Redis, phone: str) -> list[str]:
    return list(r.eval(_MINE, 1, BY_CODE, phone))


def roster(r: redis.Redis, group: Group) -> list[str]:
    """Every phone on the roster, sorted (a broadcast's snapshot)."""
    return sorted(r.smembers(_roster(group.id)))


def roster_key(group: Group) -> str:
    """The roster's set, for a script that snapshots it in Redis (a broadcast's fan-out)."""
    return _roster(group.id)


def size(r: redis.Redis, group: Group) -> int:
    return int(r.scard(_roster(group.id)))


_REACHABLE = """
local roster, optout, invalid = KEYS[1], KEYS[2], KEYS[3]
local small, big = roster, optout
if redis.call('SCARD', roster) > redis.call('SCARD', optout) then small, big = optout, roster end
local gone = 0
for _, phone in ipairs(redis.call('SMEMBERS', small)) do
  gone = gone + redis.call('SISMEMBER', big, phone)
end
for _, phone in ipairs(redis.call('HKEYS', invalid)) do
  if redis.call('SISMEMBER', roster, phone) == 1 and redis.call('SISMEMBER', optout, phone) == 0 then
    gone = gone + 1
  end
end
return redis.call('SCARD', roster) - gone
"""


def reachable(r: redis.Redis, group: Group) -> int:
    """How many on the roster may get a text now: not opted out, number not invalid (walks the smaller set)."""
    return int(r.eval(_REACHABLE, 3, _roster(group.id), members.OPTOUT, members.INVALID))


# -- export and erase ------------------------------------------------------------------------------------------
def group_names(r: redis.Redis, phone: str) -> list[str]:
    return [g.name for g in groups_of(r, phone)]


def erase_member(r: redis.Redis, phone: str) -> None:
    pipe = r.pipeline()
    for group_id in {*_ids_of(r, phone), *r.smembers(_old_mine(phone))}:
        pipe.srem(_roster(group_id), phone)
    pipe.delete(_old_mine(phone))
    pipe.execute()


def migrate_member(r: redis.Redis, phone: str) -> int:
    """From earlier versions: the member's own set of group ids goes, the rosters keep them; how many."""
    ids = r.smembers(_old_mine(phone))
    pipe = r.pipeline()
    for group_id in ids:
        pipe.sadd(_roster(group_id), phone)
    pipe.delete(_old_mine(phone))
    pipe.execute()
    return len(ids)


