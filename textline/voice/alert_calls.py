"""The call a staff member gets for a crisis alert (with `crisis.call_staff = true`): what they hear."""
from __future__ import annotations

from flask import Blueprint, Response, request
from twilio.twiml.voice_response import VoiceResponse

from textline.core import catalog, phones
from textline.models import cases, staff
from textline.voice.twiml import Spoken, VoiceConfig
from textline.web.context import current_line
from textline.web.signature import verify_signature

bp = Blueprint("alert_calls", __name__, url_prefix="/twilio/voice/crisis")
bp.before_request(verify_signature)


@bp.post("/<int:case_id>")
def alert_call(case_id: int) -> Response:
    """Read the alert twice: which case, and to text ACK to take it. No member detail is spoken."""
    line = current_line()
    called = phones.try_parse(request.form.get("To", ""), line.settings.region)
    member = staff.get(line.r, called) if called else None
    language = member.language if member else "en"
    response = VoiceResponse()
    if cases.get(line.r, case_id) is not None:
        text = catalog.render(language, "crisis_alert", voice=True, line=line.settings.name, case=case_id)
        VoiceConfig.from_settings(line.settings).say(response, Spoken(language, text), loop=2)
    response.hangup()
    return Response(str(response), mimetype="text/xml")
