"""Telling peers about a request, call-back or text alike: each available peer on call once per round
and tag, those who speak the member's language first; a new offer counts against `[peers] max_per_shift`
(a reminder of one already offered does not). Never the member's number.
"""
from __future__ import annotations

from textline.core import queues
from textline.core.line import Line
from textline.models import offers, outbound
from textline.models.outbound import Kind
from textline.models.requests import texts, transcript
from textline.models.requests.store import Callback
from textline.models.requests.store import ref as request_ref


def tell_peers(line: Line, cb: Callback, key: str, tag: str, *, offer: bool, **values: object) -> int:
    """Text catalog entry `key` about `cb` to each peer it goes to; how many were sent."""
    prefix, ref = ("conv", transcript.ref(cb.id)) if cb.is_text else ("cb", request_ref(cb.id))
    sent = 0
    for peer in texts.peers_in_order(line, cb):
        dedupe = f"{prefix}:{cb.id}:{tag}:{cb.round}:{peer.phone}"
        if outbound.by_dedupe(line.r, dedupe) or (offer and not offers.claim(line, peer.phone)):
            continue
        body = texts.to_peer(line, cb, peer.phone, key, **values)
        if outbound.send_text(line, peer.phone, body, kind=Kind.ALERT, queue=queues.REPLIES, dedupe=dedupe, ref=ref):
            sent += 1
    return sent
