"""Status hooks: what features do when a delivery reaches a state, every one listed here.

`status()` is called for each delivery status of a known message: Twilio's status callbacks
(textline/web/webhooks.py, in the web process) and refusals the sender met itself
(workers/send.py, in a worker). Both import this module, and this module imports every hook, so
no process can run without one (a hook registered by importing its feature ran only where
something had imported that feature).
"""
from __future__ import annotations

from collections.abc import Callable

from textline.core.line import Line
from textline.models import case_timing, cases, voice_notices
from textline.models.outbound import Message
from textline.models.requests import calls

StatusHook = Callable[[Line, Message, str, str], None]

#: Every status hook, run in this order.
STATUS_HOOKS: tuple[StatusHook, ...] = (
    cases.on_status,  # a ladder alert delivered or failed goes on its case's trail; a failed round escalates
    voice_notices.on_status,  # a prompt or reminder a landline cannot take (30006) becomes a call
    calls.peer_call_status,  # the line's call to a peer who took a call-back did not reach them: text the peer
    case_timing.on_status,  # a case's first ladder alert reached staff: its latency goes in /metrics
)


def status(line: Line, message: Message, state: str, error: str = "") -> None:
    """Tell every status hook that `message` reached `state` (with Twilio's error code, if any)."""
    for hook in STATUS_HOOKS:
        hook(line, message, state, error)
