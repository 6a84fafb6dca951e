"""Rendering dashboard pages: the shared template context, the navigation, and time and number filters."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import g, render_template, request

from textline.core import phones
from textline.web.dashboard.blueprint import bp
from textline.web.dashboard.csrf import csrf_token

#: (endpoint, label), in the order of the navigation; peers see only the ones open to them.
NAV = (
    ("dashboard.home", "Now"),
    ("dashboard.cases", "Cases"),
    ("dashboard.callbacks", "Call-backs"),
    ("dashboard.conversations", "Conversations"),
    ("dashboard.groups", "Groups"),
    ("dashboard.members", "Members"),
    ("dashboard.meetings", "Meetings"),
    ("dashboard.broadcast", "Broadcast"),
    ("dashboard.roster", "Roster"),
    ("dashboard.delivery", "Delivery"),
    ("dashboard.impact", "Impact"),
)
PEER_NAV = frozenset({"dashboard.callbacks", "dashboard.conversations"})


def page(template: str, title: str, *, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(f"dashboard/{template}", title=title, **context), status


@bp.context_processor
def shared() -> dict[str, Any]:
    user = getattr(g, "user", None)
    nav = [(e, label) for e, label in NAV if user is not None and (user.coordinator or e in PEER_NAV)]
    line = getattr(g, "line", None)
    return {"user": user, "nav": nav, "nonce": getattr(g, "nonce", ""), "csrf_token": csrf_token,
            "line_name": line.settings.name if line else "textline", "here": request.endpoint}


def now() -> datetime:
    if "now" not in g:
        g.now = g.line.now()
    return g.now


@bp.app_template_filter("ago")
def ago(value: datetime | None) -> str:
    """How long ago, in the largest sensible unit: `4 min`, `2 h 5 min`, `3 d`."""
    if value is None:
        return "-"
    seconds = max(0, int((now() - value).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} d"


@bp.app_template_filter("local")
def local(value: datetime | None, fmt: str = "%a %d %b %H:%M") -> str:
    """A time in the line's own zone."""
    if value is None:
        return "-"
    return value.astimezone(g.line.settings.zone).strftime(fmt)


@bp.app_template_filter("mask")
def mask(value: str | None) -> str:
    return phones.mask(value)
