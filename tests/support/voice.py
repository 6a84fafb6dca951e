"""Calls to the voice line as Twilio makes them: signed requests, a caller pressing keys, every TwiML checked.

    call = Caller(line, M1).dial()     # POST /twilio/voice
    assert "Press 1 for a check-in." in call.heard
    call.press("1")                    # POST to the <Gather action> with Digits=1
    call.speak("a good day")           # ... with SpeechResult
    call.silence()                     # nothing pressed: what the rest of the document says

`check_twiml` accepts only what Twilio accepts here: <Response> holding <Say>, <Gather> (holding <Say>
or <Pause>), <Dial> (holding <Number>), <Redirect>, <Hangup>, <Pause>; nothing after <Hangup> or
<Redirect>; actions under /twilio/voice/; numbers in E.164.
"""
from __future__ import annotations

import re
import uuid
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

from tests.support.harness import LINE_NUMBER, Harness
from tests.support.twilio_double import TEST_ACCOUNT_SID

CHILDREN = {
    "Response": {"Say", "Gather", "Dial", "Redirect", "Hangup", "Pause"},
    "Gather": {"Say", "Pause"},
    "Dial": {"Number"},
    "Say": set(), "Number": set(), "Redirect": set(), "Hangup": set(), "Pause": set(),
}
ATTRIBUTES = {
    "Response": set(),
    "Gather": {"input", "numDigits", "timeout", "action", "method", "language", "speechTimeout"},
    "Say": {"language", "voice"},
    "Dial": {"callerId", "timeout", "action", "method", "answerOnBridge"},
    "Number": {"url", "method"},
    "Redirect": {"method"},
    "Pause": {"length"},
    "Hangup": set(),
}
SAY_LANGUAGES = {"en-US", "es-MX", "es-US", "en-GB"}
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
ENDS_CALL = {"Hangup", "Redirect"}


def _check_node(node: Element) -> None:
    assert node.tag in CHILDREN, f"<{node.tag}> is not a verb this line may use"
    assert set(node.attrib) <= ATTRIBUTES[node.tag], f"<{node.tag}> {sorted(set(node.attrib) - ATTRIBUTES[node.tag])}"
    for child in node:
        assert child.tag in CHILDREN[node.tag], f"<{child.tag}> may not nest in <{node.tag}>"
        _check_node(child)
    text = (node.text or "").strip()
    if node.tag in ("Say", "Number", "Redirect"):
        assert text, f"empty <{node.tag}>"
    if node.tag == "Say":
        assert node.get("language") in SAY_LANGUAGES and "<" not in text
    if node.tag == "Gather":
        assert node.get("input") in ("dtmf", "speech", "dtmf speech")
        assert node.get("numDigits", "1").isdigit() and node.get("timeout", "5").isdigit()
        assert node.get("action", "").startswith("/twilio/voice/")
        assert len(node) > 0, "a <Gather> that says nothing"
    if node.tag == "Dial":
        assert E164.match(node.get("callerId", "")) and node.get("timeout", "").isdigit()
        assert node.get("action", "").startswith("/twilio/voice/") and len(node) > 0
    if node.tag == "Number":  # a crisis line handed a call over to answers itself: no whisper url
        assert E164.match(text) and node.get("url", "/twilio/voice/").startswith("/twilio/voice/")
    if node.tag == "Redirect":
        assert text.startswith("/twilio/voice")
    if node.tag == "Pause":
        assert node.get("length", "1").isdigit()


def check_twiml(xml: bytes | str) -> Element:
    """Parse a voice answer and fail on anything Twilio would refuse or never reach."""
    root = ElementTree.fromstring(xml)
    assert root.tag == "Response"
    _check_node(root)
    verbs = [child.tag for child in root]
    for i, verb in enumerate(verbs):
        assert verb not in ENDS_CALL or i == len(verbs) - 1, f"<{verbs[i + 1]}> after <{verb}> is never reached"
    return root


def says(node: Element) -> list[str]:
    return [(say.text or "").strip() for say in node.iter("Say")]


