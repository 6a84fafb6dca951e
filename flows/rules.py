"""RULES: the agreement of each group the member is in; and the agreement sent once on joining a group."""
from __future__ import annotations

from flows.outcome import Outcome
from flows.registry import command
from flows.turn import Turn
from textline.core.line import Line
from textline.models import agreements


@command("RULES", "REGLAS")
def rules(turn: Turn) -> Outcome | None:
    if turn.member is None:
        return None
    groups = agreements.groups_of(turn.r, turn.phone)
    if not groups:
        return Outcome.say(turn.text("rules.no_group"))
    shown = [turn.text("rules.show", group=g, rules=text) for g in groups
             if (text := agreements.get_rules(turn.r, g))]
    return Outcome.say(*shown) if shown else Outcome.say(turn.text("rules.none"))


def join_followup(line: Line, phone: str, group: str, language: str) -> str | None:
    """For the groups feature's JOIN: the group's agreement, the first time this member joins it; else None."""
    text = agreements.get_rules(line.r, group)
    if not text or not agreements.first_time(line.r, phone, group):
        return None
    return line.text(language, "rules.show", group=group.upper(), rules=text)
