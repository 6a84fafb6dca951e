"""Export and erase everything stored about one member.

Keys under `tl:member:{phone}` are found by prefix. A module that keeps member
data anywhere else (a group's roster, a call-back record) registers an
exporter and an eraser here, and is listed in `HOOK_MODULES` so that it is
loaded before an export or erase runs.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import redis

from textline.models import members

Exporter = Callable[[redis.Redis, str], Any]
Eraser = Callable[[redis.Redis, str], None]

#: Modules that register hooks when imported; each feature adds its own.
HOOK_MODULES: list[str] = [
    "textline.models.outbound",
    "textline.models.checkins",
    "textline.models.prompts",
    "textline.models.plans",
    "textline.models.signals",
    "textline.models.reminders_personal",
    "textline.models.requests",
    "textline.models.member_refs",
    "textline.models.voice_notices",
    "textline.models.groups",
    "textline.models.meetings",
    "textline.models.broadcasts",
    "textline.models.cases",
]

_exporters: dict[str, Exporter] = {}
_views: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}


def register(name: str, exporter: Exporter | None = None, eraser: Eraser | None = None) -> None:
    if exporter:
        _exporters[name] = exporter
    if eraser:
        _erasers[name] = eraser


def register_view(name: str, view: Exporter) -> None:
    """A field of `members show`: e.g. `groups`, `checkins`."""
    _views[name] = view


def view(r: redis.Redis, phone: str) -> dict[str, Any] | None:
    """What `textline members show` prints: the record plus each feature's fields."""
    _load_hooks()
    member = members.get(r, phone)
    if member is None:
        return None
    data: dict[str, Any] = member.as_dict()
    data.update({"groups": [], "checkins": []})
    for name, fn in sorted(_views.items()):
        data[name] = fn(r, phone)
    return data


def _load_hooks() -> None:
    for module in HOOK_MODULES:
        importlib.import_module(module)


def _dump(r: redis.Redis, key: str) -> Any:
    kind = r.type(key)
    if kind == "hash":
        return r.hgetall(key)
    if kind == "list":
        return r.lrange(key, 0, -1)
    if kind == "set":
        return sorted(r.smembers(key))
    if kind == "zset":
        return r.zrange(key, 0, -1, withscores=True)
    if kind == "string":
        return r.get(key)
    return None


def export(r: redis.Redis, phone: str) -> dict[str, Any]:
    """Everything stored about `phone`, by key and by registered module."""
    _load_hooks()
    data: dict[str, Any] = {"phone": phone, "opted_out": members.is_opted_out(r, phone), "keys": {}}
    for key in members.member_keys(r, phone):
        data["keys"][key] = _dump(r, key)
    for name, exporter in sorted(_exporters.items()):
        data[name] = exporter(r, phone)
    return data


def erase(r: redis.Redis, phone: str) -> int:
    """Remove the member's data and history; the opt-out record stays. Returns keys removed."""
    _load_hooks()
    for eraser in _erasers.values():
        eraser(r, phone)
    keys = members.member_keys(r, phone)
    pipe = r.pipeline()
    if keys:
        pipe.delete(*keys)
    pipe.srem(members.MEMBERS, phone)
    pipe.hdel(members.INVALID, phone)
    pipe.execute()
    return len(keys)
