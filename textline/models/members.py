"""Member records: status, language, zone; opt-outs that outlive erasure.

Keys (owned here): `tl:member:{phone}` hash (status, language, timezone, name, discreet, created_at,
consented_at, and small fields of features such as a pending `join_code`), `tl:members` set of phones,
`tl:optout` set of opted-out phones (kept when a member is erased),
`tl:members:pending` sorted set (phone -> when its record was made) of
numbers that have not said YES: past `[retention] pending` they are erased
(`member_data.expire_pending`), so a number that texts once is not kept for
ever before any consent. Every other per-member key starts with
`tl:member:{phone}:` so that export and erase find it; modules with data
elsewhere are listed in `member_data`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import redis

from textline.core import phones
from textline.core.one_trip import OneTrip, Queue, take

MEMBERS = "tl:members"
OPTOUT = "tl:optout"
INVALID = "tl:invalid"
PENDING = "tl:members:pending"


def key(phone: str) -> str:
    return f"tl:member:{phone}"


def sub_key(phone: str, *parts: str | int) -> str:
    """A key of a feature's own under the member's prefix, `tl:member:{phone}:<parts>` (export and erase find it).

    The feature's module owns that key; this is the one place the prefix is spelled.
    """
    return ":".join((key(phone), *map(str, parts)))


class MemberStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    OPTED_OUT = "opted_out"


@dataclass(frozen=True)
class Member:
    phone: str
    status: MemberStatus
    language: str
    timezone: str
    name: str = ""
    discreet: bool = False
    created_at: str = ""
    consented_at: str = ""

    @property
    def active(self) -> bool:
        return self.status == MemberStatus.ACTIVE

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["status"] = str(self.status)
        return data


def get(r: redis.Redis, phone: str) -> Member | None:
    return _member(phone, r.hgetall(key(phone)))


def fetch(pipe: Queue, phone: str) -> Callable[[Iterator[Any]], tuple[Member | None, bool]]:
    """Queue the reads of `phone`'s record and opt-out on `pipe` (one round trip with the caller's others);
    the reader gives (the record, whether the number is opted out)."""
    pipe.hgetall(key(phone))
    pipe.sismember(OPTOUT, phone)
    return lambda results: (_member(phone, next(results)), bool(next(results)))


def _member(phone: str, data: dict[str, str], opted_out: bool = False) -> Member | None:
    if not data or "status" not in data:
        return None
    return Member(
        phone=phone,
        status=MemberStatus.OPTED_OUT if opted_out else MemberStatus(data.get("status", "pending")),
        language=data.get("language", "en"),
        timezone=data.get("timezone", ""),
        name=data.get("name", ""),
        discreet=data.get("discreet") == "1",
        created_at=data.get("created_at", ""),
        consented_at=data.get("consented_at", ""),
    )


_ROWS = r"""
local out = {}
for i, phone in ipairs(ARGV) do
  local f = redis.call('HMGET', 'tl:member:' .. phone, 'status', 'language', 'timezone', 'discreet', 'name',
                       'created_at', 'consented_at')
  if f[1] then
    if redis.call('SISMEMBER', KEYS[1], phone) == 1 then f[1] = 'opted_out' end
    for j = 2, 7 do f[j] = f[j] or '' end
    out[i] = table.concat(f, '\31')
  else
    out[i] = ''
  end
end
return out
"""


def get_many(r: redis.Redis, phones: list[str]) -> list[Member | None]:
    """Many records in one round trip, one short row each (fan-out); an opt-out in the set counts too."""
    if not phones:
        return []
    found: list[Member | None] = []
    for phone, row in zip(phones, r.eval(_ROWS, 1, OPTOUT, *phones), strict=True):
        if not row:
            found.append(None)
            continue
        status, language, timezone, discreet, name, created_at, consented_at = row.split("\x1f")
        found.append(Member(phone, MemberStatus(status), language or "en", timezone, name, discreet == "1",
                            created_at, consented_at))
    return found


def take_field(r: redis.Redis, phone: str, name: str) -> str | None:
    """Read and remove one extra field of the record (e.g. a `join_code` kept until consent)."""
    trip = OneTrip(r)
    read = take_field_queued(trip, phone, name)
    return read(iter(trip.execute()))


def take_field_queued(pipe: Queue, phone: str, name: str) -> Callable[[Iterator[Any]], str | None]:
    """`take_field` queued on `pipe`, run with the caller's other commands; the reader gives the value."""
    pipe.hget(key(phone), name)
    pipe.hdel(key(phone), name)
    return lambda results: take(results, 2)[0]


def invalid_many(r: redis.Redis, phones: list[str]) -> list[bool]:
    return [v is not None for v in r.hmget(INVALID, phones)] if phones else []


