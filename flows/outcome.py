"""What a flow decides: replies to give now and effects to cause later, as plain data.

Flows never call Twilio or RQ; the entry layer renders replies (SMS TwiML or
voice TwiML) and turns effects into jobs.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from textline.core.queues import REPLIES, JobArg
from textline.models.outbound import Kind


@dataclass(frozen=True)
class Reply:
    """One message now. `choices` are (key, label) pairs a voice renderer reads as 'press 1 for ...'."""

    text: str
    choices: tuple[tuple[str, str], ...] = ()
    voice: str = ""


@dataclass(frozen=True)
class SendText:
    """A text to send later through a worker (to another number, or after the reply)."""

    to: str
    text: str
    kind: Kind = Kind.REPLY
    queue: str = REPLIES
    dedupe: str | None = None
    ref: str = ""


@dataclass(frozen=True)
class RunJob:
    """A job to enqueue: ids only in `args`."""

    queue: str
    func: str
    args: tuple[JobArg, ...] = ()
    job_id: str | None = None


Effect = SendText | RunJob


@dataclass
class Outcome:
    """A stage's answer. The engine stops at the first one, unless it says `go_on`."""

    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    #: Set by voice-aware flows: a number list to dial at once (crisis on the phone).
    dial: tuple[str, ...] = ()
    #: The stages after this one may answer too, after this answer (the crisis stage, for a member
    #: mid-flow); when none does, this answer stands alone, without the fallback.
    go_on: bool = False
    #: A crisis was escalated (a case opened or joined): on the phone, with nobody to dial, the caller
    #: goes to the handover line (textline/voice/ivr.py).
    crisis: bool = False

    @classmethod
    def say(cls, *texts: str) -> Outcome:
        return cls(replies=[Reply(t) for t in texts])

    def then(self, other: Outcome) -> Outcome:
        return Outcome(self.replies + other.replies, self.effects + other.effects, self.dial or other.dial,
                       crisis=self.crisis or other.crisis)
