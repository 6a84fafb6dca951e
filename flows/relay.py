"""The peer's side of a text conversation: what a peer texts reaches the member from the line's number.

Runs after the staff commands: TAKE, DONE, RELEASE, QUEUE ... are commands, and anything else a
peer holding a text conversation writes is relayed to that member (`@<n> text` names one when they
hold more than one). ESCALATE <n> [note] opens a crisis case for the member of request n, as a
crisis message would (flows/crisis.py's own opening, with the ladder). SMS only: never voice.
"""
from __future__ import annotations

import re

from flows import crisis, crisis_staff, registry
from flows.conversations import member_kind, relay_body
from flows.crisis_detect import Detection
from flows.inbound import Channel, Inbound
from flows.outcome import Outcome, Reply, SendText
from flows.registry import staff_command
from flows.turn import Turn
from textline.models import cases, members, staff_load
from textline.models import requests as callbacks
from textline.models.requests import Callback, Status, transcript
from textline.models.requests import texts as cb_texts
from textline.models.staff import Role

_AT = re.compile(r"^\s*@\s*(\d{1,9})\b[\s:,.-]*(.*)$", re.DOTALL)
ESCALATED = "escalated"


def max_per_peer(turn: Turn) -> int:
    try:
        return max(1, int(turn.line.settings.section("conversations").get("max_per_peer", 1)))
    except (TypeError, ValueError):
        return 1


def _say(turn: Turn, key: str, **values: object) -> Outcome:
    language = turn.staff.language if turn.staff else turn.language
    return Outcome.say(turn.line.text(language, key, **values))


def peer_relay_stage(turn: Turn) -> Outcome | None:
    """A peer's text that is not a staff command, to the member of the conversation they hold."""
    if turn.staff is None or turn.staff.role != Role.PEER or turn.inbound.channel != Channel.SMS:
        return None
    text = turn.inbound.text or ""
    held = callbacks.held_by(turn.r, turn.phone)
    addressed = _AT.match(text)
    if addressed:
        request_id, text = int(addressed.group(1)), addressed.group(2)
        if request_id not in held:
            return _say(turn, "conv_not_held", id=request_id)
    else:
        mistyped = _mistyped_command(turn)
        if mistyped is not None or not held:
            return mistyped
        if len(held) > 1:
            return _say(turn, "conv_which", ids=", ".join(map(str, held)), id=held[0])
        request_id = held[0]
    cb = callbacks.get(turn.r, request_id)
    if cb is None or cb.status != Status.TAKEN or cb.taken_by != turn.phone or not text.strip():
        return _say(turn, "conv_not_held", id=request_id)
    return to_member(turn, cb, text)


def _mistyped_command(turn: Turn) -> Outcome | None:
    """`TAEK 14`, `DOEN 14`: a staff command with a typo and its number is the command, not words to relay."""
    words = turn.inbound.words
    fixed = registry.correct_staff_command(turn.inbound.command)
    if not fixed or len(words) < 2 or not words[1].strip("#").isdigit():
        return None
    found = registry.find_staff_command(fixed)
    if found is None or turn.staff is None or turn.staff.role not in found.roles:
        return None
    rest = turn.inbound.rest
    corrected = Turn(turn.line, Inbound(turn.inbound.channel, turn.phone, f"{fixed} {rest}", turn.inbound.at,
                                        turn.inbound.sid), turn.member, turn.staff)
    return found.handler(corrected)


def to_member(turn: Turn, cb: Callback, text: str) -> Outcome:
    """The peer's words to the member, from the line's number, at most two segments (the peer is told
    when cut)."""
    body, cut = relay_body("", text)
    transcript.add(turn.line, cb.id, transcript.PEER, body, peer=cb_texts.peer_name(turn.line, turn.phone))
    mark = turn.inbound.sid or turn.now.isoformat()
    send = SendText(cb.phone, body, kind=member_kind(members.get(turn.r, cb.phone)),
                    dedupe=f"conv:{cb.id}:p:{mark}", ref=transcript.ref(cb.id))
    replies = [Reply(cb_texts.to_peer(turn.line, cb, turn.phone, "conv_cut"))] if cut else []
    return Outcome(replies, [send])


@staff_command("ESCALATE", roles=(Role.PEER,))
def escalate(turn: Turn) -> Outcome:
    """Open a crisis case for the member of request n (as a crisis message would), with the peer's note."""
    words = turn.inbound.words
    number = words[1].strip("#.,;:!") if len(words) > 1 else ""
    if not number.isdigit() or len(number) > 9:
        return _say(turn, "conv_escalate_usage")
    cb = callbacks.get(turn.r, int(number))
    if cb is None:
        return _say(turn, "peer_unknown", id=int(number))
    parts = (turn.inbound.text or "").strip().split(None, 2)
    note = parts[2] if len(parts) > 2 else ""
    member = members.get(turn.r, cb.phone)
    language = member.language if member else "en"
    as_member = Turn(turn.line, Inbound(Channel.SMS, cb.phone, note or ESCALATED, turn.now, turn.inbound.sid),
                     member, None)
    opened = crisis.escalate(as_member, Detection(ESCALATED, language, "peer"))
    mine = cases.for_member(turn.r, cb.phone)
    case = max(mine, key=lambda c: c.id) if mine else None
    if case is not None:
        who = cb_texts.peer_name(turn.line, turn.phone)
        cases.add_event(turn.line, case.id, ESCALATED, f"escalated by peer {who} from request {cb.id}")
    reply = cb_texts.to_peer(turn.line, cb, turn.phone, "conv_escalated", case=case.id if case else "?")
    effects = list(opened.effects)
    if case is not None:  # the peer carried this one: counted, a rest, one kind word
        staff_load.count_crisis(turn.line, turn.phone)
        effects += crisis_staff.kind_word(turn.line, turn.phone, case.id)
    return Outcome([Reply(reply)], effects)
