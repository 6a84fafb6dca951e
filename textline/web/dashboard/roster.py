"""The staff roster and its editor. Coordinators only.

Who is on the roster, on call or not, who texted STOP (they get no alert), each person's load today
(counts only, never whom or what), and their weekly shifts: coordinators add and remove shifts, put
people on or off call, and take someone off the roster (with their shifts), through what
`textline shifts` and `textline staff` run. Forms name staff by an opaque token, never a number; every
change is in the dashboard's audit list with the last four digits at most.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import abort, flash, g, redirect, request, url_for
from werkzeug.wrappers import Response

from textline.core import phones
from textline.models import audit, staff, staff_load
from textline.models.staff import StaffMember
from textline.web.dashboard import data
from textline.web.dashboard.actions import ActionError, add_shift, remove_shift, remove_staff, set_on_call
from textline.web.dashboard.blueprint import bp
from textline.web.dashboard.render import page

#: Longest text kept from each field of the shift form (the model checks what it means).
MAX_FIELD = 40


def staff_token(phone: str) -> str:
    """A stable, opaque handle for a staff member in a form, so no page carries their number."""
    key = g.line.settings.secret_key.encode()
    return hmac.new(key, phone.encode(), hashlib.sha256).hexdigest()[:20]


def _find(token: str) -> StaffMember | None:
    return next((m for m in staff.all_staff(g.line.r) if hmac.compare_digest(staff_token(m.phone), token)), None)


def _by_token(token: str) -> StaffMember:
    found = _find(token)
    if found is None:
        abort(404)
    return found


def _named(member: StaffMember) -> str:
    return member.name or "That staff member"


@bp.get("/roster")
def roster() -> tuple[str, int]:
    return _page()


def _page(form: dict[str, str] | None = None, error: str = "", status: int = 200) -> tuple[str, int]:
    line = g.line
    people = [{"member": m, "token": staff_token(m.phone), **staff_load.roster_state(line, m),
               "shifts": data.shift_rows(line, m.phone)} for m in staff.all_staff(line.r)]
    log = [{**e, "at": data.when(e.get("at"))} for e in audit.recent(line.r, 20)]
    return page("roster.html", "Roster", people=people, log=log, form=form or {}, error=error,
                zone=line.settings.timezone, status=status)


@bp.post("/roster/<token>/<any(on, off):state>")
def roster_toggle(token: str, state: str) -> Response:
    """On or off call, as the staff member's own ON / OFF text does."""
    changed = set_on_call(g.line, _by_token(token).phone, state == "on")
    audit.record(g.line, g.user.email, f"put a staff member {'on' if changed.on_call else 'off'} call",
                 staff=phones.mask(changed.phone))
    flash(f"{_named(changed)} is {'on' if changed.on_call else 'off'} call.", "info")
    return redirect(url_for("dashboard.roster"))


@bp.post("/roster/<token>/remove")
def roster_remove(token: str) -> Response:
    """Off the roster, with their shifts, as `textline staff remove` does."""
    member = _by_token(token)
    try:
        dropped = remove_staff(g.line, member.phone)
    except ActionError as exc:
        flash(str(exc), "error")
        return redirect(url_for("dashboard.roster"))
    audit.record(g.line, g.user.email, f"removed a staff member and {dropped} shift{'' if dropped == 1 else 's'}",
                 staff=phones.mask(member.phone))
    also = f" with {dropped} shift{'' if dropped == 1 else 's'}" if dropped else ""
    flash(f"{_named(member)} is off the roster{also}.", "info")
    return redirect(url_for("dashboard.roster"))


@bp.post("/roster/shifts")
def shift_add() -> Response | tuple[str, int]:
    """A weekly shift for one staff member, as `textline shifts add` makes it."""
    form = {name: " ".join(request.form.get(name, "").split())[:MAX_FIELD] for name in ("staff", "days", "from",
                                                                                        "to", "tz")}
    member = _find(form["staff"])
    if member is None:
        return _page(form, "Choose a staff member for the shift.", 400)
    try:
        shift = add_shift(g.line, member.phone, form["days"], form["from"], form["to"], form["tz"])
    except ActionError as exc:
        return _page(form, str(exc), 400)
    audit.record(g.line, g.user.email, f"added shift {shift.id} ({shift.describe()})", staff=phones.mask(member.phone))
    flash(f"Added a shift for {member.name or 'them'}: {shift.describe()}. They go on call at its start and off "
          "at its end, and get a text each time.", "info")
    return redirect(url_for("dashboard.roster"))


@bp.post("/roster/shifts/<int:shift_id>/remove")
def shift_remove(shift_id: int) -> Response:
    """Remove one shift, as `textline shifts remove ID` does."""
    try:
        shift = remove_shift(g.line, shift_id)
    except ActionError as exc:
        flash(str(exc), "error")
        return redirect(url_for("dashboard.roster"))
    audit.record(g.line, g.user.email, f"removed shift {shift.id} ({shift.describe()})",
                 staff=phones.mask(shift.phone))
    person = staff.get(g.line.r, shift.phone)
    who = person.name if person and person.name else "a staff member"
    message = f"Removed shift {shift.id} ({shift.describe()}) of {who}."
    if person is not None and person.on_call and shift.current(g.line.now()) is not None:
        message += f" {who} is on call now and stays so until taken off call here (or texts OFF)."
    flash(message, "info")
    return redirect(url_for("dashboard.roster"))
