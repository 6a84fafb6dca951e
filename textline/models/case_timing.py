"""How fast the line's crisis path is, per case: detection to the first staff alert delivered, and to ACK.

Both are measured from the case's opening (the moment a member's words were assessed as a crisis)
on the line's clock, and kept as histograms in textline/models/metrics.py. The alert latency is a
status hook (listed in textline/models/hooks.py): the first ladder alert of a case that Twilio
reports delivered (a text) or answered (a call) is observed, once per case however many web
processes receive callbacks for it.
"""
from __future__ import annotations

from datetime import datetime

from textline.core.line import Line
from textline.models import cases, metrics
from textline.models.outbound import Kind, Message

#: Twilio statuses that mean an alert reached the staff member's phone.
REACHED = frozenset({"delivered", "answered", "in-progress"})


def _ladder_case(message: Message) -> int | None:
    """The case a ladder alert (`ref` case:{id}:{round}) is about; None for anything else."""
    parts = message.ref.split(":")
    if message.kind != Kind.ALERT or len(parts) != 3 or parts[0] != "case" or not parts[1].isdigit():
        return None
    return int(parts[1])


def _since_opened(line: Line, case: cases.Case) -> float | None:
    try:
        opened = datetime.fromisoformat(case.opened_at)
    except ValueError:
        return None
    return (line.now() - opened).total_seconds()


def on_status(line: Line, message: Message, state: str, error: str) -> None:
    """A ladder alert reached staff: observe the case's alert latency, if it is the case's first."""
    case_id = _ladder_case(message)
    if case_id is None or state not in REACHED:
        return
    case = cases.get(line.r, case_id)
    seconds = _since_opened(line, case) if case is not None else None
    if seconds is not None:
        metrics.observe_once(line.r, metrics.ALERT_LATENCY, f"case:{case_id}:alerted", seconds)


def acknowledged(line: Line, case: cases.Case) -> None:
    """Staff acknowledged `case` just now (the first ACK): observe the time since it opened."""
    seconds = _since_opened(line, case)
    if seconds is not None:
        metrics.observe(line.r, metrics.ACK_TIME, seconds)
