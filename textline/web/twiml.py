"""Replies rendered as SMS TwiML, built with `twilio.twiml` only."""
from __future__ import annotations

from twilio.twiml.messaging_response import MessagingResponse

from flows.outcome import Outcome


def sms(outcome: Outcome | None) -> str:
    response = MessagingResponse()
    for reply in outcome.replies if outcome else ():
        response.message(reply.text)
    return str(response)


EMPTY = str(MessagingResponse())
