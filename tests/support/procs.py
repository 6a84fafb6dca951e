"""The line as real processes, for chaos tests: a private Redis, gunicorn web, `textline worker`s.

Each part can be killed and started again::

    with LineProcs(tmp, double) as procs:
        procs.start_workers(3)
        procs.kill_horse()            # SIGKILL the process running a job (RQ's horse)
        procs.redis.kill(); procs.redis.start()   # same socket, same append-only file

Every process logs to its own file under the run's folder; `procs.logs()` reads them all
(the privacy audit scans them). Nothing here is shared between tests.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis
import requests
from twilio.request_validator import RequestValidator

from tests.support.harness import BASE_TOML, LINE_NUMBER, PUBLIC_URL, to_toml
from tests.support.twilio_double import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TwilioDouble
from textline.core.embedded_redis import EmbeddedRedis
from textline.core.line import Line
from textline.core.settings import Settings

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
#: Settings for process tests: fast retries, short leases, a Twilio timeout well under the lease.
PROC_TOML: dict[str, Any] = {
    **BASE_TOML,
    "sending": {"retry_backoff": "20ms", "lease": "2s", "http_timeout": "1s", "retry_max": 30},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait(predicate: Callable[[], object], timeout: float, interval: float = 0.05) -> bool:
    """Poll `predicate` until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def children(pid: int) -> list[int]:
    """Direct children of `pid` (Linux /proc)."""
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(x) for x in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


class RedisProc:
    """The embedded redis-server (append-only file on) in its own folder, killable and restartable."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.server = EmbeddedRedis(folder)
        self.url = self.server.url
        self._old: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        self.server.ensure_running()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Stop the server abruptly (SIGKILL) or cleanly (SIGTERM); the AOF stays for the next start."""
        proc = self.server._proc
        assert proc is not None, "this RedisProc did not start the server"
        proc.send_signal(sig)
        proc.wait(10)
        self._old.append(proc)
        self.server._proc = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True)

    def close(self) -> None:
        if self.server._proc is not None:
            self.server.stop()


