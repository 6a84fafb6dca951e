"""Call-back jobs: notify peers on call, a held request coming due, the claim timeout, the bridge call.

Each job takes ids only and re-reads the request, so a late, repeated or
stale job does nothing harmful; every text it sends has a dedupe key.
"""
from __future__ import annotations

import logging

from textline.core import jobs, phones, queues, timers
from textline.core.line import Line
from textline.models import members, outbound, staff
from textline.models import requests as callbacks
from textline.models.outbound import Kind
from textline.models.requests import Callback, Status, notices
from textline.models.requests import texts as cb_texts
from textline.models.requests import times as cb_times
from textline.models.staff import Role
from workers import runtime

log = logging.getLogger(__name__)


def _waiting(line: Line, callback_id: int) -> Callback | None:
    """The request if it is still waiting in the queue; a member who opted out withdraws it."""
    cb = callbacks.get(line.r, callback_id)
    if cb is None or cb.status != Status.WAITING:
        return None
    if members.is_opted_out(line.r, cb.phone):
        callbacks.withdraw(line, cb)
        log.info("call-back %s withdrawn: the member opted out", callback_id)
        return None
    return cb


def notify(callback_id: int) -> str:
    """A request entered the queue: every peer on call gets one short text."""
    line = runtime.line()
    cb = _waiting(line, callback_id)
    if cb is None or not callbacks.is_queued(line.r, cb.id):
        return "not waiting"
    sent = notices.tell_peers(line, cb, "peer_new", "new", offer=True)
    log.info("call-back %s: %d peers notified", cb.id, sent)
    return f"notified {sent}"


def due(callback_id: int) -> str:
    """A request held for the member's chosen time comes due (after their quiet hours if it falls in them)."""
    line = runtime.line()
    cb = _waiting(line, callback_id)
    if cb is None:
        return "not waiting"
    now = line.now()
    if cb_times.in_quiet_hours(line, cb.phone, now):
        until = cb_times.quiet_until(line, cb.phone, now)
        timers.schedule(line.r, f"callback:{cb.id}:due", until, queues.REPLIES, jobs.CALLBACK_DUE, cb.id)
        return "quiet hours"
    if not callbacks.make_due(line, cb).ok:
        return "already due"
    fresh = callbacks.get(line.r, cb.id)
    sent = notices.tell_peers(line, fresh or cb, "peer_new", "new", offer=True)
    return f"due, notified {sent}"


def claim_timeout(callback_id: int, round_: int) -> str:
    """Unclaimed too long: peers reminded once, coordinators told, the member updated honestly."""
    line = runtime.line()
    cb = _waiting(line, callback_id)
    if cb is None or cb.round != round_ or not callbacks.mark_reminded(line.r, cb.id, round_):
        return "nothing to do"
    peers = notices.tell_peers(line, cb, "peer_remind", "remind", offer=False)
    minutes = max(1, round(line.settings.claim_timeout / 60))
    on_call = len(staff.on_call(line.r, Role.PEER))
    for coordinator in staff.with_role(line.r, Role.COORDINATOR):
        body = cb_texts.to_peer(line, cb, coordinator.phone, "coord_unclaimed", minutes=minutes,
                                      peers=on_call)
        outbound.send_text(line, coordinator.phone, body, kind=Kind.ALERT, queue=queues.REPLIES,
                           dedupe=f"cb:{cb.id}:unclaimed:{round_}:{coordinator.phone}", ref=callbacks.ref(cb.id))
    body = cb_texts.to_member(line, cb, "cb_late" if on_call else "cb_late_no_peer")
    outbound.send_text(line, cb.phone, body, kind=Kind.CALLBACK, queue=queues.REPLIES,
                       dedupe=f"cb:{cb.id}:late:{round_}", ref=callbacks.ref(cb.id))
    log.info("call-back %s unclaimed: %d peers reminded", cb.id, peers)
    return f"reminded {peers}"


def call_peer(callback_id: int, attempt: int) -> str:
    """Place the line's call to the peer who took the request; its TwiML is the bridge."""
    line = runtime.line()
    cb = callbacks.get(line.r, callback_id)
    if cb is None or cb.status != Status.TAKEN or cb.attempt != attempt:
        return "stale"
    if members.is_opted_out(line.r, cb.phone):
        callbacks.withdraw(line, cb)
        outbound.send_text(line, cb.taken_by, cb_texts.to_peer(line, cb, cb.taken_by, "peer_member_gone"),
                           kind=Kind.ALERT, queue=queues.REPLIES, dedupe=f"cb:{cb.id}:gone", ref=callbacks.ref(cb.id))
        return "member opted out"
    msg_id = outbound.place_call(line, cb.taken_by, callbacks.bridge_path(cb.id, attempt), kind=Kind.ALERT,
                                 queue=queues.CALLS, dedupe=f"cb:{cb.id}:call:{attempt}", ref=callbacks.ref(cb.id))
    log.info("call-back %s: calling the peer at %s (attempt %d)", cb.id, phones.mask(cb.taken_by), attempt)
    return f"call {msg_id}" if msg_id else "already placed"
