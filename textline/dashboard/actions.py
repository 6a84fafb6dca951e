"""Every change the dashboard makes goes through the code SMS commands and the CLI use, never a copy.

- `staff_command(line, user, "ACK 12")` runs the staff command registered in
  flows.registry (ACK, CLOSE, TAKE, DONE, RELEASE, RETRY ...) as the
  account's linked staff number, with the roles SMS checks, and applies its
  effects: the same audit trail and the same texts to the others. It returns
  the reply the SMS would have got, numbers masked, for the page.
- `set_on_call` is what ON / OFF do (textline.staff).
- `send_broadcast` and `cancel_meeting` call the functions behind
  `textline broadcast` and `textline meetings cancel` (#6).
"""
from __future__ import annotations

from datetime import datetime

from flows import registry
from flows.inbound import Channel, Inbound
from flows.turn import Turn
from textline import effects, members, phones, staff
from textline.dashboard.data import feature
from textline.errors import TextlineError
from textline.line import Line
from textline.users import User


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


def send_broadcast(line: Line, user: User, group: str, text: str, at: datetime | None) -> str:
    """Send (or schedule) a broadcast through the broadcasts feature; a line for the page.

    Wire at merge (#6): the function `textline broadcast GROUP TEXT [--at]` and SEND + YES both call.
    """
    module = feature("textline.broadcasts", "announce")
    if module is None:
        raise NotConnected("Broadcasts are not available on this line yet.")
    broadcast_id = module.announce(line, group, text, at=at, by=user.email)
    return f"Broadcast {broadcast_id} {'scheduled' if at else 'is being sent'}."


def cancel_meeting(line: Line, user: User, meeting_id: int) -> str:
    """Cancel a meeting as `textline meetings cancel ID` does (those reminded are told).

    Wire at merge (#6): the function behind `textline meetings cancel`.
    """
    module = feature("textline.meetings", "cancel_and_tell")
    if module is None:
        raise NotConnected("Cancelling meetings is not available on this line yet.")
    module.cancel_and_tell(line, meeting_id)
    return f"Meeting {meeting_id} cancelled."
