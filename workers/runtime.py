"""What a job needs from its process: the line (settings + Redis) and a sender, built once."""
from __future__ import annotations

from functools import cache

from textline.line import Line
from textline.settings import Settings
from workers.senders import Sender, sender_for


@cache
def line() -> Line:
    return Line.from_settings(Settings.from_env())


@cache
def sender() -> Sender:
    current = line()
    return sender_for(current.settings, current.r)


def reset() -> None:
    """Forget the cached line and sender (tests that change settings between runs)."""
    line.cache_clear()
    sender.cache_clear()
