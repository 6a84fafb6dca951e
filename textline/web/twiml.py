"""Replies rendered as SMS TwiML: `<Message>` elements written as text, the same bytes `twilio.twiml`
builds through its XML tree (tests/web/test_twiml_sms.py holds them to it), at a fraction of the cost."""
from __future__ import annotations

from xml.sax.saxutils import escape

from twilio.twiml.messaging_response import MessagingResponse

from flows.outcome import Outcome, Reply

EMPTY = str(MessagingResponse())
_HEAD = '<?xml version="1.0" encoding="UTF-8"?><Response>'


def sms(outcome: Outcome | None) -> str:
    if not outcome or not outcome.replies:
        return EMPTY
    return _HEAD + "".join(map(_message, outcome.replies)) + "</Response>"


def _message(reply: Reply) -> str:
    return f"<Message>{escape(reply.text)}</Message>" if reply.text else "<Message />"
