"""Text request jobs: tell the peers on call that one is waiting, and the claim timeout.

Each job takes ids only and re-reads the request; every text it sends has a dedupe key. Peers who
speak the member's language hear first, then the rest; a peer offered `[peers] max_per_shift`
requests in this shift is offered no more (they may still TAKE from QUEUE).
"""
from __future__ import annotations

import logging

from textline.core import gsm, queues
from textline.core.line import Line
from textline.models import members, outbound, staff
from textline.models import requests as callbacks
from textline.models.outbound import Kind
from textline.models.requests import Callback, Status, notices, transcript
from textline.models.requests import texts as cb_texts
from textline.models.staff import Role
from workers import runtime

log = logging.getLogger(__name__)
WORDS = 40


def _waiting(line: Line, request_id: int) -> Callback | None:
    cb = callbacks.get(line.r, request_id)
    if cb is None or cb.status != Status.WAITING or not cb.is_text:
        return None
    if members.is_opted_out(line.r, cb.phone):
        callbacks.withdraw(line, cb)
        return None
    return cb


def _words(line: Line, cb: Callback) -> str:
    return transcript.first_words(line.r, cb.id, WORDS)


def notify(request_id: int) -> str:
    """A text request entered the queue (or came back to it): the peers on call hear of it once."""
    line = runtime.line()
    cb = _waiting(line, request_id)
    if cb is None or not callbacks.is_queued(line.r, cb.id):
        return "not waiting"
    sent = notices.tell_peers(line, cb, "conv_new", "new", offer=True, words=_words(line, cb))
    log.info("text request %s: %d peers notified", cb.id, sent)
    return f"notified {sent}"


def claim_timeout(request_id: int, round_: int) -> str:
    """Unclaimed too long: peers reminded once, coordinators told, the member updated honestly."""
    line = runtime.line()
    cb = _waiting(line, request_id)
    if cb is None or cb.round != round_ or not callbacks.mark_reminded(line.r, cb.id, round_):
        return "nothing to do"
    peers = notices.tell_peers(line, cb, "conv_remind", "remind", offer=False, words=_words(line, cb))
    minutes = max(1, round(line.settings.claim_timeout / 60))
    on_call = len(staff.on_call(line.r, Role.PEER))
    for coordinator in staff.with_role(line.r, Role.COORDINATOR):
        body = cb_texts.to_peer(line, cb, coordinator.phone, "conv_coord_unclaimed", minutes=minutes, peers=on_call)
        outbound.send_text(line, coordinator.phone, body, kind=Kind.ALERT, queue=queues.REPLIES,
                           dedupe=f"conv:{cb.id}:unclaimed:{round_}:{coordinator.phone}", ref=transcript.ref(cb.id))
    language = cb_texts.language_of_member(line, cb.phone)
    resource = gsm.fit(line.settings.resource(language))
    body = cb_texts.to_member(line, cb, "conv_late" if on_call else "conv_late_no_peer", resource=resource)
    member = members.get(line.r, cb.phone)
    kind = Kind.REPLY if member is not None and member.active else Kind.CRISIS
    outbound.send_text(line, cb.phone, body, kind=kind, queue=queues.REPLIES, dedupe=f"conv:{cb.id}:late:{round_}",
                       ref=transcript.ref(cb.id))
    log.info("text request %s unclaimed: %d peers reminded", cb.id, peers)
    return f"reminded {peers}"
