"""The masked bridge: the line calls the peer, the peer presses 1, the line dials the member.

Both legs show only the line's number. Steps, under
`/twilio/voice/bridge/<id>/<attempt>/`: `answer` (the peer picked up: who it
is, press 1), `connect` (the key: `<Dial callerId=line>` to the member, not
recorded), `nokey` (no key: the peer is texted), `dialed` (the `<Dial
action>`: DialCallStatus is recorded; a missed member gets a text). Only the
current attempt of a taken request bridges, so a stale call (released,
retried) never reaches the member. Signed like every /twilio/* request; a
repeated CallSid gets the same answer and acts once.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Response, abort, request
from twilio.twiml.voice_response import Gather, VoiceResponse

from textline.core import catalog, phones, queues
from textline.core.line import Line
from textline.models import inbound_log, members, outbound
from textline.models import requests as callbacks
from textline.models.outbound import Kind
from textline.models.requests import Status
from textline.models.requests import texts as cb_texts
from textline.models.requests.calls import MISSED, text_peer
from textline.voice.twiml import Spoken, VoiceConfig
from textline.web.context import current_line, current_settings
from textline.web.signature import verify_signature

log = logging.getLogger(__name__)
bp = Blueprint("bridge", __name__, url_prefix="/twilio/voice/bridge")
bp.before_request(verify_signature)


def _xml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


class Leg:
    """One bridge request: the line, the call-back, and the peer the line called."""

    def __init__(self, line: Line, callback_id: int, attempt: int) -> None:
        self.line = line
        self.cb = callbacks.get(line.r, callback_id)
        self.callback_id = callback_id
        self.attempt = attempt
        self.peer = self.cb.taken_by if self.cb else ""
        self.language = cb_texts.language_of_staff(line, self.peer)

    @property
    def open(self) -> bool:
        """This attempt is the current one of a taken request, and the member may still be called."""
        cb = self.cb
        if cb is None or cb.status != Status.TAKEN or cb.attempt != self.attempt:
            return False
        called = phones.try_parse(request.form.get("To", ""), self.line.settings.region)
        if called is not None and called != cb.taken_by:
            return False
        return not members.is_opted_out(self.line.r, cb.phone)

    def url(self, step: str) -> str:
        return (current_settings().public_url or "") + callbacks.bridge_path(self.callback_id, self.attempt, step)

    def say(self, response: VoiceResponse | Gather, key: str, loop: int = 1, **values: object) -> None:
        values.setdefault("line", self.line.settings.name)
        text = catalog.render(self.language, key, voice=True, id=self.callback_id, **values)
        VoiceConfig.from_settings(self.line.settings).say(response, Spoken(self.language, text), loop=loop)

    def ask_for_one(self) -> str:
        response = VoiceResponse()
        assert self.cb is not None
        gather = response.gather(num_digits=1, action=self.url("connect"), method="POST", timeout=8)
        self.say(gather, "bridge_intro", loop=2, peer=cb_texts.peer_name(self.line, self.peer),
                 name=cb_texts.member_name(self.line, self.cb, self.language))
        response.redirect(self.url("nokey"), method="POST")
        return str(response)

    def goodbye(self, key: str, **values: object) -> str:
        response = VoiceResponse()
        self.say(response, key, **values)
        response.hangup()
        return str(response)


def _once(line: Line, step: str, act: Callable[[], None], render: Callable[[], str]) -> Response:
    """Act on the first delivery of (CallSid, step) only; a repeat gets the answer the first one got."""
    sid = request.form.get("CallSid", "")
    if len(sid) > 64:
        abort(400)
    if not sid:  # Twilio always sends one; without it there is nothing to deduplicate by
        act()
        return _xml(render())
    claim = f"{sid}:{step}"
    if not inbound_log.claim(line.r, claim):
        return _xml(inbound_log.answered(line.r, claim) or render())
    try:
        act()
        answer = render()
        inbound_log.remember(line.r, claim, answer)
    except Exception:
        inbound_log.release(line.r, claim)
        raise
    return _xml(answer)


@bp.post("/<int:callback_id>/<int:attempt>/answer")
def answer(callback_id: int, attempt: int) -> Response:
    """The peer picked up. (A request that already carries `Digits` is taken as the key press.)"""
    if "Digits" in request.form:
        return connect(callback_id, attempt)
    leg = Leg(current_line(), callback_id, attempt)
    return _once(leg.line, "answer", lambda: None,
                 lambda: leg.ask_for_one() if leg.open else leg.goodbye("bridge_gone"))


@bp.post("/<int:callback_id>/<int:attempt>/connect")
def connect(callback_id: int, attempt: int) -> Response:
    leg = Leg(current_line(), callback_id, attempt)
    digits = request.form.get("Digits", "")[:8]

    def act() -> None:
        if digits == "1" and leg.open:
            leg.line.r.hset(callbacks.key(callback_id), mapping={"connected_at": leg.line.now().isoformat()})
            log.info("call-back %s: the peer pressed 1, dialling the member", callback_id)

    def render() -> str:
        if not leg.open:
            return leg.goodbye("bridge_gone")
        if digits != "1":
            return leg.ask_for_one()
        assert leg.cb is not None
        response = VoiceResponse()
        leg.say(response, "bridge_connecting")
        dial = response.dial(caller_id=leg.line.settings.number, action=leg.url("dialed"), method="POST", timeout=25)
        dial.number(leg.cb.phone)
        return str(response)

    return _once(leg.line, f"connect:{digits}", act, render)


@bp.post("/<int:callback_id>/<int:attempt>/nokey")
def nokey(callback_id: int, attempt: int) -> Response:
    leg = Leg(current_line(), callback_id, attempt)
    sid = request.form.get("CallSid", "")[:64]

    def act() -> None:
        if leg.open and leg.cb is not None:
            text_peer(leg.line, leg.cb, "peer_missed_you", f"cb:{callback_id}:nokey:{sid}")

    return _once(leg.line, "nokey", act, lambda: leg.goodbye("bridge_no_key"))


@bp.post("/<int:callback_id>/<int:attempt>/dialed")
def dialed(callback_id: int, attempt: int) -> Response:
    """The member leg ended: record how, and if the member was not reached, text them and the peer."""
    leg = Leg(current_line(), callback_id, attempt)
    outcome = request.form.get("DialCallStatus", "").lower()[:16]
    sid = request.form.get("CallSid", "")[:64]

    def act() -> None:
        cb = leg.cb
        if cb is None or cb.status != Status.TAKEN or cb.attempt != attempt:
            return
        callbacks.record_dial(leg.line, cb, outcome)
        log.info("call-back %s: member leg %s", callback_id, outcome or "unknown")
        if outcome in MISSED:
            body = cb_texts.to_member(leg.line, cb, "cb_missed")
            outbound.send_text(leg.line, cb.phone, body, kind=Kind.CALLBACK, queue=queues.REPLIES,
                               dedupe=f"cb:{callback_id}:missed:{sid}", ref=callbacks.ref(callback_id))
            text_peer(leg.line, cb, "peer_member_missed", f"cb:{callback_id}:member-missed:{sid}")

    def render() -> str:
        if outcome in MISSED and leg.cb is not None:
            return leg.goodbye("bridge_missed", name=cb_texts.member_name(leg.line, leg.cb, leg.language))
        return leg.goodbye("bridge_ended")

    return _once(leg.line, "dialed", act, render)

