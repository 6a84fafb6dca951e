"""SMS TwiML written as text is byte for byte what `twilio.twiml` builds through its XML tree."""
from __future__ import annotations

import pytest
from twilio.twiml.messaging_response import MessagingResponse

from flows.outcome import Outcome, Reply
from textline.web import twiml

TEXTS = ["Reply 1 Check in", "a < b & c > d", "quotes \" and ' stay", "tab\tand\nnewline", "ñ é ü", "]]>", ""]


def tree(texts: list[str]) -> str:
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return str(response)


@pytest.mark.parametrize("texts", [[], [TEXTS[0]], TEXTS, TEXTS[1:3]])
def test_the_same_bytes_as_the_twilio_library(texts: list[str]) -> None:
    assert twiml.sms(Outcome([Reply(t) for t in texts])) == tree(texts)


def test_no_outcome_is_an_empty_response() -> None:
    assert twiml.sms(None) == twiml.EMPTY == tree([])
