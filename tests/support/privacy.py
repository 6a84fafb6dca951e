"""Finding what must never be kept: whole phone numbers and message bodies, in logs, jobs and Redis."""
from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator

import redis

#: Test numbers in any common form: +12025550101, 2025550101, (202) 555-0101, 202.555.0101 ...
NUMBER = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?(?:202|312)\)?[\s.-]?555[\s.-]?\d{4}(?!\d)")


def leaks(text: str, bodies: Iterable[str] = ()) -> list[str]:
    """Whole test numbers and any of `bodies` found in `text`."""
    found = [m.group(0) for m in NUMBER.finditer(text)]
    found += [f"body {b[:20]!r}" for b in bodies if b and b in text]
    return found


def dump(r: redis.Redis, key: bytes) -> bytes:
    """Everything a key holds, as bytes (RQ's compressed job data unpacked)."""
    kind = r.type(key)
    kind = kind.decode() if isinstance(kind, bytes) else kind
    parts: list[bytes] = []
    if kind == "string":
        parts.append(r.get(key) or b"")
    elif kind == "hash":
        for field, value in r.hgetall(key).items():
            parts += [field, value]
            try:
                parts.append(zlib.decompress(value))
            except zlib.error:
                pass
    elif kind == "list":
        parts += r.lrange(key, 0, -1)
    elif kind == "set":
        parts += list(r.smembers(key))
    elif kind == "zset":
        parts += [m for m, _ in r.zrange(key, 0, -1, withscores=True)]
    elif kind == "stream":
        for _, fields in r.xrange(key):
            for field, value in fields.items():
                parts += [field, value]
                try:
                    parts.append(zlib.decompress(value))
                except zlib.error:
                    pass
    return b"\n".join(parts)


def keys_holding(r: redis.Redis, needle: str, pattern: str = "*") -> Iterator[str]:
    """Keys whose name or content holds `needle`."""
    wanted = needle.encode()
    for key in r.scan_iter(match=pattern, count=1000):
        if wanted in key or wanted in dump(r, key):
            yield key.decode()


def scan_keys(r: redis.Redis, pattern: str, bodies: Iterable[str] = ()) -> dict[str, list[str]]:
    """Leaks in every key matching `pattern` (name and content)."""
    bodies = list(bodies)
    out = {}
    for key in r.scan_iter(match=pattern, count=1000):
        text = (key + b"\n" + dump(r, key)).decode("latin-1")
        found = leaks(text, bodies) + leaks(text.encode("latin-1").decode("utf-8", "replace"), bodies)
        if found:
            out[key.decode()] = sorted(set(found))
    return out
