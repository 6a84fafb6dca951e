"""Every change the dashboard makes goes through the code SMS commands and the CLI use, never a copy.

- `staff_command(line, user, "ACK 12")` runs the staff command registered in
  flows.registry (ACK, CLOSE, TAKE, DONE, RELEASE, RETRY ...) as the
  account's linked staff number, with the roles SMS checks, and applies its
  effects: the same audit trail and the same texts to the others. It returns
  the reply the SMS would have got, numbers masked, for the page.
- `set_on_call` is what ON / OFF do (textline.models.staff).
- `send_broadcast` starts a broadcast as `textline broadcast` and SEND + YES
  do, and `cancel_meeting` calls what `textline meetings cancel` calls (#6).
"""
from __future__ import annotations

from datetime import UTC, timedelta

from flows import registry
from flows.inbound import Channel, Inbound
from flows.turn import Turn
from textline.core import phones, queues, timers
from textline.core.errors import TextlineError
from textline.core.line import Line
from textline.models import members, staff
from textline.models.users import User
from textline.web import effects
from textline.web.dashboard.data import feature


class ActionError(TextlineError):
    """An action the dashboard cannot do; the message is for the page."""


class NotConnected(ActionError):
    """The feature behind the action is not installed on this line yet."""


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
        raise NotConnected(f"{inbound.command} is not available on this line yet.")
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


def send_broadcast(line: Line, user: User, group: str, text: str, at: str | None) -> str:
    """Send (or schedule, `at` = "YYYY-MM-DD HH:MM" in the group's zone) an announcement; a line for the page.

    The broadcasts feature (#6) starts one the way `textline broadcast` and SEND + YES do: a record by
    broadcasts.create, then its fan-out job now, or a timer for later. If it exports one function for
    that (`announce`), that is used instead.
    """
    shared = feature("textline.models.broadcasts", "announce")
    if shared is not None:
        return str(shared.announce(line, group, text, at=at, by=user.email))
    broadcasts = feature("textline.models.broadcasts", "create", "FANOUT_JOB", "Kind")
    groups = feature("textline.models.groups", "require")
    meetings = feature("textline.models.meetings", "parse_local")
    if broadcasts is None or groups is None or meetings is None:
        raise NotConnected("Broadcasts are not available on this line yet.")
    now = line.now()
    try:
        found = groups.require(line.r, group)
        send_at = meetings.parse_local(at).replace(tzinfo=found.zone).astimezone(UTC) if at else now
    except TextlineError as exc:
        raise ActionError(str(exc)) from exc
    if send_at < now - timedelta(minutes=1):
        raise ActionError(f"{at} in {found.timezone} has passed.")
    bid, _ = broadcasts.create(line.r, broadcasts.Kind.ANNOUNCEMENT, group_id=found.id, at=send_at, now=now,
                               text=text, by=user.email)
    if send_at > now:
        timers.schedule(line.r, f"bc-fanout:{bid}", send_at, queues.BROADCAST, broadcasts.FANOUT_JOB, bid)
        return f"Broadcast {bid} to {found.name} is scheduled for {at} ({found.timezone})."
    queues.enqueue(line, queues.BROADCAST, broadcasts.FANOUT_JOB, bid, job_id=f"bc-fanout:{bid}")
    return f"Broadcast {bid} to {found.name} is on its way."


def cancel_meeting(line: Line, user: User, meeting_id: int) -> str:
    """Cancel a meeting as `textline meetings cancel ID` does: no more reminders, those reminded are told."""
    meetings = feature("textline.models.meetings", "require")
    reminders = feature("workers.reminders", "cancel")
    if meetings is None or reminders is None:
        raise NotConnected("Cancelling meetings is not available on this line yet.")
    try:
        meeting = meetings.require(line.r, meeting_id)
    except TextlineError as exc:
        raise ActionError(str(exc)) from exc
    if meeting.cancelled:
        raise ActionError(f"Meeting {meeting_id} is already cancelled.")
    told = reminders.cancel(line, meeting)
    return f"Meeting {meeting_id} cancelled; {told} member{'' if told == 1 else 's'} who were reminded will be told."
