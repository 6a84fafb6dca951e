"""Dev mode only: a page to text the line as a member, posting through the real webhook."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from textline.web.context import current_line, current_settings
from workers.senders import read_outbox

bp = Blueprint("simulator", __name__, template_folder="templates")


@bp.get("/")
@bp.get("/simulator")
def page() -> str:
    return render_template("simulator.html", number=current_settings().number, name=current_settings().name)


@bp.get("/simulator/outbox")
def outbox() -> Response:
    """What workers would have sent to one number (dev mode keeps it in Redis)."""
    phone = request.args.get("to", "")
    entries = [e for e in read_outbox(current_line().r) if not phone or e["to"] == phone]
    return jsonify(entries[-50:])
