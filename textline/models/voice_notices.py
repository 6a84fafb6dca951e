"""Texts a member gets as a short call instead: when the number cannot take SMS, or because they chose so.

A check-in prompt or reminder goes out as a call that reads it and takes the keypad answer
(/twilio/voice/notice/<msg_id>, textline.voice.ivr) when the member chose calls (`VOICE ON`, or
`textline members set --contact call`), and as a fallback when Twilio reports error 30006 for the
text (a landline, or a carrier that cannot deliver): that number then gets calls from the start.
Senders of prompts and reminders call `send()` rather than `outbound.send_text()`.

Keys (owned here): `tl:member:{phone}:contact` hash (by = call | text, why = chosen | landline, at).
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import redis

from textline.core import jobs, queues
from textline.core.line import Line
from textline.models import members, outbound
from textline.models.outbound import Kind, Message, Status

#: What a call may carry in place of a text.
BY_CALL = frozenset({Kind.PROMPT, Kind.REMINDER})
#: Twilio's status callback error: landline or unreachable carrier.
LANDLINE = "30006"


class Contact(StrEnum):
    TEXT = "text"
    CALL = "call"


def _key(phone: str) -> str:
    return members.sub_key(phone, "contact")


def notice_path(msg_id: str) -> str:
    return f"/twilio/voice/notice/{msg_id}"


def contact(r: redis.Redis, phone: str) -> Contact:
    return Contact(r.hget(_key(phone), "by") or Contact.TEXT)


def set_contact(r: redis.Redis, phone: str, by: Contact, *, why: str, at: datetime) -> None:
    r.hset(_key(phone), mapping={"by": str(by), "why": why, "at": at.isoformat()})


def send(line: Line, to: str, body: str, *, kind: Kind, queue: str = queues.BROADCAST, dedupe: str | None = None,
         ref: str = "", by_call: bool = False) -> str | None:
    """A prompt or reminder: texted, or read by a call (`by_call`, or a member who gets calls). The id, or None."""
    if kind not in BY_CALL or not (by_call or contact(line.r, to) == Contact.CALL):
        return outbound.send_text(line, to, body, kind=kind, queue=queue, dedupe=dedupe, ref=ref)
    msg_id = outbound.create(line, to, body, kind=kind, queue=queue, dedupe=dedupe, ref=ref)
    if msg_id:
        outbound.mark(line, msg_id, Status.SKIPPED, error="by_call")  # the call below carries it
        call(line, msg_id)
    return msg_id


def call(line: Line, msg_id: str) -> str | None:
    """Place the call that reads record `msg_id`; once per record, however often asked."""
    message = outbound.get(line.r, msg_id)
    if message is None:
        return None
    return outbound.place_call(line, message.to, notice_path(msg_id), kind=message.kind, queue=queues.CALLS,
                               dedupe=f"notice:{msg_id}", ref=f"notice:{msg_id}")


def on_status(line: Line, message: Message, state: str, error: str) -> None:
    """A prompt or reminder the carrier could not deliver as SMS (30006): a worker calls instead."""
    if error == LANDLINE and message.channel == "sms" and message.kind in BY_CALL:
        queues.enqueue(line, queues.CALLS, jobs.VOICE_FALLBACK, message.id, job_id=f"voicefb:{message.id}")


def member_view(r: redis.Redis, phone: str) -> str:
    """`members show`: how prompts and reminders reach the member (call or text)."""
    return str(contact(r, phone))
