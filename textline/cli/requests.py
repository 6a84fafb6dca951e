"""`textline requests`: call-back and text requests, one queue (those waiting first, in the order served)."""
from __future__ import annotations

from typing import Any

import click
import redis

from textline.cli import common
from textline.models import requests as callbacks
from textline.models import staff


def rows(r: redis.Redis, kind: str | None = None) -> list[dict[str, Any]]:
    """Every request (of `kind`, if given) with its place in the queue and the taker's name."""
    out = []
    position = 0
    for cb in callbacks.all_requests(r):
        queued = callbacks.is_queued(r, cb.id)
        position += queued
        if kind is not None and cb.kind != kind:
            continue
        row = cb.as_dict()
        row["position"] = position if queued else None
        taker = staff.get(r, cb.taken_by) if cb.taken_by else None
        row["taken_by_name"] = taker.name if taker else None
        out.append(row)
    return out


@click.command(name="requests")
@click.option("--status", type=click.Choice([s.value for s in callbacks.Status]), default=None,
              help="Only requests with this status.")
@click.option("--kind", type=click.Choice([k.value for k in callbacks.Kind]), default=None,
              help="Only call-backs (call) or text requests (text).")
@common.json_option
def requests_command(status: str | None, kind: str | None, as_json: bool) -> None:
    """Call-back and text requests: id, kind (call|text), phone, status, priority, risk, taken_by ..."""
    found = [row for row in rows(common.line().r, kind) if status is None or row["status"] == status]
    common.emit(found, as_json, ["id", "kind", "status", "priority", "risk", "position", "phone", "taken_by_name",
                                 "created_at"])
