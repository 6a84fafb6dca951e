"""The voice line's decisions: every keypress and spoken answer goes through the flows engine, as a text does.

The IVR adds only what a phone needs: what a key stands for before a caller has a menu (choosing a
language, joining), 0 for crisis staff and * to repeat at any prompt, the call that reads a text to
a number that cannot take one, which prompt comes next, and what a forgeable caller ID may not do
(textline.voice.guard: no staff commands, no private settings, no whole numbers read aloud):

    a flow's question still open (a session)  -> gather its answer (At.FLOW)
    otherwise, by the caller's state          -> choose a language, join, opted out, or the main menu
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit

from flows import compliance, engine, menu
from flows import language as language_flow
from flows.answers import fold
from flows.crisis import handle as risk_stage
from flows.inbound import Channel, Inbound
from flows.outcome import Outcome, Reply
from flows.risk import Level, assess
from flows.turn import Turn
from textline.core import catalog, phones
from textline.core.line import Line
from textline.models import members, outbound, sessions, staff
from textline.models.members import Member, MemberStatus
from textline.voice import calls, crisis_dial, guard
from textline.voice.twiml import Prompt, Spoken, speak
from textline.voice.twiml import replies as spoken_replies
from textline.web import effects

CRISIS_KEY = "0"
REPEAT_KEY = "*"
#: A call this long is ended politely (a stuck phone, a loop).
MAX_TURNS = 100
#: The word each language's choice stands for (flows.language takes it before and after consent).
LANGUAGE_WORDS = {"en": "ENGLISH", "es": "ESPANOL"}
SPOKEN_DIGITS = {word: str(n) for n, words in enumerate(
    ("ZERO CERO", "ONE UNO", "TWO DOS", "THREE TRES", "FOUR CUATRO", "FIVE CINCO", "SIX SEIS", "SEVEN SIETE",
     "EIGHT OCHO", "NINE NUEVE")) for word in words.split()}
#: DialCallStatus values that mean nobody was bridged (a voicemail answering shows as "completed").
NOT_CONNECTED = frozenset({"busy", "no-answer", "failed", "canceled"})
#: Carrier keywords act on texts only: said on a call, they are not understood (never an opt-out by accident).
NOT_BY_VOICE = compliance.STOP_WORDS | compliance.START_WORDS


class At(StrEnum):
    """What a keypress answers."""

    LANGUAGE = "language"   # first call: choose a language
    JOIN = "join"           # a pending member: 1 joins
    MENU = "menu"
    FLOW = "flow"           # a flow's question (its session holds the state)
    NOTICE = "notice"       # a call that reads a text: any key plays it
    OPTED_OUT = "optout"
    HIDDEN = "hidden"       # a caller whose number is hidden, or not confirmed (STIR/SHAKEN failed)


@dataclass(frozen=True)
class Ask:
    prompt: Prompt
    bye: str = "ivr.goodbye"


@dataclass(frozen=True)
class Ring:
    lead: tuple[Spoken, ...]
    numbers: tuple[str, ...]


@dataclass(frozen=True)
class Handover:
    """Connect the caller to the crisis line (`[crisis] handover_number`) from the line's own number."""

    lead: tuple[Spoken, ...]
    number: str


@dataclass(frozen=True)
class End:
    words: tuple[Spoken, ...] = ()


Next = Ask | Ring | Handover | End


@dataclass(frozen=True)
class Call:
    """One request of a call: who is on the line (None: a hidden number) and which turn this is."""

    line: Line
    sid: str
    phone: str | None
    turn: int
    now: datetime
    #: The caller ID was given but its attestation failed: the call goes on as a hidden number's.
    unverified: bool = False

    def url(self, at: At, **extra: str) -> str:
        return "/twilio/voice/gather?" + urlencode({"at": str(at), "t": self.turn + 1, **extra})

    def member(self) -> Member | None:
        return members.get(self.line.r, self.phone) if self.phone else None

    def language(self, member: Member | None = None) -> str:
        member = member or self.member()
        if member is not None:
            return member.language
        if self.phone:
            return phones.default_language(self.phone, self.line.settings.languages)
        return self.line.settings.languages[0] if self.line.settings.languages else "en"


