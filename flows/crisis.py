"""The risk stage: first in the engine, over every message from any number in any state.

Every text (and every spoken phrase) is assessed before anything else: a member's discreet signal
word alone opens its case quietly (flows/signal.py); any other text goes through
``flows.risk.assess``:

- crisis: answered at once, in the webhook's own reply: the crisis resource in the member's
  language, and whether a person is being alerted; the safety plan second. It opens a case (or
  adds the text to the one still open for that number), arms the ladder's deadline in Redis and
  enqueues its first round on the crisis queue. Nothing here waits or calls out: the ladder runs
  in workers/escalate.py. On the phone the outcome says whom to dial, and that it is a crisis.
- concern: the crisis resource in the same reply, and a text request a peer reads first
  (``flows.conversations.open_text_request``); no alarm to crisis staff.

Either way the text is the line's answer alone: a flow under way never takes it as its answer
(its session is cleared), and no command runs on it. A staff number's text is assessed too,
whatever its first word; only a staff command about a case or request by its number ("ACK 12",
"CLOSE 12 <note>") is not, since its words are about someone else.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from flows import conversations, crisis_ladder, plan, plan_peer, registry, signal
from flows.crisis_detect import Detection, detect
from flows.inbound import Channel
from flows.outcome import Effect, Outcome, Reply
from flows.risk import Level, Risk, assess, thresholds_of
from flows.risk_model import load_model
from flows.turn import Turn
from textline.core import gsm
from textline.core.settings import Settings
from textline.models import cases, members, plans, sessions, staff
from textline.models import requests as callbacks
from textline.models.cases import CaseStatus
from textline.models.members import MemberStatus
from textline.models.staff import Role

#: Replies that follow the answer to a new case in the same response, given the turn and its language.
followups: list[Callable[[Turn, str], list[Reply]]] = []
#: Inside a flow, or on a short text, a concern the model alone raised (no lexicon entry, no cue) needs this
#: alert probability: a flow's answers ("three", "rough day") and a few words ("hello there") are too little.
#: (On the corpus, texts of SHORT words or fewer that the model alone sent to concern below it: 11 benign, 1
#: concern.)
FAINT_CONCERN = 0.5
SHORT = 3
#: Flows whose answers describe distress by design (a safety plan's warning signs): a concern there is theirs.
DISTRESS_FLOWS = frozenset({plan.FLOW, plan_peer.FLOW})
#: Words that mark a text as Spanish when no lexicon entry says which language it is in.
_SPANISH = re.compile(r"[ñáéíóú¿¡]|\b(que|quiero|estoy|ya|mi|me|no puedo|hoy|adios|adiós|vida)\b", re.IGNORECASE)


def safety_plan(turn: Turn, language: str) -> list[Reply]:
    """The member's safety plan, right after the crisis resource (SPEC: "Safety plan")."""
    if turn.member is None:
        return []
    text = plans.crisis_followup(turn.line, turn.phone, language)
    return [Reply(text, voice=text)] if text else []


followups.append(safety_plan)


def warm(settings: Settings) -> None:
    """Compile the lexicon and load the model now, so the first text after a start is answered at once."""
    detect("warm up", settings.crisis_lexicon_dir)
    load_model()


def handle(turn: Turn) -> Outcome | None:
    """The engine stage: None unless the message reads as a crisis or a concern.

    A bare means word inside a flow ("REMIND Pills", a safety plan's "lock up the pills") is the
    flow's business, not a crisis, unless the model alone would call the text a crisis.
    """
    text = turn.inbound.text
    if not text or turn.inbound.digits:
        return None
    quiet = signal.signal_stage(turn)  # the member's signal word alone: a crisis, answered quietly
    if quiet is not None:
        return quiet
    if _about_a_case(turn) or _a_bare_keyword(turn) or _peer_to_their_member(turn):
        return None
    risk = assess(text, turn.language, extra_dir=turn.line.settings.crisis_lexicon_dir)
    if risk.level is Level.NONE or _flow_business(turn, risk):
        return None
    if risk.level is Level.CONCERN and turn.staff is not None and not turn.staff.as_member:
        return None  # a concern queues a member for a peer; staff's own crisis still escalates
    if risk.level is Level.CONCERN and conversations.held_for(turn):
        return None  # a peer is reading this conversation: the relay passes the words on, no resource again
    if risk.level is Level.CONCERN and (_is_staff_command(turn) or (risk.kind == "model" and _is_member_command(turn))):
        return None  # a command the model alone finds sad ("SIGNAL stop", a broadcast): the command runs
    sessions.clear(turn.r, turn.phone)  # never a flow's answer: the flow starts again when asked
    if risk.level is Level.CONCERN:
        return concern(turn, risk)  # joins the member's text request: a peer holding it reads the text
    found = escalate(turn, risk)
    found.effects.extend(conversations.relay_if_held(turn))
    return found


def _flow_business(turn: Turn, risk: Risk) -> bool:
    """What the risk stage leaves to the other stages: a bare means word in a flow, a faint concern of the
    model's alone, or a concern in a safety plan's steps (warning signs describe distress by design)."""
    if risk.level is Level.CONCERN:
        session = sessions.get(turn.r, turn.phone)
        if session is not None and session.flow in DISTRESS_FLOWS:
            return True
        if turn.inbound.opt_out_type or members.is_opted_out(turn.r, turn.phone):
            return True  # someone who asked for no texts gets none for a concern (a crisis still is answered)
        if risk.kind == "model" and risk.alert < FAINT_CONCERN:
            return len(turn.inbound.words) <= SHORT or _in_flow(turn)
    found = risk.detection
    if found is None or not found.weak or risk.kind != found.category or not _in_flow(turn):
        return False
    return risk.score < thresholds_of(load_model()).crisis


