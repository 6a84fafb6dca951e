"""Webhook latency of the call-back commands, against MENU (a baseline measured in the same run).

    PYTHONPATH=. python bench/callbacks_webhook.py [--n 300]

Signed requests through the Flask test client (no HTTP server), a real
embedded Redis, the Twilio double. CALL / NOCALL by members, TAKE and DONE
by an on-call peer (with 5 peers on call), and the bridge's `connect` step.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from tests.support.harness import Harness, member_number, staff_number
from tests.support.peers import BridgeCall
from tests.support.twilio_double import TwilioDouble
from textline.core.embedded_redis import EmbeddedRedis


def timed(fn: Callable[[int], object], n: int, r: redis.Redis) -> tuple[list[float], float]:
    """Latency of each of `n` calls (ms), and Redis commands per call (the second INFO counts itself once)."""
    out = []
    before = int(r.info("stats")["total_commands_processed"])
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - start) * 1000)
    return out, (int(r.info("stats")["total_commands_processed"]) - before - 1) / n


def summary(name: str, measured: tuple[list[float], float], base: float) -> str:
    ms, commands = sorted(measured[0]), measured[1]
    p50, p99 = statistics.median(ms), ms[int(len(ms) * 0.99) - 1]
    return f"{name:<8} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  x{p50 / base:4.2f} of MENU  {commands:5.1f} Redis cmds"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    n = parser.parse_args().n
    folder = Path(tempfile.mkdtemp(prefix="tl-bench-"))
    server = EmbeddedRedis(folder / "redis")
    monkeypatch = pytest.MonkeyPatch()
    try:
        with TwilioDouble() as double:
            line = Harness(server.ensure_running(), double, folder, monkeypatch)
            line.configure()
            for i in range(5):
                assert line.cli("staff", "add", f"Peer{i}", staff_number(i), "--role", "peer").exit_code == 0
                line.member(staff_number(i)).texts("ON")
            phones = [member_number(1000 + i) for i in range(n)]
            for phone in phones:
                line.member(phone).joins()
            peer = line.member(staff_number(0))
            menu = timed(lambda i: line.member(phones[i]).texts("MENU"), n, line.r)
            call = timed(lambda i: line.member(phones[i]).texts("CALL"), n, line.r)
            take = timed(lambda i: peer.texts(f"TAKE {i + 1}"), n, line.r)
            connect = timed(lambda i: BridgeCall(line, f"https://x/twilio/voice/bridge/{i + 1}/1/answer",
                                                 staff_number(0)).press("1"), n, line.r)
            done = timed(lambda i: peer.texts(f"DONE {i + 1} ok"), n, line.r)
            again = timed(lambda i: line.member(phones[i]).texts("CALL"), n, line.r)
            nocall = timed(lambda i: line.member(phones[i]).texts("NOCALL"), n, line.r)
            base = statistics.median(menu[0])
            print(f"{n} requests each, {len(double.messages)} texts reached the double (none: no worker ran)")
            for name, ms in (("MENU", menu), ("CALL", call), ("TAKE", take), ("connect", connect),
                             ("DONE", done), ("CALL #2", again), ("NOCALL", nocall)):
                print(summary(name, ms, base))
            line.close()
    finally:
        monkeypatch.undo()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
