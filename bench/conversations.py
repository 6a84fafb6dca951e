"""Relay latency: from the webhook receiving a member's text in a conversation to the peer's copy at "Twilio".

Runs the line as real processes (bench/crisis.py's `Line`: gunicorn web, `textline worker`, the urgent
worker, the Twilio double standalone) on a private redis-server. Sets up `--conversations` text
requests (default 200), each taken by one of `--peers` peers (`[conversations] max_per_peer` set to
fit), then every member texts once, `--gap` seconds apart from `--threads` senders at a time: each
relay's latency is the double's arrival time of `[n Name] <text>` at the peer minus the moment the
signed POST left. The baseline, in the same run and from the same members: a plain reply (MENU),
answered in the webhook's own TwiML, timed from the POST leaving to the answer read.

    .venv/bin/python bench/conversations.py [--conversations 200] [--peers 20] [--gap 0.01] [--threads 8] [--workers 1]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.crisis import Line, double_stats, percentile, post  # noqa: E402


def member(i: int) -> str:
    return f"+1202556{i:04d}"


def peer(i: int) -> str:
    return f"+1312556{i:04d}"


def set_up(conversations: int, peers: int) -> None:
    """Members who joined, peers on call, and one taken text request per member (straight in Redis)."""
    from textline.core.line import Line as TLine
    from textline.core.settings import Settings
    from textline.models import members, staff
    from textline.models import requests as callbacks
    from textline.models.requests import transcript

    line = TLine.from_settings(Settings.from_env())
    now = line.now()
    for p in range(peers):
        staff.add(line.r, f"Peer{p}", peer(p), staff.Role.PEER)
        staff.set_on_call(line.r, peer(p), True)
    for i in range(conversations):
        phone = member(i)
        members.create(line.r, phone, language="en", timezone="America/New_York", at=now)
        members.activate(line.r, phone, now)
        request_id = callbacks.create(line, phone, reason="text", kind=callbacks.Kind.TEXT)
        assert request_id is not None
        transcript.add(line, request_id, transcript.MEMBER, "hello, can someone talk")
        cb = callbacks.get(line.r, request_id)
        assert cb is not None and callbacks.take(line, cb, peer(i % peers)).ok


def relay_round(line: Line, conversations: int, gap: float, threads: int) -> list[float]:
    """Every member texts once; the latency of each relay to its peer, in seconds."""
    tokens = {f"tok{i:04d}": i for i in range(conversations)}
    sent: dict[str, float] = {}
    since = len(double_stats(line.double_url)["requests"])

    def one(token: str) -> None:
        left, _, answer = post(line, member(tokens[token]), f"{token} it has been a long day")
        if "<Message>" in answer:
            raise RuntimeError("a text in a conversation was answered instead of relayed")
        sent[token] = left

    with ThreadPoolExecutor(threads) as pool:
        for token in tokens:
            pool.submit(one, token)
            time.sleep(gap)
    arrived: dict[str, float] = {}
    deadline = time.monotonic() + 120
    seen = since
    while time.monotonic() < deadline and len(arrived) < len(tokens):
        fresh = double_stats(line.double_url, seen)["requests"]
        seen += len(fresh)
        for request in fresh:
            body = (request.get("form") or {}).get("Body", "")
            if request["status_code"] == 201 and "] tok" in body:
                token = body.split("] ", 1)[1].split(" ", 1)[0]
                if token in tokens and token not in arrived:
                    arrived[token] = request["wall"]
        time.sleep(0.2)
    if len(arrived) < len(tokens):
        raise RuntimeError(f"{len(tokens) - len(arrived)} relays never reached the double")
    return [arrived[t] - sent[t] for t in tokens]


def plain_round(line: Line, conversations: int, threads: int) -> list[float]:
    """The same members text MENU: answered in the webhook's TwiML; the round trip of each, in seconds."""
    times: list[float] = []

    def one(i: int) -> None:
        left, read, answer = post(line, member(i), "MENU")
        if "<Message>" not in answer:
            raise RuntimeError("MENU was not answered")
        times.append(read - left)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(conversations)))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--peers", type=int, default=20)
    parser.add_argument("--gap", type=float, default=0.01, help="seconds between member texts")
    parser.add_argument("--threads", type=int, default=8, help="texts in flight at once")
    parser.add_argument("--workers", type=int, default=1, help="`textline worker` processes beside the urgent one")
    args = parser.parse_args()

    line = Line(send_rate=1000.0)
    per_peer = -(-args.conversations // args.peers)
    with open(line.folder / "textline.toml", "a") as config:
        config.write(f"\n[conversations]\nmax_per_peer = {per_peer}\n")
    load_before = os.getloadavg()[0]
    try:
        line.start()
        for _ in range(args.workers - 1):
            line.procs.append(subprocess.Popen([sys.executable, "-m", "textline.cli", "worker", "--queues",
                                                "crisis,replies"], cwd=ROOT, env=line.env,
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        set_up(args.conversations, args.peers)
        time.sleep(2)
        plain_round(line, min(20, args.conversations), args.threads)  # warm-up
        plain = plain_round(line, args.conversations, args.threads)
        relay = relay_round(line, args.conversations, args.gap, args.threads)
    finally:
        line.stop()

    print(f"{args.conversations} concurrent conversations, {args.peers} peers; one text per member, {args.gap}s "
          f"apart, {args.threads} in flight; gunicorn -w 2 --threads 4, {args.workers} `textline worker`, "
          "urgent worker; "
          f"{os.cpu_count()} cores, load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"{'measure':<44}{'n':>5}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for name, values in (("plain reply (MENU, webhook TwiML)", plain),
                         ("relay: member webhook -> peer at the double", relay)):
        print(f"{name:<44}{len(values):>5}{percentile(values, 0.5) * 1000:>10.1f}"
              f"{percentile(values, 0.99) * 1000:>10.1f}{max(values) * 1000:>10.1f}")
    print(f"ratio relay/plain: p50 {percentile(relay, 0.5) / percentile(plain, 0.5):.1f}x, "
          f"p99 {percentile(relay, 0.99) / percentile(plain, 0.99):.1f}x")


if __name__ == "__main__":
    main()
