"""Records as lines a person reads (`members show` without `--json`): labels, not Python dicts."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Shown first, in this order; every other field follows in the record's own order.
FIRST = ("name", "phone", "status", "language", "timezone", "groups")
#: Items of a list shown before "... and N more".
MAX_ITEMS = 10


def member(record: Mapping[str, Any]) -> str:
    """A member's record: one `label: value` line per field, lists and nested records indented below."""
    order = [k for k in FIRST if k in record] + [k for k in record if k not in FIRST]
    return "\n".join(line for key in order for line in _field(key, record[key]))


def _label(key: str) -> str:
    return key.replace("_", " ")


def _field(key: str, value: Any) -> list[str]:
    if isinstance(value, Mapping):
        if not value:
            return [f"{_label(key)}: none"]
        return [f"{_label(key)}:", *(f"  {_label(str(k))}: {_scalar(v)}" for k, v in value.items())]
    if isinstance(value, list | tuple) and any(isinstance(v, Mapping) for v in value):
        lines = [f"{_label(key)} ({len(value)}):"]
        lines += [f"  - {_inline(v)}" for v in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            lines.append(f"  ... and {len(value) - MAX_ITEMS} more (--json shows all)")
        return lines
    return [f"{_label(key)}: {_scalar(value)}"]


def _inline(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{_label(str(k))} {_scalar(v)}" for k, v in value.items() if v not in (None, "", [], {}))
    return _scalar(value)


def _scalar(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_scalar(v) for v in value) if value else "none"
    if isinstance(value, Mapping):
        return _inline(value) or "none"
    return str(value)
