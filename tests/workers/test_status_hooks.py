"""Status hooks run in a real `textline worker` process, not only in the web process.

A delivery the worker itself ends (Twilio refuses it for good, or the worker skips it) reports its
status there, in a process that imported only the job modules: every hook must be loaded by that
process too. The in-process burst worker of the harness would not show it (the test process has
imported the whole app), so this runs `textline worker --burst` as its own process.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.harness import Harness, member_number, staff_number
from tests.support.peers import add_peer, named_member
from textline.models import outbound
from textline.models.outbound import Status

ROOT = Path(__file__).resolve().parents[2]
M1, ANA = member_number(431), staff_number(31)
#: Twilio's "geo permissions do not allow this call": permanent, and not a sign of a bad number.
GEO_REFUSED = 21215
MISSED_YOU = "We couldn't reach you for call-back 1. Reply RETRY 1 to try again, or RELEASE 1."


def burst_worker() -> str:
    """`textline worker --burst` as its own process, until the queues and due timers are done; its log."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "textline.cli", "worker", "--burst"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_a_peer_call_the_worker_finds_failed_texts_the_peer(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    named_member(line, M1, "Sam").texts("CALL")
    ana.texts("TAKE 1")
    line.twilio.fail_for(ANA, code=GEO_REFUSED, kind="call")
    try:
        log = burst_worker()
    finally:
        line.twilio.unfail(ANA)
    call = outbound.get(line.r, outbound.by_dedupe(line.r, "cb:1:call:1") or "")
    assert call is not None and call.status == Status.FAILED and call.error == str(GEO_REFUSED)
    assert MISSED_YOU in line.twilio.texts_to(ANA), log