class Proc:
    """One child process with its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        self._file = open(log, "ab")
        self.popen = subprocess.Popen(argv, env=env, cwd=REPO, stdin=subprocess.DEVNULL, stdout=self._file,
                                      stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig: int) -> None:
        if self.running():
            self.popen.send_signal(sig)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL; also ends what it left behind in its session (ticker, horse)."""
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.popen.wait(5)
        self._reap_session()
        self._file.close()

    def kill(self) -> None:
        """SIGKILL this process only (its children live on, as after a real crash)."""
        self.signal(signal.SIGKILL)
        self.popen.wait(5)

    def _reap_session(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class LineProcs:
    """A whole line as processes: Redis, web (gunicorn), workers, against a Twilio double."""

    def __init__(self, double: TwilioDouble, toml: dict[str, Any] | None = None, *, test_clock: bool = False) -> None:
        # A short folder: the Redis unix socket path must stay under ~100 bytes.
        self.folder = Path(tempfile.mkdtemp(prefix="tl-chaos-", dir="/tmp"))
        self.double = double
        self.redis = RedisProc(self.folder / "redis")
        self.config = self.folder / "textline.toml"
        self.configure(**(toml or {}))
        self.test_clock = test_clock
        self.web: Proc | None = None
        self.web_port = 0
        self.workers: list[Proc] = []
        self.validator = RequestValidator(TEST_AUTH_TOKEN)
        self._local = threading.local()
        self._count = 0

    # -- set-up ---------------------------------------------------------------------------------------
    def configure(self, **toml: Any) -> None:
        """Write the settings file (PROC_TOML updated by `toml`); processes started later read it."""
        merged: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in PROC_TOML.items()}
        for key, value in toml.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key].update(value)
            else:
                merged[key] = value
        self.config.write_text(to_toml(merged))

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "TEXTLINE_", "REDIS_URL"))}
        env.update({
            "PYTHONPATH": str(REPO),
            "REDIS_URL": self.redis.url,
            "TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
            "TWILIO_API_URL": self.double.url,
            "TEXTLINE_NUMBER": LINE_NUMBER,
            "TEXTLINE_PUBLIC_URL": PUBLIC_URL,
            "TEXTLINE_SECRET_KEY": "chaos-secret",
            "TEXTLINE_DATA_DIR": str(self.folder / "var"),
            "TEXTLINE_CONFIG": str(self.config),
        })
        if self.test_clock:
            env["TEXTLINE_TEST_CLOCK"] = "1"
        return env

    def line(self) -> Line:
        """The same line in the test process (settings from the same environment), for store helpers."""
        env = {k: v for k, v in self.env().items() if k.startswith(("TWILIO_", "TEXTLINE_", "REDIS_URL"))}
        return Line.from_settings(Settings.from_env(env))

    def _proc(self, name: str, argv: list[str]) -> Proc:
        self._count += 1
        return Proc(name, argv, self.env(), self.folder / f"{self._count:02d}-{name}.log")

    def start_web(self, workers: int = 3, threads: int = 4, extra: tuple[str, ...] = ()) -> None:
        """gunicorn with `workers` processes of `threads` threads; `extra`: more gunicorn options."""
        self.web_port = free_port()
        self.web = self._proc("web", [
            PYTHON, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads), "-b",
            f"127.0.0.1:{self.web_port}", "--graceful-timeout", "5", *extra, "textline:create_app()",
        ])
        assert wait(self._web_answers, 30), self.tail(self.web)

    def _web_answers(self) -> bool:
        try:
            return requests.get(self.web_url + "/healthz", timeout=2).status_code in (200, 503)
        except requests.RequestException:
            return False

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start_workers(self, n: int = 1, queues: str | None = None) -> list[Proc]:
        argv = [PYTHON, "-m", "textline.cli", "worker"] + (["--queues", queues] if queues else [])
        started = [self._proc(f"worker{len(self.workers) + i}", argv) for i in range(n)]
        self.workers += started
        return started

    def stop_workers(self) -> None:
        for proc in self.workers:
            proc.stop()
        self.workers = []

    def kill_workers(self) -> None:
        """SIGKILL every worker process (not its horse or ticker: they are in other groups or notice)."""
        for proc in self.workers:
            proc.kill()
        self.workers = []

    # -- horses ------------------------------------------------------------------------------------------
    def horses(self) -> list[int]:
        """Pids of RQ work horses now running: a worker's child that leads its own process group."""
        found = []
        for proc in self.workers:
            for child in children(proc.pid):
                try:
                    if os.getpgid(child) == child and alive(child):
                        found.append(child)
                except ProcessLookupError:
                    continue
        return found

    def kill_horse(self, timeout: float = 5.0) -> int | None:
        """SIGKILL one running horse (the process running a job); its pid, or None if none ran."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for pid in self.horses():
                try:
                    os.kill(pid, signal.SIGKILL)
                    return pid
                except ProcessLookupError:
                    continue
            time.sleep(0.002)
        return None

    # -- webhooks ---------------------------------------------------------------------------------------
    def session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def post(self, path: str, params: dict[str, str], timeout: float = 10.0) -> requests.Response:
        """A signed webhook, as Twilio would send it (signature over TEXTLINE_PUBLIC_URL)."""
        signature = self.validator.compute_signature(PUBLIC_URL + path, params)
        return self.session().post(self.web_url + path, data=params, timeout=timeout,
                                   headers={"X-Twilio-Signature": signature})

    def sms(self, phone: str, body: str, sid: str | None = None) -> requests.Response:
        params = {"MessageSid": sid or "SM" + uuid.uuid4().hex, "AccountSid": TEST_ACCOUNT_SID, "From": phone,
                  "To": LINE_NUMBER, "Body": body, "NumMedia": "0"}
        return self.post("/twilio/sms", params)

    # -- logs and teardown -----------------------------------------------------------------------------
    def logs(self) -> str:
        """Everything every process wrote (redis's own log aside)."""
        return "".join(p.read_text(errors="replace") for p in sorted(self.folder.glob("*.log")))

    def tail(self, proc: Proc | None, lines: int = 40) -> str:
        if proc is None:
            return ""
        return "\n".join(proc.log.read_text(errors="replace").splitlines()[-lines:])

    def close(self) -> None:
        if self.web is not None:
            self.web.stop()
            self.web = None
        self.stop_workers()
        self.redis.close()

    def __enter__(self) -> LineProcs:
        self.redis.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        if os.environ.get("TEXTLINE_KEEP_CHAOS") != "1":  # keep the logs and the AOF to look at
            shutil.rmtree(self.folder, ignore_errors=True)

