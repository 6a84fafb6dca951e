"""The line's call to the peer who took a request: what a call that never reached them tells the peer.

The call itself is placed by `workers/callbacks.py` and bridged by `textline/voice/bridge.py`; both
tell the peer through `text_peer`. `peer_call_status` is a status hook (textline.models.hooks): a
call to the peer that ended unanswered, busy, failed or skipped, whether Twilio reported it to the
web process or the worker met it itself, texts the peer so the request is not left hanging.
"""
from __future__ import annotations

from textline.core import queues
from textline.core.line import Line
from textline.models import outbound
from textline.models.outbound import Kind, Message
from textline.models.requests import texts
from textline.models.requests.store import Callback, Status, get, ref, ref_id

#: Call (and dial) outcomes that did not reach the person called.
MISSED = frozenset({"no-answer", "busy", "failed", "canceled"})


def text_peer(line: Line, cb: Callback, key: str, dedupe: str) -> None:
    """A catalog text about `cb` to the peer who took it, once per `dedupe`."""
    body = texts.to_peer(line, cb, cb.taken_by, key)
    outbound.send_text(line, cb.taken_by, body, kind=Kind.ALERT, queue=queues.REPLIES, dedupe=dedupe,
                       ref=ref(cb.id))


def peer_call_status(line: Line, message: Message, state: str, error: str) -> None:
    """The line's call to the peer was not answered (busy, no answer, failed): the peer is texted."""
    callback_id = ref_id(message.ref)
    if message.channel != "call" or callback_id is None or state not in MISSED:
        return
    cb = get(line.r, callback_id)
    if cb is not None and cb.status == Status.TAKEN and cb.taken_by == message.to:
        text_peer(line, cb, "peer_missed_you", f"cb:{cb.id}:peer-missed:{message.id}")
