"""Conversations: text requests and the peer relay on the dashboard.

Peers see the text conversations they hold (with their words: they are in them) and the waiting
queue with each request's first words, never a number. Coordinators see counts and waits and no
words until they open one: opening is a POST (with its CSRF token), recorded in the audit log like
a Reveal. Take, done and release run the staff SMS commands, as on the Call-backs page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort, flash, g, redirect, request, url_for
from werkzeug.wrappers import Response

from textline.models import audit, member_refs
from textline.models import requests as callbacks
from textline.models.requests import Callback, Status, transcript
from textline.web.dashboard import data
from textline.web.dashboard.actions import ActionError, staff_command
from textline.web.dashboard.auth import open_to_peers
from textline.web.dashboard.blueprint import bp
from textline.web.dashboard.render import page
from textline.web.dashboard.work import MAX_NOTE

FIRST_WORDS = 60
SHOWN_CLOSED = 30


@dataclass(frozen=True)
class ConversationRow:
    id: int
    member: data.Who
    status: str
    priority: str
    risk: str
    created_at: datetime | None
    taken_by_phone: str
    taken_by: str
    taken_at: datetime | None
    first_words: str


def _row(cb: Callback, with_words: bool) -> ConversationRow:
    line = g.line
    return ConversationRow(
        id=cb.id, member=data.who(line, cb.phone), status=str(cb.status), priority=str(cb.priority), risk=cb.risk,
        created_at=data.when(cb.created_at), taken_by_phone=cb.taken_by, taken_by=data.staff_name(line, cb.taken_by),
        taken_at=data.when(cb.taken_at),
        first_words=transcript.first_words(line.r, cb.id, FIRST_WORDS) if with_words else "")


def _text_requests() -> list[Callback]:
    return [cb for cb in callbacks.all_requests(g.line.r) if cb.is_text]


@bp.get("/conversations")
@open_to_peers
def conversations() -> tuple[str, int]:
    user, line = g.user, g.line
    found = _text_requests()
    if not user.coordinator:
        waiting = [_row(cb, True) for cb in found if cb.status == Status.WAITING]
        mine = [(_row(cb, False), transcript.lines(line.r, cb.id)) for cb in found
                if cb.status == Status.TAKEN and user.phone and cb.taken_by == user.phone]
        return page("conversations.html", "Conversations", peer=True, waiting=waiting, mine=mine)
    rows = [_row(cb, False) for cb in found]
    waits = [r.created_at for r in rows if r.status == "waiting" and r.created_at]
    counts = {status: sum(r.status == status for r in rows) for status in ("waiting", "taken", "done", "withdrawn")}
    closed = [r for r in rows if r.status in ("done", "withdrawn")][:SHOWN_CLOSED]
    return page("conversations.html", "Conversations", peer=False, counts=counts, oldest=min(waits, default=None),
                open_rows=[r for r in rows if r.status in ("waiting", "taken")], closed=closed)


@bp.post("/conversations/<int:request_id>/open")
def conversation_open(request_id: int) -> tuple[str, int]:
    """A coordinator reads one conversation: recorded in the audit log, like Reveal."""
    cb = callbacks.get(g.line.r, request_id)
    if cb is None or not cb.is_text:
        abort(404)
    ref = member_refs.ref_for(g.line.r, cb.phone)
    audit.record(g.line, g.user.email, f"opened conversation {request_id}", member=ref)
    return page("conversation.html", f"Conversation {request_id}", row=_row(cb, False),
                lines=transcript.lines(g.line.r, cb.id))


@bp.post("/conversations/<int:request_id>/<any(take, done, release):move>")
@open_to_peers
def conversation_move(request_id: int, move: str) -> Response:
    """TAKE, DONE [note] or RELEASE, exactly as the peer would text them."""
    note = " ".join(request.form.get("note", "").split())[:MAX_NOTE] if move == "done" else ""
    try:
        staff_command(g.line, g.user, f"{move.upper()} {request_id} {note}".strip())
    except ActionError as exc:
        flash(str(exc), "error")
        return redirect(url_for("dashboard.conversations"))
    audit.record(g.line, g.user.email, f"{move} text request {request_id}")
    ok, said = _said(move, request_id)
    flash(said, "info" if ok else "error")
    return redirect(url_for("dashboard.conversations"))


def _said(move: str, request_id: int) -> tuple[bool, str]:
    """What the move did, in web words, read back from the request (never the SMS reply)."""
    cb = callbacks.get(g.line.r, request_id)
    me, label = g.user.phone, f"Text {request_id}"
    if cb is None:
        return False, f"There is no text request {request_id}."
    if move == "take" and cb.status == Status.TAKEN and cb.taken_by == me:
        return True, f"{label} is yours. Text the line from your phone to answer; it reaches them from the line."
    if move == "done" and cb.status == Status.DONE and cb.taken_by == me:
        return True, f"{label} is done; they were told they can write again any time. Thank you."
    if move == "release" and cb.status == Status.WAITING:
        return True, f"{label} is back in the queue for another peer."
    if cb.status == Status.TAKEN and cb.taken_by != me:
        return False, f"{label} is with {data.staff_name(g.line, cb.taken_by)}."
    if move == "take" and callbacks.held_by(g.line.r, me or ""):
        return False, f"{label} is still waiting: you hold as many conversations as you may. Finish one first."
    return False, f"{label} did not change ({cb.status}). Reload the page to see where it stands."
