"""Every change the dashboard makes goes through the code SMS commands and the CLI use, never a copy.

- `staff_command(line, user, "ACK 12")` runs the staff command registered in
  flows.registry (ACK, CLOSE, TAKE, DONE, RELEASE, RETRY ...) as the
  account's linked staff number, with the roles SMS checks, and applies its
  effects: the same audit trail and the same texts to the others. It returns
  the reply the SMS would have got, numbers masked, for the page.
- `set_on_call` is what ON / OFF do (textline.models.staff); `add_shift`, `remove_shift` and
  `remove_staff` are what `textline shifts add|remove` and `textline staff remove` do.
- `send_broadcast` makes the announcement `textline broadcast` and SEND +
  YES make (textline.models.broadcasts.announce), and `cancel_meeting`
  calls what `textline meetings cancel` calls (workers.reminders.cancel).
"""
from __future__ import annotations

from flows import features, registry  # noqa: F401  (features: every staff command declared)
from flows.inbound import Channel, Inbound
from flows.turn import Turn
from textline.core import phones
from textline.core.errors import TextlineError
from textline.core.line import Line
from textline.models import broadcasts, meetings, members, shifts, staff
from textline.models.shifts import Shift, ShiftError
from textline.models.users import User
from textline.web import effects
from workers import broadcast, reminders


class ActionError(TextlineError):
    """An action the dashboard cannot do; the message is for the page."""


def staff_command(line: Line, user: User, text: str) -> str:
    """Run a staff SMS command for `user`'s linked staff number, exactly as if texted; the reply."""
    if not user.phone:
        raise ActionError("Link your account to your staff number to do this here "
                          "(textline users add EMAIL --role ... --phone NUMBER).")
    member = staff.get(line.r, user.phone)
    if member is None:
        raise ActionError("The staff number linked to your account is no longer on the roster.")
    inbound = Inbound(Channel.SMS, user.phone, text, line.now())
    found = registry.find_staff_command(inbound.command)
    if found is None:
        raise ActionError(f"{inbound.command} is not a staff command.")
    if member.role not in found.roles:
        raise ActionError(f"{inbound.command} is not open to your role ({member.role}).")
    outcome = found.handler(Turn(line, inbound, members.get(line.r, user.phone), member))
    if outcome is None:
        raise ActionError(f"{inbound.command} did nothing.")
    effects.apply(line, outcome.effects)
    return phones.mask_numbers(" ".join(reply.text for reply in outcome.replies))


def set_on_call(line: Line, phone: str, on: bool) -> staff.StaffMember:
    """Put a staff member on or off call, as their own ON / OFF text does."""
    return staff.set_on_call(line.r, phone, on)


#: The form fields of a shift, as `textline shifts add` names its options.
SHIFT_FIELDS = {"days": "Days", "from": "From", "to": "To", "tz": "Time zone", "phone": "Staff member"}


def add_shift(line: Line, phone: str, days: str, start: str, end: str, tz: str) -> Shift:
    """A weekly shift, as `textline shifts add` makes it; the error names the field and what was typed."""
    try:
        return shifts.add(line, phone, days=days, start=start, end=end, tz=tz.strip() or None)
    except ShiftError as exc:
        field = SHIFT_FIELDS.get(exc.field, exc.field)
        shown = f" {exc.typed!r}" if exc.field != "phone" else ""
        raise ActionError(f"{field}{shown}: {exc.hint}") from exc


def remove_shift(line: Line, shift_id: int) -> Shift:
    """Remove one shift, as `textline shifts remove ID` does (whoever is on call stays so until OFF)."""
    try:
        return shifts.remove(line.r, shift_id)
    except TextlineError as exc:
        raise ActionError(f"Shift {shift_id} is no longer on the roster.") from exc


def remove_staff(line: Line, phone: str) -> int:
    """Take a staff member off the roster with their shifts, as `textline staff remove` does; shifts removed."""
    dropped = shifts.remove_for(line.r, phone)
    try:
        staff.remove(line.r, phone)
    except TextlineError as exc:
        raise ActionError("That staff member is no longer on the roster.") from exc
    return dropped


def send_broadcast(line: Line, user: User, group: str, text: str, at: str | None) -> str:
    """Send (or schedule, `at` = "YYYY-MM-DD HH:MM" in the group's zone) an announcement; a line for the page.

    The same announcement `textline broadcast` and SEND + YES make; one for now starts its fan-out at once.
    """
    try:
        made = broadcasts.announce(line, group, text, at=at, by=user.email)
    except TextlineError as exc:
        raise ActionError(str(exc)) from exc
    if made.scheduled:
        return f"Broadcast {made.id} to {made.group.name} is scheduled for {at} ({made.group.timezone})."
    broadcast.start(line, made.id)
    return f"Broadcast {made.id} to {made.group.name} is on its way."


def cancel_meeting(line: Line, user: User, meeting_id: int) -> str:
    """Cancel a meeting as `textline meetings cancel ID` does: no more reminders, those reminded are told."""
    try:
        meeting = meetings.require(line.r, meeting_id)
    except TextlineError as exc:
        raise ActionError(str(exc)) from exc
    if meeting.cancelled:
        raise ActionError(f"Meeting {meeting_id} is already cancelled.")
    told = reminders.cancel(line, meeting)
    return f"Meeting {meeting_id} cancelled; {told} member{'' if told == 1 else 's'} who were reminded will be told."
