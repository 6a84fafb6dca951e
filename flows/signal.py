"""The discreet signal: `SIGNAL <word>` sets a private code word; texting it later escalates quietly.

`signal_stage` runs first in the risk stage (before the assessment, so a
word the crisis detector also knows still gets the quiet answer): the
member's word, alone, records a signal event and opens a case "by signal"
at once, its ladder started, while the member gets an ordinary-looking
reply (their next meeting when the groups feature answers NEXT, else
"Thanks, noted."). An opted-out member is escalated and hears nothing, as
usual for an opted-out number.
"""
from __future__ import annotations

from flows import compliance, crisis_ladder, registry
from flows.groups import next_meeting_text
from flows.outcome import Outcome, Reply
from flows.plan import EDIT_WORDS, NO_WORDS, SKIP_WORDS, YES_WORDS
from flows.registry import command, session_flow
from flows.remind import CALL_WORDS, REMOVE_WORDS, TEXT_WORDS
from flows.turn import Turn
from textline.models import cases, members, sessions, signals
from textline.models.sessions import Session

FLOW = "signal"
OFF_WORDS = frozenset({"OFF", "NONE", "QUITAR", "BORRAR", "REMOVE", "DELETE"})
#: Answers some flow gives meaning to: never a signal.
FLOW_WORDS = YES_WORDS | NO_WORDS | SKIP_WORDS | EDIT_WORDS | OFF_WORDS | TEXT_WORDS | CALL_WORDS | REMOVE_WORDS


def taken(word: str) -> bool:
    """A word the line already gives a meaning to: carrier keywords, commands, flow answers."""
    return (word in compliance.RESERVED or word in FLOW_WORDS or registry.find_command(word) is not None
            or registry.find_staff_command(word) is not None)


@command("SIGNAL", "SENAL", "SEÑAL")
def signal_command(turn: Turn) -> Outcome | None:
    if turn.member is None:
        return None
    rest = turn.inbound.rest
    if not rest:
        on = signals.is_set(turn.r, turn.phone)
        return Outcome.say(turn.text("signal.status_on" if on else "signal.status_off"))
    if signals.normalise(rest) in OFF_WORDS:
        signals.clear(turn.r, turn.phone)
        return Outcome.say(turn.text("signal.removed"))
    try:
        word = signals.check(rest, taken)
    except signals.Refused as refused:
        return Outcome.say(turn.text(refused.key))
    sessions.start(turn.r, turn.phone, FLOW, "confirm", turn.line.settings.session_timeout, {"word": word})
    return Outcome.say(turn.text("signal.confirm"))  # never the word itself: a phone's screen may be seen


@session_flow(FLOW)
def confirm(turn: Turn, session: Session) -> Outcome:
    word = turn.inbound.keyword
    if word in YES_WORDS and session.data.get("word"):
        signals.set_word(turn.r, turn.phone, str(session.data["word"]), turn.now)
        sessions.clear(turn.r, turn.phone)
        return Outcome.say(turn.text("signal.set"))
    if word in NO_WORDS:
        sessions.clear(turn.r, turn.phone)
        return Outcome.say(turn.text("signal.kept"))
    return Outcome.say(turn.text("signal.confirm"))


def signal_stage(turn: Turn) -> Outcome | None:
    """Called first by the risk stage: the member's signal word opens a crisis case quietly, at once.

    The case opens here, in the webhook, like a crisis text's, and its ladder starts (or the signal
    joins the member's open case, whose ladder already runs).
    """
    if turn.member is None or len(turn.inbound.words) != 1:
        return None
    if not signals.matches(turn.r, turn.phone, turn.inbound.text):
        return None
    event_id = signals.record_event(turn.r, turn.phone, turn.now)
    case, new = cases.open_by_signal(turn.line, turn.phone, event_id, turn.member.language)
    effects = crisis_ladder.start(turn, case) if new else []
    if members.is_opted_out(turn.r, turn.phone):
        return Outcome(effects=effects)
    return Outcome(ordinary_replies(turn), effects)


def ordinary_replies(turn: Turn) -> list[Reply]:
    """What an everyday text gets: the member's next meeting, else a neutral acknowledgement."""
    return [Reply(next_meeting_text(turn) or turn.text("signal.ack"))]
