"""Staff: peer supporters, crisis staff and coordinators, and who is on call.

Keys (owned here): `tl:staff:{phone}` hash, `tl:staff:all` set,
`tl:oncall:{role}` set of phones on call. Shift edges (textline.models.shifts) change who is on call
through `on_call_at_edge`, with a claim key that module names.

Beside name, role and language the hash holds `paused_until` (epoch: after a crisis case the person is
offered nothing and alerted last until then; `ON` ends it) and `mode` (`member` while a staff number
that is also a member texts the line as a member). Whether they opted out (STOP) is the line's one
opt-out list (textline.models.members), so a STOP Twilio reports and a STOP texted count the same.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import redis

from textline.core.errors import NotFound
from textline.core.one_trip import Queue
from textline.models.members import OPTOUT

ALL = "tl:staff:all"

# A shift edge, applied once: claim the edge, then (unless that occurrence was skipped by OFF, or the
# person has left the roster) add to or remove from the on-call set. Returns {claimed, changed}:
# changed is 1 or 0 as SADD / SREM say, -1 when nothing was to be done.
_EDGE = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return {0, -1} end
if KEYS[2] ~= '' and redis.call('EXISTS', KEYS[2]) == 1 then return {1, -1} end
if redis.call('EXISTS', KEYS[3]) == 0 then return {1, -1} end
if ARGV[2] == 'on' then return {1, redis.call('SADD', KEYS[4], ARGV[3])} end
if ARGV[2] == 'off' then return {1, redis.call('SREM', KEYS[4], ARGV[3])} end
return {1, -1}
"""


class Role(StrEnum):
    PEER = "peer"
    CRISIS = "crisis"
    COORDINATOR = "coordinator"


def _key(phone: str) -> str:
    return f"tl:staff:{phone}"


def _oncall(role: Role | str) -> str:
    return f"tl:oncall:{role}"


@dataclass(frozen=True)
class StaffMember:
    phone: str
    name: str
    role: Role
    language: str
    on_call: bool
    #: Texted STOP (or Twilio said so): no text reaches them, the ladder skips them.
    opted_out: bool = False
    #: Epoch until which they rest after a crisis case (0: not paused).
    paused_until: float = 0.0
    #: Texting the line as a member (MEMBER), not as staff (STAFF).
    as_member: bool = False

    def paused(self, now: datetime) -> bool:
        return self.paused_until > now.timestamp()

    def as_dict(self) -> dict[str, object]:
        return {"phone": self.phone, "name": self.name, "role": str(self.role), "language": self.language,
                "on_call": self.on_call, "opted_out": self.opted_out}


def add(r: redis.Redis, name: str, phone: str, role: Role, language: str = "en") -> StaffMember:
    """Register (or update) a staff member; coordinators count as on call from the start."""
    pipe = r.pipeline()
    pipe.hset(_key(phone), mapping={"name": name, "role": str(role), "language": language})
    pipe.sadd(ALL, phone)
    for other in Role:
        if other != role:
            pipe.srem(_oncall(other), phone)
    pipe.execute()
    member = get(r, phone)
    assert member is not None
    return member


def get(r: redis.Redis, phone: str) -> StaffMember | None:
    pipe = r.pipeline(transaction=False)
    read = fetch(pipe, phone)
    return read(iter(pipe.execute()))


def fetch(pipe: Queue, phone: str) -> Callable[[Iterator[Any]], StaffMember | None]:
    """Queue the reads of `phone`'s staff record on `pipe` (one round trip with the caller's others): the
    record, the opt-out and each role's on-call set, the role being unknown until the answer comes."""
    pipe.hgetall(_key(phone))
    pipe.sismember(OPTOUT, phone)
    for role in Role:
        pipe.sismember(_oncall(role), phone)

    def read(results: Iterator[Any]) -> StaffMember | None:
        data, opted_out = next(results), bool(next(results))
        on_call = {role: bool(next(results)) for role in Role}
        return _staff_member(phone, data, on_call[Role(data["role"])], opted_out) if data else None
    return read


