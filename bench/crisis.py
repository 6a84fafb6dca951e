"""Crisis alert latency: from the webhook receiving a crisis text to the alert reaching "Twilio".

Runs the line as real processes against a private redis-server: gunicorn web
(as in the Procfile), `textline worker` (every queue, crisis first) and
`textline worker --queues crisis` (the urgent worker), with the Twilio double
standalone (`python -m tests.support.twilio_double`). One crisis staff member is
on call. Each crisis text comes from a new number, so each opens a case and
sends one alert; its latency is the double's arrival time of that alert
(GET /_double/stats) minus the moment the signed POST left the client.

Measured twice: alone, then while 10,000 send jobs wait on the `broadcast`
queue and the general worker drains them. Prints p50 / p99 / max and the ratios.

    .venv/bin/python bench/crisis.py [--texts 100] [--gap 0.2] [--broadcast 10000] [--send-rate 100]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import free_port, wait_http  # noqa: E402

TOKEN = "bench-auth-token"
ACCOUNT = "AC" + "0" * 32
NUMBER = "+15005550006"
ANA = "+13125550001"




def double_stats(url: str, since: int = 0) -> dict:
    with urllib.request.urlopen(f"{url}/_double/stats?forms=1&since={since}", timeout=60) as response:
        return json.loads(response.read())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


class Line:
    """The line's processes, started and stopped together."""

    def __init__(self, send_rate: float) -> None:
        sys.path.insert(0, str(ROOT))
        from textline.core.embedded_redis import EmbeddedRedis

        self.folder = Path(tempfile.mkdtemp(prefix="tl-bench-crisis-", dir="/tmp"))
        self.redis = EmbeddedRedis(self.folder)
        self.procs: list[subprocess.Popen] = []
        config = self.folder / "textline.toml"
        config.write_text(f'name = "Bench Line"\nquiet_hours = "00:00-00:00"\nsend_rate = {send_rate}\n'
                          '[crisis]\nack_timeout = "1h"\n')
        self.port = free_port()
        self.public = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_AUTH_TOKEN=TOKEN, TEXTLINE_NUMBER=NUMBER,
                        TEXTLINE_DATA_DIR=str(self.folder), TEXTLINE_CONFIG=str(config), PYTHONPATH=str(ROOT),
                        TEXTLINE_PUBLIC_URL=self.public, TEXTLINE_SECRET_KEY="bench-secret")
        self.double_url = ""

    def start(self) -> None:
        self.env["REDIS_URL"] = self.redis.ensure_running()
        double = subprocess.Popen([sys.executable, "-m", "tests.support.twilio_double", "--port", "0",
                                   "--account-sid", ACCOUNT, "--auth-token", TOKEN], cwd=ROOT, env=self.env,
                                  stdout=subprocess.PIPE, text=True)
        self.procs.append(double)
        assert double.stdout is not None
        self.double_url = double.stdout.readline().strip()
        self.env["TWILIO_API_URL"] = self.double_url
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": ROOT, "env": self.env}
        self.procs.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4", "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "--access-logfile", "/dev/null", "textline:create_app()"], **quiet))
        cli = [sys.executable, "-m", "textline.cli"]
        self.procs.append(subprocess.Popen([*cli, "worker"], **quiet))
        self.procs.append(subprocess.Popen([*cli, "worker", "--queues", "crisis"], **quiet))
        wait_http(self.port)
        os.environ.update(self.env)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.redis.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def post(line: Line, phone: str, body: str) -> tuple[float, float, str]:
    """One signed text; when it left, when the answer was read, and the answer (non-200 raises)."""
    from twilio.request_validator import RequestValidator

    params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT, "From": phone, "To": NUMBER,
              "Body": body, "NumMedia": "0"}
    signature = RequestValidator(TOKEN).compute_signature(line.public + "/twilio/sms", params)
    conn = http.client.HTTPConnection("127.0.0.1", line.port, timeout=30)
    sent = time.time()
    conn.request("POST", "/twilio/sms", body=urllib.parse.urlencode(params), headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
    response = conn.getresponse()
    answer = response.read().decode()
    if response.status != 200:
        raise RuntimeError(f"text answered {response.status}")
    return sent, time.time(), answer


def post_crisis(line: Line, phone: str, body: str) -> float:
    """Send one signed crisis text; the wall-clock moment it left, checking the reply carries the resource."""
    sent, _, answer = post(line, phone, body)
    if "988" not in answer:
        raise RuntimeError("crisis text answered without the resource in the reply")
    return sent


def crisis_round(line: Line, tag: str, texts: int, gap: float) -> list[float]:
    """Send `texts` crisis texts `gap` seconds apart; the latency of each alert, in seconds."""
    sent: dict[str, float] = {}
    for i in range(texts):
        token = f"{tag}{i:04d}"
        sent[token] = post_crisis(line, f"+1415555{i:04d}" if tag == "a" else f"+1415556{i:04d}",
                                  f"{token} I want to kill myself")
        time.sleep(gap)
    deadline = time.monotonic() + 60
    arrived: dict[str, float] = {}
    seen = 0
    while time.monotonic() < deadline and len(arrived) < texts:
        fresh = double_stats(line.double_url, seen)["requests"]
        seen += len(fresh)
        for request in fresh:
            body = (request.get("form") or {}).get("Body", "")
            if request.get("to") == ANA and request["status_code"] == 201 and '"' in body:
                token = body.split('"', 1)[1].split(" ", 1)[0]
                if token in sent and token not in arrived:
                    arrived[token] = request["wall"]
        time.sleep(0.5)
    missing = texts - len(arrived)
    if missing:
        raise RuntimeError(f"{missing} alerts never reached the double")
    return [arrived[t] - sent[t] for t in sent]


def load_broadcast(n: int) -> None:
    """n consented members and one broadcast record each, enqueued on `broadcast` in one go."""
    from textline.core import jobs, queues
    from textline.core.line import Line as TLine
    from textline.core.settings import Settings
    from textline.models import members, outbound
    from textline.models.outbound import Kind

    line = TLine.from_settings(Settings.from_env())
    now = line.now()
    ids = []
    for i in range(n):
        phone = f"+1202{5550000 + i:07d}"
        members.create(line.r, phone, language="en", timezone="America/New_York", at=now)
        members.activate(line.r, phone, now)
        msg_id = outbound.create(line, phone, "Reminder: group meets Thursday at 7pm.", kind=Kind.BROADCAST,
                                 queue=queues.BROADCAST)
        assert msg_id
        ids.append(msg_id)
    for start in range(0, n, 2000):
        chunk = ids[start:start + 2000]
        queues.enqueue_many(line, queues.BROADCAST, jobs.DELIVER, [(i,) for i in chunk],
                            [f"deliver:{i}:0" for i in chunk])


def broadcast_waiting() -> int:
    from textline.core import queues
    from textline.core.line import Line as TLine
    from textline.core.settings import Settings

    return queues.queue(TLine.from_settings(Settings.from_env()), queues.BROADCAST).count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=100, help="crisis texts per scenario")
    parser.add_argument("--gap", type=float, default=0.2, help="seconds between crisis texts")
    parser.add_argument("--broadcast", type=int, default=10_000, help="send jobs waiting on `broadcast`")
    parser.add_argument("--send-rate", type=float, default=100.0, help="the line's send_rate (messages/s)")
    args = parser.parse_args()

    line = Line(args.send_rate)
    results: dict[str, list[float]] = {}
    load_before = os.getloadavg()[0]
    try:
        line.start()
        from textline.core.line import Line as TLine
        from textline.core.settings import Settings
        from textline.models import staff

        r = TLine.from_settings(Settings.from_env()).r
        staff.add(r, "Ana", ANA, staff.Role.CRISIS)
        staff.set_on_call(r, ANA, True)
        time.sleep(3)  # every gunicorn worker has compiled the lexicon
        for i in range(4):
            post_crisis(line, f"+141555700{i:02d}", "warm-up: I want to kill myself")
        time.sleep(2)
        results["alone"] = crisis_round(line, "a", args.texts, args.gap)
        load_broadcast(args.broadcast)
        before = broadcast_waiting()
        started = time.monotonic()
        results[f"{args.broadcast:,} broadcast jobs draining"] = crisis_round(line, "b", args.texts, args.gap)
        drained = before - broadcast_waiting()
        window = time.monotonic() - started
    finally:
        line.stop()

    print(f"crisis text -> alert at the Twilio double; {args.texts} texts per scenario, {args.gap}s apart; "
          f"send_rate {args.send_rate:g}/s; gunicorn -w 2 --threads 4, `textline worker`, "
          f"`textline worker --queues crisis`; {os.cpu_count()} cores, load average "
          f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"{'scenario':<34}{'n':>5}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for name, values in results.items():
        print(f"{name:<34}{len(values):>5}{percentile(values, 0.5) * 1000:>10.1f}"
              f"{percentile(values, 0.99) * 1000:>10.1f}{max(values) * 1000:>10.1f}")
    alone, loaded = list(results.values())
    print(f"ratio loaded/alone: p50 {percentile(loaded, 0.5) / percentile(alone, 0.5):.2f}x, "
          f"p99 {percentile(loaded, 0.99) / percentile(alone, 0.99):.2f}x")
    print(f"broadcast jobs drained during the loaded run: {drained} in {window:.1f}s "
          f"({drained / window:.0f}/s, {before} were waiting when it started)")


if __name__ == "__main__":
    main()
