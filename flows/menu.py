"""The main menu (each item's feature declares its own words: checkin, groups, callbacks, language)."""
from __future__ import annotations

from flows.outcome import Outcome, Reply
from flows.registry import command
from flows.turn import Turn

ITEMS = (("1", "menu_checkin"), ("2", "menu_next"), ("3", "menu_call"), ("4", "menu_language"))


def menu_reply(turn: Turn) -> Reply:
    choices = tuple((digit, turn.text(label)) for digit, label in ITEMS)
    return Reply(turn.text("menu"), choices=choices)


@command("MENU", "MENÚ")
def show_menu(turn: Turn) -> Outcome:
    return Outcome([menu_reply(turn)])


def fallback(turn: Turn) -> Outcome:
    """Anything not understood: a short, kind pointer to the menu, never a dead end."""
    return Outcome.say(turn.text("unknown"))
