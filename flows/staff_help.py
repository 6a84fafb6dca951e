"""A staff phone that explains itself: HELP lists the sender's role's commands, and any other text
from a staff number that no stage took gets that help, never the member sign-up.

A staff number that is also a member texts `MEMBER` to use the line as a member (menus, check-ins,
call-backs: `catch_all` then lets the member stages answer) and `STAFF` to go back. Staff commands
with their words (ACK 12, TAKE 4 ...) work in either mode, so an alert is always answerable.

The stage, `catch_all`, is the last of the staff stages: after the staff commands, a peer's safety
plan and a peer's text relay, before the member stages (language, consent, session, commands).
"""
from __future__ import annotations

from flows.inbound import Channel
from flows.outcome import Outcome, Reply
from flows.registry import find_step, staff_command
from flows.turn import Turn
from textline.core.line import Line
from textline.models import sessions, staff
from textline.models.staff import Role

#: The catalog's help entries by role: the commands, then the rest (a second text).
HELP_KEYS: dict[Role, tuple[str, str]] = {
    Role.PEER: ("staff_help.peer", "staff_help.peer_more"),
    Role.CRISIS: ("staff_help.crisis", "staff_help.crisis_more"),
    Role.COORDINATOR: ("staff_help.coordinator", "staff_help.coordinator_more"),
}


def help_replies(turn: Turn, language: str | None = None) -> list[Reply]:
    """The commands of the sender's role, in their language (or `language`): two texts at most."""
    assert turn.staff is not None
    said = language or turn.staff.language
    return [Reply(turn.text_in(said, key)) for key in HELP_KEYS[turn.staff.role]]


def reads_as_member(turn: Turn) -> bool:
    """This staff number chose MEMBER: member commands win over staff ones on words both know."""
    return turn.staff is not None and turn.staff.as_member


def catch_all(turn: Turn) -> Outcome | None:
    """The staff HELP for any text from staff that no earlier stage answered (in staff mode)."""
    if turn.staff is None or turn.staff.as_member or turn.inbound.channel != Channel.SMS:
        return None  # a staff number that calls the line hears the member's menu, as any caller
    session = turn.session()
    if session is not None:  # a flow a staff command started (SEND waiting for YES) answers first
        step = find_step(session.flow)
        answered = step(turn, session) if step is not None else None
        if answered is not None:
            return answered
    return Outcome(replies=help_replies(turn))


@staff_command("MEMBER")
def as_member(turn: Turn) -> Outcome:
    staff.set_member_mode(turn.r, turn.phone, True)
    sessions.clear(turn.r, turn.phone)
    return Outcome.say(staff_text(turn, "staff_help.member_mode"))


@staff_command("STAFF")
def as_staff(turn: Turn) -> Outcome:
    staff.set_member_mode(turn.r, turn.phone, False)
    sessions.clear(turn.r, turn.phone)
    return Outcome.say(staff_text(turn, "staff_help.staff_mode"))


def staff_text(turn: Turn, key: str, **values: object) -> str:
    """A catalog entry in the staff member's own language (a staff number may be a member too)."""
    return turn.text_in(turn.staff.language if turn.staff else turn.language, key, **values)


def role_word(line: Line, language: str, role: Role) -> str:
    return line.text(language, f"staff_stop.{role}")


def plural(line: Line, language: str, key: str, n: int) -> str:
    """`{n} text` / `{n} texts`: the catalog's `key_one` or `key_other` form."""
    return line.text(language, f"{key}_one" if n == 1 else f"{key}_other", n=n)