def start(call: Call) -> Next:
    """An incoming call: a greeting, then what this caller can do."""
    language = call.language()
    greeting = (speak(language, "ivr.greeting", line=call.line.settings.name),)
    if call.phone is None:
        return hidden(call, ())
    if staff.get(call.line.r, call.phone) is None:  # a staff flow (a pending SEND) is not a call's to drop
        sessions.clear(call.line.r, call.phone)  # a call starts at the menu, whatever a text left open
    member = call.member()
    if member is None:
        if len(language_flow.offered(_turn(call, None))) > 1:
            return choose_language(call, greeting)
        return after(call, _run(call, text=LANGUAGE_WORDS.get(language, "ENGLISH")))
    return home(call, member, greeting)


def answer(call: Call, at: At, digits: str, speech: str, extra: dict[str, str]) -> Next:
    """A keypress or a spoken answer at the prompt `at`."""
    speech = " ".join(speech.split())
    if not digits and fold(speech) in SPOKEN_DIGITS:
        digits, speech = SPOKEN_DIGITS[fold(speech)], ""
    if digits == CRISIS_KEY:
        return crisis(call)
    if speech and not digits:
        heard = risk_first(call, speech)
        if heard is not None:
            return heard
    if call.turn > MAX_TURNS:
        return End((speak(call.language(), "ivr.goodbye"),))
    if digits == REPEAT_KEY or not (digits or speech):
        return repeat(call)
    if speech and fold(speech) in NOT_BY_VOICE:
        return repeat(call, (speak(call.language(), "unknown"),))
    if call.phone is None or at == At.HIDDEN:
        return repeat(call)
    if at == At.LANGUAGE and digits:
        offered = language_flow.offered(_turn(call, None))
        if not (digits.isdigit() and 1 <= int(digits) <= len(offered)):
            return repeat(call, (speak(call.language(), "unknown"),))
        return after(call, _run(call, text=LANGUAGE_WORDS.get(offered[int(digits) - 1], "ENGLISH")))
    if at == At.JOIN and digits == "1":
        return after(call, _run(call, text="YES"))
    if at == At.NOTICE:
        return read_notice(call, extra.get("m", ""))
    if at == At.OPTED_OUT and digits:
        return repeat(call)
    if at == At.MENU:
        sessions.clear(call.line.r, call.phone)  # menu keys are menu choices, not a flow's answers
    return after(call, _run(call, digits=digits, text=speech), speech)


def risk_first(call: Call, speech: str) -> Next | None:
    """Every spoken phrase, at any prompt and from any caller, is assessed before anything else.

    A crisis or a concern is answered by the risk stage (flows/crisis.py) as a text would be, before
    any prompt's meaning or the guard's refusals; a hidden caller's crisis rings staff as 0 does.
    """
    if call.phone is None:
        return crisis(call) if assess(speech).level is Level.CRISIS else None
    inbound = Inbound(Channel.VOICE, call.phone, speech, call.now, sid=f"{call.sid}:{call.turn}")
    outcome = risk_stage(Turn(call.line, inbound, call.member(), staff.get(call.line.r, call.phone)))
    if outcome is None:
        return None
    effects.apply(call.line, outcome.effects)
    return after(call, outcome, speech)


def after(call: Call, outcome: Outcome, speech: str = "") -> Next:
    """What the caller hears once the engine has decided: a crisis dial, a flow's question, or home.

    A spoken crisis with nobody on call to dial goes to the handover line when the line has one.
    """
    if outcome.dial:
        calls.remember_speech(call.line.r, call.phone, call.sid, speech)
        return Ring((speak(call.language(), "ivr.crisis_connecting"),), tuple(outcome.dial))
    if outcome.crisis and call.line.settings.handover_number is not None:
        return no_staff(call, speech, nobody_on_call=True)
    member = call.member()
    language = call.language(member)
    session = sessions.get(call.line.r, call.phone) if call.phone else None
    if session is not None and outcome.replies:
        lead = tuple(replies(call, language, outcome.replies[:-1]))
        if session.flow == language_flow.FLOW:
            ask = (Spoken(language, outcome.replies[-1].voice or outcome.replies[-1].text), *_language_choices(call))
        else:
            ask = tuple(replies(call, language, outcome.replies[-1:]))
        return Ask(Prompt(language, ask, call.url(At.FLOW), lead))
    if member is None:
        return choose_language(call, tuple(replies(call, language, outcome.replies)))
    if outcome.replies and outcome.replies[-1].choices:  # the menu itself (MENU said mid-call): read it once
        return home(call, member, tuple(replies(call, language, outcome.replies[:-1])))
    return home(call, member, tuple(replies(call, language, outcome.replies)))


