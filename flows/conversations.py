"""Text requests and the peer relay (issue #15): a member's free text reaches a person.

The seam with the risk assessment (issue #14): a `concern` (or a free text) opens a text request
in the peer queue, or joins the member's open one, through `open_text_request`. This stub is the
agreed signature; the conversations work fills it in.
"""
from __future__ import annotations

from flows.outcome import Outcome
from flows.turn import Turn


def open_text_request(turn: Turn, risk: str = "none") -> Outcome:
    """Open (or join) the member's text request with this turn's text at `risk`; what to tell them.

    `risk` is "none", "concern" or "crisis" (concern and crisis are priority high). The outcome's
    replies are the member's answer after any resource the caller already gave.
    """
    del turn, risk
    return Outcome()
