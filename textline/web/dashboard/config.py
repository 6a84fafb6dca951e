"""The dashboard's own settings: the optional `[dashboard]` table of the TOML file.

Login limits are growing delays (textline.models.logins), not a lock on an account:

```toml
[dashboard]
login_attempts = 5        # tries of one email from one client address before waits begin: after the 5th
                          # failure the next try waits 1 s, each further failure doubles it (up to
                          # login_window); a right password clears the count; never a lock
address_attempts = 30     # the same, for every email tried from one client address (behind a proxy set
                          # [web] proxies, or every client shares one address)
login_window = "15m"      # the longest wait; counts are forgotten this long after the last failure
session_idle = "12h"      # a session unused this long ends
min_group = 3             # Impact shows no figure drawn from fewer members than this
page_size = 50
impact_cache = "2m"       # Impact's check-in figures read every member: kept this long
```
"""
from __future__ import annotations

from dataclasses import dataclass

from textline.core.durations import parse_duration
from textline.core.errors import ConfigError
from textline.core.settings import Settings


@dataclass(frozen=True)
class DashboardConfig:
    login_attempts: int = 5
    address_attempts: int = 30
    login_window: float = 900.0
    session_idle: float = 12 * 3600.0
    min_group: int = 3
    page_size: int = 50
    impact_cache: float = 120.0

    @classmethod
    def of(cls, settings: Settings) -> DashboardConfig:
        raw = settings.section("dashboard")
        values: dict[str, int | float] = {}
        for name in ("login_attempts", "address_attempts", "min_group", "page_size"):
            if name in raw:
                number = int(raw[name])
                if number < 1:
                    raise ConfigError(f"dashboard.{name} must be at least 1")
                values[name] = number
        for name in ("login_window", "session_idle", "impact_cache"):
            if name in raw:
                values[name] = parse_duration(raw[name])
        return cls(**values)  # type: ignore[arg-type]
