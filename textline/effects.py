"""Turn a flow's effects into records and jobs (the entry layer's half of 'flows decide, workers deliver')."""
from __future__ import annotations

from collections.abc import Iterable

from flows.outcome import Effect, RunJob, SendText
from textline import outbound, queues
from textline.line import Line


def apply(line: Line, effects: Iterable[Effect]) -> None:
    for effect in effects:
        if isinstance(effect, SendText):
            outbound.send_text(line, effect.to, effect.text, kind=effect.kind, queue=effect.queue,
                               dedupe=effect.dedupe, ref=effect.ref)
        elif isinstance(effect, RunJob):
            queues.enqueue(line, effect.queue, effect.func, *effect.args, job_id=effect.job_id)
        else:  # pragma: no cover - a new effect type must be handled here
            raise TypeError(f"unknown effect {type(effect).__name__}")
