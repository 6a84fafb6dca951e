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
_answers: dict[tuple[str, str], frozenset[str]] = {}
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


def session_flow(name: str, answers: dict[str, Iterable[str]] | None = None,
                 ) -> Callable[[StepHandler], StepHandler]:
    """The handler of a multi-step flow's answers while a session names `name`.

    `answers` names, per step, the words that are the flow's own answers there: while the flow runs
    they win over a command of the same word (REMIND's `CALL` means "by call", not a call-back).
    """

    def register(fn: StepHandler) -> StepHandler:
        _claim(_steps, name, fn, fn)  # type: ignore[arg-type]
        for step, words in (answers or {}).items():
            _answers[(name, step)] = frozenset(w.upper() for w in words)
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


def is_flow_answer(flow: str, step: str, word: str) -> bool:
    """`word` is an answer the flow gives a meaning to at `step` (it wins over a command word)."""
    return word in _answers.get((flow, step), frozenset())


def staff_command_words() -> frozenset[str]:
    _ready()
    return frozenset(_staff)


# -- a command word with a typo ------------------------------------------------------------------------------------

#: Shorter words are left alone: "OK" is not a typo of "ON", nor "NO" of "ON".
TYPO_MIN = 4
#: A letter wrong needs words this long (TEXT is not NEXT, CALM is not CALL, NONE is not ZONE); a letter
#: missing or extra needs the longer word this long (MENUE is MENU); two swapped letters always count.
EDIT_MIN = 5


def _near(typed: str, word: str) -> bool:
    """Two neighbours swapped, or (long enough) one letter wrong, missing or extra."""
    if typed == word or abs(len(typed) - len(word)) > 1:
        return False
    if len(typed) == len(word) and len(word) < EDIT_MIN:
        return _swapped(typed, word)
    if max(len(typed), len(word)) < EDIT_MIN:
        return False
    if len(typed) == len(word):
        return sum(a != b for a, b in zip(typed, word, strict=True)) == 1 or _swapped(typed, word)
    short, long_ = (typed, word) if len(typed) < len(word) else (word, typed)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _swapped(typed: str, word: str) -> bool:
    if len(typed) != len(word):
        return False
    diff = [i for i, (a, b) in enumerate(zip(typed, word, strict=True)) if a != b]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and typed[diff[0]] == word[diff[1]] \
        and typed[diff[1]] == word[diff[0]]


def correct(typed: str, words: Iterable[str]) -> str | None:
    """The one word of `words` that `typed` is a typo of, or None (none, or more than one: ambiguous)."""
    if len(typed) < TYPO_MIN or not typed.isalpha():
        return None
    found = {w for w in words if w.isalpha() and len(w) >= TYPO_MIN and _near(typed, w)}
    return found.pop() if len(found) == 1 else None


def correct_command(typed: str) -> str | None:
    """A member command word `typed` is a typo of (CHEKIN -> CHECKIN), when that reading is unambiguous."""
    return correct(typed, command_words())


def correct_staff_command(typed: str) -> str | None:
    return correct(typed, staff_command_words())
