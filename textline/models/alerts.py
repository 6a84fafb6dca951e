"""Who is alerted about a crisis case, and what they read: a catalog header, then the member's words.

Levels: 1 on-call crisis staff; 2 all crisis staff; 3 coordinators; then coordinators and all
crisis staff again and again. With nobody on call the first round goes straight to coordinators;
a level that brings nobody new is skipped. Within a round, staff who speak the member's language are
alerted first. Staff who opted out are never alerted (the trail says "skipped: opted out"); staff
resting after a crisis case are alerted only when their level has nobody else. The webhook sends
the first round's alerts itself (flows/crisis.py) and the ladder (workers/escalate.py) every round,
under the same business keys.

The alert is the one text that carries a member's words to anyone: it goes to crisis staff
and coordinators only, through a message record; never into a log or a job's arguments.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from textline.core import gsm
from textline.core.line import Line
from textline.core.phones import last4
from textline.models import cases, members, staff
from textline.models.cases import Case
from textline.models.staff import Role, StaffMember

SEGMENT = 160
MAX_NAME = 20


def who(line: Line, case: Case, language: str) -> str:
    """The member's name when known, else the last four digits of their number."""
    member = members.get(line.r, case.phone)
    if member is not None and member.name.strip():
        return gsm.truncate(member.name.strip(), MAX_NAME)
    return line.text(language, "crisis_who_number", last4=last4(case.phone))


def with_words(line: Line, language: str, key: str, words: str, **values: object) -> str:
    """The entry `key`, then `words` in quotes, cut so that the whole fits one GSM-7 segment.

    Words that do not fit are cut, and the alert says so: every word is on the case page and in
    `textline cases --id N` (crisis_alert_cut).
    """
    header = line.text(language, key, **values)
    room = SEGMENT - gsm.septets(header) - 3  # a space and two quotes
    flat = " ".join((words or "").split())
    if room < 8 or not flat:
        return header
    if gsm.septets(gsm.fit(flat)) <= room:
        return f'{header} "{gsm.truncate(flat, room)}"'
    cut = " " + line.text(language, "crisis_alert_cut")
    room -= gsm.septets(cut)
    if room >= 8:
        return f'{header} "{gsm.truncate(flat, room)}"{cut}'
    return header + cut if gsm.septets(header + cut) <= SEGMENT else header


def alert(line: Line, case: Case, language: str, key: str = "crisis_alert", words: str | None = None) -> str:
    """An alert about `case` in a staff member's `language`."""
    return with_words(line, language, key, case.text if words is None else words, case=case.id,
                      who=who(line, case, language))


#: Levels to try for a round, in order, by the level the case reached last (0: none yet).
#: (level, everyone): level 3 with everyone is coordinators and all crisis staff.
TRIES: dict[int, tuple[tuple[int, bool], ...]] = {
    0: ((1, False), (3, False), (2, False), (3, True)),
    1: ((2, False), (3, False), (3, True)),
    2: ((3, False), (3, True)),
    3: ((3, True),),
}


@dataclass(frozen=True)
class Round:
    """One round's level, the people to alert (the member's language first) and who was left out, why."""

    level: int
    people: list[StaffMember]
    skipped: list[tuple[StaffMember, str]] = field(default_factory=list)


#: Why someone of a level is not alerted, as the case's trail says it.
OPTED_OUT = "opted out"
PAUSED = "paused after a crisis case"


def plan(line: Line, case: Case) -> tuple[int, list[StaffMember]]:
    """The next round's level and people: the first level that brings someone new (never the member)."""
    found = plan_round(line, case)
    return found.level, found.people


def plan_round(line: Line, case: Case) -> Round:
    """`plan` with the people left out: those who opted out (never texted), and those resting after a
    crisis case (alerted only when a level has nobody else)."""
    tries = TRIES[min(case.level, 3)]
    told = set(cases.alerted(line.r, case.id))
    now = line.now()
    for level, everyone in tries:
        candidates = [p for p in people(line, level, everyone) if p.phone != case.phone]
        skipped = [(p, OPTED_OUT) for p in candidates if p.opted_out]
        reachable = [p for p in candidates if not p.opted_out]
        rested = [p for p in reachable if not p.paused(now)]
        found = rested or reachable  # a level of resting people only is still alerted: a crisis first
        skipped += [(p, PAUSED) for p in reachable if p not in found]
        if found and (everyone or case.level == 0 or any(p.phone not in told for p in found)):
            return Round(level, by_language(found, case.language), skipped)
    return Round(tries[-1][0], [])


def by_language(people: list[StaffMember], language: str) -> list[StaffMember]:
    """Those who speak `language` first (their alerts are sent first), the rest after, each in order."""
    return sorted(people, key=lambda p: p.language != language)


def people(line: Line, level: int, everyone: bool = False) -> list[StaffMember]:
    if level == 1:
        return staff.on_call(line.r, Role.CRISIS, reachable=False)  # plan_round says who is skipped, and why
    if level == 2:
        return staff.with_role(line.r, Role.CRISIS)
    found = staff.with_role(line.r, Role.COORDINATOR)
    if everyone:
        found = staff.with_role(line.r, Role.CRISIS) + found
    return found


def key_for(case: Case, round_no: int, level: int) -> str:
    """The catalog entry of an alert: by how the case began and how far the ladder went."""
    if case.category == cases.SIGNAL:
        return "crisis_alert_signal"
    if case.category == cases.CALL and not case.text:
        return "crisis_alert_call"
    if round_no == 1:
        return "crisis_alert" if level == 1 else "crisis_alert_nobody"
    return "crisis_alert_escalated"


def dedupe(case_id: int, round_no: int, phone: str) -> str:
    """The business key of one alert: a round run twice (or by the webhook and the ladder) sends it once."""
    return f"case:{case_id}:{round_no}:{phone}"
