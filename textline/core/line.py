"""The line as code sees it: settings, Redis and time, passed to flows and workers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import redis

from textline.core import catalog, clock
from textline.core.redis_conn import connect
from textline.core.settings import Settings


@dataclass(frozen=True)
class Line:
    """Settings plus a Redis client; cheap to build, holds no other state."""

    settings: Settings
    r: redis.Redis

    @classmethod
    def from_settings(cls, settings: Settings) -> Line:
        return cls(settings, connect(settings))

    @cached_property
    def rq(self) -> redis.Redis:
        """The same Redis without response decoding, as RQ needs it."""
        return connect(self.settings, decode=False)

    def now(self) -> datetime:
        return clock.now(self.r, self.settings.test_clock)

    def text(self, language: str, key: str, *, discreet: bool = False, voice: bool = False, **values: Any) -> str:
        """A catalog entry with the line's name and crisis resource filled in; `voice` for words read aloud."""
        values.setdefault("line", self.settings.name)
        values.setdefault("resource", self.settings.resource(language))
        return catalog.render(language, key, discreet=discreet, voice=voice, **values)
