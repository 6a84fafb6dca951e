"""Inbound webhook throughput and latency under gunicorn, against a bare Flask baseline.

Runs the real `textline:create_app()` (signature check, MessageSid dedupe,
flows, Redis) and a bare Flask app answering a constant TwiML body, each under
the same gunicorn settings, and drives both with the same signed requests
from client processes with keep-alive connections. Prints requests/s, p50
and p99 for each and the ratios.

    .venv/bin/python bench/webhook.py [--requests 6000] [--clients 8] [--workers 4]
    .venv/bin/python bench/webhook.py --in-process [--requests 6000]
    .venv/bin/python bench/webhook.py --steps     (textline cut short after each step, too)
    .venv/bin/python bench/webhook.py --mix members   (members' everyday texts: MENU, thanks, HELP)
    .venv/bin/python bench/webhook.py --pin   (web workers on a core of their own, clients and Redis on the rest)

`--in-process` sends the same signed requests through the app in this process (Flask's test client, no
HTTP, no gunicorn) and prints what each costs: Redis round trips (the app's client wrapped: one packed
send is one round trip), Redis commands (scripts' own included, from INFO commandstats), the server's
time, and this process's CPU time, a figure far less shaken than req/s by other work on the machine.
"""
from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import free_port, wait_http  # noqa: E402

TOKEN = "bench-auth-token"
STEPS = ("signature", "load", "engine")
ACCOUNT = "AC" + "0" * 32
NUMBER = "+15005550006"




#: The default mix: 2,000 numbers each text for the first time, say YES, ask for the MENU (then HELP ...).
FIRST = ("hi", "YES", "MENU", "HELP", "how are you", "1", "what time is it")
#: `--mix members`: texts of members who joined before the run (the line's everyday traffic).
MEMBERS = ("MENU", "thanks", "HELP")


