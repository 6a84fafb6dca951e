"""The crisis ladder: each round alerts one level of staff, then arms the next round's deadline.

Every `ack_timeout` until someone texts ACK the next level is alerted (textline/models/alerts.py says
who: on-call crisis staff, all crisis staff, coordinators, then everyone again and again).

Jobs carry (case id, round) only. The next round is a timer in Redis (`case:{id}`) fired by the
ticker, never a sleeping job. A round re-arms that timer as a guard before it works, so a worker
killed mid-round is covered within seconds; a round that runs twice sends nothing twice (every
alert has a business key), and whichever run finishes first writes the trail.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from textline.core import queues
from textline.core.line import Line
from textline.models import alerts, cases, members, outbound, signals
from textline.models.cases import Case, CaseStatus
from textline.models.outbound import Kind
from textline.models.staff import StaffMember
from workers import runtime

log = logging.getLogger(__name__)


def step(case_id: int, round_no: int) -> str:
    """The RQ job: run round `round_no` of case `case_id`'s ladder."""
    return Ladder(runtime.line(), int(case_id)).step(int(round_no))


def open_case_by_signal(event_id: str) -> str:
    """The discreet signal's job (flows/signal.py): open a case quietly and run its first round here."""
    line = runtime.line()
    event = signals.event(line.r, str(event_id))
    if event is None:
        return "gone"
    member = members.get(line.r, event["phone"])
    case, _ = cases.open_by_signal(line, event["phone"], str(event_id), member.language if member else "en")
    if case.status != CaseStatus.OPEN or case.round > 0:
        return "joined"
    cases.arm(line.r, case.id, 1, line.now() + timedelta(seconds=cases.GUARD))
    return Ladder(line, case.id).step(1)


class Ladder:
    def __init__(self, line: Line, case_id: int) -> None:
        self.line = line
        self.r = line.r
        self.case_id = case_id

    def step(self, round_no: int) -> str:
        case = cases.get(self.r, self.case_id)
        if case is None or case.status != CaseStatus.OPEN:
            cases.disarm(self.r, self.case_id)
            return "stopped"
        if case.round >= round_no:  # another run finished this round: make sure the next is armed
            self.arm_next(case.round, case.round_at)
            return "done already"
        cases.arm(self.r, self.case_id, round_no, self.line.now() + timedelta(seconds=cases.GUARD))
        planned = alerts.plan_round(self.line, case)
        level, people = planned.level, planned.people
        for person in people:
            self.alert(case, person, round_no, level)
        for person, why in planned.skipped:
            cases.add_event(self.line, self.case_id, "skipped", f"{cases.staff_label(self.r, person.phone)}: "
                                                                 f"skipped: {why}")
        event, what = self.describe(case, round_no, level, people)
        still_open, round_at = cases.finish_round(self.line, self.case_id, round_no, level, event, what)
        if still_open:
            self.arm_next(round_no, round_at)
        else:
            cases.disarm(self.r, self.case_id)
        log.info("case %s round %d: level %d, %d alerted", self.case_id, round_no, level, len(people))
        return f"level {level}: {len(people)} alerted"

    def arm_next(self, round_no: int, round_at: float) -> None:
        cases.arm(self.r, self.case_id, round_no + 1, round_at + self.line.settings.crisis_ack_timeout)

    def alert(self, case: Case, person: StaffMember, round_no: int, level: int) -> None:
        """One alert (and a call where configured); a second run finds the first's record by its key."""
        key = alerts.key_for(case, round_no, level)
        body = alerts.alert(self.line, case, person.language, key)
        cases.add_alerted(self.r, case.id, person.phone)
        ref = cases.alert_ref(case.id, round_no)
        dedupe = alerts.dedupe(case.id, round_no, person.phone)
        msg_id = outbound.send_text(self.line, person.phone, body, kind=Kind.ALERT, queue=queues.CRISIS,
                                    dedupe=dedupe, ref=ref) or outbound.by_dedupe(self.r, dedupe)
        if msg_id:
            cases.remember_alert(self.r, case.id, msg_id, round_no)
        if self.line.settings.crisis_call_staff:
            call_id = outbound.place_call(self.line, person.phone, f"/twilio/voice/crisis/{case.id}",
                                          kind=Kind.ALERT, queue=queues.CRISIS, dedupe=dedupe + ":call",
                                          ref=ref) or outbound.by_dedupe(self.r, dedupe + ":call")
            if call_id:
                cases.remember_alert(self.r, case.id, call_id, round_no)

    def describe(self, case: Case, round_no: int, level: int, people: list[StaffMember]) -> tuple[str, str]:
        names = ", ".join(cases.staff_label(self.r, p.phone) for p in people) or "nobody: no staff to alert"
        if round_no == 1:
            why = "" if level == 1 else "nobody on call; "
            return "alerted", f"{why}alerted level {level}: {names}"
        waited = _duration(self.line.settings.crisis_ack_timeout)
        return "re-escalated", f"no acknowledgement after {waited}: re-escalated to level {level}: {names}"


def _duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{int(seconds // 3600)}h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)}m"
    return f"{seconds:g}s"
