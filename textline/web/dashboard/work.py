"""What needs a person: Now (open cases, waiting call-backs, who is on call), cases and call-backs.

Acknowledge, close, take, done and release run the staff SMS commands
(ACK, CLOSE, TAKE, DONE, RELEASE) as the account's linked staff number; the
flash then says what happened in the page's words (`outcomes`), not the SMS
reply. A call-back the member asked for later is shown as scheduled, with its
time and without a Take button, until it joins the queue.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from werkzeug.wrappers import Response

from textline.models import audit, staff, staff_load
from textline.models.staff import Role
from textline.web.dashboard import data, outcomes
from textline.web.dashboard.actions import ActionError, staff_command
from textline.web.dashboard.auth import open_to_peers
from textline.web.dashboard.blueprint import bp
from textline.web.dashboard.render import page

MAX_NOTE = 300
CLOSED_SHOWN = 50


@bp.get("/")
@open_to_peers
def home() -> Response | tuple[str, int]:
    """Now: what needs a person, refreshed every 30 seconds. Peers go to their call-backs."""
    if not g.user.coordinator:
        return redirect(url_for("dashboard.callbacks"))
    line = g.line
    cases = data.case_rows(line)
    callbacks = data.callback_rows(line)
    everyone = staff.all_staff(line.r)
    stopped = {m.phone for m in everyone if staff_load.roster_state(line, m)["opted_out"]}
    return page(
        "now.html", "Now",
        cases=[c for c in cases if c.status != "closed"],
        waiting=[c for c in callbacks if c.status == "waiting" and not c.scheduled],
        scheduled=[c for c in callbacks if c.scheduled],
        on_call=[(role, staff.on_call(line.r, role)) for role in Role],
        stopped=stopped, stopped_names=[m.name or "unnamed" for m in everyone if m.phone in stopped],
    )


@bp.get("/cases")
def cases() -> tuple[str, int]:
    rows = data.case_rows(g.line)
    shown = [c for c in rows if c.status != "closed"] + [c for c in rows if c.status == "closed"][:CLOSED_SHOWN]
    return page("cases.html", "Crisis cases", cases=shown)


@bp.get("/cases/<int:case_id>")
def case(case_id: int) -> tuple[str, int]:
    found = data.case_row(g.line, case_id)
    if found is None:
        abort(404)
    return page("case.html", f"Case {case_id}", case=found)


@bp.post("/cases/<int:case_id>/ack")
def case_ack(case_id: int) -> Response:
    """Acknowledge: exactly what `ACK <n>` by SMS does."""
    _run(f"ACK {case_id}", f"acknowledged case {case_id}", "ack", case_id)
    return redirect(url_for("dashboard.case", case_id=case_id))


@bp.post("/cases/<int:case_id>/close")
def case_close(case_id: int) -> Response:
    """Close with a note: exactly what `CLOSE <n> [note]` by SMS does."""
    note = " ".join(request.form.get("note", "").split())[:MAX_NOTE]
    _run(f"CLOSE {case_id} {note}".strip(), f"closed case {case_id}", "close", case_id)
    return redirect(url_for("dashboard.case", case_id=case_id))


@bp.get("/callbacks")
@open_to_peers
def callbacks() -> tuple[str, int]:
    """Coordinators: waiting, taken, done. Peers: the queue and the call-backs they took, nothing more."""
    rows = data.callback_rows(g.line)
    user = g.user
    if not user.coordinator:
        rows = [c for c in rows if c.status == "waiting" or (user.phone and c.taken_by_phone == user.phone)]
    groups = {status: [c for c in rows if c.status == status] for status in ("waiting", "taken", "done")}
    groups["scheduled"] = sorted((c for c in groups["waiting"] if c.scheduled),
                                 key=lambda c: c.due_at.timestamp() if c.due_at else 0.0)
    groups["waiting"] = [c for c in groups["waiting"] if not c.scheduled]
    groups["done"] += [c for c in rows if c.status == "withdrawn"]
    groups["done"] = groups["done"][:CLOSED_SHOWN]
    return page("callbacks.html", "Call-backs", groups=groups)


@bp.post("/callbacks/<int:callback_id>/<any(take, done, release):move>")
@open_to_peers
def callback_move(callback_id: int, move: str) -> Response:
    """TAKE, DONE [note] or RELEASE, exactly as the peer would text them."""
    note = " ".join(request.form.get("note", "").split())[:MAX_NOTE] if move == "done" else ""
    _run(f"{move.upper()} {callback_id} {note}".strip(), f"{move} call-back {callback_id}", move, callback_id)
    return redirect(url_for("dashboard.callbacks"))


def _run(command: str, what: str, verb: str, item: int) -> None:
    """Run the staff command, audit it, and flash what it did in web words (never the SMS reply)."""
    try:
        staff_command(g.line, g.user, command)
    except ActionError as exc:
        flash(str(exc), "error")
        return
    audit.record(g.line, g.user.email, what)
    moved = outcomes.case_move if verb in ("ack", "close") else outcomes.callback_move
    said = moved(g.line, g.user.phone, verb, item)
    flash(said.text, "info" if said.ok else "error")
