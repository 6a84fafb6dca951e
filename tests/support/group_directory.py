"""A stand-in for the groups feature's directory (who is in which group), for agreement tests."""
from __future__ import annotations

import redis


class Groups:
    def __init__(self, memberships: dict[str, list[str]], others: tuple[str, ...] = ()) -> None:
        self.memberships = memberships
        self.others = others

    def groups_of(self, r: redis.Redis, phone: str) -> list[str]:
        return self.memberships.get(phone, [])

    def exists(self, r: redis.Redis, group: str) -> bool:
        known = {g for groups in self.memberships.values() for g in groups} | set(self.others)
        return group.upper() in known
