"""`GET /healthz`: 200 when Redis answers, 503 when it does not; details only for the metrics token.

Anyone (a load balancer, Twilio's fallback logic, a stranger) learns only `ok` or `unavailable`.
With `Authorization: Bearer <TEXTLINE_METRICS_TOKEN>` the answer adds Redis's state and each queue's
depth, which say how busy the line is (a crisis queue that grows is worth knowing, not worth showing).
"""
from __future__ import annotations

import hmac

from flask import Blueprint, Request, Response, jsonify, request
from redis.exceptions import RedisError

from textline.core import queues
from textline.core.settings import Settings
from textline.web.context import current_line, current_settings

bp = Blueprint("health", __name__)


def has_token(settings: Settings, req: Request) -> bool:
    """True when the request carries `Authorization: Bearer <TEXTLINE_METRICS_TOKEN>` (never without a token set)."""
    token = settings.metrics_token
    given = req.headers.get("Authorization", "")
    if not token or not given.startswith("Bearer "):
        return False
    return hmac.compare_digest(given.removeprefix("Bearer ").strip().encode(), token.encode())


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    detailed = has_token(current_settings(), request)
    try:
        line = current_line()
        line.r.ping()
        waiting = {name: queues.queue(line, name).count for name in queues.ALL} if detailed else {}
    except (RedisError, OSError):
        return jsonify(status="unavailable", **({"redis": "down"} if detailed else {})), 503
    if not detailed:
        return jsonify(status="ok"), 200
    return jsonify(status="ok", redis="up", queues=waiting), 200
