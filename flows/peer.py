"""The peer's side of call-backs, by SMS from any phone: QUEUE, TAKE n, RETRY n, DONE n [note], RELEASE n.

TAKE is first-come: one atomic move in Redis, so of any number of peers
racing for a request exactly one wins and the others are told who has it.
"""
from __future__ import annotations

from flows.outcome import Effect, Outcome, Reply, RunJob, SendText
from flows.registry import staff_command
from flows.turn import Turn
from textline.core import gsm, jobs, queues
from textline.models import members
from textline.models import requests as callbacks
from textline.models.outbound import Kind
from textline.models.requests import Callback, Moved, Status, When
from textline.models.requests import texts as cb_texts
from textline.models.requests import times as cb_times
from textline.models.staff import Role

PEERS = (Role.PEER,)
QUEUE_SHOWN = 10


def _say(turn: Turn, key: str, cb: Callback | int, **values: object) -> Outcome:
    if isinstance(cb, int):
        return Outcome.say(turn.line.text(_language(turn), key, id=cb, **values))
    return Outcome.say(cb_texts.to_peer(turn.line, cb, turn.phone, key, **values))


def _language(turn: Turn) -> str:
    return turn.staff.language if turn.staff else turn.language


def _target(turn: Turn) -> tuple[Callback | None, Outcome | None]:
    """The request named by the second word, or the answer explaining why there is none."""
    words = turn.inbound.words
    number = words[1].strip("#.,;:!") if len(words) > 1 else ""
    if not number.isdigit() or len(number) > 9:
        return None, Outcome.say(turn.line.text(_language(turn), "peer_usage", word=turn.inbound.command))
    cb = callbacks.get(turn.r, int(number))
    if cb is None:
        return None, _say(turn, "peer_unknown", int(number))
    return cb, None


def _refusal(turn: Turn, cb: Callback, moved: Moved) -> Outcome:
    """Why a move did not happen, in the peer's words."""
    holder = moved.holder
    if moved.found == Status.TAKEN and holder == turn.phone:
        return _say(turn, "peer_yours", cb)
    if moved.found in (Status.TAKEN, "not_yours"):
        key = "peer_take_lost" if turn.inbound.command == "TAKE" else "peer_not_yours"
        return _say(turn, key, cb, peer=cb_texts.peer_name(turn.line, holder))
    if moved.found == Status.DONE:
        return _say(turn, "peer_closed", cb)
    if moved.found == Status.WITHDRAWN:
        return _say(turn, "peer_withdrawn", cb)
    if moved.found == "later":
        values = cb_texts.day_and_time(turn.line, cb.phone, cb.due, _language(turn))
        return _say(turn, "peer_later", cb, **values)
    if moved.found == Status.WAITING:
        return _say(turn, "peer_not_taken", cb)
    return _say(turn, "peer_unknown", cb.id)


def _unreachable(turn: Turn, cb: Callback) -> Outcome | None:
    """A member who opted out is never called: the request closes."""
    if not members.is_opted_out(turn.r, cb.phone):
        return None
    callbacks.withdraw(turn.line, cb)
    return _say(turn, "peer_member_gone", cb)


def _quiet(turn: Turn, cb: Callback) -> Outcome | None:
    """Not in the member's quiet hours unless they asked for now: the request waits for the morning."""
    now = turn.line.now()
    if cb.when == When.NOW or not cb_times.in_quiet_hours(turn.line, cb.phone, now):
        return None
    until = cb_times.quiet_until(turn.line, cb.phone, now)
    if cb.status == Status.WAITING:
        callbacks.hold(turn.line, cb, until)
    return _say(turn, "peer_quiet", cb, time=cb_times.local_clock(turn.line, cb.phone, until)[1])


