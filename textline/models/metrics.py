"""The line's operational counters and histograms, kept in Redis so every process adds to one figure.

Web and worker processes on any number of machines count into the same hashes; `GET /metrics`
(textline/web/metrics.py) reads them at scrape time and serves them in Prometheus's text format.
A count is one HINCRBY (a histogram: one HINCRBY and one HINCRBYFLOAT), which a caller may add to
a pipeline it sends anyway, so counting costs no round trip of its own on the hot paths.

Labels are fixed small sets (a channel, a kind, a status, a queue, an error code's digits): a value
that is not a short lowercase word or, for `code`, a few digits is counted as `other`, so neither a
phone number nor a message body can ever become a label, whatever a caller passes.

Keys (owned here): `tl:metrics:{name}` hash per metric: a counter's field is its label values joined
by `,`; a histogram's fields are `{labels}|{i}` (observations in bucket i, not cumulative; the last
index is +Inf) and `{labels}|sum`. `tl:metrics:once:{what}` marks an observation made once (the first
alert delivered for a case), for `ONCE_TTL`. None of them holds anything about a person.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import redis
from redis.client import Pipeline

from textline.core.one_trip import OneTrip

PREFIX = "tl:metrics:"
#: How long a once-marker is kept: longer than any case stays open before its first alert gets through.
ONCE_TTL = 7 * 86400
#: What a label value that is not one of the fixed small words becomes.
OTHER = "other"
_WORD = re.compile(r"[a-z][a-z_-]{0,23}")
_CODE = re.compile(r"[0-9]{1,6}")

Commands = redis.Redis | Pipeline | OneTrip


@dataclass(frozen=True)
class Counter:
    """A count that only goes up; Prometheus shows it as `{name}_total`."""

    name: str
    doc: str
    labels: tuple[str, ...] = ()
    #: Label sets shown (as 0) before anything is counted, so a rate over them starts at once.
    always: tuple[tuple[str, ...], ...] = ()

    @property
    def key(self) -> str:
        return PREFIX + self.name


@dataclass(frozen=True)
class Histogram:
    """Observations in fixed buckets (upper bounds, seconds), with their sum."""

    name: str
    doc: str
    buckets: tuple[float, ...]
    labels: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        return PREFIX + self.name

    def bucket(self, value: float) -> int:
        """The index of the first bucket holding `value` (len(buckets): only +Inf does)."""
        return next((i for i, bound in enumerate(self.buckets) if value <= bound), len(self.buckets))


INBOUND = Counter("textline_inbound", "Texts and calls that reached the line, by channel (sms, voice).",
                  ("channel",), always=(("sms",), ("voice",)))
OUTBOUND = Counter("textline_outbound",
                   "Outbound texts and calls by kind, channel and the status they reached (each status once: "
                   "sent when Twilio took it, then delivered, undelivered or failed; skipped when refused).",
                   ("kind", "channel", "status"))
SKIPPED = Counter("textline_outbound_skipped", "Outbound records the sender refused itself, by reason "
                  "(opted_out, invalid, no_consent).", ("reason",))
TWILIO_ERRORS = Counter("textline_twilio_errors", "Twilio error codes met: REST refusals and status callbacks.",
                        ("code",))
ALERT_LATENCY = Histogram("textline_crisis_alert_seconds",
                          "Crisis detected to the case's first staff alert delivered (Twilio's status callback).",
                          (1, 2, 5, 10, 15, 30, 60, 120, 300, 600))
ACK_TIME = Histogram("textline_crisis_ack_seconds", "Crisis case opened to its acknowledgement by staff.",
                     (30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400))
REQUEST_WAIT = Histogram("textline_request_wait_seconds",
                         "A peer request's wait in the queue until a peer claimed it (TAKE), by kind (call, text).",
                         (60, 300, 600, 1200, 1800, 3600, 7200, 14400, 43200, 86400), ("kind",))
REQUEST_CLAIM = Histogram("textline_request_claim_seconds",
                          "How long a peer held a claimed request until DONE or RELEASE, by kind (call, text).",
                          (60, 300, 600, 1200, 1800, 3600, 7200, 14400, 43200, 86400), ("kind",))
COUNTERS: tuple[Counter, ...] = (INBOUND, OUTBOUND, SKIPPED, TWILIO_ERRORS)
HISTOGRAMS: tuple[Histogram, ...] = (ALERT_LATENCY, ACK_TIME, REQUEST_WAIT, REQUEST_CLAIM)


def label(name: str, value: object) -> str:
    """`value` as a safe label value: a short lowercase word (digits for `code`), else `other`."""
    text = str(value)
    return text if (_CODE if name == "code" else _WORD).fullmatch(text) else OTHER


def _field(labels: tuple[str, ...], values: tuple[object, ...]) -> str:
    if len(values) != len(labels):
        raise ValueError(f"expected labels {labels}, got {len(values)} values")
    return ",".join(label(name, value) for name, value in zip(labels, values, strict=True))


def count(r: Commands, counter: Counter, *values: object, by: int = 1) -> None:
    """Add `by` to `counter` for these label values (one HINCRBY; queued when `r` is a pipeline)."""
    r.hincrby(counter.key, _field(counter.labels, values), by)


def observe(r: Commands, histogram: Histogram, seconds: float, *values: object) -> None:
    """Put one observation in `histogram` (a negative one, from clocks apart, counts as 0)."""
    seconds = max(0.0, float(seconds))
    labels = _field(histogram.labels, values)
    pipe = r if isinstance(r, Pipeline | OneTrip) else r.pipeline(transaction=False)
    pipe.hincrby(histogram.key, f"{labels}|{histogram.bucket(seconds)}", 1)
    pipe.hincrbyfloat(histogram.key, f"{labels}|sum", seconds)
    if pipe is not r:
        pipe.execute()


_OBSERVE_ONCE = """
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
redis.call('HINCRBYFLOAT', KEYS[1], ARGV[3], ARGV[4])
return 1
"""


def observe_once(r: redis.Redis, histogram: Histogram, what: str, seconds: float, *values: object) -> bool:
    """Observe only the first time `what` is named (one script: many processes, one observation)."""
    if not re.fullmatch(r"[a-z0-9:_-]{1,80}", what):
        raise ValueError("a once-marker is a short key of ids, never a number or a body")
    seconds = max(0.0, float(seconds))
    labels = _field(histogram.labels, values)
    return bool(r.eval(_OBSERVE_ONCE, 2, histogram.key, f"{PREFIX}once:{what}", ONCE_TTL,
                       f"{labels}|{histogram.bucket(seconds)}", f"{labels}|sum", repr(seconds)))


# -- what the line's features call ----------------------------------------------------------------------------

def count_inbound(r: Commands, channel: str) -> None:
    """A text or a call reached the line (counted once per MessageSid / CallSid)."""
    count(r, INBOUND, channel)


def count_outbound(r: Commands, kind: str, channel: str, status: str, reason: str = "") -> None:
    """An outbound record reached `status`; a refusal (`skipped`) is counted by its reason too."""
    count(r, OUTBOUND, kind, channel, status)
    if status == "skipped" and reason:
        count(r, SKIPPED, reason)


def count_twilio_error(r: Commands, code: int | str | None) -> None:
    """Twilio answered with an error code (a REST refusal, or a status callback's ErrorCode)."""
    if code:
        count(r, TWILIO_ERRORS, code)


def observe_request_claim(r: Commands, kind: str, waited_seconds: float) -> None:
    """A peer claimed (TAKE) a request of `kind` (call, text) that had waited this long in the queue."""
    observe(r, REQUEST_WAIT, waited_seconds, kind)


def observe_request_end(r: Commands, kind: str, held_seconds: float) -> None:
    """A peer ended (DONE) or handed back (RELEASE) a request of `kind` they had held this long."""
    observe(r, REQUEST_CLAIM, held_seconds, kind)


# -- reading, at scrape time ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class HistogramRow:
    """One label set's histogram: cumulative counts per upper bound (the last is +Inf), and the sum."""

    labels: tuple[str, ...]
    cumulative: tuple[int, ...]
    sum: float


def read(r: redis.Redis) -> tuple[dict[Counter, dict[tuple[str, ...], int]], dict[Histogram, list[HistogramRow]]]:
    """Every counter and histogram as stored (one round trip)."""
    pipe = r.pipeline(transaction=False)
    for metric in (*COUNTERS, *HISTOGRAMS):
        pipe.hgetall(metric.key)
    found = pipe.execute()
    counters = {c: _counter_rows(c, data) for c, data in zip(COUNTERS, found[:len(COUNTERS)], strict=True)}
    histograms = {h: list(_histogram_rows(h, data)) for h, data in zip(HISTOGRAMS, found[len(COUNTERS):],
                                                                         strict=True)}
    return counters, histograms


def _counter_rows(counter: Counter, data: dict[str, str]) -> dict[tuple[str, ...], int]:
    rows = dict.fromkeys(counter.always, 0)
    rows.update({tuple(labels.split(",")) if labels else (): int(n) for labels, n in sorted(data.items())})
    return rows


def _histogram_rows(histogram: Histogram, data: dict[str, str]) -> Iterator[HistogramRow]:
    width = len(histogram.buckets) + 1
    per: dict[str, list[int]] = {}
    sums: dict[str, float] = {}
    for name, value in data.items():
        labels, _, part = name.rpartition("|")
        if part == "sum":
            sums[labels] = float(value)
        elif part.isdigit() and int(part) < width:
            per.setdefault(labels, [0] * width)[int(part)] += int(value)
    if not histogram.labels and not per:  # one series from the start: its rate is 0, not missing
        per[""] = [0] * width
    for labels in sorted(per):
        running, cumulative = 0, []
        for n in per[labels]:
            running += n
            cumulative.append(running)
        yield HistogramRow(tuple(labels.split(",")) if labels else (), tuple(cumulative), sums.get(labels, 0.0))