def home(call: Call, member: Member, lead: tuple[Spoken, ...], first: tuple[Spoken, ...] = ()) -> Next:
    """The prompt for the caller's state: opted out, not yet joined, or the main menu.

    `lead` is said once before it; `first` (the crisis resource) is said again with it on silence.
    """
    language = member.language
    crisis_key = speak(language, "ivr.crisis_key")
    if call.phone is None or members.is_opted_out(call.line.r, call.phone):
        ask = (*first, speak(language, "ivr.opted_out", line=call.line.settings.name), crisis_key)
        return Ask(Prompt(language, ask, call.url(At.OPTED_OUT), lead))
    if member.status == MemberStatus.PENDING:
        return Ask(Prompt(language, (*first, speak(language, "ivr.join"), crisis_key), call.url(At.JOIN), lead))
    listing = replies(call, language, [menu.menu_reply(_turn(call, member))])
    ask = (*first, *listing, crisis_key, speak(language, "ivr.repeat"))
    return Ask(Prompt(language, ask, call.url(At.MENU), lead))


def choose_language(call: Call, lead: tuple[Spoken, ...]) -> Next:
    """First call: each language offered in its own voice ("For English, press 1. Para español, pulsa 2.")."""
    ask = (*_language_choices(call), speak(call.language(), "ivr.crisis_key"))
    return Ask(Prompt(call.language(), ask, call.url(At.LANGUAGE), lead))


def _language_choices(call: Call) -> list[Spoken]:
    offered = language_flow.offered(_turn(call, None))
    return [speak(lang, "ivr.choose_language", digit=str(n)) for n, lang in enumerate(offered, 1)]


def hidden(call: Call, lead: tuple[Spoken, ...], first: tuple[Spoken, ...] = ()) -> Next:
    """A hidden (or unconfirmed) number: no menu (nothing to find the member by), but 0 still rings crisis staff."""
    language = call.language()
    why = "ivr.unverified" if call.unverified else "ivr.hidden"
    ask = (*first, speak(language, why, line=call.line.settings.name), speak(language, "ivr.crisis_key"))
    return Ask(Prompt(language, ask, call.url(At.HIDDEN), lead))


def repeat(call: Call, lead: tuple[Spoken, ...] = ()) -> Next:
    """The last prompt again (*, or an answer that was not understood), as a new turn."""
    last = calls.last_prompt(call.line.r, call.phone, call.sid)
    if last is None:
        member = call.member()
        if call.phone is None:
            return hidden(call, lead)
        return home(call, member, lead) if member else choose_language(call, lead)
    return Ask(Prompt(last.language, last.ask, _next_turn(last.action, call.turn + 1), lead or last.lead))


def _next_turn(action: str, turn: int) -> str:
    parts = urlsplit(action)
    query = dict(parse_qsl(parts.query))
    query["t"] = str(turn)
    return f"{parts.path}?{urlencode(query)}"


def crisis(call: Call) -> Next:
    """0: ring on-call crisis staff at once; with nobody on call, the handover line (or the resource) now."""
    numbers = crisis_dial.numbers(call.line, call.phone)
    if numbers:
        calls.remember_speech(call.line.r, call.phone, call.sid, "")
        return Ring((speak(call.language(), "ivr.crisis_connecting"),), tuple(numbers))
    return no_staff(call, "", nobody_on_call=True)


def after_dial(call: Call, taken_by: str | None, status: str) -> Next:
    """The crisis dial ended: taken (someone pressed 1 and was bridged), or nobody took it."""
    if taken_by and status not in NOT_CONNECTED:
        crisis_dial.answered(call.line, call.phone, taken_by)
        return End((speak(call.language(), "ivr.crisis_after"),))
    return no_staff(call, calls.speech(call.line.r, call.phone, call.sid))


def no_staff(call: Call, speech: str, *, nobody_on_call: bool = False) -> Next:
    """No staff member took a crisis call: the handover line when the line has one, else the resource.

    Either way the case is opened (or the call joins the one the caller's words opened) and its
    ladder alerts staff by SMS, so someone follows up after the crisis line.
    """
    number = call.line.settings.handover_number
    if number is None:
        return nobody_took_it(call, speech)
    case_id = crisis_dial.hand_over(call.line, call.phone, speech, number, nobody_on_call=nobody_on_call)
    if case_id is not None:
        calls.remember_case(call.line.r, call.sid, case_id)
    key = "ivr.handover_now" if nobody_on_call else "ivr.handover"
    return Handover((speak(call.language(), key),), number)


