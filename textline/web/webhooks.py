"""Twilio's webhooks. Each reads as its pipeline: verify, deduplicate, parse, decide, answer, enqueue."""
from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, request

from flows import engine, flood
from flows.inbound import Channel, Inbound
from flows.turn import load
from textline.core import phones
from textline.core.one_trip import OneTrip
from textline.models import hooks, inbound_log, members, metrics, outbound
from textline.web import effects, twiml
from textline.web.context import current_line, plain
from textline.web.signature import verify_signature

log = logging.getLogger(__name__)
bp = Blueprint("twilio", __name__, url_prefix="/twilio")
bp.before_request(verify_signature)
MAX_BODY = 1600
#: Twilio's sids are two letters and 32 hex digits; anything else is refused (never logged or stored).
SID = re.compile(r"[A-Za-z0-9]{2,64}")


def xml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


@bp.post("/sms")
def sms() -> Response:
    """Two round trips for an ordinary text (a first contact too): the turn's state with the dedupe claim,
    then the turn's writes that could wait (a first contact's record) with the answer kept and the counts.
    The flows' other writes, a session or a check-in, come between."""
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    sender = form.get("From", "")
    if not SID.fullmatch(sid) or not sender:
        return plain("missing or bad MessageSid or From", 400)
    line = current_line()
    phone = phones.try_parse(sender, line.settings.region)
    if phone is None:
        log.info("sms %s ignored: From is not a valid number", sid)
        return xml(twiml.EMPTY)
    inbound = Inbound(Channel.SMS, phone, form.get("Body", "")[:MAX_BODY], line.now(), sid=sid,
                      opt_out_type=form.get("OptOutType", "")[:16])
    state = load(line, inbound, claim=sid, flood_rate=flood.counted_rate(line, inbound))
    if state.repeat is not None:
        flood.give_back_count(line, inbound, state.flood_allowed)  # a retry is not another text
        if not state.repeat:  # the first delivery is still being handled, or died: not acknowledged yet
            log.info("sms %s is a duplicate of one in flight: asked to retry", sid)
            return _retry_later()
        log.info("sms %s is a duplicate: answered again, not acted on", sid)
        return xml(state.repeat)
    try:
        writes = OneTrip(line.r)  # the turn's writes that could wait, then the answer kept: one round trip
        outcome = engine.handle(line, inbound, state, later=writes)
        if outcome.effects and len(writes):  # records a job may read are written before any job is queued
            writes.execute()
            writes = OneTrip(line.r)
        effects.apply(line, outcome.effects, origin=f"in:{sid}")
        answer = twiml.sms(outcome)
        inbound_log.remember(writes, sid, answer, about=(phone,))
        metrics.count_inbound(writes, Channel.SMS)
        writes.execute()
    except Exception:
        _release(sid)
        raise
    if log.isEnabledFor(logging.DEBUG):  # every text: DEBUG (the metrics count them; INFO costs 7% of a turn)
        log.debug("sms %s from %s: %d replies, %d effects", sid, phones.mask(phone), len(outcome.replies),
                 len(outcome.effects))
    return xml(answer)


def _retry_later() -> Response:
    response = plain("this message is being handled, try again", 503)
    response.headers["Retry-After"] = "2"
    return response


def _release(sid: str) -> None:
    try:
        inbound_log.release(current_line().r, sid)
    except Exception:  # Redis is down: the claim's TTL is the fallback
        log.warning("sms %s: could not release the claim", sid)


@bp.post("/status")
def status() -> Response:
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid") or form.get("CallSid") or ""
    state = (form.get("MessageStatus") or form.get("SmsStatus") or form.get("CallStatus") or "").lower()
    error = form.get("ErrorCode", "")[:8]
    bad_error = bool(error) and not (error.isascii() and error.isdigit())
    if not SID.fullmatch(sid) or state not in outbound.KNOWN_DELIVERY or bad_error:
        return plain("missing or bad sid, status or ErrorCode", 400)
    line = current_line()
    msg_id = outbound.by_sid(line.r, sid)
    if msg_id is None:
        return plain("", 200)
    outbound.record_delivery(line, msg_id, state, error)
    message = outbound.get(line.r, msg_id)
    if message is not None:
        if error == "21610":
            members.opt_out(line.r, message.to, line.now())
        hooks.status(line, message, state, error)
    return plain("", 200)
