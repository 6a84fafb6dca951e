"""Shared fixtures: a real Redis, the Twilio double, signed webhooks, burst workers.

A test reads as a conversation::

    def test_help(line):
        assert "STOP" in line.member(M1).texts("HELP")[0]

`line` is a `Harness` (tests/support/harness.py). Redis is the embedded
server textline itself uses (no system Redis needed), or `TEXTLINE_TEST_REDIS_URL`.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.harness import Harness
from tests.support.twilio_double import TwilioDouble

#: Per-test ceilings: a hung test fails with every thread's stack (chaos tests get a longer one).
pytest_plugins = ["tests.support.ceilings"]


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    given = os.environ.get("TEXTLINE_TEST_REDIS_URL")
    if given:
        yield given
        return
    from textline.core.embedded_redis import EmbeddedRedis

    folder = Path(tempfile.mkdtemp(prefix="tl-test-", dir="/tmp"))
    server = EmbeddedRedis(folder)
    url = server.ensure_running()
    try:
        yield url
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def twilio_double() -> Iterator[TwilioDouble]:
    with TwilioDouble() as double:
        yield double


@pytest.fixture
def line(redis_url: str, twilio_double: TwilioDouble, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    """A fresh line: empty Redis, a reset Twilio double, settings from a test TOML file."""
    harness = Harness(redis_url, twilio_double, tmp_path, monkeypatch)
    harness.configure()
    try:
        yield harness
    finally:
        harness.close()