def after_handover(call: Call, status: str) -> Next:
    """The handover <Dial> ended: after a conversation, goodbye; when the crisis line did not answer, the resource."""
    connected = bool(status) and status not in NOT_CONNECTED
    crisis_dial.handover_ended(call.line, calls.case_of(call.line.r, call.sid), status or "unknown", connected)
    if connected:
        return End((speak(call.language(), "ivr.crisis_after"),))
    return resource_then_home(call)


def nobody_took_it(call: Call, speech: str) -> Next:
    crisis_dial.open_case_from_voice(call.line, call.phone, speech)
    return resource_then_home(call)


def resource_then_home(call: Call) -> Next:
    """The crisis resource and that the team was told, then back to the caller's prompt (never a dead end)."""
    member = call.member()
    language = call.language(member)
    resource = (Spoken(language, call.line.settings.resource(language)),)
    if call.phone is None:
        return hidden(call, (), resource)
    if member is None:
        return choose_language(call, (*resource, speak(language, "ivr.crisis_nobody")))
    return home(call, member, resource + (speak(language, "ivr.crisis_nobody"),), resource)


def notice(call: Call, msg_id: str) -> Next:
    """A call placed to read a text (voice fallback): a short intro first, so voicemail hears no more."""
    message = outbound.get(call.line.r, msg_id)
    if message is None or call.phone != message.to or members.is_opted_out(call.line.r, message.to):
        return End()
    member = call.member()
    language = call.language(member)
    intro = Spoken(language, call.line.text(language, "ivr.notice", voice=True,
                                            discreet=bool(member and member.discreet)))
    return Ask(Prompt(language, (intro,), call.url(At.NOTICE, m=msg_id)), bye="ivr.goodbye_short")


def read_notice(call: Call, msg_id: str) -> Next:
    """The text itself, then its answer goes to the flow that asked (its session: a mood, an RSVP)."""
    message = outbound.get(call.line.r, msg_id)
    if message is None or call.phone != message.to:
        return End()
    language = call.language()
    said = (Spoken(language, voiced(language, message.body)), speak(language, "ivr.notice_answer"))
    return Ask(Prompt(language, said, call.url(At.FLOW)), bye="ivr.goodbye_short")


def voiced(language: str, body: str) -> str:
    """A text read aloud: its "Reply 1 ..." becomes "Press 1 ..."."""
    reply = catalog.raw(language, "ivr.sms_reply", voice=True)
    press = catalog.raw(language, "ivr.sms_press", voice=True)
    return re.sub(rf"\b{re.escape(reply)}\b", press, body)


def _turn(call: Call, member: Member | None) -> Turn:
    inbound = Inbound(Channel.VOICE, call.phone or "", "", call.now, sid=f"{call.sid}:{call.turn}")
    return Turn(call.line, inbound, member, staff.get(call.line.r, call.phone) if call.phone else None)


def replies(call: Call, language: str, said: list[Reply]) -> list[Spoken]:
    """A flow's replies as sentences, with no whole number read aloud but the line's and the resource's."""
    settings = call.line.settings
    keep = frozenset({settings.number, *(n for text in settings.crisis_resources.values()
                                         for n in guard.numbers_in(text))})
    return [Spoken(s.language, guard.without_numbers(s.text, keep)) for s in spoken_replies(language, said)]


def _run(call: Call, *, digits: str = "", text: str = "") -> Outcome:
    """One turn through the engine, exactly as a text would go, and its effects enqueued.

    What a forgeable caller ID may not do (a staff command, a private setting) never reaches it.
    """
    assert call.phone is not None
    inbound = Inbound(Channel.VOICE, call.phone, text, call.now, sid=f"{call.sid}:{call.turn}", digits=digits)
    refused = guard.refusal(call.line, inbound)
    if refused is not None:
        return Outcome.say(call.line.text(call.language(), refused, voice=True))
    outcome = engine.handle(call.line, inbound)
    effects.apply(call.line, outcome.effects)
    return outcome
