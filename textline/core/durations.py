"""Durations written as in the settings file: `500ms`, `30s`, `5m`, `2h`, `1d`."""
from __future__ import annotations

import re

from textline.core.errors import ConfigError

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")


def parse_duration(value: str | int | float) -> float:
    """Seconds in a duration; a bare number is taken as seconds."""
    if isinstance(value, bool):
        raise ConfigError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    match = _PATTERN.match(value)
    if not match:
        raise ConfigError(f"not a duration: {value!r} (write 30s, 5m, 2h)")
    return float(match.group(1)) * _UNITS[match.group(2)]
