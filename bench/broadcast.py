"""Benchmark: fanning out a 100,000-member broadcast, and the send rate achieved against the configured one.

    cd <repo> && PYTHONPATH=. .venv/bin/python bench/broadcast.py [--members 100000] [--rates 1,5,20] [--seconds 10]

Part 1 (fan-out): a group of --members members (2% opted out, 1% pending, 1% invalid, 5% in another zone)
in a private embedded Redis. Baseline: `enqueue_many` of as many no-op RQ jobs, the cheapest way to make
one job per recipient. Measured: the fan-out the CLI runs (every member checked, one message record each,
held or due), and webhook latency while a worker process fans out, against webhook latency when idle.

Part 2 (send rate): for each rate, rate x --seconds members (at least 12), --workers `textline worker`
processes sharing the limiter, the
Twilio double over real HTTP. Achieved rate = (n - 1) / (last - first arrival at the double), and the most
arrivals in any one-second window. Baseline: the same workers with the limit lifted (what the machinery
could do if the limiter did not hold it back). Not part of the test run.
"""
from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.twilio_double import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TwilioDouble  # noqa: E402
from textline.core import queues  # noqa: E402
from textline.core.embedded_redis import EmbeddedRedis  # noqa: E402
from textline.core.line import Line  # noqa: E402
from textline.core.settings import Settings  # noqa: E402
from textline.models import broadcasts, groups, members  # noqa: E402
from workers.broadcast import BATCH, Fanout  # noqa: E402

LINE_NUMBER = "+15005550006"


def number(n: int) -> str:
    """Distinct valid US numbers: 555-01xx style across many area codes would be too few, so vary the exchange."""
    return f"+1202{200 + n // 10000:03d}{n % 10000:04d}"


