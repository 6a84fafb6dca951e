"""Staff: peer supporters, crisis staff and coordinators, and who is on call.

Keys (owned here): `tl:staff:{phone}` hash, `tl:staff:all` set,
`tl:oncall:{role}` set of phones on call.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import redis

from textline.core.errors import NotFound

ALL = "tl:staff:all"


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
    role = Role(data["role"])
    return StaffMember(phone=phone, name=data.get("name", ""), role=role, language=data.get("language", "en"),
                       on_call=bool(r.sismember(_oncall(role), phone)))


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


def on_call(r: redis.Redis, role: Role) -> list[StaffMember]:
    found = [get(r, phone) for phone in sorted(r.smembers(_oncall(role)))]
    return [m for m in found if m is not None]


def with_role(r: redis.Redis, role: Role) -> list[StaffMember]:
    return [m for m in all_staff(r) if m.role == role]


def all_staff(r: redis.Redis) -> list[StaffMember]:
    found = [get(r, phone) for phone in sorted(r.smembers(ALL))]
    return [m for m in found if m is not None]
