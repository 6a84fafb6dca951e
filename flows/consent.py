"""First contact: a welcome that asks for consent; nothing else goes out before YES."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flows.outcome import Outcome
from flows.turn import Turn
from textline.core.one_trip import OneTrip
from textline.core.phones import guess_zone
from textline.models import members
from textline.models.members import MemberStatus


@dataclass(frozen=True)
class AfterConsent:
    """What a feature does once a member says YES: `take` queues its reads (say, a JOIN code kept from
    first contact) with the activation, all in one round trip; `then` answers from what was read."""

    take: Callable[[OneTrip, str], Callable[[Iterator[Any]], Any]]
    then: Callable[[Turn, Any], Outcome | None]


#: Run after a member says YES, in order; each may add replies (e.g. joining a group named by a first JOIN).
AFTER_CONSENT: list[AfterConsent] = []


def handle(turn: Turn) -> Outcome | None:
    member = turn.member
    if member is not None and member.status == MemberStatus.ACTIVE:
        return None
    r, phone, now = turn.r, turn.phone, turn.now
    if member is None:  # the record is written in the turn's last round trip (nothing after reads it)
        members.create_queued(turn.writes_later(), phone, language=turn.language, at=now,
                              timezone=guess_zone(phone, turn.line.settings.timezone))
        _remember_join(turn)
        return Outcome.say(turn.text("welcome"))
    if turn.inbound.keyword == "YES":
        trip = OneTrip(r)
        activated = members.activate_queued(trip, phone, now)
        readers = [(hook, hook.take(trip, phone)) for hook in AFTER_CONSENT]
        results = iter(trip.execute())
        activated(results)
        taken = [(hook, read(results)) for hook, read in readers]
        outcome = Outcome.say(turn.text("joined"))
        for hook, value in taken:
            outcome = outcome.then(hook.then(turn, value) or Outcome())
        return outcome
    _remember_join(turn)
    return Outcome.say(turn.text("consent_again"))


def _remember_join(turn: Turn) -> None:
    """A first text of `JOIN <code>` is kept so the group can be joined after YES."""
    if turn.inbound.command == "JOIN" and turn.inbound.rest:  # after the record, when it waits too
        members.update(turn.writes_later(), turn.phone, join_code=turn.inbound.rest.split()[0].upper()[:20])