def build_requests(n: int, public: str, words: tuple[str, ...] = FIRST) -> list[tuple[bytes, str]]:
    """Signed form bodies: 2,000 numbers at a time, each saying the next of `words`."""
    validator = RequestValidator(TOKEN)
    out = []
    for i in range(n):
        params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT, "From": f"+1202555{i % 2000:04d}",
                  "To": NUMBER, "Body": words[(i // 2000) % len(words)], "NumMedia": "0"}
        signature = validator.compute_signature(public + "/twilio/sms", params)
        out.append((urllib.parse.urlencode(params).encode(), signature))
    return out


def client(port: int, chunk: list[tuple[bytes, str]], queue: mp.Queue) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, errors = [], 0
    for body, signature in chunk:
        started = time.perf_counter()
        conn.request("POST", "/twilio/sms", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started)
        errors += response.status != 200
    queue.put((latencies, errors))


def drive(port: int, requests: list[tuple[bytes, str]], clients: int) -> dict[str, float]:
    chunks = [requests[i::clients] for i in range(clients)]
    queue: mp.Queue = mp.Queue()
    procs = [mp.Process(target=client, args=(port, chunk, queue)) for chunk in chunks]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join()
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)
    return {"rps": len(latencies) / elapsed, "p50": latencies[len(latencies) // 2] * 1000,
            "p99": latencies[int(len(latencies) * 0.99)] * 1000, "errors": errors, "n": len(latencies)}


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by these processes (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def server_pids(master: int) -> list[int]:
    """The gunicorn master and its workers."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return [master, *(int(p) for p in children.read_text().split())] if children.exists() else [master]


def redis_cpu(url: str) -> float:
    import redis

    info = redis.Redis.from_url(url).info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushall()


def gunicorn(app: str, port: int, workers: int, env: dict[str, str], cores: str = "") -> subprocess.Popen:
    return subprocess.Popen(
        # --preload: every worker is ready when the first answers (on a loaded machine, workers importing the
        # app one by one would otherwise still be starting while the first are measured).
        [*(["taskset", "-c", cores] if cores else []), sys.executable, "-m", "gunicorn", "-w", str(workers),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "--access-logfile", "/dev/null", "--preload", "--timeout", "120", app],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def in_process(n: int, env: dict[str, str]) -> None:
    """The same requests through the app in this process: round trips, commands and CPU per request."""
    import logging

    import redis

    os.environ.update(env, TEXTLINE_PUBLIC_URL="http://127.0.0.1:1")
    logging.disable(logging.INFO)
    from textline import create_app
    from textline.core import redis_conn
    from textline.core.settings import Settings

    client = create_app().test_client()
    app_redis = redis_conn.connect(Settings.from_env())
    pool = app_redis.connection_pool
    sends = [0]

    class Counting(pool.connection_class):  # type: ignore[misc, name-defined]
        def send_packed_command(self, command: object, check_health: bool = True) -> None:
            sends[0] += 1
            super().send_packed_command(command, check_health)

    pool.disconnect()
    pool.connection_class = Counting
    requests = build_requests(n + 300, "http://127.0.0.1:1")
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def send(batch: list[tuple[bytes, str]]) -> None:
        for body, signature in batch:
            response = client.post("/twilio/sms", data=body, base_url="http://127.0.0.1:1",
                                   headers={**headers, "X-Twilio-Signature": signature})
            assert response.status_code == 200, response.status_code

    send(requests[:300])  # warm-up: first contacts, as in the gunicorn run
    server = redis.Redis.from_url(env["REDIS_URL"])
    server.config_resetstat()
    sends[0] = 0
    wall, cpu = time.perf_counter(), time.process_time()
    send(requests[300:])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stats = server.info("commandstats")
    commands = sum(v["calls"] for k, v in stats.items() if k not in ("cmdstat_config", "cmdstat_info"))
    usec = sum(v["usec"] for v in stats.values())
    print(f"{n} signed POST /twilio/sms in-process (mix: first contact, YES, MENU from {min(n, 2000)} numbers)")
    print(f"per text: {sends[0] / n:.2f} Redis round trips, {commands / n:.1f} Redis commands (scripts' included), "
          f"Redis time {usec / n:.0f} us, this process's CPU {cpu / n * 1000:.2f} ms, wall {wall / n * 1000:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers, the same for both apps")
    parser.add_argument("--in-process", action="store_true", help="cost per text in this process, no gunicorn")
    parser.add_argument("--mix", choices=("first", "members"), default="first",
                        help="first: first contacts, YES, MENU (default); members: MENU, thanks, HELP from members")
    parser.add_argument("--pin", action="store_true",
                        help="gunicorn on the last core, the clients and Redis on the others (less scheduler noise)")
    parser.add_argument("--steps", action="store_true",
                        help="also run textline cut short after each step: where a request's time goes")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from textline.core.embedded_redis import EmbeddedRedis

    folder = Path(tempfile.mkdtemp(prefix="tl-bench-", dir="/tmp"))
    redis_server = EmbeddedRedis(folder)
    env = dict(os.environ, REDIS_URL=redis_server.ensure_running(), TWILIO_ACCOUNT_SID=ACCOUNT,
               TWILIO_AUTH_TOKEN=TOKEN, TEXTLINE_NUMBER=NUMBER, TEXTLINE_DATA_DIR=str(folder),
               TEXTLINE_SECRET_KEY="bench-secret",
               PYTHONPATH=str(ROOT), TWILIO_API_URL="http://127.0.0.1:9")
    results = {}
    if args.in_process:
        try:
            in_process(args.requests, env)
        finally:
            redis_server.stop()
            shutil.rmtree(folder, ignore_errors=True)
        return
    web_cores = ""
    if args.pin:  # the web workers on the last core, this process (the clients) and Redis on the others
        cores = sorted(os.sched_getaffinity(0))
        if len(cores) < 2:
            parser.error("--pin needs at least 2 cores")
        web_cores = str(cores[-1])
        os.sched_setaffinity(0, cores[:-1])
        os.sched_setaffinity(redis_server.pid, cores[:-1])
    apps = [("bare Flask, constant TwiML", "bench.bare_app:app", ""), ("textline", "textline:create_app()", "")]
    if args.steps:  # textline cut short after each step (bench/webhook_steps.py), between the two
        apps[1:1] = [(f"textline to {step}", "bench.webhook_steps:app", step) for step in STEPS]
    try:
        for name, app, step in apps:
            redis_flush(env["REDIS_URL"])  # each app starts from an empty store: the same first contacts
            port = free_port()
            public = f"http://127.0.0.1:{port}"
            proc = gunicorn(app, port, args.workers, dict(env, TEXTLINE_PUBLIC_URL=public, TL_BENCH_STEP=step),
                            cores=web_cores)
            try:
                wait_http(port, timeout=180)
                if args.mix == "members":  # 2,000 members join first (not measured)
                    drive(port, build_requests(4000, public), args.clients)
                else:
                    drive(port, build_requests(300, public), args.clients)  # warm-up
                requests = build_requests(args.requests, public, MEMBERS if args.mix == "members" else FIRST)
                pids = server_pids(proc.pid)
                cpu = cpu_seconds(pids), redis_cpu(env["REDIS_URL"])
                results[name] = drive(port, requests, args.clients)
                results[name]["web_cpu"] = (cpu_seconds(pids) - cpu[0]) / args.requests * 1000
                results[name]["redis_cpu"] = (redis_cpu(env["REDIS_URL"]) - cpu[1]) / args.requests * 1000
            finally:
                proc.terminate()
                proc.wait(10)
    finally:
        redis_server.stop()
        shutil.rmtree(folder, ignore_errors=True)

    print(f"{args.requests} signed POST /twilio/sms ({args.mix} mix), {args.clients} keep-alive clients, "
          f"gunicorn -w {args.workers} (sync), {os.cpu_count()} cores"
          + (f", gunicorn pinned to core {web_cores}, clients and Redis to the others" if web_cores else ""))
    print(f"{'app':<28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-200':>10}{'web CPU ms':>12}{'Redis CPU ms':>14}")
    for name, r in results.items():
        print(f"{name:<28}{r['rps']:>10.0f}{r['p50']:>10.2f}{r['p99']:>10.2f}{r['errors']:>10.0f}"
              f"{r['web_cpu']:>12.2f}{r['redis_cpu']:>14.2f}")
    base, real = results["bare Flask, constant TwiML"], results["textline"]
    cpu_base, cpu_real = base["web_cpu"] + base["redis_cpu"], real["web_cpu"] + real["redis_cpu"]
    print(f"ratio textline/bare: throughput {real['rps'] / base['rps']:.2f}x, "
          f"p50 {real['p50'] / base['p50']:.2f}x, p99 {real['p99'] / base['p99']:.2f}x; "
          f"server CPU a request (web + Redis) {cpu_real:.2f} ms vs {cpu_base:.2f} ms = {cpu_base / cpu_real:.2f}x")


if __name__ == "__main__":
    main()
