"""Call-back test helpers: peers on call, and the line's bridge call as Twilio would drive it."""
from __future__ import annotations

import uuid
from xml.etree import ElementTree

from tests.support.harness import LINE_NUMBER, Harness, Person
from tests.support.twilio_double import TEST_ACCOUNT_SID


def add_peer(line: Harness, name: str, phone: str, *, on_call: bool = True, role: str = "peer",
             lang: str = "en") -> Person:
    """Register staff through the CLI and, for peers, go on call by texting ON."""
    result = line.cli("staff", "add", name, phone, "--role", role, "--lang", lang)
    assert result.exit_code == 0, result.output
    person = line.member(phone)
    if on_call:
        assert person.texts("ON")
    return person


def named_member(line: Harness, phone: str, name: str = "") -> Person:
    """A member who has joined (and chosen a name, as a member feature would store it)."""
    person = line.member(phone).joins()
    if name:
        line.r.hset(f"tl:member:{phone}", "name", name)
    return person


class BridgeCall:
    """The line's call to a peer, as Twilio fetches its TwiML: one CallSid, signed requests."""

    def __init__(self, line: Harness, url: str, peer: str) -> None:
        self.line = line
        self.path = url.split("://", 1)[1].split("/", 1)[1]
        self.path = "/" + self.path
        self.base = self.path.rsplit("/", 1)[0]
        self.peer = peer
        self.sid = "CA" + uuid.uuid4().hex

    def params(self, **extra: str) -> dict[str, str]:
        return {"CallSid": self.sid, "AccountSid": TEST_ACCOUNT_SID, "From": LINE_NUMBER, "To": self.peer,
                "CallStatus": "in-progress", "Direction": "outbound-api", "ApiVersion": "2010-04-01", **extra}

    def post(self, step: str, **extra: str) -> ElementTree.Element:
        response = self.line.post(f"{self.base}/{step}", self.params(**extra))
        assert response.status_code == 200, response.data
        return ElementTree.fromstring(response.data)

    def answer(self) -> ElementTree.Element:
        return self.post("answer")

    def press(self, digits: str) -> ElementTree.Element:
        return self.post("connect", Digits=digits)

    def dialed(self, status: str) -> ElementTree.Element:
        return self.post("dialed", DialCallStatus=status, DialCallSid="CA" + uuid.uuid4().hex)


def spoken(twiml: ElementTree.Element) -> str:
    return " ".join("".join(say.itertext()) for say in twiml.iter("Say"))