def _in_flow(turn: Turn) -> bool:
    member = turn.member
    if member is None or not member.active:
        return False
    if sessions.get(turn.r, turn.phone) is not None:
        return True
    return registry.find_command(turn.inbound.command) is not None


def _is_staff_command(turn: Turn) -> bool:
    if turn.staff is None:
        return False
    found = registry.find_staff_command(turn.inbound.command)
    return found is not None and turn.staff.role in found.roles


def _is_member_command(turn: Turn) -> bool:
    return turn.member is not None and registry.find_command(turn.inbound.command) is not None


def _about_a_case(turn: Turn) -> bool:
    """ACK 12, CLOSE 12 <note> ... from staff: commands about a numbered case, whatever words the note holds."""
    rest = turn.inbound.rest.strip()
    return _is_staff_command(turn) and (not rest or rest.split()[0].strip("#").isdigit())


#: Words that address the other person: a peer asking "are you thinking of killing yourself?" is doing
#: the work, not in danger.
_TO_SOMEONE = re.compile(r"\b(you|your|yours|yourself|you're|youre|u|ur|tu|tú|te|ti|contigo|usted|estas|estás)\b",
                         re.IGNORECASE)


def _peer_to_their_member(turn: Turn) -> bool:
    """Staff writing to members, not about themselves: a peer holding a text conversation, or a
    coordinator's SEND ("if you have thoughts of suicide, call 988"), in words addressed to the
    reader. A staff member's own crisis, written about themselves, is still assessed."""
    person = turn.staff
    if person is None or person.as_member or not _TO_SOMEONE.search(turn.inbound.text or ""):
        return False
    if person.role == Role.PEER:
        return bool(callbacks.held_by(turn.r, turn.phone))
    return person.role == Role.COORDINATOR and turn.inbound.command == "SEND"


def _a_bare_keyword(turn: Turn) -> bool:
    """A command or a flow's answer word alone ("EDIT", "YES"): nothing to assess."""
    words = turn.inbound.words
    return len(words) == 1 and signal.taken(turn.inbound.keyword)


def concern(turn: Turn, risk: Risk) -> Outcome:
    """The resource now, and a text request a peer reads first (no alarm to crisis staff)."""
    language = language_for(turn, risk)
    resource = gsm.fit(turn.line.settings.resource(language))
    return Outcome([Reply(resource, voice=resource)]).then(conversations.open_text_request(turn, "concern"))


def escalate(turn: Turn, risk: Risk | Detection) -> Outcome:
    """Answer now and escalate: open the case (or add this text to it), start the ladder once.

    A `Detection` stands for a crisis someone decided (a peer's ESCALATE, flows/relay.py).
    """
    if isinstance(risk, Detection):
        risk = Risk(Level.CRISIS, 1.0, (f"{risk.category}: {risk.term}",), risk, risk.category)
    language = language_for(turn, risk)
    term = risk.detection.term if risk.detection is not None else ""
    case, new = cases.open_case(turn.line, turn.phone, text=turn.inbound.text, category=risk.kind,
                                term=term, language=language, channel=str(turn.inbound.channel))
    on_call = [p for p in staff.on_call(turn.r, Role.CRISIS) if p.phone != turn.phone]
    effects: list[Effect] = []
    if new:
        effects.extend(crisis_ladder.start(turn, case))
        sentence = "crisis_alerting" if on_call else "crisis_team_told"
    else:
        cases.again(turn.line, case, text=turn.inbound.text, category=risk.kind, term=term,
                    channel=str(turn.inbound.channel))
        effects.extend(crisis_ladder.tell_staff(turn, case))
        if case.status == CaseStatus.ACKNOWLEDGED:
            sentence = "crisis_has_you"
        else:
            sentence = "crisis_alerting" if on_call or cases.alerted(turn.r, case.id) else "crisis_team_told"
    replies = answer(turn, language, sentence)
    if new:
        for followup in followups:
            replies.extend(followup(turn, language))
    outcome = Outcome(replies, effects, crisis=True)
    if turn.inbound.channel == Channel.VOICE:
        outcome.dial = tuple(p.phone for p in on_call)
    return outcome


def language_for(turn: Turn, risk: Risk) -> str:
    """The member's language once they have one; for a new or pending number, the language they wrote in."""
    languages = turn.line.settings.languages
    if turn.member is not None and turn.member.status != MemberStatus.PENDING:
        return turn.member.language
    if turn.member is None and turn.staff is not None:
        return turn.staff.language
    if risk.detection is not None:
        written = risk.detection.language
    else:
        written = "es" if _SPANISH.search(turn.inbound.text) else "en"
    return written if written in languages else turn.language


def answer(turn: Turn, language: str, sentence: str) -> list[Reply]:
    """The resource and the sentence in one text when they fit one segment, else in two."""
    resource = gsm.fit(turn.line.settings.resource(language))
    said = turn.line.text(language, sentence)
    joined = f"{resource} {said}"
    if gsm.segments(joined) <= 1:
        return [Reply(joined, voice=joined)]
    return [Reply(resource, voice=resource), Reply(said, voice=said)]