def env_for(redis_url: str, folder: Path, rate: float, double: TwilioDouble | None,
            quiet: str = "00:00-00:00") -> dict[str, str]:
    config = folder / f"textline-{rate:g}.toml"
    config.write_text(f'name = "Bench Line"\nquiet_hours = "{quiet}"\nsend_rate = {rate!r}\n'
                      '[sending]\nlease = "5s"\nretry_backoff = "100ms"\n')
    env = {**os.environ, "REDIS_URL": redis_url, "TEXTLINE_CONFIG": str(config), "TEXTLINE_NUMBER": LINE_NUMBER,
           "PYTHONPATH": str(ROOT), "TEXTLINE_DATA_DIR": str(folder)}
    for name in ("TEXTLINE_TEST_CLOCK", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_URL", "TEXTLINE_ENV"):
        env.pop(name, None)
    if double is None:  # no Twilio: a dev line on purpose (sends go to the outbox)
        env["TEXTLINE_ENV"] = "dev"
    else:  # production against the double, as a real line runs
        env.update({"TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID, "TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
                    "TWILIO_API_URL": double.url, "TEXTLINE_PUBLIC_URL": "http://127.0.0.1",
                    "TEXTLINE_SECRET_KEY": "bench-secret"})
    return env


def populate(line: Line, size: int, *, mixed: bool) -> groups.Group:
    """A group of `size` members, written with pipelines (not timed)."""
    r = line.r
    group = groups.add(r, "Everyone", "ALL" + uuid.uuid4().hex[:4].upper(), "America/New_York", line.now())
    now = line.now().isoformat()
    for start in range(0, size, 5000):
        pipe = r.pipeline(transaction=False)
        for n in range(start, min(size, start + 5000)):
            phone = number(n)
            status = "active"
            if mixed and n % 100 == 1:
                status = "pending"
            zone = "America/Los_Angeles" if mixed and n % 20 == 3 else "America/New_York"
            pipe.hset(members.key(phone), mapping={"phone": phone, "status": status, "language": "en",
                                                   "timezone": zone, "created_at": now})
            pipe.sadd(members.MEMBERS, phone)
            if mixed and n % 50 == 2:
                pipe.sadd(members.OPTOUT, phone)
            if mixed and n % 100 == 5:
                pipe.hset(members.INVALID, phone, "21211")
        pipe.execute()
        groups.join_many(r, group, [number(n) for n in range(start, min(size, start + 5000))])
    return group


def _fan_out_in_child(redis_url: str, config: str, bid: int) -> None:
    os.environ["REDIS_URL"], os.environ["TEXTLINE_CONFIG"] = redis_url, config
    Fanout(Line.from_settings(Settings.from_env()), bid).run(budget=None)


def webhook_latency(env: dict[str, str], count: int, phones: list[str]) -> list[float]:
    """Milliseconds per signed-off (dev mode) webhook round trip through the Flask app, in process."""
    from textline import create_app

    wanted = ("REDIS_URL", "TEXTLINE_CONFIG", "TEXTLINE_NUMBER", "TEXTLINE_ENV")
    os.environ.update({k: env[k] for k in wanted if k in env})
    client = create_app(Settings.from_env()).test_client()
    out = []
    for i in range(count):
        started = time.perf_counter()
        form = {"MessageSid": "SM" + uuid.uuid4().hex, "From": phones[i % len(phones)], "To": LINE_NUMBER,
                "Body": "MENU"}
        response = client.post("/twilio/sms", data=form)
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return out


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def part_fanout(redis_url: str, folder: Path, size: int) -> dict[str, Any]:
    env = env_for(redis_url, folder, 1.0, None, quiet="21:00-08:00")
    line = Line.from_settings(Settings.from_env(env))
    line.r.flushdb()
    group = populate(line, size, mixed=True)
    mem_before = line.r.info("memory")["used_memory"]

    started = time.perf_counter()
    for start in range(0, size, 1000):
        queues.enqueue_many(line, queues.BROADCAST, "builtins.len", [("x",)] * min(1000, size - start))
    baseline = time.perf_counter() - started
    queues.queue(line, queues.BROADCAST).empty()

    started = time.perf_counter()
    reachable = groups.reachable(line.r, group)
    count_ms = (time.perf_counter() - started) * 1000

    bid, _ = broadcasts.create(line.r, broadcasts.Kind.ANNOUNCEMENT, group_id=group.id, at=line.now(),
                               now=line.now(), text="The picnic is on: Saturday at noon, Rock Creek Park.")
    started = time.perf_counter()
    run = Fanout(line, bid)
    result = run.run(budget=None)
    fanout = time.perf_counter() - started
    done = broadcasts.get(line.r, bid)
    assert done is not None and result == "fanned out"
    mem_after = line.r.info("memory")["used_memory"]

    phones = [number(n) for n in range(0, size, max(1, size // 500))]
    idle = webhook_latency(env, 400, phones)
    bid2, _ = broadcasts.create(line.r, broadcasts.Kind.ANNOUNCEMENT, group_id=group.id, at=line.now(),
                                now=line.now(), text="A second announcement, fanned out by a worker process.")
    child = multiprocessing.get_context("fork").Process(target=_fan_out_in_child,
                                                        args=(redis_url, env["TEXTLINE_CONFIG"], bid2))
    started = time.perf_counter()
    child.start()
    busy: list[float] = []
    while child.is_alive():
        busy += webhook_latency(env, 50, phones)
    child.join()
    fanout_beside = time.perf_counter() - started
    return {"size": size, "baseline": baseline, "fanout": fanout, "phases": run.phases, "counts": done.counts,
            "reachable": reachable,
            "count_ms": count_ms, "memory_mb": (mem_after - mem_before) / 1e6, "idle": idle, "busy": busy,
            "fanout_beside": fanout_beside}


def run_workers(env: dict[str, str], n: int, folder: Path) -> list[subprocess.Popen[bytes]]:
    procs = []
    for i in range(n):
        with open(folder / f"worker-{i}.log", "ab") as log:
            procs.append(subprocess.Popen([sys.executable, "-m", "textline.cli", "worker"], env=env, stdout=log,
                                          stderr=subprocess.STDOUT, cwd=ROOT))
    return procs


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def timed_sends(redis_url: str, folder: Path, double: TwilioDouble, rate: float, sends: int,
                workers: int) -> dict[str, Any]:
    env = env_for(redis_url, folder, rate, double)
    line = Line.from_settings(Settings.from_env(env))
    line.r.flushdb()
    double.reset()
    group = populate(line, sends, mixed=False)
    bid, _ = broadcasts.create(line.r, broadcasts.Kind.ANNOUNCEMENT, group_id=group.id, at=line.now(),
                               now=line.now(), text="The picnic is on: Saturday at noon.")
    Fanout(line, bid).run(budget=None)
    procs = run_workers(env, workers, folder)
    try:
        finished = double.wait_for(lambda: len(double.messages) >= sends, timeout=sends / rate * 1.5 + 30)
    finally:
        stop(procs)
    arrivals = sorted(m.at for m in double.messages)
    span = arrivals[-1] - arrivals[0]
    window = max(sum(1 for b in arrivals if a <= b < a + 1.0) for a in arrivals)
    return {"rate": rate, "sends": len(arrivals), "finished": finished, "span": span,
            "achieved": (len(arrivals) - 1) / span if span else math.inf, "max_per_second": window,
            "gaps": [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--rates", default="1,5,20", help="send_rate values to measure, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each rate's broadcast should last")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-fanout", action="store_true", help="only the send rates")
    args = parser.parse_args()
    rates = [float(x) for x in args.rates.split(",") if x.strip()]  # --rates '' for none
    folder = Path(tempfile.mkdtemp(prefix="tl-bench-", dir="/tmp"))
    server = EmbeddedRedis(folder)
    redis_url = os.environ.get("REDIS_URL") or server.ensure_running()
    try:
        if not args.skip_fanout:
            print_fanout(part_fanout(redis_url, folder, args.members))
        print_rates(redis_url, folder, rates, args)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def print_fanout(f: dict[str, Any]) -> None:
    c = f["counts"]
    print(f"fan-out of {f['size']:,} recipients")
    print(f"  baseline  enqueue_many of {f['size']:,} no-op jobs:  {f['baseline']:6.2f} s "
          f"({f['size'] / f['baseline']:,.0f}/s)")
    print(f"  fan-out   checks + records + due set:          {f['fanout']:6.2f} s "
          f"({f['size'] / f['fanout']:,.0f}/s) = {f['fanout'] / f['baseline']:.3f} x baseline  (goal < 2 s)")
    phases, batches = f["phases"], math.ceil(f["size"] / BATCH)
    print(f"    snapshot  roster copied in Redis:           {phases['snapshot']:6.2f} s "
          f"= {phases['snapshot'] / f['baseline']:.3f} x baseline")
    print(f"    batches   {batches} Lua calls of {BATCH:,}:           {phases['batches']:6.2f} s "
          f"= {phases['batches'] / f['baseline']:.3f} x baseline ({phases['batches'] / batches * 1000:.1f} ms "
          "each: Redis busy that long at a time)")
    other = f["fanout"] - phases["snapshot"] - phases["batches"]
    print(f"    the rest  leases, watch timer, kicks:       {other:6.2f} s")
    print(f"            queued {c['queued']:,} (held for quiet hours {c['held']:,}), skipped "
          f"{c['skipped_pending']:,} pending, {c['skipped_opted_out']:,} opted out, "
          f"{c['skipped_invalid']:,} invalid; Redis +{f['memory_mb']:.0f} MB")
    print(f"  SEND's recipient count (groups.reachable):     {f['count_ms']:6.1f} ms  ({f['reachable']:,})")
    print(f"  webhook (MENU) idle:        p50 {p(f['idle'], .5):5.1f} ms  p99 {p(f['idle'], .99):5.1f} ms")
    print(f"  webhook during a fan-out:   p50 {p(f['busy'], .5):5.1f} ms  p99 {p(f['busy'], .99):5.1f} ms  "
          f"({len(f['busy'])} requests; that fan-out took {f['fanout_beside']:.1f} s)")


def print_rates(redis_url: str, folder: Path, rates: list[float], args: argparse.Namespace) -> None:
    if not rates:
        return
    print(f"send rate with {args.workers} workers sharing one limiter, at the Twilio double")
    with TwilioDouble() as double:
        sends = max(12, int(max(rates) * args.seconds))
        base = timed_sends(redis_url, folder, double, 100_000.0, sends, args.workers)
        print(f"  baseline  limit lifted:     {base['sends']:4d} sends in {base['span']:6.2f} s = "
              f"{base['achieved']:8.2f}/s")
        for rate in rates:
            m = timed_sends(redis_url, folder, double, rate, max(12, int(rate * args.seconds)), args.workers)
            off = (m["achieved"] / rate - 1) * 100
            print(f"  send_rate {rate:5g}/s:          {m['sends']:4d} sends in {m['span']:6.2f} s = "
                  f"{m['achieved']:8.3f}/s ({off:+.2f}%; goal within 2%, never above); most in any 1 s: "
                  f"{m['max_per_second']} (limit {math.ceil(rate)}); gaps min {min(m['gaps']) * 1000:.0f} ms, "
                  f"median {statistics.median(m['gaps']) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
