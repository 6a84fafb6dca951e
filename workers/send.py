"""Deliver one outbound text or call, by its record's id.

Safe to run twice, concurrently or after a crash: a final status is never
sent again, a lock in Redis lets one delivery through at a time, and a watch
timer re-enqueues a delivery whose worker died mid-send. An attempt that got
no answer (a timeout, a killed process) is looked up at Twilio before the
next one, so it is not sent twice. Transient failures come back with backoff
through the timers; permanent ones end the record.
"""
from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta

from textline import members, outbound, queues, ratelimit, timers
from textline.errors import AmbiguousSendError, PermanentSendError, TransientSendError
from textline.line import Line
from textline.outbound import Kind, Message, Status
from textline.phones import mask
from workers import runtime

log = logging.getLogger(__name__)

#: Kinds that never give up: a person in danger is behind them.
PERSISTENT = frozenset({Kind.CRISIS, Kind.ALERT})
#: Kinds that may wait for a send slot instead of yielding it.
PRIORITY_QUEUES = frozenset({queues.CRISIS, queues.REPLIES})
OPTED_OUT_CODES = frozenset({21610})
INVALID_CODES = frozenset({21211, 21614, 21217, 21401, 21407, 21408, 21612})
#: The longest a priority send waits for its slot in the limiter, in seconds.
MAX_SLOT_WAIT = 5.0
#: Names of the timers that bring a delivery back (each followed by the message id).
DELIVERY_TIMERS = ("watch:", "retry:", "slot:")


def lock_key(msg_id: str) -> str:
    """Held while one delivery of the message is under way."""
    return f"tl:msg:{msg_id}:lock"


def deliver(msg_id: str) -> str:
    """The RQ job: deliver record `msg_id`; returns what happened (kept briefly as the job result)."""
    return Delivery(runtime.line(), msg_id).run()