def _call(turn: Turn, cb: Callback, attempt: int) -> list[Effect]:
    """The line calls the peer (a job on the calls queue) and the member is told a call is coming."""
    tell = cb_texts.to_member(turn.line, cb, "cb_calling")
    return [
        RunJob(queues.CALLS, jobs.CALLBACK_CALL_PEER, (cb.id, attempt), job_id=f"cb:{cb.id}:call:{attempt}"),
        SendText(cb.phone, tell, kind=Kind.CALLBACK, dedupe=f"cb:{cb.id}:calling:{attempt}", ref=callbacks.ref(cb.id)),
    ]


@staff_command("QUEUE", roles=(Role.PEER, Role.COORDINATOR))
def show_queue(turn: Turn) -> Outcome:
    """The top waiting requests, highest priority first, as many as fit one text."""
    language, total = _language(turn), turn.r.zcard(callbacks.WAITING)
    items: list[str] = []
    for callback_id in callbacks.waiting_ids(turn.r, QUEUE_SHOWN):
        cb = callbacks.get(turn.r, callback_id)
        if cb is None:
            continue
        item = turn.line.text(language, "peer_queue_item", id=cb.id,
                              priority=cb_texts.priority_word(turn.line, cb, language),
                              name=cb_texts.member_name(turn.line, cb, language))
        if gsm.septets(turn.line.text(language, "peer_queue", count=total, items=", ".join([*items, item]))) > 160:
            break
        items.append(item)
    if not items:
        return Outcome.say(turn.line.text(language, "peer_queue_empty"))
    return Outcome.say(turn.line.text(language, "peer_queue", count=total, items=", ".join(items)))


@staff_command("TAKE", roles=PEERS)
def take(turn: Turn) -> Outcome:
    cb, refusal = _target(turn)
    if cb is None:
        return refusal or Outcome()
    refusal = _unreachable(turn, cb) or (_quiet(turn, cb) if cb.status == Status.WAITING else None)
    if refusal:
        return refusal
    moved = callbacks.take(turn.line, cb, turn.phone)
    if not moved.ok:
        return _refusal(turn, cb, moved)
    reply = cb_texts.to_peer(turn.line, cb, turn.phone, "peer_take_won")
    return Outcome([Reply(reply)], _call(turn, cb, int(moved.value)))


@staff_command("RETRY", roles=PEERS)
def retry(turn: Turn) -> Outcome:
    cb, refusal = _target(turn)
    if cb is None:
        return refusal or Outcome()
    refusal = _unreachable(turn, cb) or (_quiet(turn, cb) if cb.taken_by == turn.phone else None)
    if refusal:
        return refusal
    moved = callbacks.retry(turn.line, cb, turn.phone)
    if not moved.ok:
        return _refusal(turn, cb, moved)
    return Outcome([Reply(cb_texts.to_peer(turn.line, cb, turn.phone, "peer_retry"))],
                   _call(turn, cb, int(moved.value)))


@staff_command("DONE", roles=PEERS)
def done(turn: Turn) -> Outcome:
    """Close the request; the note after the number stays with it, for coordinators only."""
    cb, refusal = _target(turn)
    if cb is None:
        return refusal or Outcome()
    parts = (turn.inbound.text or "").strip().split(None, 2)
    moved = callbacks.done(turn.line, cb, turn.phone, parts[2] if len(parts) > 2 else "")
    return _say(turn, "peer_done", cb) if moved.ok else _refusal(turn, cb, moved)


@staff_command("RELEASE", roles=PEERS)
def release(turn: Turn) -> Outcome:
    """Give it back: it returns to its place in the queue and the other peers on call hear of it."""
    cb, refusal = _target(turn)
    if cb is None:
        return refusal or Outcome()
    moved = callbacks.release(turn.line, cb, turn.phone)
    if not moved.ok:
        return _refusal(turn, cb, moved)
    notify = RunJob(queues.REPLIES, jobs.CALLBACK_NOTIFY, (cb.id,), job_id=f"cb:{cb.id}:notify:{moved.value}")
    return Outcome([Reply(cb_texts.to_peer(turn.line, cb, turn.phone, "peer_released"))], [notify])
