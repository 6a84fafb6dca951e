"""Every job path that is enqueued or scheduled, named once.

A job path is the dotted name of the function RQ runs (`workers.<module>.<function>`, taking ids
only). It is stored with every queued job and every timer in Redis (`tl:timer:{name}`), so a name
here never changes while a job or a timer may still hold it: rename the function and keep the
path, or keep both until the old timers are gone. `tests/core/test_jobs.py` checks that each
resolves to a function and that no other module spells one.

Modules that enqueue (textline.models, flows as `RunJob` effects, workers, textline.web,
textline.cli) import these names; none imports the worker modules themselves.
"""
from __future__ import annotations

#: Deliver one outbound text or call by its record id (textline.models.outbound).
DELIVER = "workers.send.deliver"

#: A crisis case's ladder: run round `n` of case `id` (textline.models.cases).
ESCALATE_STEP = "workers.escalate.step"
#: Open (or add to) a case from a discreet signal event (flows/signal.py).
OPEN_CASE_BY_SIGNAL = "workers.escalate.open_case_by_signal"

#: Call-backs (textline.models.requests): a request became due, peers to be told, nobody took it,
#: and the line's call to the peer who took it.
CALLBACK_DUE = "workers.callbacks.due"
CALLBACK_NOTIFY = "workers.callbacks.notify"
CALLBACK_CLAIM_TIMEOUT = "workers.callbacks.claim_timeout"
CALLBACK_CALL_PEER = "workers.callbacks.call_peer"

#: Text requests (textline.models.requests, kind text): peers to be told, nobody took it.
TEXT_NOTIFY = "workers.conversations.notify"
TEXT_CLAIM_TIMEOUT = "workers.conversations.claim_timeout"

#: A broadcast: cut the recipients into records, then send them at the line's rate.
BROADCAST_FANOUT = "workers.broadcast.fanout"
BROADCAST_PUMP = "workers.broadcast.pump"

#: Meeting reminders: send one reminder round, plan the next occurrence's.
MEETING_REMIND = "workers.reminders.remind"
MEETING_REPLAN = "workers.reminders.replan"

#: Scheduled check-in prompts: send one, close its answer window.
PROMPT_FIRE = "workers.prompts.fire"
PROMPT_CLOSE = "workers.prompts.close_window"

#: A member's personal reminder is due.
PERSONAL_REMINDER = "workers.personal_reminders.fire"

#: A prompt or reminder a landline could not take as SMS is read by a call.
VOICE_FALLBACK = "workers.voice_fallback.call_for"

#: Every job path above.
ALL: tuple[str, ...] = (
    DELIVER, ESCALATE_STEP, OPEN_CASE_BY_SIGNAL, CALLBACK_DUE, CALLBACK_NOTIFY, CALLBACK_CLAIM_TIMEOUT,
    CALLBACK_CALL_PEER, BROADCAST_FANOUT, BROADCAST_PUMP, MEETING_REMIND, MEETING_REPLAN, PROMPT_FIRE,
    PROMPT_CLOSE, PERSONAL_REMINDER, VOICE_FALLBACK, TEXT_NOTIFY, TEXT_CLAIM_TIMEOUT,
)
