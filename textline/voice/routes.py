"""The voice line's webhooks: `POST /twilio/voice` and its steps under `/twilio/voice/`.

Each reads as its pipeline: verify the signature, answer a repeated request again without acting
again (CallSid + step + turn + what was pressed), let textline.voice.ivr decide through the flows engine,
render TwiML (textline.voice.twiml), remember the answer. Only fast Redis work happens here.

    POST /twilio/voice                        an incoming call
    POST /twilio/voice/gather?at=..&t=N       a keypress or a spoken answer at turn N
    POST /twilio/voice/crisis-dial?t=N        the crisis <Dial> ended (DialCallStatus)
    POST /twilio/voice/crisis-accept?call=CA  what a dialled crisis staff member hears; 1 takes the call
    POST /twilio/voice/handover-end?t=N       the handover <Dial> to `[crisis] handover_number` ended
    POST /twilio/voice/notice/<msg_id>        a call placed to read a text to a number that cannot take one
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable

from flask import Blueprint, Response, request
from flask.blueprints import BlueprintSetupState

from textline.core import phones
from textline.models import inbound_log, metrics, staff
from textline.voice import calls, guard, ivr, twiml
from textline.voice.ivr import Ask, At, Call, End, Handover, Next, Ring
from textline.voice.twiml import VoiceConfig, speak
from textline.web.context import current_line, plain
from textline.web.signature import verify_signature

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__, url_prefix="/twilio/voice")
bp.before_request(verify_signature)
MAX_SPEECH = 500
#: What may be logged of a `StirVerstat` value (TN-Validation-Passed-A ...): letters, digits, dashes.
VERSTAT = re.compile(r"[^A-Za-z0-9-]")


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    """Check the `[voice]` settings when the app starts."""
    VoiceConfig.from_settings(state.app.extensions["textline"])


def xml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def _call() -> Call | None:
    """The call this request belongs to; None when CallSid is missing or malformed.

    An incoming call whose STIR/SHAKEN attestation failed (`StirVerstat`) is a caller without a
    number, from that request to the end of the call.
    """
    form = request.form
    sid = form.get("CallSid", "")
    if not sid or len(sid) > 64:
        return None
    line = current_line()
    outbound_leg = form.get("Direction", "").startswith("outbound")
    party = phones.try_parse(form.get("To" if outbound_leg else "From", ""), line.settings.region)
    turn = request.args.get("t", "0")
    unverified = False
    if not outbound_leg:
        if guard.unverified(form.get("StirVerstat", "")):
            calls.mark_unverified(line.r, sid)
        unverified = party is not None and calls.is_unverified(line.r, sid)
    return Call(line, sid, None if unverified else party, int(turn) if turn.isdigit() else 0, line.now(),
                unverified=unverified)


def _answer(call: Call, step: str, decide: Callable[[], Next]) -> Response:
    """Decide once per (CallSid, step); a repeated request gets the same TwiML and changes nothing."""
    r = call.line.r
    key = f"{call.sid}:{step}"
    if not inbound_log.claim(r, key):
        stored = inbound_log.answered(r, key)
        log.info("voice %s %s repeated: answered again, not acted on", call.sid, step.split(":")[0])
        return xml(stored or twiml.hold(request.full_path))
    try:
        answer = render(call, decide())
        inbound_log.remember(r, key, answer, about=(call.phone,))
    except Exception:
        inbound_log.release(r, key)
        raise
    if step == "start":  # a call counts once, when it starts (not each step, nor a repeated request)
        metrics.count_inbound(r, "voice")
    return xml(answer)


def render(call: Call, decided: Next) -> str:
    config = VoiceConfig.from_settings(call.line.settings)
    if isinstance(decided, Ask):
        calls.save_prompt(call.line.r, call.phone, call.sid, decided.prompt)
        return twiml.ask(decided.prompt, config, speak(decided.prompt.language, decided.bye))
    if isinstance(decided, Ring):
        log.info("voice %s from %s: ringing %d crisis staff", call.sid, phones.mask(call.phone), len(decided.numbers))
        return twiml.dial(decided.lead, decided.numbers, caller_id=call.line.settings.number,
                                action=f"/twilio/voice/crisis-dial?t={call.turn + 1}",
                                whisper=f"/twilio/voice/crisis-accept?call={call.sid}", config=config)
    if isinstance(decided, Handover):
        log.info("voice %s from %s: handed over to the crisis line", call.sid, phones.mask(call.phone))
        return twiml.dial(decided.lead, (decided.number,), caller_id=call.line.settings.number,
                          action=f"/twilio/voice/handover-end?t={call.turn + 1}", whisper=None, config=config,
                          timeout=twiml.HANDOVER_TIMEOUT)
    assert isinstance(decided, End)
    return twiml.end(decided.words, config)


@bp.post("")
def incoming() -> Response:
    call = _call()
    if call is None:
        return plain("missing or bad CallSid", 400)
    verstat = VERSTAT.sub("", request.form.get("StirVerstat", ""))[:40] or "none"
    log.info("voice %s from %s: call started (StirVerstat %s%s)", call.sid, phones.mask(call.phone), verstat,
             ", treated as a hidden number" if call.unverified else "")
    return _answer(call, "start", lambda: ivr.start(call))


@bp.post("/gather")
def gather() -> Response:
    call = _call()
    at = request.args.get("at", "")
    if call is None or at not in set(At):
        return plain("missing or bad CallSid or step", 400)
    digits = request.form.get("Digits", "").strip()[:4]
    speech = request.form.get("SpeechResult", "")[:MAX_SPEECH]
    heard = hashlib.sha256(speech.encode()).hexdigest()[:12] if speech else ""
    extra = {k: v for k, v in request.args.items() if k not in ("at", "t")}
    return _answer(call, f"gather:{call.turn}:{digits}:{heard}",
                   lambda: ivr.answer(call, At(at), digits, speech, extra))


@bp.post("/crisis-dial")
def crisis_dial() -> Response:
    call = _call()
    if call is None:
        return plain("missing or bad CallSid", 400)
    status = request.form.get("DialCallStatus", "")[:16]
    taken = calls.taken_by(call.line.r, call.sid)
    log.info("voice %s crisis dial ended: %s, %s", call.sid, status or "unknown", "taken" if taken else "not taken")
    return _answer(call, f"dial:{call.turn}", lambda: ivr.after_dial(call, taken, status))


@bp.post("/handover-end")
def handover_end() -> Response:
    call = _call()
    if call is None:
        return plain("missing or bad CallSid", 400)
    status = request.form.get("DialCallStatus", "")[:16]
    log.info("voice %s handover ended: %s", call.sid, status or "unknown")
    return _answer(call, f"handover:{call.turn}", lambda: ivr.after_handover(call, status))


@bp.post("/crisis-accept")
def crisis_accept() -> Response:
    """The dialled staff leg: press 1 to take the call (a voicemail never does, so it is never bridged)."""
    leg = request.form.get("CallSid", "")
    parent = request.args.get("call", "")
    if not leg or not parent or len(leg) > 64 or len(parent) > 64:
        return plain("missing or bad CallSid", 400)
    line = current_line()
    person = staff.get(line.r, phones.try_parse(request.form.get("To", ""), line.settings.region) or "")
    config = VoiceConfig.from_settings(line.settings)
    if "Digits" not in request.form:
        language = person.language if person else "en"
        words = (speak(language, "ivr.staff_whisper", line=line.settings.name),)
        return xml(twiml.whisper(words, f"/twilio/voice/crisis-accept?call={parent}", config))
    if request.form["Digits"].strip() == "1" and person is not None:
        if calls.take(line.r, parent, person.phone) or calls.taken_by(line.r, parent) == person.phone:
            log.info("voice %s crisis dial taken by staff %s", parent, phones.mask(person.phone))
            return xml(twiml.BRIDGE)
    return xml(twiml.hangup())


@bp.post("/notice/<int:msg_id>")
def notice(msg_id: int) -> Response:
    call = _call()
    if call is None:
        return plain("missing or bad CallSid", 400)
    return _answer(call, "notice", lambda: ivr.notice(call, str(msg_id)))
