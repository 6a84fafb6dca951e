"""Group agreements (confidentiality, respect): stored per group, sent once on joining, repeated by RULES.

Keys (owned here): `tl:rules:{GROUP}` string (the agreement as a
coordinator wrote it, GROUP being the group's code in upper case), and per
member `tl:member:{phone}:rules_sent` set of the groups whose agreement
they have been sent (so joining again does not repeat it).

Which groups a member is in, and which groups exist, are the groups' own
records (textline.models.groups).
"""
from __future__ import annotations

import redis

from textline.models import groups, members

#: Coordinators may write more than one segment, but not an essay.
MAX_RULES = 480


def _key(group: str) -> str:
    return f"tl:rules:{group.upper()}"


def _sent(phone: str) -> str:
    return members.sub_key(phone, "rules_sent")


def set_rules(r: redis.Redis, group: str, text: str) -> str:
    """Store (or replace) a group's agreement; returns it as kept (spaces tidied)."""
    clean = " ".join((text or "").split())
    if not clean:
        raise ValueError("the agreement is empty")
    if len(clean) > MAX_RULES:
        raise ValueError(f"the agreement is over {MAX_RULES} characters")
    r.set(_key(group), clean)
    return clean


def get_rules(r: redis.Redis, group: str) -> str | None:
    return r.get(_key(group))


def clear_rules(r: redis.Redis, group: str) -> bool:
    return bool(r.delete(_key(group)))


def all_rules(r: redis.Redis) -> dict[str, str]:
    keys = sorted(r.scan_iter(match="tl:rules:*", count=500))
    values = r.mget(keys) if keys else []
    return {k.removeprefix("tl:rules:"): v for k, v in zip(keys, values, strict=True) if v is not None}


def groups_of(r: redis.Redis, phone: str) -> list[str]:
    """Codes of the groups `phone` is in (agreements are kept by code)."""
    return [g.code.upper() for g in groups.groups_of(r, phone)]


def first_time(r: redis.Redis, phone: str, group: str) -> bool:
    """True once per member and group: the agreement goes out on the first join only."""
    return bool(r.sadd(_sent(phone), group.upper()))
