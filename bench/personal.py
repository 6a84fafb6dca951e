"""What the personal features cost: the signal and peer-plan stages on every inbound, and the reminder job.

In-process against a private Redis (the embedded one): `engine.handle` over a
conversation mix from members who have a signal word and a plan, with the
engine's STAGES as shipped against the same engine without the two stages
this feature adds (the baseline, measured in the same run); then the
personal reminder job (`fire_now`: read, decide, record and enqueue the
text, schedule the next time) over many due reminders.

    .venv/bin/python bench/personal.py [--messages 4000] [--reminders 2000]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flows import engine, plan_peer, signal
from flows.inbound import Channel, Inbound
from textline.core import clock
from textline.core.embedded_redis import EmbeddedRedis
from textline.core.line import Line
from textline.core.settings import Settings
from textline.models import members, plans, signals
from textline.models import reminders_personal as store
from textline.models.reminder_times import Repeat, Schedule
from workers.personal_reminders import fire_now

WORDS = ["how are you", "MENU", "HELP", "1", "what time is it", "PLAN", "thanks", "bluebirds"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def run_mix(line: Line, phones: list[str], n: int, tag: str) -> list[float]:
    times = []
    for i in range(n):
        inbound = Inbound(Channel.SMS, phones[i % len(phones)], WORDS[i % len(WORDS)], line.now(), sid=f"{tag}{i}")
        started = time.perf_counter()
        engine.handle(line, inbound)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--reminders", type=int, default=2000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tl-bench-"))
    server = EmbeddedRedis(folder)
    try:
        url = server.ensure_running()
        line = Line.from_settings(Settings(redis_url=url, test_clock=True, name="Bench Line", dev=True))
        line.r.flushdb()
        now = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
        clock.set_test_clock(line.r, now)
        phones = [f"+1202555{i:04d}" for i in range(200)]
        for phone in phones:
            members.create(line.r, phone, language="en", timezone="America/New_York", at=now)
            members.activate(line.r, phone, now)
            signals.set_word(line.r, phone, "BLUEBIRD", now)
            plans.set_answer(line.r, phone, "signs", "Pacing at night", now)

        shipped = list(engine.STAGES)
        baseline = [s for s in shipped if s not in (signal.signal_stage, plan_peer.peer_stage)]
        run_mix(line, phones, 300, "warm")
        results = {}
        for name, stages in (("baseline", baseline), ("shipped", shipped), ("baseline2", baseline),
                             ("shipped2", shipped)):
            engine.STAGES[:] = stages
            results[name] = run_mix(line, phones, args.messages // 2, name)
        engine.STAGES[:] = shipped
        base = results["baseline"] + results["baseline2"]
        ours = results["shipped"] + results["shipped2"]
        print(f"engine.handle, {len(base)} messages each (mix: {', '.join(WORDS)})")
        print(f"{'':10} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
        for name, values in (("baseline", base), ("shipped", ours)):
            print(f"{name:10} {percentile(values, .5) * 1e3:8.3f} {percentile(values, .99) * 1e3:8.3f} "
                  f"{statistics.mean(values) * 1e3:8.3f}")
        print(f"ratio shipped/baseline: p50 {percentile(ours, .5) / percentile(base, .5):.2f}, "
              f"mean {statistics.mean(ours) / statistics.mean(base):.2f}")

        daily = Schedule(Repeat.DAILY, datetime(2026, 3, 2, 13, 0).time())
        due = now + timedelta(hours=20)
        ids = []
        for i in range(args.reminders):
            made = store.create(line, phones[i % len(phones)], "Take my pills", daily, store.SMS, due)
            if made is None:  # five per member at most: spread over more members
                phone = f"+1202556{i:04d}"
                members.create(line.r, phone, language="en", timezone="America/New_York", at=now)
                members.activate(line.r, phone, now)
                made = store.create(line, phone, "Take my pills", daily, store.SMS, due)
            assert made is not None
            ids.append(made.id)
        clock.set_test_clock(line.r, due)
        started = time.perf_counter()
        results_fired = [fire_now(line, rid) for rid in ids]
        took = time.perf_counter() - started
        print(f"reminder job: {len(ids)} due reminders in {took:.2f} s = {len(ids) / took:.0f}/s "
              f"({results_fired.count('sent')} sent), {took / len(ids) * 1e3:.2f} ms each")
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
