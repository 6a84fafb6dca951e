"""What staff read about a crisis case: a catalog header, then the member's words cut to one segment.

The alert is the one text that carries a member's words to anyone: it goes to crisis staff
and coordinators only, through a message record; never into a log or a job's arguments.
"""
from __future__ import annotations

from textline import gsm, members
from textline.cases import Case
from textline.line import Line
from textline.phones import last4

SEGMENT = 160
MAX_NAME = 20


def who(line: Line, case: Case, language: str) -> str:
    """The member's name when known, else the last four digits of their number."""
    member = members.get(line.r, case.phone)
    if member is not None and member.name.strip():
        return gsm.truncate(member.name.strip(), MAX_NAME)
    return line.text(language, "crisis_who_number", last4=last4(case.phone))


def with_words(line: Line, language: str, key: str, words: str, **values: object) -> str:
    """The entry `key`, then `words` in quotes, cut so that the whole fits one GSM-7 segment."""
    header = line.text(language, key, **values)
    room = SEGMENT - gsm.septets(header) - 3  # a space and two quotes
    flat = " ".join((words or "").split())
    if room < 8 or not flat:
        return header
    return f'{header} "{gsm.truncate(flat, room)}"'


def alert(line: Line, case: Case, language: str, key: str = "crisis_alert", words: str | None = None) -> str:
    """An alert about `case` in a staff member's `language`."""
    return with_words(line, language, key, case.text if words is None else words, case=case.id,
                      who=who(line, case, language))
