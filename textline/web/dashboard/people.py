"""Groups and members. Coordinators only (the staff roster is `roster`).

No page shows a whole phone number: members are listed by name or last four
digits and linked by an opaque reference; the whole number appears only
after the coordinator presses "Reveal" (a POST with its CSRF token), and each
reveal is recorded with who and when, on the member's own record and in the
dashboard's audit list.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, flash, g, request

from textline.core import phones
from textline.models import audit, member_refs, members
from textline.web.dashboard import data
from textline.web.dashboard.blueprint import bp
from textline.web.dashboard.render import page

#: Fields of `members show` a coordinator needs on the member page; nothing else is shown.
SHOWN = ("status", "language", "timezone", "created_at", "consented_at", "discreet", "needs_outreach")


@bp.get("/groups")
def groups() -> tuple[str, int]:
    return page("groups.html", "Groups and members", counts=data.status_counts(g.line), groups=data.group_rows(g.line))


@bp.get("/members", endpoint="members")
def members_list() -> tuple[str, int]:
    """Members by page, optionally of one group (name or code) or one status."""
    line, size = g.line, g.config.page_size
    group = request.args.get("group", "").strip()[:40]
    status = request.args.get("status", "")
    everyone = members.all_phones(line.r)
    if group:
        roster = data.group_roster(line, group)
        if roster is None:
            flash(f"No group {group!r} on this line.", "error")
            roster = set()
        everyone = [p for p in everyone if p in roster]
    if status in {s.value for s in members.MemberStatus}:
        pipe = line.r.pipeline(transaction=False)
        for phone in everyone:
            pipe.hget(members.key(phone), "status")
        everyone = [p for p, s in zip(everyone, pipe.execute(), strict=True) if (s or "pending") == status]
    number = max(1, request.args.get("page", 1, type=int) or 1)
    shown = everyone[(number - 1) * size:number * size]
    refs = member_refs.refs_for(line.r, shown)
    rows = [_row(line, phone, refs[phone]) for phone in shown]
    return page("members.html", "Members", rows=[r for r in rows if r], total=len(everyone), number=number,
                pages=max(1, -(-len(everyone) // size)), group=group, state=status)


def _row(line: Any, phone: str, ref: str) -> dict[str, Any] | None:
    view = data.member_view(line, phone)
    if view is None:
        return None
    return {"ref": ref, "label": view.get("name") or phones.mask(phone), "status": view.get("status"),
            "language": view.get("language"), "groups": view.get("groups") or []}


@bp.get("/members/<ref>")
def member(ref: str) -> tuple[str, int]:
    return _member_page(ref, revealed=None)


@bp.post("/members/<ref>/reveal")
def member_reveal(ref: str) -> tuple[str, int]:
    """Show the whole number once, and record who saw it and when."""
    phone = member_refs.phone_for(g.line.r, ref)
    if phone is None:
        abort(404)
    member_refs.record_reveal(g.line.r, phone, g.user.email, g.line.now())
    audit.record(g.line, g.user.email, "revealed a member's number", member=ref, last4=phones.mask(phone))
    return _member_page(ref, revealed=phone)


def _member_page(ref: str, revealed: str | None) -> tuple[str, int]:
    line = g.line
    phone = member_refs.phone_for(line.r, ref)
    view = data.member_view(line, phone) if phone else None
    if phone is None or view is None:
        abort(404)
    details = {k: view[k] for k in SHOWN if view.get(k) not in (None, "", [], False)}
    reveals = [{"by": e["by"], "at": data.when(e["at"])} for e in member_refs.reveals(line.r, phone)[:10]]
    return page("member.html", view.get("name") or phones.mask(phone), ref=ref, masked=phones.mask(phone),
                details=details, groups=view.get("groups") or [], checkins=_checkins(view.get("checkins") or []),
                callback=view.get("callback"), cases=view.get("crisis_cases") or [], revealed=revealed,
                reveals=reveals)


def _checkins(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """A summary, not the history: how many in 30 days, how many low, when the last one was."""
    now = data.when(g.line.now().isoformat())
    assert now is not None
    recent = [(data.when(e.get("at")), int(e.get("mood") or 0)) for e in entries]
    recent = [(at, mood) for at, mood in recent if at and now - at <= timedelta(days=30)]
    last = max((at for at, _ in recent), default=None)
    return {"count": len(recent), "low": sum(1 for _, mood in recent if mood <= 2), "last": last}
