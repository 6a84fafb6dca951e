"""Staff: peer supporters, crisis staff and coordinators, and who is on call.

Keys (owned here): `tl:staff:{phone}` hash, `tl:staff:all` set,
`tl:oncall:{role}` set of phones on call. Shift edges (textline.models.shifts) change who is on call
through `on_call_at_edge`, with a claim key that module names.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import redis

from textline.core.errors import NotFound

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

    def as_dict(self) -> dict[str, object]:
        return {"phone": self.phone, "name": self.name, "role": str(self.role), "language": self.language,
                "on_call": self.on_call}


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
    data = r.hgetall(_key(phone))
    if not data:
        return None
    return _staff_member(phone, data, bool(r.sismember(_oncall(Role(data["role"])), phone)))


def fetch(pipe: redis.client.Pipeline, phone: str) -> Callable[[Iterator[Any]], StaffMember | None]:
    """Queue the reads of `phone`'s staff record on `pipe` (one round trip with the caller's others): the
    record and each role's on-call set, the role being unknown until the answer comes."""
    pipe.hgetall(_key(phone))
    for role in Role:
        pipe.sismember(_oncall(role), phone)

    def read(results: Iterator[Any]) -> StaffMember | None:
        data = next(results)
        on_call = {role: bool(next(results)) for role in Role}
        return _staff_member(phone, data, on_call[Role(data["role"])]) if data else None
    return read


def _staff_member(phone: str, data: dict[str, str], on_call: bool) -> StaffMember:
    return StaffMember(phone=phone, name=data.get("name", ""), role=Role(data["role"]),
                       language=data.get("language", "en"), on_call=on_call)


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


def on_call(r: redis.Redis, role: Role) -> list[StaffMember]:
    found = [get(r, phone) for phone in sorted(r.smembers(_oncall(role)))]
    return [m for m in found if m is not None]


def with_role(r: redis.Redis, role: Role) -> list[StaffMember]:
    return [m for m in all_staff(r) if m.role == role]


def all_staff(r: redis.Redis) -> list[StaffMember]:
    found = [get(r, phone) for phone in sorted(r.smembers(ALL))]
    return [m for m in found if m is not None]
