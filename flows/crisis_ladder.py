"""A crisis case's alerts from the webhook: the ladder started for a new case, new words told to its staff.

Used by the risk stage (flows/crisis.py) for a crisis text and by the discreet signal
(flows/signal.py): both open their case at once, in the webhook, and start the same ladder.
"""
from __future__ import annotations

from datetime import timedelta

from flows.outcome import Effect, RunJob, SendText
from flows.turn import Turn
from textline.core import jobs
from textline.core.queues import CRISIS
from textline.models import alerts, cases, staff
from textline.models.cases import Case, CaseStatus
from textline.models.outbound import Kind


def start(turn: Turn, case: Case) -> list[Effect]:
    """A new case's ladder: its guard armed now, round 1's alerts and the round's job."""
    cases.arm(turn.r, case.id, 1, turn.now + timedelta(seconds=cases.GUARD))
    return [*first_alerts(turn, case), RunJob(CRISIS, jobs.ESCALATE_STEP, (case.id, 1), job_id=f"case:{case.id}:1")]


def first_alerts(turn: Turn, case: Case) -> list[Effect]:
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


def tell_staff(turn: Turn, case: Case) -> list[Effect]:
    """The member wrote again: the ladder alone alerts staff about an open case (never once per text).

    Whoever acknowledged the case is told of new words, at most once per ``cases.TOLD_GAP`` seconds
    (claimed atomically in Redis); every word is on the case page and in ``textline cases``.
    """
    if case.status != CaseStatus.ACKNOWLEDGED or not case.acknowledged_by:
        return []
    if not cases.claim_told(turn.r, case.id):
        return []
    phone = case.acknowledged_by
    member = staff.get(turn.r, phone)
    language = member.language if member else "en"
    mark = turn.inbound.sid or str(turn.now.timestamp())
    body = alerts.alert(turn.line, case, language, "crisis_alert_again", words=turn.inbound.text)
    return [SendText(phone, body, kind=Kind.ALERT, queue=CRISIS, dedupe=f"case:{case.id}:{mark}:{phone}",
                     ref=f"case:{case.id}")]
