"""textline's app with `/twilio/sms` cut short after one step, for `bench/webhook.py --steps`.

`TL_BENCH_STEP` names how far each request goes before a constant TwiML answer:

- `signature`: the blueprint's signature check only (and werkzeug parsing the form for it);
- `load`: + the sender parsed and the turn's state loaded (the dedupe claim, the records: one Redis command);
- `engine`: + the engine deciding and the TwiML written (the flows' own Redis work), not the answer kept.

Run under gunicorn like the real app; the differences between steps show where a request's time goes.
Not for a real line: a request cut short here claims its sid and never answers it.
"""
from __future__ import annotations

import os

from flask import Response, request

from flows import engine, flood
from flows.inbound import Channel, Inbound
from flows.turn import load
from textline import create_app
from textline.core import phones
from textline.web import twiml
from textline.web.context import current_line

STEP = os.environ.get("TL_BENCH_STEP", "signature")
CONSTANT = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Hi</Message></Response>'

app = create_app()


def cut_short() -> Response:
    if STEP == "signature":
        return Response(CONSTANT, mimetype="text/xml")
    form, line = request.form, current_line()
    phone = phones.try_parse(form["From"], line.settings.region)
    assert phone is not None
    inbound = Inbound(Channel.SMS, phone, form.get("Body", ""), line.now(), sid=form["MessageSid"])
    state = load(line, inbound, claim=inbound.sid, flood_rate=flood.counted_rate(line, inbound))
    if STEP == "load":
        return Response(CONSTANT, mimetype="text/xml")
    return Response(twiml.sms(engine.handle(line, inbound, state)), mimetype="text/xml")


app.view_functions["twilio.sms"] = cut_short
