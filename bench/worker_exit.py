"""How long a burst worker takes to stop: many burst runs against the embedded Redis, the slowest shown.

Each run enqueues one no-op job, runs a burst worker over the line's queues until they are empty,
and times the whole run (start, job, teardown). With `faulthandler.dump_traceback_later` armed
for `--dump-after` seconds, a run that stalls writes every thread's stack, which shows where it
waited (issue #19: redis-py 8.2's `PubSubWorkerThread.stop()` joins RQ's command-channel thread
with no timeout, while that thread can sit in a 60-second read).

    .venv/bin/python bench/worker_exit.py --runs 200                  # stock rq.Worker, then LineWorker
    .venv/bin/python bench/worker_exit.py --runs 200 --worker line    # only the worker textline uses
    .venv/bin/python bench/worker_exit.py --runs 200 --cli            # `textline worker --burst` processes

In-process runs compare the stock `rq.Worker` (the baseline) with `workers.process.LineWorker` in
the same run; `--cli` starts the real command each time, so it measures whatever this checkout's
`textline worker --burst` does.
"""
from __future__ import annotations

import argparse
import faulthandler
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
import rq
from rq import Queue, Worker

from textline.core import queues
from textline.core.embedded_redis import EmbeddedRedis
from workers.process import LineWorker

REPO = Path(__file__).resolve().parents[1]
#: A run slower than this counts as a stall.
STALL = 5.0
#: The real command, with a stack dump armed (argv[1]: seconds) before click parses anything.
CLI_SNIPPET = (
    "import faulthandler, sys; faulthandler.dump_traceback_later(float(sys.argv[1]));"
    "from textline.cli import main; main(['worker', '--burst'], prog_name='textline')"
)


@dataclass
class Runs:
    """Durations of one kind of run, and the stack dump of its slowest stalled run."""

    name: str
    seconds: list[float] = field(default_factory=list)
    slowest_dump: str = ""
    slowest_dumped: float = 0.0

    def add(self, seconds: float, dump: str) -> None:
        self.seconds.append(seconds)
        if dump and seconds > self.slowest_dumped:
            self.slowest_dump, self.slowest_dumped = dump, seconds

    def report(self) -> str:
        s = sorted(self.seconds)
        stalls = sum(1 for x in s if x > STALL)
        return (f"{self.name}: {len(s)} runs, median {statistics.median(s):.3f} s, "
                f"p99 {s[min(len(s) - 1, int(len(s) * 0.99))]:.3f} s, slowest {s[-1]:.3f} s, "
                f"{stalls} over {STALL:.0f} s, total {sum(s):.1f} s")


def in_process(conn: redis.Redis, worker_class: type[Worker], runs: Runs, n: int, dump_after: float,
               folder: Path) -> None:
    """`n` burst runs of `worker_class` in this process, each with one job to do."""
    rq_queues = [Queue(name, connection=conn) for name in queues.ALL]
    dump_path = folder / "dump.txt"
    for i in range(n):
        rq_queues[1].enqueue("time.sleep", 0)
        with open(dump_path, "w") as dump:
            faulthandler.dump_traceback_later(dump_after, file=dump)
            started = time.monotonic()
            worker_class(rq_queues, connection=conn).work(burst=True, logging_level="WARNING")
            took = time.monotonic() - started
            faulthandler.cancel_dump_traceback_later()
        runs.add(took, dump_path.read_text())
        progress(runs, i, n)


def cli(url: str, runs: Runs, n: int, dump_after: float, folder: Path) -> None:
    """`n` runs of the real `textline worker --burst`, each in its own process with one job to do."""
    conn = redis.Redis.from_url(url)
    queue = Queue(queues.REPLIES, connection=conn)
    config = folder / "textline.toml"
    config.write_text('name = "Bench Line"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "TEXTLINE_", "REDIS_URL"))}
    env.update({"REDIS_URL": url, "TEXTLINE_CONFIG": str(config), "TEXTLINE_DATA_DIR": str(folder / "var"),
                "PYTHONPATH": str(REPO)})
    for i in range(n):
        queue.enqueue("time.sleep", 0)
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-c", CLI_SNIPPET, str(dump_after)], env=env, cwd=REPO,
                              capture_output=True, text=True)
        took = time.monotonic() - started
        if done.returncode != 0:
            raise SystemExit(f"textline worker --burst exited {done.returncode}:\n{done.stderr[-3000:]}")
        dump = done.stderr[done.stderr.find("Thread 0x"):] if "Thread 0x" in done.stderr else ""
        runs.add(took, dump)
        progress(runs, i, n)


def progress(runs: Runs, i: int, n: int) -> None:
    took = runs.seconds[-1]
    if took > STALL:
        print(f"  {runs.name} run {i + 1}/{n}: {took:.1f} s", flush=True)
    elif (i + 1) % 50 == 0:
        print(f"  {runs.name}: {i + 1}/{n} runs", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--worker", choices=["both", "rq", "line"], default="both",
                        help="in-process: the stock rq.Worker, textline's LineWorker, or both (rq first)")
    parser.add_argument("--cli", action="store_true", help="run `textline worker --burst` processes instead")
    parser.add_argument("--dump-after", type=float, default=STALL, help="seconds before a run dumps its stacks")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="tl-exit-", dir="/tmp"))
    with EmbeddedRedis(folder / "redis") as server:
        conn = redis.Redis.from_url(server.url)
        if args.cli:
            kinds = [Runs("textline worker --burst")]
            cli(server.url, kinds[0], args.runs, args.dump_after, folder)
        else:
            classes = {"rq": [Worker], "line": [LineWorker], "both": [Worker, LineWorker]}[args.worker]
            kinds = []
            for worker_class in classes:
                kinds.append(Runs(f"{worker_class.__module__}.{worker_class.__name__}"))
                in_process(conn, worker_class, kinds[-1], args.runs, args.dump_after, folder)
    print(f"\nredis-py {redis.__version__}, rq {rq.__version__}, Python {sys.version.split()[0]}")
    for runs in kinds:
        print(runs.report())
    for runs in kinds:
        if runs.slowest_dump:
            print(f"\nStacks of the slowest stalled {runs.name} run ({runs.slowest_dumped:.1f} s), "
                  f"{args.dump_after:.0f} s in:\n{runs.slowest_dump}")


if __name__ == "__main__":
    main()