class Caller:
    """A phone on a call with the line: inbound (the member called), or outbound (the line called them)."""

    def __init__(self, harness: Harness, phone: str | None, *, outbound: bool = False, sid: str | None = None) -> None:
        self.harness = harness
        self.phone = phone
        self.outbound = outbound
        self.sid = sid or "CA" + uuid.uuid4().hex
        self.doc: Element = Element("Response")
        self.xml = b""

    def params(self, **extra: str) -> dict[str, str]:
        me = self.phone or "Anonymous"
        ends = {"From": LINE_NUMBER, "To": me} if self.outbound else {"From": me, "To": LINE_NUMBER}
        return {"CallSid": self.sid, "AccountSid": TEST_ACCOUNT_SID, "CallStatus": "in-progress",
                "Direction": "outbound-api" if self.outbound else "inbound", "ApiVersion": "2010-04-01",
                **ends, **extra}

    def post(self, path: str, **extra: str) -> Caller:
        response = self.harness.post(path, self.params(**extra))
        assert response.status_code == 200, response.data
        assert response.mimetype == "text/xml"
        self.xml = response.data
        self.doc = check_twiml(response.data)
        return self

    def dial(self) -> Caller:
        return self.post("/twilio/voice")

    @property
    def heard(self) -> str:
        """Everything the current document says before the caller answers (the first <Gather>, or all)."""
        first = self.doc.find("Gather")
        return " ".join(says(first if first is not None else self.doc))

    @property
    def voices(self) -> set[tuple[str, str]]:
        return {(say.get("language", ""), say.get("voice", "")) for say in self.doc.iter("Say")}

    @property
    def action(self) -> str:
        gather = self.doc.find("Gather")
        assert gather is not None, f"no <Gather> in {self.xml!r}"
        return gather.get("action", "")

    def press(self, digits: str) -> Caller:
        return self.post(self.action, Digits=digits)

    def speak(self, words: str) -> Caller:
        return self.post(self.action, SpeechResult=words, Confidence="0.92")

    def silence(self) -> list[str]:
        """What the caller hears when they press nothing: the rest of the document after the first <Gather>."""
        verbs = list(self.doc)
        first = next(i for i, verb in enumerate(verbs) if verb.tag == "Gather")
        return [text for verb in verbs[first + 1:] for text in (says(verb) or [f"<{verb.tag}>"])]

    @property
    def hangs_up(self) -> bool:
        return self.doc.find("Gather") is None and [v.tag for v in self.doc][-1:] == ["Hangup"]

    @property
    def dialled(self) -> list[str]:
        dial = self.doc.find("Dial")
        return [] if dial is None else [(n.text or "").strip() for n in dial.iter("Number")]

    def dial_ends(self, status: str, **extra: str) -> Caller:
        """The <Dial> finished with DialCallStatus `status`."""
        dial = self.doc.find("Dial")
        assert dial is not None, f"no <Dial> in {self.xml!r}"
        return self.post(dial.get("action", ""), DialCallStatus=status, **extra)

    def staff_leg(self, staff_phone: str) -> StaffLeg:
        """The call the <Dial> placed to `staff_phone`, when they pick up."""
        dial = self.doc.find("Dial")
        assert dial is not None
        [url] = {n.get("url", "") for n in dial.iter("Number") if (n.text or "").strip() == staff_phone}
        return StaffLeg(self.harness, staff_phone, url, self.sid)


class StaffLeg:
    """A crisis staff member's phone, rung by the line's <Dial>: hears the whisper, may press 1."""

    def __init__(self, harness: Harness, phone: str, url: str, parent: str) -> None:
        self.harness, self.phone, self.parent = harness, phone, parent
        self.sid = "CA" + uuid.uuid4().hex
        self.doc = self._post(url)

    def _post(self, path: str, **extra: str) -> Element:
        params = {"CallSid": self.sid, "ParentCallSid": self.parent, "AccountSid": TEST_ACCOUNT_SID,
                  "From": LINE_NUMBER, "To": self.phone, "Direction": "outbound-dial", "CallStatus": "in-progress",
                  **extra}
        response = self.harness.post(path, params)
        assert response.status_code == 200, response.data
        return check_twiml(response.data)

    @property
    def heard(self) -> str:
        return " ".join(says(self.doc))

    def press(self, digits: str) -> Element:
        gather = self.doc.find("Gather")
        assert gather is not None
        self.doc = self._post(gather.get("action", ""), Digits=digits)
        return self.doc

    @property
    def bridged(self) -> bool:
        """An empty document: the call goes on to the bridge."""
        return len(self.doc) == 0
