"""Where features plug into the conversation: member commands, staff commands, session flows.

A feature module declares its handlers with the decorators below, beside the handler (as
mailroom declares a task beside its code). `flows/features.py` imports every feature module,
once, and then calls `complete()`; the engine imports `flows.features`. A lookup before that
raises instead of answering as if a feature did not exist, and a word claimed by two handlers
raises when the second one is declared: no order of imports decides who answers a word.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flows.outcome import Outcome
from flows.turn import Turn
from textline.models.sessions import Session
from textline.models.staff import Role

CommandHandler = Callable[[Turn], Outcome | None]
StepHandler = Callable[[Turn, Session], Outcome | None]


class RegistryError(RuntimeError):
    """A word claimed twice, or a lookup before every feature was declared."""


@dataclass(frozen=True)
class StaffCommand:
    handler: CommandHandler
    roles: frozenset[Role]


_commands: dict[str, CommandHandler] = {}
_staff: dict[str, StaffCommand] = {}
_steps: dict[str, StepHandler] = {}
_complete: list[bool] = [False]


def _claim(table: dict[str, object], key: str, fn: Callable[..., object], value: object) -> None:
    held = table.get(key)
    owner = getattr(held, "handler", held)
    if owner is not None and _name(owner) != _name(fn):  # the same handler again (a module reloaded) is fine
        raise RegistryError(f"{key!r} is claimed by {_name(owner)} and {_name(fn)}")
    table[key] = value


def _name(fn: object) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', '?')}"


def command(*words: str) -> Callable[[CommandHandler], CommandHandler]:
    """A member command, chosen by the message's first word (or the whole message, for digits)."""

    def register(fn: CommandHandler) -> CommandHandler:
        for word in words:
            _claim(_commands, word.upper(), fn, fn)  # type: ignore[arg-type]
        return fn

    return register


def staff_command(*words: str, roles: Iterable[Role] = tuple(Role)) -> Callable[[CommandHandler], CommandHandler]:
    """A command for registered staff with one of `roles`."""

    def register(fn: CommandHandler) -> CommandHandler:
        for word in words:
            _claim(_staff, word.upper(), fn, StaffCommand(fn, frozenset(roles)))  # type: ignore[arg-type]
        return fn

    return register


def session_flow(name: str) -> Callable[[StepHandler], StepHandler]:
    """The handler of a multi-step flow's answers while a session names `name`."""

    def register(fn: StepHandler) -> StepHandler:
        _claim(_steps, name, fn, fn)  # type: ignore[arg-type]
        return fn

    return register


def complete() -> None:
    """Every feature is declared (flows/features.py calls this once it has imported them all)."""
    _complete[0] = True


def _ready() -> None:
    if not _complete[0]:
        raise RegistryError("flows.features is not imported: the commands are not all declared yet")


def find_command(word: str) -> CommandHandler | None:
    _ready()
    return _commands.get(word)


def find_staff_command(word: str) -> StaffCommand | None:
    _ready()
    return _staff.get(word)


def find_step(flow: str) -> StepHandler | None:
    _ready()
    return _steps.get(flow)


def command_words() -> frozenset[str]:
    _ready()
    return frozenset(_commands)
