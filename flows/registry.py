"""Where features plug into the conversation: member commands, staff commands, session flows.

A feature module registers its handlers with the decorators below when
imported; `FEATURES` lists those modules (the engine imports them once).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from flows.outcome import Outcome
from flows.turn import Turn
from textline.models.sessions import Session
from textline.models.staff import Role

#: Feature modules, imported in order; a later registration of a word replaces an earlier one.
FEATURES: list[str] = [
    "flows.menu",
    "flows.staff_oncall",
    "flows.checkin", "flows.schedule", "flows.zone", "flows.language", "flows.discreet",
    "flows.plan", "flows.plan_peer", "flows.signal", "flows.remind", "flows.rules",
    "flows.callbacks",
    "flows.peer",
    "flows.call_me",
    "flows.groups",
    "flows.coordinator",
    "flows.crisis_staff",
]

CommandHandler = Callable[[Turn], Outcome | None]
StepHandler = Callable[[Turn, Session], Outcome | None]


@dataclass(frozen=True)
class StaffCommand:
    handler: CommandHandler
    roles: frozenset[Role]


_commands: dict[str, CommandHandler] = {}
_staff: dict[str, StaffCommand] = {}
_steps: dict[str, StepHandler] = {}
_ranks: dict[tuple[str, str], int] = {}


def _wins(kind: str, word: str, fn: Callable[..., object]) -> bool:
    """True when `fn`'s module comes at least as late in FEATURES as the word's current owner.

    So the order of FEATURES decides, not the order in which modules happen to be imported.
    A module not listed (a test's) ranks last and wins.
    """
    module = getattr(fn, "__module__", "")
    rank = FEATURES.index(module) if module in FEATURES else len(FEATURES)
    if rank < _ranks.get((kind, word), -1):
        return False
    _ranks[(kind, word)] = rank
    return True


def command(*words: str) -> Callable[[CommandHandler], CommandHandler]:
    """A member command, chosen by the message's first word (or the whole message, for digits)."""

    def register(fn: CommandHandler) -> CommandHandler:
        for word in words:
            if _wins("member", word.upper(), fn):
                _commands[word.upper()] = fn
        return fn

    return register


def staff_command(*words: str, roles: Iterable[Role] = tuple(Role)) -> Callable[[CommandHandler], CommandHandler]:
    """A command for registered staff with one of `roles`."""

    def register(fn: CommandHandler) -> CommandHandler:
        for word in words:
            if _wins("staff", word.upper(), fn):
                _staff[word.upper()] = StaffCommand(fn, frozenset(roles))
        return fn

    return register


def session_flow(name: str) -> Callable[[StepHandler], StepHandler]:
    """The handler of a multi-step flow's answers while a session names `name`."""

    def register(fn: StepHandler) -> StepHandler:
        _steps[name] = fn
        return fn

    return register


@cache
def load() -> None:
    for module in FEATURES:
        importlib.import_module(module)


def find_command(word: str) -> CommandHandler | None:
    load()
    return _commands.get(word)


def find_staff_command(word: str) -> StaffCommand | None:
    load()
    return _staff.get(word)


def find_step(flow: str) -> StepHandler | None:
    load()
    return _steps.get(flow)


def command_words() -> frozenset[str]:
    load()
    return frozenset(_commands)
