"""The crisis stage: first in the engine, over every message from any number in any state.

A crisis message is answered at once, in the webhook's own reply: the crisis resource in the
member's language, and whether a person is being alerted. It opens a case (or adds to the one
still open for that number), arms the ladder's deadline in Redis and enqueues its first round
on the crisis queue. Nothing here waits or calls out: the ladder runs in workers/escalate.py.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flows import registry
from flows.crisis_detect import Detection, detect
from flows.inbound import Channel
from flows.outcome import Effect, Outcome, Reply, RunJob, SendText
from flows.turn import Turn
from textline.core import gsm, jobs
from textline.core.queues import CRISIS
from textline.core.settings import Settings
from textline.models import alerts, cases, plans, sessions, staff
from textline.models.cases import Case, CaseStatus
from textline.models.members import MemberStatus
from textline.models.outbound import Kind
from textline.models.staff import Role

#: Replies that follow the answer to a new case in the same response, given the turn and its language.
followups: list[Callable[[Turn, str], list[Reply]]] = []


def safety_plan(turn: Turn, language: str) -> list[Reply]:
    """The member's safety plan, right after the crisis resource (SPEC: "Safety plan")."""
    if turn.member is None:
        return []
    text = plans.crisis_followup(turn.line, turn.phone, language)
    return [Reply(text, voice=text)] if text else []


followups.append(safety_plan)


def warm(settings: Settings) -> None:
    """Compile the lexicon now (about a second) so the first crisis text after a start is answered at once."""
    detect("warm up", settings.crisis_lexicon_dir)


def handle(turn: Turn) -> Outcome | None:
    """The engine stage: None unless the message reads as a crisis.

    A member mid-flow (a session, or a command such as `REMIND` or `CALL`) still gets what the
    flow answers, after the crisis answer: the outcome says `go_on`, and the engine lets the
    stages after this one answer too. There a bare means word alone ("REMIND Pills", a safety
    plan's "lock up the pills") is the flow's business, not a crisis.
    """
    text = turn.inbound.text
    if not text or turn.inbound.digits or _is_staff_command(turn):
        return None
    found = detect(text, turn.line.settings.crisis_lexicon_dir)
    if found is None:
        return None
    in_flow = _in_flow(turn)
    if in_flow and found.weak:
        return None
    outcome = escalate(turn, found)
    outcome.go_on = in_flow  # the flow still answers, after the crisis answer
    return outcome


def _in_flow(turn: Turn) -> bool:
    member = turn.member
    if member is None or not member.active:
        return False
    if sessions.get(turn.r, turn.phone) is not None:
        return True
    return registry.find_command(turn.inbound.command) is not None


def _is_staff_command(turn: Turn) -> bool:
    """ACK 12, CLOSE 12 <note> ... from staff are commands, whatever words the note holds."""
    if turn.staff is None:
        return False
    found = registry.find_staff_command(turn.inbound.command)
    return found is not None and turn.staff.role in found.roles


def escalate(turn: Turn, found: Detection) -> Outcome:
    """Answer now and escalate: open the case (or tell its staff), start the ladder."""
    language = language_for(turn, found)
    case, new = cases.open_case(turn.line, turn.phone, text=turn.inbound.text, category=found.category,
                                term=found.term, language=language, channel=str(turn.inbound.channel))
    on_call = [p for p in staff.on_call(turn.r, Role.CRISIS) if p.phone != turn.phone]
    effects: list[Effect] = []
    if new:
        cases.arm(turn.r, case.id, 1, turn.now + timedelta(seconds=cases.GUARD))
        effects.extend(_first_alerts(turn, case))
        effects.append(RunJob(CRISIS, jobs.ESCALATE_STEP, (case.id, 1), job_id=f"case:{case.id}:1"))
        sentence = "crisis_alerting" if on_call else "crisis_team_told"
    else:
        cases.again(turn.line, case, text=turn.inbound.text, category=found.category, term=found.term)
        effects.extend(_tell_staff(turn, case))
        if case.status == CaseStatus.ACKNOWLEDGED:
            sentence = "crisis_has_you"
        else:
            sentence = "crisis_alerting" if on_call or cases.alerted(turn.r, case.id) else "crisis_team_told"
    replies = answer(turn, language, sentence)
    if new:
        for followup in followups:
            replies.extend(followup(turn, language))
    outcome = Outcome(replies, effects)
    if turn.inbound.channel == Channel.VOICE:
        outcome.dial = tuple(p.phone for p in on_call)
    return outcome


def language_for(turn: Turn, found: Detection) -> str:
    """The member's language once they have one; for a new or pending number, the language they wrote in."""
    languages = turn.line.settings.languages
    if turn.member is not None and turn.member.status != MemberStatus.PENDING:
        return turn.member.language
    if turn.member is None and turn.staff is not None:
        return turn.staff.language
    return found.language if found.language in languages else turn.language


def answer(turn: Turn, language: str, sentence: str) -> list[Reply]:
    """The resource and the sentence in one text when they fit one segment, else in two."""
    resource = gsm.fit(turn.line.settings.resource(language))
    said = turn.line.text(language, sentence)
    joined = f"{resource} {said}"
    if gsm.segments(joined) <= 1:
        return [Reply(joined, voice=joined)]
    return [Reply(resource, voice=resource), Reply(said, voice=said)]


def _first_alerts(turn: Turn, case: Case) -> list[Effect]:
    """Round 1's alerts, straight from the webhook: one job less between the member and staff.

    The ladder's first round runs right after and finds them by their business keys; it keeps the
    trail and the deadline, and alerts anyone this missed.
    """
    level, people = alerts.plan(turn.line, case)
    effects: list[Effect] = []
    for person in people:
        cases.add_alerted(turn.r, case.id, person.phone)
        body = alerts.alert(turn.line, case, person.language, alerts.key_for(case, 1, level))
        effects.append(SendText(person.phone, body, kind=Kind.ALERT, queue=CRISIS,
                                dedupe=alerts.dedupe(case.id, 1, person.phone), ref=cases.alert_ref(case.id, 1)))
    return effects


def _tell_staff(turn: Turn, case: Case) -> list[Effect]:
    """The new words go to whoever holds the case, or to everyone alerted so far."""
    if case.status == CaseStatus.ACKNOWLEDGED and case.acknowledged_by:
        phones = [case.acknowledged_by]
    else:
        phones = cases.alerted(turn.r, case.id)
    mark = turn.inbound.sid or str(turn.now.timestamp())
    effects: list[Effect] = []
    for phone in phones:
        member = staff.get(turn.r, phone)
        language = member.language if member else "en"
        body = alerts.alert(turn.line, case, language, "crisis_alert_again", words=turn.inbound.text)
        effects.append(SendText(phone, body, kind=Kind.ALERT, queue=CRISIS, dedupe=f"case:{case.id}:{mark}:{phone}",
                                ref=f"case:{case.id}"))
    return effects
