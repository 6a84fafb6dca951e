"""First contact: a welcome that asks for consent; nothing else goes out before YES."""
from __future__ import annotations

from collections.abc import Callable

from flows.outcome import Outcome
from flows.turn import Turn
from textline.core.phones import guess_zone
from textline.models import members
from textline.models.members import MemberStatus

#: Called after a member says YES; each may add replies (e.g. joining a group named by a first JOIN <code>).
AFTER_CONSENT: list[Callable[[Turn], Outcome | None]] = []


def handle(turn: Turn) -> Outcome | None:
    member = turn.member
    if member is not None and member.status == MemberStatus.ACTIVE:
        return None
    r, phone, now = turn.r, turn.phone, turn.now
    if member is None:
        members.create(r, phone, language=turn.language, timezone=guess_zone(phone, turn.line.settings.timezone),
                       at=now)
        _remember_join(turn)
        return Outcome.say(turn.text("welcome"))
    if turn.inbound.keyword == "YES":
        members.activate(r, phone, now)
        outcome = Outcome.say(turn.text("joined"))
        for hook in AFTER_CONSENT:
            outcome = outcome.then(hook(turn) or Outcome())
        return outcome
    _remember_join(turn)
    return Outcome.say(turn.text("consent_again"))


def _remember_join(turn: Turn) -> None:
    """A first text of `JOIN <code>` is kept so the group can be joined after YES."""
    if turn.inbound.command == "JOIN" and turn.inbound.rest:
        members.update(turn.r, turn.phone, join_code=turn.inbound.rest.split()[0].upper()[:20])
