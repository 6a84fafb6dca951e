"""`textline callbacks`: every call-back request, those waiting first in the order peers are served."""
from __future__ import annotations

import click

from textline.cli import common
from textline.models import requests as callbacks
from textline.models import staff


@click.command(name="callbacks")
@click.option("--status", type=click.Choice([s.value for s in callbacks.Status]), default=None,
              help="Only requests with this status.")
@common.json_option
def callbacks_command(status: str | None, as_json: bool) -> None:
    """Call-back requests: id, phone, status, priority (high|normal), taken_by (the peer's number) ...

    One asked for later is `scheduled` (in the table its status reads "scheduled") until its due_at.
    """
    r = common.line().r
    rows = []
    position = 0
    for cb in callbacks.all_requests(r):
        if cb.is_text:  # text requests: `textline requests`
            position += callbacks.is_queued(r, cb.id)
            continue
        row = cb.as_dict()
        queued = callbacks.is_queued(r, cb.id)
        position += queued
        row["position"] = position if queued else None
        # Asked for later ("tomorrow"): waiting, but not in the queue until due_at.
        row["scheduled"] = row["status"] == "waiting" and r.zscore(callbacks.LATER, str(cb.id)) is not None
        taker = staff.get(r, cb.taken_by) if cb.taken_by else None
        row["taken_by_name"] = taker.name if taker else None
        if status is None or row["status"] == status:
            rows.append(row)
    if not as_json:
        for row in rows:
            row["status"] = "scheduled" if row["scheduled"] else row["status"]
    common.emit(rows, as_json, ["id", "status", "priority", "position", "reason", "when", "due_at", "phone",
                                "taken_by_name", "created_at"])
