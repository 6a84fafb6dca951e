"""`GET /healthz`: 200 and JSON when Redis answers, 503 when it does not."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify
from redis.exceptions import RedisError

from textline.core import queues
from textline.web.context import current_line

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        line = current_line()
        line.r.ping()
        waiting = {name: queues.queue(line, name).count for name in queues.ALL}
    except (RedisError, OSError):
        return jsonify(status="down", redis="down"), 503
    return jsonify(status="ok", redis="up", queues=waiting), 200
