"""The baseline for bench/webhook.py: a bare Flask endpoint answering a constant TwiML body."""
from __future__ import annotations

from flask import Flask, Response

app = Flask(__name__)
BODY = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Hi</Message></Response>'


@app.post("/twilio/sms")
def sms() -> Response:
    return Response(BODY, mimetype="text/xml")


@app.get("/healthz")
def healthz() -> str:
    return "ok"
