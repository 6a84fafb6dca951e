"""The peer's side of call-backs, by SMS from any phone: QUEUE, TAKE n, RETRY n, DONE n [note], RELEASE n.

TAKE is first-come: one atomic move in Redis, so of any number of peers
racing for a request exactly one wins and the others are told who has it.
"""
from __future__ import annotations

from datetime import datetime

from flows import relay
from flows.conversations import member_kind, relay_body
from flows.outcome import Effect, Outcome, Reply, RunJob, SendText
from flows.registry import staff_command
from flows.turn import Turn
from textline.core import gsm, jobs, queues
from textline.models import members, metrics
from textline.models import requests as callbacks
from textline.models.outbound import Kind
from textline.models.requests import Callback, Moved, Status, When, transcript
from textline.models.requests import texts as cb_texts
from textline.models.requests import times as cb_times
from textline.models.staff import Role

PEERS = (Role.PEER,)
QUEUE_SHOWN = 10
#: Lines of a text conversation a peer gets when they take it (all of them up to this many, the newest).
HISTORY = 6


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
    return _say(turn, "peer_quiet", cb, time=cb_times.local_clock(turn.line, cb.phone, until, _language(turn))[1])


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
        item = turn.line.text(language, "peer_queue_item", id=cb.id, kind=turn.line.text(language, f"kind_{cb.kind}"),
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
    if cb.is_text:
        return _take_text(turn, cb)
    refusal = _unreachable(turn, cb) or (_quiet(turn, cb) if cb.status == Status.WAITING else None)
    if refusal:
        return refusal
    moved = callbacks.take(turn.line, cb, turn.phone)
    if not moved.ok:
        return _refusal(turn, cb, moved)
    _observe_claim(turn, cb)
    reply = cb_texts.to_peer(turn.line, cb, turn.phone, "peer_take_won")
    return Outcome([Reply(reply)], _call(turn, cb, int(moved.value)))


def _since(turn: Turn, iso: str) -> float:
    return max(0.0, (turn.line.now() - datetime.fromisoformat(iso)).total_seconds()) if iso else 0.0


def _observe_claim(turn: Turn, cb: Callback) -> None:
    metrics.observe_request_claim(turn.r, str(cb.kind), _since(turn, cb.created_at))


def _observe_end(turn: Turn, cb: Callback) -> None:
    metrics.observe_request_end(turn.r, str(cb.kind), _since(turn, cb.taken_at))


def _take_text(turn: Turn, cb: Callback) -> Outcome:
    """A text request: the peer gets the conversation so far; the member hears a peer is reading."""
    refusal = _unreachable(turn, cb)
    if refusal:
        return refusal
    limit = relay.max_per_peer(turn)
    moved = callbacks.take(turn.line, cb, turn.phone, limit)
    if moved.found == "full":
        return _say(turn, "conv_full", cb, count=limit)
    if not moved.ok:
        return _refusal(turn, cb, moved)
    _observe_claim(turn, cb)
    won = "conv_take_won_many" if limit > 1 else "conv_take_won"
    # The words so far go as texts with the conversation's ref (erased with the member), not in the answer.
    effects: list[Effect] = [
        SendText(turn.phone, text, kind=Kind.ALERT, dedupe=f"conv:{cb.id}:history:{moved.value}:{i}",
                 ref=transcript.ref(cb.id)) for i, text in enumerate(history(turn, cb))]
    tell = cb_texts.to_member(turn.line, cb, "conv_taken")
    effects.append(SendText(cb.phone, tell, kind=member_kind(members.get(turn.r, cb.phone)),
                            dedupe=f"conv:{cb.id}:taken:{moved.value}", ref=transcript.ref(cb.id)))
    return Outcome([Reply(cb_texts.to_peer(turn.line, cb, turn.phone, won))], effects)


def history(turn: Turn, cb: Callback) -> list[str]:
    """The last lines of the conversation, as the peer sees relayed texts: `[14 Sam] ...`, `[14 Ana, peer] ...`."""
    language = cb_texts.language_of_staff(turn.line, turn.phone)
    name = cb_texts.member_name(turn.line, cb, language)
    out: list[str] = []
    for said in transcript.lines(turn.r, cb.id, HISTORY):
        who = name if said.who == transcript.MEMBER else f"{said.peer}, peer"
        out.append(relay_body(f"[{cb.id} {who}] ", said.text)[0])
    return out


@staff_command("RETRY", roles=PEERS)
def retry(turn: Turn) -> Outcome:
    cb, refusal = _target(turn)
    if cb is None:
        return refusal or Outcome()
    if cb.is_text:  # nothing to call again: the conversation is by text
        return _say(turn, "conv_no_retry", cb)
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
    if not moved.ok:
        return _refusal(turn, cb, moved)
    _observe_end(turn, cb)
    if not cb.is_text:
        return _say(turn, "peer_done", cb)
    tell = SendText(cb.phone, cb_texts.to_member(turn.line, cb, "conv_ended"), kind=member_kind(members.get(
        turn.r, cb.phone)), dedupe=f"conv:{cb.id}:ended", ref=transcript.ref(cb.id))
    return Outcome([Reply(cb_texts.to_peer(turn.line, cb, turn.phone, "conv_done"))], [tell])


@staff_command("RELEASE", roles=PEERS)
def release(turn: Turn) -> Outcome:
    """Give it back: it returns to its place in the queue and the other peers on call hear of it."""
    cb, refusal = _target(turn)
    if cb is None:
        return refusal or Outcome()
    moved = callbacks.release(turn.line, cb, turn.phone)
    if not moved.ok:
        return _refusal(turn, cb, moved)
    _observe_end(turn, cb)
    job = jobs.TEXT_NOTIFY if cb.is_text else jobs.CALLBACK_NOTIFY
    notify = RunJob(queues.REPLIES, job, (cb.id,), job_id=f"cb:{cb.id}:notify:{moved.value}")
    # The member was told a peer has them (or will call in a moment): no longer true, so they hear it.
    key, ref = ("conv_released", transcript.ref(cb.id)) if cb.is_text else ("cb_released", callbacks.ref(cb.id))
    tell = SendText(cb.phone, cb_texts.to_member(turn.line, cb, key), kind=member_kind(members.get(turn.r, cb.phone))
                    if cb.is_text else Kind.CALLBACK, dedupe=f"cb:{cb.id}:released:{moved.value}", ref=ref)
    answer = "conv_released_peer" if cb.is_text else "peer_released"
    return Outcome([Reply(cb_texts.to_peer(turn.line, cb, turn.phone, answer))], [notify, tell])
