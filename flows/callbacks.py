"""The member's side of call-backs: CALL (or menu 3) asks, NOCALL withdraws, and when suits them.

After CALL the member may answer 1 (now), 2 (this evening) or 3 (tomorrow),
or write it: `CALL TOMORROW`, `evening`, `manana` ...
"""
from __future__ import annotations

from flows.inbound import Channel, normalise_keyword
from flows.outcome import Outcome, Reply, RunJob, SendText
from flows.registry import command, session_flow
from flows.turn import Turn
from textline.core import jobs, queues
from textline.models import requests as callbacks
from textline.models import sessions
from textline.models.outbound import Kind
from textline.models.requests import Callback, Status, When
from textline.models.requests import texts as cb_texts
from textline.models.requests import times as cb_times
from textline.models.sessions import Session

SESSION = "callback"
#: The 1/2/3 answers stay meaningful for a short while only: after that the digits are the menu's again.
SESSION_TTL = 600.0
#: The member leg's outcomes that mean the member was not reached.
MISSED = frozenset({"no-answer", "busy", "failed", "canceled"})

WHEN_WORDS: dict[str, When] = {
    **dict.fromkeys(("1", "NOW", "AHORA", "YA"), When.NOW),
    **dict.fromkeys(("2", "EVENING", "THIS EVENING", "TONIGHT", "LATER", "TARDE", "ESTA TARDE", "NOCHE",
                     "ESTA NOCHE", "MAS TARDE", "MÁS TARDE"), When.EVENING),
    **dict.fromkeys(("3", "TOMORROW", "MANANA", "MAÑANA"), When.TOMORROW),
}


def notify_effect(cb: Callback) -> RunJob:
    """Tell the peers on call, once per round in the queue."""
    return RunJob(queues.REPLIES, jobs.CALLBACK_NOTIFY, (cb.id,), job_id=f"cb:{cb.id}:notify:{cb.round}")


def queued_reply(turn: Turn, cb: Callback, *, again: bool = False) -> str:
    """Where the request stands, with an honest wait estimate from peers on call and the queue ahead."""
    if cb.due > turn.line.now():  # scheduled: said as scheduled, with its day and time
        values = cb_texts.day_and_time(turn.line, cb.phone, cb.due, turn.language)
        return turn.text("cb_scheduled" if again else "cb_queued_later", **values)
    estimate = cb_times.estimate(turn.line, callbacks.ahead_of(turn.r, cb.id), callbacks.taken_count(turn.r))
    if estimate.peers == 0:
        return turn.text("cb_waiting_no_peer" if again else "cb_queued_no_peer")
    wait = cb_times.wait_words(turn.line, turn.language, estimate.minutes)
    return turn.text("cb_waiting" if again else "cb_queued", wait=wait)


def _ask_when(turn: Turn, cb: Callback) -> None:
    ttl = min(SESSION_TTL, turn.line.settings.session_timeout)
    sessions.start(turn.r, turn.phone, SESSION, "when", ttl, {"id": cb.id})


@command("CALL", "3")
def ask(turn: Turn) -> Outcome:
    """Queue a request (one open request per member) and say how long it may take."""
    said = WHEN_WORDS.get(normalise_keyword(turn.inbound.rest)) if turn.inbound.command == "CALL" else None
    reason = "voice" if turn.inbound.channel == Channel.VOICE else "asked"
    existing = callbacks.open_request_id(turn.line, turn.phone)
    if existing is None:
        created = callbacks.create(turn.line, turn.phone, reason=reason, when=said or When.NOW)
        if created is not None:
            cb = callbacks.get(turn.r, created)
            assert cb is not None
            _ask_when(turn, cb)
            effects = [notify_effect(cb)] if cb.due <= turn.line.now() else []
            return Outcome([Reply(queued_reply(turn, cb))], effects)
        existing = callbacks.open_request_id(turn.line, turn.phone)
    cb = callbacks.get(turn.r, existing or 0)
    if cb is None:  # withdrawn in the same instant
        return Outcome.say(turn.text("cb_none"))
    if said is not None and cb.status == Status.WAITING:
        return _reschedule(turn, cb, said)
    return _already(turn, cb)


def _already(turn: Turn, cb: Callback) -> Outcome:
    if cb.status == Status.TAKEN:
        if cb.last_dial in MISSED:
            body = cb_texts.to_peer(turn.line, cb, cb.taken_by, "peer_member_ready")
            tell = SendText(cb.taken_by, body, kind=Kind.ALERT, dedupe=f"cb:{cb.id}:ready:{cb.attempt}",
                            ref=callbacks.ref(cb.id))
            return Outcome([Reply(turn.text("cb_ready"))], [tell])
        return Outcome.say(turn.text("cb_taken"))
    _ask_when(turn, cb)
    return Outcome.say(queued_reply(turn, cb, again=True))


def _reschedule(turn: Turn, cb: Callback, when: When) -> Outcome:
    moved = callbacks.reschedule(turn.line, cb, when)
    fresh = callbacks.get(turn.r, cb.id)
    if not moved.ok or fresh is None:
        sessions.clear(turn.r, turn.phone)
        return _already(turn, fresh) if fresh and fresh.status == Status.TAKEN else Outcome.say(turn.text("cb_none"))
    _ask_when(turn, fresh)
    effects = [notify_effect(fresh)] if fresh.due <= turn.line.now() else []
    return Outcome([Reply(queued_reply(turn, fresh))], effects)


@session_flow(SESSION)
def when_answer(turn: Turn, session: Session) -> Outcome | None:
    """1 now, 2 this evening, 3 tomorrow; anything else goes on to the commands."""
    when = WHEN_WORDS.get(turn.inbound.keyword)
    if when is None:
        return None
    cb = callbacks.get(turn.r, session.data.get("id", 0))
    if cb is None or cb.status != Status.WAITING:
        sessions.clear(turn.r, turn.phone)
        return _already(turn, cb) if cb is not None and cb.status == Status.TAKEN else None
    return _reschedule(turn, cb, when)


@command("NOCALL")
def withdraw(turn: Turn) -> Outcome:
    """Withdraw the open request; a peer who had taken it is told no call is needed."""
    session = sessions.get(turn.r, turn.phone)
    if session is not None and session.flow == SESSION:
        sessions.clear(turn.r, turn.phone)
    cb = callbacks.get(turn.r, callbacks.open_request_id(turn.line, turn.phone) or 0)
    if cb is None:
        return Outcome.say(turn.text("cb_none"))
    moved = callbacks.withdraw(turn.line, cb)
    if not moved.ok:
        return Outcome.say(turn.text("cb_none"))
    effects = []
    if moved.holder:
        body = cb_texts.to_peer(turn.line, cb, moved.holder, "peer_withdrawn")
        effects.append(SendText(moved.holder, body, kind=Kind.ALERT, dedupe=f"cb:{cb.id}:withdrawn",
                                ref=callbacks.ref(cb.id)))
    return Outcome([Reply(turn.text("cb_withdrawn"))], effects)