def _staff_member(phone: str, data: dict[str, str], on_call: bool, opted_out: bool) -> StaffMember:
    return StaffMember(phone=phone, name=data.get("name", ""), role=Role(data["role"]),
                       language=data.get("language", "en"), on_call=on_call, opted_out=opted_out,
                       paused_until=float(data.get("paused_until") or 0), as_member=data.get("mode") == "member")


def require(r: redis.Redis, phone: str) -> StaffMember:
    member = get(r, phone)
    if member is None:
        raise NotFound("no staff member with that number")
    return member


def remove(r: redis.Redis, phone: str) -> None:
    require(r, phone)
    pipe = r.pipeline()
    pipe.delete(_key(phone))
    pipe.srem(ALL, phone)
    for role in Role:
        pipe.srem(_oncall(role), phone)
    pipe.execute()


def set_on_call(r: redis.Redis, phone: str, on: bool) -> StaffMember:
    member = require(r, phone)
    if on:
        r.sadd(_oncall(member.role), phone)
    else:
        r.srem(_oncall(member.role), phone)
    return require(r, phone)


def pause(r: redis.Redis, phone: str, until: datetime) -> None:
    """Rest after a crisis case: offered nothing, alerted only when nobody else can be, until `until`."""
    if r.exists(_key(phone)):
        r.hset(_key(phone), "paused_until", repr(until.timestamp()))


def unpause(r: redis.Redis, phone: str) -> bool:
    """End a pause (ON); True when there was one."""
    return bool(r.hdel(_key(phone), "paused_until"))


def is_paused(r: redis.Redis, phone: str, now: datetime) -> bool:
    """Resting after a crisis case: not to be offered requests (nor alerted while others can be)."""
    until = r.hget(_key(phone), "paused_until")
    return bool(until) and float(until) > now.timestamp()


def is_opted_out(r: redis.Redis, phone: str) -> bool:
    return bool(r.sismember(OPTOUT, phone))


def available(r: redis.Redis, phone: str, now: datetime) -> bool:
    """May be offered a request now: neither opted out nor resting after a crisis case."""
    return not is_opted_out(r, phone) and not is_paused(r, phone, now)


def set_member_mode(r: redis.Redis, phone: str, as_member: bool) -> None:
    """MEMBER (True) or STAFF (False): how this staff number's texts are read."""
    if as_member:
        r.hset(_key(phone), "mode", "member")
    else:
        r.hdel(_key(phone), "mode")


@dataclass(frozen=True)
class EdgeResult:
    """What one shift edge did: `claimed` by this caller (else another ticker had it), and whether
    the person's on-call state `changed` (None: left as it was: skipped, kept on, or no longer staff)."""

    claimed: bool
    changed: bool | None


def on_call_at_edge(r: redis.Redis, phone: str, on: bool | None, *, marker: str, skip: str = "",
                    ttl: int) -> EdgeResult:
    """Put `phone` on (True) or off (False) call at a shift edge, or leave them (None), once per `marker`.

    Atomic: of many tickers on many machines, one claims the edge; a `skip` key that exists (OFF said
    during that shift) leaves them off.
    """
    member = get(r, phone)
    oncall = _oncall(member.role) if member else _oncall(Role.PEER)
    action = "keep" if on is None else ("on" if on else "off")
    claimed, changed = r.eval(_EDGE, 4, marker, skip, _key(phone), oncall, ttl, action, phone)
    return EdgeResult(bool(claimed), None if changed < 0 else bool(changed))


def on_call(r: redis.Redis, role: Role, *, reachable: bool = True) -> list[StaffMember]:
    """Who is on call in `role`; with `reachable`, only those who can be texted (a shift edge may have put
    back someone who opted out)."""
    found = [get(r, phone) for phone in sorted(r.smembers(_oncall(role)))]
    return [m for m in found if m is not None and not (reachable and m.opted_out)]


def with_role(r: redis.Redis, role: Role) -> list[StaffMember]:
    return [m for m in all_staff(r) if m.role == role]


def all_staff(r: redis.Redis) -> list[StaffMember]:
    found = [get(r, phone) for phone in sorted(r.smembers(ALL))]
    return [m for m in found if m is not None]
