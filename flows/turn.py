"""One turn of a conversation: the line, what came in, and who sent it, as read once at its start.

`load` reads everything an ordinary turn needs in one Redis command (a `OneTrip`: the models queue their
reads as on a pipeline, Redis runs them as one script): the dedupe claim of the webhook's sid, the
sender's member record and opt-out, their staff record and on-call state, their session, their open text
request, and one count of their flood limiter. The engine builds the `Turn` from that `TurnState`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import redis

from flows.inbound import Channel, Inbound
from textline.core import phones
from textline.core.line import Line
from textline.core.one_trip import OneTrip
from textline.models import inbound_log, inbound_rate, members, requests, sessions, staff
from textline.models.members import Member
from textline.models.requests import store as request_store
from textline.models.sessions import Session
from textline.models.staff import StaffMember


@dataclass(frozen=True)
class TurnState:
    """What a turn starts from, read in one round trip."""

    member: Member | None
    opted_out: bool
    staff: StaffMember | None
    session: Session | None
    #: The flood limiter's count of this text (None: not counted, see `load`).
    flood_allowed: bool | None = None
    #: For a webhook's delivery seen before: the answer to give again ('' while the first is in flight);
    #: None when this delivery is the first, to act on.
    repeat: str | None = None
    #: The id in the member's open-text-request pointer ('' when none; flows.conversations checks it).
    open_text: str = ""


def load(line: Line, inbound: Inbound, *, claim: str = "", flood_rate: int = 0) -> TurnState:
    """Read the turn's state in one round trip: claim `claim` (a webhook's sid) first when given, and
    count the text on the sender's flood limiter when `flood_rate` > 0."""
    pipe = OneTrip(line.r)
    claimed = inbound_log.claim_queued(pipe, claim) if claim else None
    member = members.fetch(pipe, inbound.phone)
    person = staff.fetch(pipe, inbound.phone)
    session = sessions.fetch(pipe, inbound.phone)
    pipe.get(request_store.open_key(inbound.phone, requests.Kind.TEXT))
    flood = inbound_rate.count_queued(pipe, inbound.phone, flood_rate, inbound.at.timestamp()) if flood_rate else None
    results = iter(pipe.execute())
    repeat = claimed(results) if claimed else None
    record, opted_out = member(results)
    person_, session_, open_text = person(results), session(results), next(results)
    return TurnState(record, opted_out, person_, session_, flood(results) if flood else None, repeat,
                     open_text or "")


@dataclass
class Turn:
    line: Line
    inbound: Inbound
    member: Member | None
    staff: StaffMember | None
    #: The state the turn was built from; `loaded` is dropped (read afresh) once a stage has acted.
    loaded: TurnState | None = None
    #: The flood count made while loading, used once by the flood stage.
    flood_allowed: bool | None = None
    #: Writes that may wait for the end of the turn (a first contact's record): they run in the turn's
    #: last round trip, with the webhook's own (the answer kept), after every stage has answered. Only
    #: for what no later stage of the same turn reads back.
    later: OneTrip | None = None

    @classmethod
    def from_state(cls, line: Line, inbound: Inbound, state: TurnState, later: OneTrip | None = None) -> Turn:
        return cls(line, inbound, state.member, state.staff, state, state.flood_allowed, later)

    def writes_later(self) -> OneTrip | redis.Redis:
        """Where to put a write that can wait for the end of the turn (see `later`): the engine's trip for
        it (a copy of the turn shares it), or Redis itself, written now, for a turn built elsewhere."""
        return self.later if self.later is not None else self.r

    @property
    def opted_out(self) -> bool:
        if self.loaded is not None:
            return self.loaded.opted_out
        return members.is_opted_out(self.r, self.phone)

    def session(self) -> Session | None:
        """The sender's session: as loaded, unless a stage has acted since (then read now)."""
        if self.loaded is not None:
            return self.loaded.session
        return sessions.get(self.r, self.phone)

    def open_text_id(self) -> str:
        """The id the member's open-text-request pointer holds ('' for none): as loaded, unless a stage
        has acted since. The request itself may have closed since: check its status."""
        if self.loaded is not None:
            return self.loaded.open_text
        return self.r.get(request_store.open_key(self.phone, requests.Kind.TEXT)) or ""

    def acted(self) -> None:
        """A stage answered and may have changed the records: what was loaded is read afresh from now on."""
        self.loaded = None

    @property
    def r(self) -> redis.Redis:
        return self.line.r

    @property
    def phone(self) -> str:
        return self.inbound.phone

    @property
    def now(self) -> datetime:
        return self.inbound.at

    @cached_property
    def language(self) -> str:
        """The member's, a staff member's, or the one their number suggests (worked out once a turn)."""
        if self.member:
            return self.member.language
        if self.staff:
            return self.staff.language
        return phones.default_language(self.phone, self.line.settings.languages)

    @property
    def discreet(self) -> bool:
        return bool(self.member and self.member.discreet)

    @property
    def voice(self) -> bool:
        """A phone call: replies take the catalog's `.voice` wording where there is one."""
        return self.inbound.channel == Channel.VOICE

    def text(self, key: str, **values: Any) -> str:
        """A catalog entry in this sender's language."""
        return self.line.text(self.language, key, voice=self.voice, **values)

    def text_in(self, language: str, key: str, **values: Any) -> str:
        """A catalog entry in `language` (one just chosen), worded for this turn's channel."""
        return self.line.text(language, key, voice=self.voice, **values)
