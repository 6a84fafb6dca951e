"""Turn a flow's effects into records and jobs (the entry layer's half of 'flows decide, workers deliver')."""
from __future__ import annotations

from collections.abc import Iterable

from flows.outcome import Effect, RunJob, SendText
from textline.core import queues
from textline.core.line import Line
from textline.models import outbound


def apply(line: Line, effects: Iterable[Effect], origin: str | None = None) -> None:
    """Record and enqueue `effects`. With `origin` (the inbound message's sid), handling the same message
    again (Twilio's retry after a failure half-way) adds no second copy of an effect without its own key."""
    for index, effect in enumerate(effects):
        default = f"{origin}:{index}" if origin else None
        if isinstance(effect, SendText):
            outbound.send_text(line, effect.to, effect.text, kind=effect.kind, queue=effect.queue,
                               dedupe=effect.dedupe or default, ref=effect.ref)
        elif isinstance(effect, RunJob):
            queues.enqueue(line, effect.queue, effect.func, *effect.args, job_id=effect.job_id or default)
        else:  # pragma: no cover - a new effect type must be handled here
            raise TypeError(f"unknown effect {type(effect).__name__}")
