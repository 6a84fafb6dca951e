"""Member conversations and scheduled prompts, measured on this machine (not part of the test run).

    PYTHONPATH=. python bench/prompts.py [--members 1000]

1. Webhook time per turn (in-process Flask client, private embedded Redis, dev mode), p50 / p99:
   a check-in turn ("1", "3", "SKIP") and a schedule turn ("DAILY 9am") against HELP (baseline:
   the cheapest stage) in the same run.
2. Prompt fan-out: every member's daily prompt due at the same minute. Time for one ticker pass
   to enqueue the prompt jobs, then for a SimpleWorker to run them and their deliveries (outbox),
   against the same number of no-op jobs through the same worker (baseline).
"""
from __future__ import annotations

import argparse
import logging
import time
from datetime import UTC, datetime

from rq import SimpleWorker

from bench.common import dev_line, percentiles
from textline.core import clock, queues, timers
from workers.senders import read_outbox

MONDAY = datetime(2024, 6, 3, 12, tzinfo=UTC)   # 08:00 in New York
NINE = datetime(2024, 6, 3, 13, tzinfo=UTC)     # 09:00 in New York


def noop() -> None:
    """A job that does nothing: the baseline's unit of work."""



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1000)
    n = parser.parse_args().members
    logging.disable(logging.INFO)
    with dev_line(MONDAY) as (settings, line):
        from textline import create_app

        client = create_app(settings).test_client()
        phones = [f"+1202555{i:04d}" for i in range(n)]
        sid = iter(range(10**9))

        def text(phone: str, body: str) -> float:
            started = time.perf_counter()
            response = client.post("/twilio/sms", data={"MessageSid": f"SM{next(sid):032d}", "From": phone,
                                                        "To": settings.number, "Body": body})
            elapsed = time.perf_counter() - started
            assert response.status_code == 200
            return elapsed

        turns: dict[str, list[float]] = {"HELP (baseline)": [], "check-in turn": [], "DAILY 9am": []}
        for phone in phones:
            text(phone, "hi")
            text(phone, "YES")
            turns["HELP (baseline)"].append(text(phone, "HELP"))
            turns["check-in turn"] += [text(phone, "1"), text(phone, "3"), text(phone, "SKIP")]
            turns["DAILY 9am"].append(text(phone, "DAILY 9am"))
        base_p50, _ = percentiles(turns["HELP (baseline)"])
        print(f"webhook, {n} members               p50 ms   p99 ms   p50 vs baseline")
        for name, samples in turns.items():
            p50, p99 = percentiles(samples)
            print(f"  {name:32s} {p50:7.2f}  {p99:7.2f}   x{p50 / base_p50:.2f}")

        for q in queues.ALL:
            queues.queue(line, q).empty()
        clock.set_test_clock(line.r, NINE)
        started = time.perf_counter()
        fired = timers.tick(line, NINE, batch=n + 10)
        tick_s = time.perf_counter() - started
        worker = SimpleWorker([queues.queue(line, q) for q in queues.ALL], connection=line.rq)
        started = time.perf_counter()
        worker.work(burst=True, logging_level="WARNING")
        prompts_s = time.perf_counter() - started
        sent = sum(1 for m in read_outbox(line.r) if "time to check in" in m["body"])

        queues.enqueue_many(line, queues.BROADCAST, "bench.prompts.noop", [()] * (2 * n))
        started = time.perf_counter()
        SimpleWorker([queues.queue(line, queues.BROADCAST)], connection=line.rq).work(
            burst=True, logging_level="WARNING")
        noop_s = time.perf_counter() - started
        print(f"\nprompt fan-out, {n} members due at 09:00 local")
        print(f"  ticker pass: {fired} prompt jobs enqueued in {tick_s * 1000:.0f} ms")
        print(f"  prompt + delivery jobs ({2 * n}): {prompts_s:.2f} s, {n / prompts_s:.0f} prompts/s; "
              f"{sent} prompts in the outbox")
        print(f"  baseline, {2 * n} no-op jobs: {noop_s:.2f} s; ratio x{prompts_s / noop_s:.2f}")
        line.r.flushdb()


if __name__ == "__main__":
    main()
