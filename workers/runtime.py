"""What a job needs from its process: the line (settings + Redis) and a sender, built once."""
from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import workers
from textline.core.line import Line
from textline.core.settings import Settings
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


def warm() -> None:
    """In a worker's parent: import every job module and build the sender once.

    RQ forks a fresh process per job; whatever the parent has not loaded, each job loads again
    (the job modules and the Twilio client cost about 0.4 s per job on a small machine).
    """
    for module in pkgutil.iter_modules(workers.__path__):
        importlib.import_module(f"workers.{module.name}")
    current = sender()
    client = getattr(current, "client", None)
    if client is not None:  # Twilio's client loads its API modules on first use
        client.messages  # noqa: B018
        client.calls  # noqa: B018
