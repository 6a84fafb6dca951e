"""Language: `LANG` (menu item 4) lists the line's languages; `ESPANOL` and `ENGLISH` switch at once.

The direct words also work before consent, so a Spanish speaker with a US number can read
the welcome in Spanish before saying YES.
"""
from __future__ import annotations

from flows.answers import fold, keyword
from flows.outcome import Outcome, Reply
from flows.registry import command, session_flow
from flows.turn import Turn
from textline.core import catalog
from textline.core.phones import guess_zone
from textline.models import members, sessions
from textline.models.members import MemberStatus
from textline.models.sessions import Session

FLOW = "language"
#: Words that choose a language directly (folded: no accents).
DIRECT = {"ENGLISH": "en", "INGLES": "en", "EN": "en", "ESPANOL": "es", "SPANISH": "es", "ES": "es"}


def offered(turn: Turn) -> list[str]:
    """The line's languages that have a catalog."""
    have = set(catalog.languages())
    return [lang for lang in turn.line.settings.languages if lang in have]


def _name(language: str) -> str:
    return catalog.raw(language, "language.name")


def _switch(turn: Turn, language: str) -> Outcome:
    sessions.clear(turn.r, turn.phone)
    if language not in offered(turn):
        return Outcome.say(turn.text("language.unavailable"))
    members.update(turn.r, turn.phone, language=language)
    return Outcome.say(turn.text_in(language, "language.set"))


def _choice(turn: Turn, text: str) -> str | None:
    word = keyword(text)
    languages = offered(turn)
    if word.isdigit() and 1 <= int(word) <= len(languages):
        return languages[int(word) - 1]
    names = {fold(_name(lang)): lang for lang in languages}
    return DIRECT.get(word) or names.get(word)


@command("4", "LANG", "LANGUAGE", "IDIOMA")
def choose(turn: Turn) -> Outcome:
    """Menu item 4: list the languages; `LANG ES` switches at once."""
    if turn.inbound.rest:
        chosen = _choice(turn, turn.inbound.rest)
        if chosen:
            return _switch(turn, chosen)
    languages = offered(turn)
    choices = tuple((str(i), _name(lang)) for i, lang in enumerate(languages, 1))
    options = ", ".join(f"{key} {name}" for key, name in choices)
    sessions.start(turn.r, turn.phone, FLOW, "choose", turn.line.settings.session_timeout)
    return Outcome([Reply(turn.text("language.choose", options=options), choices=choices)])


@command("ENGLISH", "INGLES", "INGLÉS", "ESPANOL", "ESPAÑOL", "SPANISH")
def direct(turn: Turn) -> Outcome:
    return _switch(turn, DIRECT[keyword(turn.inbound.keyword)])


@session_flow(FLOW)
def step(turn: Turn, session: Session) -> Outcome | None:
    chosen = _choice(turn, turn.inbound.digits or turn.inbound.text)
    if chosen is None:
        sessions.clear(turn.r, turn.phone)
        return None  # not a language: the menu and the fallback take it from here
    return _switch(turn, chosen)


def before_consent(turn: Turn) -> Outcome | None:
    """An engine stage before consent: a pending or new number choosing a language hears the welcome in it."""
    if turn.member is not None and turn.member.status != MemberStatus.PENDING:
        return None
    language = DIRECT.get(keyword(turn.inbound.keyword))
    if language is None or turn.inbound.keyword in ("EN", "ES") or language not in offered(turn):
        return None
    if turn.member is None:
        members.create(turn.r, turn.phone, language=language, at=turn.now,
                       timezone=guess_zone(turn.phone, turn.line.settings.timezone))
    else:
        members.update(turn.r, turn.phone, language=language)
    return Outcome.say(turn.text_in(language, "welcome"))
