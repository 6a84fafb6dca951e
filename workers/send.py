"""Deliver one outbound text or call, by its record's id.

Safe to run twice, concurrently or after a crash: a final status is never
sent again, a lock in Redis lets one delivery through at a time, and a watch
timer re-enqueues a delivery whose worker died mid-send. Transient failures
come back with backoff through the timers; permanent ones end the record.
"""
from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timedelta

from textline import hooks, members, outbound, queues, ratelimit, timers
from textline.errors import PermanentSendError, TransientSendError
from textline.line import Line
from textline.outbound import Kind, Message, Status
from textline.phones import mask
from workers import runtime

log = logging.getLogger(__name__)

#: Kinds that never give up: a person in danger is behind them.
PERSISTENT = frozenset({Kind.CRISIS, Kind.ALERT})
#: Kinds that may wait for a send slot instead of yielding it.
PRIORITY_QUEUES = frozenset({queues.CRISIS, queues.REPLIES})
#: Records a broadcast made (see textline.broadcasts) carry a reference starting so.
BROADCAST_REF = "bc:"
#: The longest a bulk send holds its worker for a slot; at slower rates it comes back through a timer.
BULK_MAX_WAIT = 5.0
OPTED_OUT_CODES = frozenset({21610})
INVALID_CODES = frozenset({21211, 21614, 21217, 21401, 21407, 21408, 21612})


def deliver(msg_id: str) -> str:
    """The RQ job: deliver record `msg_id`; returns what happened (kept briefly as the job result)."""
    return Delivery(runtime.line(), msg_id).run()


def at_most_once(msg: Message) -> bool:
    """A broadcast's copies go out at most once: a send whose worker died mid-request is not repeated,
    since Twilio may have taken it (one copy per member per broadcast, never two). Everything else,
    personal reminders included, is sent again: a duplicate costs less than a miss."""
    return msg.kind == Kind.BROADCAST or msg.ref.startswith(BROADCAST_REF)


class Delivery:
    """One delivery attempt. `paced`: the caller (a broadcast pump) keeps the record when no slot is free."""

    def __init__(self, line: Line, msg_id: str, *, paced: bool = False) -> None:
        self.line = line
        self.paced = paced
        self.r = line.r
        self.msg_id = msg_id
        self.lock = f"tl:msg:{msg_id}:lock"
        self.token = uuid.uuid4().hex
        self.rewatch: datetime | None = None

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
            hooks.status(self.line, msg, "failed", reason)
            return "skipped"
        lease = self.line.settings.send_lease
        if not self.r.set(self.lock, self.token, nx=True, ex=max(1, int(lease))):
            return "busy"
        # From here a killed worker is covered: the watch re-enqueues this delivery after the lease
        # (a broadcast pump watches its own deliveries: it comes back to the same record).
        watch = outbound.watch_name(msg.id)
        if not self.paced:
            at = self.line.now() + timedelta(seconds=lease + 1)
            timers.schedule(self.r, watch, at, msg.queue, outbound.DELIVER, msg.id)
        try:
            current = outbound.get(self.r, msg.id)
            if current is None or current.status in outbound.FINAL:
                return "already " + str(current.status if current else "gone")
            if current.status == Status.SENDING and at_most_once(msg):
                # The last attempt died between marking and a known answer: Twilio may have it.
                outbound.mark(self.line, msg.id, Status.FAILED, error="unknown_outcome")
                log.warning("message %s: earlier attempt died mid-send; not repeated", msg.id)
                return "failed"
            runtime.sender()  # built before the slot is taken, so the request leaves on time
            if not self.take_slot(msg):
                return "later"
            return self.send(msg)
        finally:
            if self.rewatch is not None:  # a watched kind comes back later: its next run is watched too
                timers.schedule(self.r, watch, self.rewatch, msg.queue, outbound.DELIVER, msg.id)
            elif not self.paced:
                timers.cancel(self.r, watch)
            self.release()

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
            slot = ratelimit.take(self.r, rate, priority=True)
        elif queues.waiting(self.line, PRIORITY_QUEUES):
            slot = ratelimit.take(self.r, rate, priority=False)
        else:  # nothing more urgent waits: wait up to one interval for a free slot, without holding it,
            # so a crisis alert or a reply arriving meanwhile takes it first
            deadline = time.monotonic() + min(BULK_MAX_WAIT, ratelimit.interval(rate) * 1.01)
            slot = ratelimit.take(self.r, rate, priority=False)
            while not slot.granted and time.monotonic() + slot.wait <= deadline:
                time.sleep(slot.wait)
                if queues.waiting(self.line, PRIORITY_QUEUES):
                    break
                slot = ratelimit.take(self.r, rate, priority=False)
        if slot.granted:
            if slot.wait > 0:
                time.sleep(slot.wait)
            return True
        if not self.paced:
            self.retry_at(msg, max(slot.wait, 0.01), name="slot")
        return False

    def send(self, msg: Message) -> str:
        settings = self.line.settings
        attempt = outbound.bump_attempts(self.r, msg.id)
        outbound.mark(self.line, msg.id, Status.SENDING)
        sender = runtime.sender()
        try:
            if msg.channel == "call":
                sid = sender.place_call(msg.to, msg.body)
            else:
                sid = sender.send_sms(msg.to, msg.body)
        except TransientSendError as exc:
            if attempt >= settings.retry_max and msg.kind not in PERSISTENT:
                error = str(exc.code or exc.status or "transient")
                outbound.mark(self.line, msg.id, Status.FAILED, error=error)
                log.warning("message %s failed after %d attempts (%s)", msg.id, attempt, exc)
                hooks.status(self.line, msg, "failed", error)
                return "failed"
            delay = min(settings.retry_backoff * 2 ** (attempt - 1), 60.0 if msg.kind not in PERSISTENT else 5.0)
            log.info("message %s attempt %d: %s; retry in %.2fs", msg.id, attempt, exc, delay)
            outbound.mark(self.line, msg.id, Status.QUEUED)
            self.retry_at(msg, delay, name="retry")
            return "retry"
        except PermanentSendError as exc:
            self.permanent(msg, exc)
            return "failed"
        outbound.mark(self.line, msg.id, Status.SENT, sid=sid)
        log.info("message %s sent to %s (%s)", msg.id, mask(msg.to), msg.kind)
        return "sent"

    def permanent(self, msg: Message, exc: PermanentSendError) -> None:
        code = exc.code or 0
        if code in OPTED_OUT_CODES:
            members.opt_out(self.r, msg.to, self.line.now())
        elif code in INVALID_CODES:
            members.mark_invalid(self.r, msg.to, code)
        error = str(code or exc.status or "permanent")
        outbound.mark(self.line, msg.id, Status.FAILED, error=error)
        log.warning("message %s to %s failed for good: code %s", msg.id, mask(msg.to), code)
        hooks.status(self.line, msg, "failed", error)

    def retry_at(self, msg: Message, delay: float, *, name: str) -> None:
        at = self.line.now() + timedelta(seconds=delay)
        timers.schedule(self.r, f"{name}:{msg.id}", at, msg.queue, outbound.DELIVER, msg.id)
        if msg.kind in outbound.WATCHED:
            self.rewatch = at + timedelta(seconds=self.line.settings.send_lease + 1)

    def release(self) -> None:
        # Only our own lock: a lease that expired may belong to a newer delivery.
        if self.r.get(self.lock) == self.token:
            self.r.delete(self.lock)
