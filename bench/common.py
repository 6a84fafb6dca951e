"""What the benchmarks share: a free port, waiting for a web process, percentiles, an in-process dev line."""
from __future__ import annotations

import http.client
import os
import socket
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from textline.core import clock
from textline.core.embedded_redis import EmbeddedRedis
from textline.core.line import Line
from textline.core.settings import Settings
from workers import runtime


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, timeout: float = 30.0) -> None:
    """Until GET /healthz answers on `port`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port}")


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p99 of `samples` (seconds), in milliseconds."""
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


@contextmanager
def dev_line(at: datetime) -> Iterator[tuple[Settings, Line]]:
    """An in-process line in dev mode on a private embedded Redis, its test clock set to `at`."""
    folder = Path(tempfile.mkdtemp(prefix="tl-bench-"))
    config = folder / "textline.toml"
    config.write_text('name = "Bench Line"\nquiet_hours = "00:00-00:00"\nsend_rate = 1000000.0\n')
    with EmbeddedRedis(folder / "redis") as server:
        os.environ.update({"REDIS_URL": server.url, "TEXTLINE_CONFIG": str(config), "TEXTLINE_TEST_CLOCK": "1",
                           "TEXTLINE_ENV": "dev"})  # dev mode on purpose: nothing to Twilio, unsigned webhooks
        for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
            os.environ.pop(name, None)
        settings = Settings.from_env()
        line = Line.from_settings(settings)
        line.r.flushdb()
        runtime.reset()
        clock.set_test_clock(line.r, at)
        yield settings, line