class Delivery:
    def __init__(self, line: Line, msg_id: str) -> None:
        self.line = line
        self.r = line.r
        self.msg_id = msg_id
        self.lock = lock_key(msg_id)
        self.token = uuid.uuid4().hex

    def run(self) -> str:
        msg = outbound.get(self.r, self.msg_id)
        if msg is None:
            return "missing"
        if msg.status in outbound.FINAL:
            return "already " + str(msg.status)
        reason = self.blocked(msg)
        if reason:
            outbound.mark(self.line, msg.id, Status.SKIPPED, error=reason)
            log.info("message %s skipped: %s", msg.id, reason)
            return "skipped"
        lease = self.lease()
        # The watch comes first: whenever this process dies from here on, the watch re-enqueues the
        # delivery after the lease. A busy lock leaves it set, in case the holder is the one that died.
        watch = f"watch:{msg.id}"
        timers.schedule(self.r, watch, self.line.now() + timedelta(seconds=lease + 1), msg.queue,
                        outbound.DELIVER, msg.id)
        if not self.r.set(self.lock, self.token, nx=True, ex=max(1, int(lease + 0.999))):
            return "busy"
        try:
            if msg.status == Status.SENDING and msg.attempt_at:
                earlier = self.earlier_attempt(msg)
                if earlier is None:
                    self.retry_at(msg, self.backoff(msg, msg.attempts), name="retry")
                    return "retry"
                if earlier:
                    return "sent"
            if not self.take_slot(msg):
                return "later"
            return self.send(msg)
        finally:
            timers.cancel(self.r, watch)
            self.release()

    def lease(self) -> float:
        """How long one delivery may hold the lock: longer than its slowest send (two HTTP timeouts, a slot wait)."""
        settings = self.line.settings
        return max(settings.send_lease, 2 * settings.http_timeout + MAX_SLOT_WAIT + 1)

    def earlier_attempt(self, msg: Message) -> bool | None:
        """An earlier attempt ended without an answer (a timeout, a killed process): did it reach Twilio?

        None when Twilio cannot tell us now: the delivery comes back later rather than risk a second copy.
        """
        try:
            sids = runtime.sender().find(msg.channel, msg.to, msg.body, msg.attempt_at)
        except TransientSendError as exc:
            log.info("message %s: cannot check an earlier attempt (%s)", msg.id, exc)
            return None
        for sid in sids:
            if outbound.by_sid(self.r, sid) in (None, msg.id):
                outbound.mark(self.line, msg.id, Status.SENT, sid=sid)
                log.info("message %s: an earlier attempt reached Twilio; not sent again", msg.id)
                return True
        return False

    def blocked(self, msg: Message) -> str:
        """Why this record must not be sent, or ''."""
        if msg.channel == "sms" and members.is_opted_out(self.r, msg.to):
            return "opted_out"
        if members.is_invalid(self.r, msg.to):
            return "invalid"
        if msg.kind not in outbound.BEFORE_CONSENT:
            member = members.get(self.r, msg.to)
            if member is not None and not member.active:
                return "no_consent"
        return ""

    def take_slot(self, msg: Message) -> bool:
        """Wait for a send slot (priority work) or come back when one is free (bulk)."""
        if msg.channel != "sms":
            return True
        rate = self.line.settings.send_rate
        if msg.queue in PRIORITY_QUEUES:
            slot = ratelimit.take(self.r, rate, priority=True, max_wait=MAX_SLOT_WAIT)
        elif queues.waiting(self.line, PRIORITY_QUEUES):
            slot = ratelimit.take(self.r, rate, priority=False)
        else:  # nothing more urgent waits: hold at most one interval for the next slot
            slot = ratelimit.take(self.r, rate, priority=True, max_wait=min(1.0, 1.0 / rate))
        if slot.granted:
            if slot.wait > 0:
                time.sleep(slot.wait)
            return True
        self.retry_at(msg, max(slot.wait, 0.01), name="slot")
        return False

    def send(self, msg: Message) -> str:
        settings = self.line.settings
        attempt = outbound.start_attempt(self.line, msg.id)
        if not attempt:
            return "already final"
        sender = runtime.sender()
        try:
            if msg.channel == "call":
                sid = sender.place_call(msg.to, msg.body)
            else:
                sid = sender.send_sms(msg.to, msg.body)
        except TransientSendError as exc:
            if attempt >= settings.retry_max and msg.kind not in PERSISTENT:
                outbound.mark(self.line, msg.id, Status.FAILED, error=str(exc.code or exc.status or "transient"))
                log.warning("message %s failed after %d attempts (%s)", msg.id, attempt, exc)
                return "failed"
            delay = self.backoff(msg, attempt)
            log.info("message %s attempt %d: %s; retry in %.2fs", msg.id, attempt, exc, delay)
            if not isinstance(exc, AmbiguousSendError):  # else it stays `sending`: the retry looks first
                outbound.mark(self.line, msg.id, Status.QUEUED)
            self.retry_at(msg, delay, name="retry")
            return "retry"
        except PermanentSendError as exc:
            self.permanent(msg, exc)
            return "failed"
        outbound.mark(self.line, msg.id, Status.SENT, sid=sid)
        log.info("message %s sent to %s (%s)", msg.id, mask(msg.to), msg.kind)
        return "sent"

    def backoff(self, msg: Message, attempt: int) -> float:
        """Exponential, capped lower for crisis work."""
        cap = 5.0 if msg.kind in PERSISTENT else 60.0
        return min(self.line.settings.retry_backoff * 2 ** max(0, attempt - 1), cap)

    def permanent(self, msg: Message, exc: PermanentSendError) -> None:
        code = exc.code or 0
        if code in OPTED_OUT_CODES:
            members.opt_out(self.r, msg.to, self.line.now())
        elif code in INVALID_CODES:
            members.mark_invalid(self.r, msg.to, code)
        outbound.mark(self.line, msg.id, Status.FAILED, error=str(code or exc.status or "permanent"))
        log.warning("message %s to %s failed for good: code %s", msg.id, mask(msg.to), code)

    def retry_at(self, msg: Message, delay: float, *, name: str) -> None:
        at = self.line.now() + timedelta(seconds=delay)
        timers.schedule(self.r, f"{name}:{msg.id}", at, msg.queue, outbound.DELIVER, msg.id)

    def release(self) -> None:
        # Only our own lock: a lease that expired may belong to a newer delivery.
        if self.r.get(self.lock) == self.token:
            self.r.delete(self.lock)