# KEYS: the record, MEMBERS, OPTOUT, PENDING. ARGV: phone, epoch, then field, value pairs (status first).
# Fields already there are kept (a concurrent create keeps the first); an opted-out number starts opted out.
_CREATE = """
local status = ARGV[4]
if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then status = 'opted_out' end
local made = redis.call('HSETNX', KEYS[1], 'status', status)
for i = 5, #ARGV, 2 do redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('SADD', KEYS[2], ARGV[1])
if made == 1 and ARGV[4] ~= 'active' then redis.call('ZADD', KEYS[4], 'NX', ARGV[2], ARGV[1]) end
return redis.call('HGETALL', KEYS[1])
"""


def create(r: redis.Redis, phone: str, *, language: str, timezone: str, at: datetime,
           status: MemberStatus = MemberStatus.PENDING) -> Member:
    """A new record (one round trip); a concurrent create of the same phone keeps the first."""
    trip = OneTrip(r)
    read = create_queued(trip, phone, language=language, timezone=timezone, at=at, status=status)
    member = read(iter(trip.execute()))
    assert member is not None
    return member


def create_queued(pipe: Queue | redis.Redis, phone: str, *, language: str, timezone: str, at: datetime,
                  status: MemberStatus = MemberStatus.PENDING) -> Callable[[Iterator[Any]], Member | None]:
    """`create` queued on `pipe` with the caller's other commands; the reader gives the record. (Given
    Redis itself, the record is written now and the reader is not needed.)"""
    pipe.eval(_CREATE, 4, key(phone), MEMBERS, OPTOUT, PENDING, phone, at.timestamp(), "status", str(status),
              "language", language, "timezone", timezone, "created_at", at.isoformat())

    def read(results: Iterator[Any]) -> Member | None:
        flat = next(results)
        return _member(phone, dict(zip(flat[::2], flat[1::2], strict=True)))
    return read


def update(r: redis.Redis | Queue, phone: str, **fields: str | bool) -> None:
    """Set small fields of the record (queued when `r` is a pipeline or a `OneTrip`)."""
    clean = {k: ("1" if v is True else "0" if v is False else v) for k, v in fields.items()}
    r.hset(key(phone), mapping=clean)


def activate(r: redis.Redis, phone: str, at: datetime) -> None:
    trip = OneTrip(r)
    activate_queued(trip, phone, at)
    trip.execute()


def activate_queued(pipe: Queue, phone: str, at: datetime) -> Callable[[Iterator[Any]], None]:
    """The member said YES: queued on `pipe` (atomic with the caller's other commands in a `OneTrip`)."""
    pipe.hset(key(phone), mapping={"status": str(MemberStatus.ACTIVE), "consented_at": at.isoformat()})
    pipe.srem(OPTOUT, phone)
    pipe.zrem(PENDING, phone)

    def read(results: Iterator[Any]) -> None:
        take(results, 3)
    return read


def pending_since(r: redis.Redis, before: float, limit: int = 100) -> list[str]:
    """Numbers that have not said YES, recorded before epoch `before` (oldest first)."""
    return list(r.zrangebyscore(PENDING, "-inf", before, start=0, num=limit))


def postpone_pending(r: redis.Redis, phone: str, until: float) -> None:
    """Look at a not-yet-consented number again at `until` (something of theirs is still under way)."""
    r.zadd(PENDING, {phone: until}, xx=True)


def forget_pending(r: redis.Redis, phone: str) -> None:
    r.zrem(PENDING, phone)


def opt_out(r: redis.Redis, phone: str, at: datetime) -> bool:
    """Record an opt-out; True when it is new (so the confirmation is sent once)."""
    pipe = r.pipeline()
    pipe.sadd(OPTOUT, phone)
    pipe.hset("tl:optout:at", phone, at.isoformat())
    added, _ = pipe.execute()
    if r.exists(key(phone)):
        r.hset(key(phone), "status", str(MemberStatus.OPTED_OUT))
    return bool(added)


def opt_in(r: redis.Redis, phone: str, at: datetime) -> None:
    pipe = r.pipeline()
    pipe.srem(OPTOUT, phone)
    pipe.hdel("tl:optout:at", phone)
    pipe.execute()
    if r.exists(key(phone)):
        activate(r, phone, at)


def is_opted_out(r: redis.Redis, phone: str) -> bool:
    return bool(r.sismember(OPTOUT, phone))


def mark_invalid(r: redis.Redis, phone: str, code: int) -> None:
    r.hset(INVALID, phone, str(code))


def is_invalid(r: redis.Redis, phone: str) -> bool:
    return bool(r.hexists(INVALID, phone))


def all_phones(r: redis.Redis) -> list[str]:
    return sorted(r.smembers(MEMBERS))


def member_keys(r: redis.Redis, phone: str) -> list[str]:
    """Every key that holds this member's data under the member prefix."""
    found = [k for k in r.scan_iter(match=f"{key(phone)}:*", count=500)]
    if r.exists(key(phone)):
        found.append(key(phone))
    return sorted(found)


def mask(phone: str) -> str:
    return phones.mask(phone)


def migrate(r: redis.Redis, phone: str) -> bool:
    """From the previous layout: the record no longer repeats its number in a field. True when it did."""
    return bool(r.hdel(key(phone), "phone"))
