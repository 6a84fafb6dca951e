"""Per-test ceilings (pytest-timeout): a hung test fails with every thread's stack, never in silence.

pyproject.toml sets the ceiling (`timeout`) and `timeout_method = "thread"`, which dumps every
thread's stack and ends the process even when a thread is blocked in C (a socket read, a join).
Chaos tests run a whole line of processes under faults, with their own waits of up to two minutes:
they get `CHAOS_CEILING` instead. Under pytest-xdist a worker's stdout is /dev/null and its stderr
is captured, so pytest-timeout's dump would be lost ("worker crashed", nothing more): there the
same ceiling is kept by `faulthandler`, writing every thread's stack to the run's own stderr.
"""
from __future__ import annotations

import faulthandler
import os
from typing import Any, TextIO

import pytest

CHAOS_CEILING = 600

#: An xdist worker's stderr as it was before pytest captured it (the run's console).
_console: TextIO | None = None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("chaos") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(CHAOS_CEILING))


def pytest_sessionstart(session: pytest.Session) -> None:
    global _console
    capture = session.config.pluginmanager.getplugin("capturemanager")
    if hasattr(session.config, "workerinput") and capture is not None:
        with capture.global_and_fixture_disabled():
            _console = os.fdopen(os.dup(2), "w")


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> bool | None:
    if _console is None or settings.method != "thread" or not settings.timeout:
        return None  # pytest-timeout's own timer
    faulthandler.dump_traceback_later(settings.timeout, exit=True, file=_console)
    return True


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_cancel_timer(item: pytest.Item) -> bool | None:
    if _console is None:
        return None
    faulthandler.cancel_dump_traceback_later()
    return True
