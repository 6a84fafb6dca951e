"""Reaching members: meetings (RSVPs, cancel), the broadcast composer, and delivery figures. Coordinators only."""
from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Any

from flask import flash, g, redirect, request, url_for
from werkzeug.wrappers import Response

from textline.core import gsm
from textline.models import audit, outbound
from textline.web.dashboard import data
from textline.web.dashboard.actions import ActionError, cancel_meeting, send_broadcast
from textline.web.dashboard.blueprint import bp
from textline.web.dashboard.render import page

MAX_TEXT = 1600
DAYS = 7
_LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
#: Delivery statuses as the report groups them (messages and calls alike).
DELIVERED = frozenset({"delivered", "completed", "read"})
FAILED = frozenset({"failed", "undelivered", "busy", "no-answer", "canceled"})


@bp.get("/meetings")
def meetings() -> tuple[str, int]:
    return page("meetings.html", "Meetings", meetings=data.meeting_rows(g.line))


@bp.post("/meetings/<int:meeting_id>/cancel")
def meeting_cancel(meeting_id: int) -> Response:
    try:
        flash(cancel_meeting(g.line, g.user, meeting_id), "info")
        audit.record(g.line, g.user.email, f"cancelled meeting {meeting_id}")
    except ActionError as exc:
        flash(str(exc), "error")
    return redirect(url_for("dashboard.meetings"))


def composer(text: str) -> dict[str, Any]:
    """What a text will cost: characters once fitted to GSM-7, segments, and what fit() replaces."""
    fitted = gsm.fit(text)
    return {"chars": len(fitted), "septets": gsm.septets(text), "segments": gsm.segments(text),
            "replaced": gsm.replaced(text), "raw_segments": gsm.raw_segments(text), "fitted": fitted}


@bp.route("/broadcast", methods=["GET", "POST"])
def broadcast() -> Response | tuple[str, int]:
    """Compose: `check` counts (server-side, without JavaScript), `send` asks to confirm, `confirm` sends."""
    line = g.line
    form = request.form
    text = form.get("text", "")[:MAX_TEXT].replace("\r\n", "\n")
    group = form.get("group", "").strip()[:40]
    at = " ".join(form.get("at", "").split())
    step = form.get("step", "") if request.method == "POST" else ""
    error = ""
    if step in ("send", "confirm"):
        if not group or not text.strip():
            error = "Choose a group and write the text."
        elif at and not _LOCAL_TIME.match(at):
            error = 'Write the time as "YYYY-MM-DD HH:MM", or leave it empty to send now.'
    count = data.recipients(line, group) if group else None
    if step == "confirm" and not error:
        try:
            flash(send_broadcast(line, g.user, group, text.strip(), at or None), "info")
            audit.record(line, g.user.email, "sent a broadcast", group=group, segments=str(gsm.segments(text)))
            return redirect(url_for("dashboard.broadcast"))
        except ActionError as exc:
            error = str(exc)
    return page("broadcast.html", "Broadcast", text=text, group=group, at=at, error=error,
                confirming=step == "send" and not error, count=count, cost=composer(text) if text else None,
                groups=data.group_rows(line), broadcasts=data.broadcast_rows(line),
                gsm_basic="".join(sorted(gsm.GSM7_BASIC)), gsm_extended="".join(sorted(gsm.GSM7_EXTENDED)))


@bp.get("/delivery")
def delivery() -> tuple[str, int]:
    """Sent, delivered and failed per day (UTC) for the last week, and failures by error code."""
    today = g.line.now()
    days, codes = [], Counter[str]()
    for back in range(DAYS):
        day = today - timedelta(days=back)
        row, failed_codes = _day(outbound.delivery_stats(g.line.r, day))
        days.append((day.strftime("%a %d %b"), row))
        codes.update(failed_codes)
    return page("delivery.html", "Delivery", days=days, codes=sorted(codes.items(), key=lambda kv: (-kv[1], kv[0])))


def _day(stats: dict[str, int]) -> tuple[dict[str, int], Counter[str]]:
    row = {"sent": 0, "delivered": 0, "failed": 0, "skipped": 0}
    codes: Counter[str] = Counter()
    for label, count in stats.items():
        status, _, code = label.partition(":")
        if status == "sent":
            row["sent"] += count
        elif status in DELIVERED:
            row["delivered"] += count
        elif status in FAILED:
            row["failed"] += count
            codes[code or status] += count
        elif status == "skipped":
            row["skipped"] += count
    return row, codes
