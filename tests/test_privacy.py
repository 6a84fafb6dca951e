"""The privacy audit: no whole number and no message body in any log line, job argument, job result or
failed job; retention is enforced by expiry; export and erase hold up under inspection of every key."""
from __future__ import annotations

import logging
import pickle
import re
import sys
import zlib

import pytest

from tests.support import privacy
from tests.support.harness import Harness, member_number, staff_number
from textline.core import logs, queues
from textline.models import member_data, outbound, staff
from textline.models.outbound import Kind, Status

M1, M2, M3, M4, M5 = (member_number(n) for n in range(501, 506))
S1 = staff_number(501)
STRANGER = member_number(599)
SAID = ["my code word is pineapple 4417", "I feel awful tonight, can someone talk", "hello from a stranger here"]
SENT = ["Your peer Dana will call you at 6pm today.", "Picnic Saturday at Elm Park, bring a friend.",
        "Crisis follow-up: we are here for you, Sam."]


def traffic(line: Harness) -> list[str]:
    """Conversations, sends, retries, timeouts, refusals, status callbacks and a failed job; the message ids."""
    line.configure(sending={"http_timeout": "300ms"})
    m1, m2 = line.member(M1).joins(), line.member(M2).joins()
    m1.texts(SAID[0])
    m1.texts(SAID[1])
    m1.texts("HELP")
    m2.texts("STOP")
    m2.texts("START")
    line.member(STRANGER).texts(SAID[2])
    for phone in (M3, M4, M5):
        line.member(phone).joins()
    staff.add(line.r, "Dana", S1, staff.Role.PEER)
    line.member(S1).texts("ON")
    line.twilio.fail_for(M3, code=21211)
    line.twilio.fail_for(M4, code=21610)
    line.twilio.fail_next(2, status=503)
    line.twilio.delay_next(1, 1.0)
    ids = [outbound.send_text(line.line, M1, SENT[0], kind=Kind.CALLBACK),
           *(outbound.send_text(line.line, p, SENT[1], kind=Kind.BROADCAST, queue=queues.BROADCAST)
             for p in (M1, M2, M3, M4, M5)),
           outbound.send_text(line.line, M5, SENT[2], kind=Kind.CRISIS, queue=queues.CRISIS)]
    queues.enqueue(line.line, queues.REPLIES, "workers.send.no_such_job", ids[0], job_id="doomed")
    failed = queues.queue(line.line, queues.REPLIES).failed_job_registry
    line.work_until(lambda: all(outbound.get(line.r, i).status in outbound.FINAL for i in ids)
                    and "doomed" in failed.get_job_ids())
    for msg_id in ids:
        record = outbound.get(line.r, msg_id)
        if record.sid:
            line.status(record.sid, "delivered" if record.to != M5 else "undelivered", "" if record.to != M5
                        else "30003")
    return [i for i in ids if i]


@pytest.fixture
def stderr_logs() -> logging.Handler:
    """Production logging (masked, to stderr) at DEBUG; forked work horses inherit it."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(logs.MaskNumbers())
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def test_no_log_line_job_or_result_holds_a_number_or_a_body(line: Harness, caplog: pytest.LogCaptureFixture,
                                                            capfd: pytest.CaptureFixture[str],
                                                            stderr_logs: logging.Handler) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("textline", "flows", "workers"):  # create_app sets the root's level to INFO again
        caplog.set_level(logging.DEBUG, logger=name)
    ids = traffic(line)
    assert sorted(line.twilio.texts_to(M1)) == sorted([SENT[0], SENT[1]])
    failed = queues.queue(line.line, queues.REPLIES).failed_job_registry.get_job_ids()
    assert "doomed" in failed

    written = capfd.readouterr().err
    assert "workers.send" in written and "message " in written, "the work horses' logs were not seen"
    assert privacy.leaks(written, SAID + SENT) == []
    ours = [r for r in caplog.records if r.name.startswith(("textline", "flows", "workers"))]
    assert ours and privacy.leaks("\n".join(r.getMessage() for r in ours), SAID + SENT) == []

    raw = line.line.rq
    raw.hset("rq:job:planted", "data", zlib.compress(pickle.dumps(("workers.send.deliver", (M1,)))))
    assert privacy.scan_keys(raw, "rq:*", SAID + SENT) == {"rq:job:planted": [M1]}  # the scan sees inside jobs
    raw.delete("rq:job:planted")
    assert privacy.scan_keys(raw, "rq:*", SAID + SENT) == {}
    assert privacy.scan_keys(raw, "tl:timer:*", SAID + SENT) == {}
    assert raw.exists(b"rq:job:doomed") and len(ids) == 7


def test_retention_is_enforced_by_expiry(line: Harness) -> None:
    traffic(line)
    line.configure(retention={"messages": "2h", "jobs": "10m"}, sending={"http_timeout": "300ms"})
    ids = [outbound.send_text(line.line, M1, "One more, with the new retention.", kind=Kind.REPLY)]
    line.work_until(lambda: outbound.get(line.r, ids[0]).status == Status.SENT)
    r = line.r

    def ttl(key: str) -> int:
        return int(r.ttl(key))

    assert 0 < ttl(f"tl:msg:{ids[0]}") <= 2 * 3600
    assert 0 < ttl(f"tl:msg:sid:{outbound.get(r, ids[0]).sid}") <= 2 * 3600
    assert 0 < ttl(f"tl:member:{M1}:messages") <= 2 * 3600
    for key in r.scan_iter("tl:in:*"):
        assert 0 < ttl(key) <= 86400, key
    for key in r.scan_iter("rq:job:*"):
        assert 0 < ttl(key) <= 3600, (key, ttl(key))  # finished and failed jobs alike, old settings included
    for key in r.scan_iter("rq:results:*"):
        assert 0 < ttl(key) <= 3600, key
    assert 0 < ttl("rq:job:deliver-" + ids[0] + "-0") <= 600

    # Everything else either expires or is one of the line's lasting records.
    lasting = re.compile(r"^(tl:member:\+\d+|tl:members|tl:members:pending|tl:migrations|tl:optout|tl:optout:at"
                         r"|tl:invalid|tl:staff.*|tl:oncall.*"
                         # open requests (call-backs, text requests) last until closed, then expire
                         r"|tl:callback:seq|tl:callback:\d+|tl:callbacks:[a-z]+|tl:member:\+\d+:(callbacks|textrequest)"
                         r"|tl:timer:callback:\d+:claim"
                         r"|tl:msg:seq|tl:msg:open|tl:timers|tl:timers:claimed|tl:clock|tl:metrics:[a-z_]+"
                         r"|rq:(queues|workers.*|finished:.*|failed:.*|started:.*|wip:.*|scheduled:.*|deferred:.*"
                         r"|canceled:.*|queue:.*|clean_registries:.*|scheduler.*))$")
    forever = [k for k in r.scan_iter("*") if ttl(k) == -1 and not lasting.match(k)]
    assert forever == []


def test_export_holds_everything_and_erase_leaves_only_the_opt_out(line: Harness) -> None:
    traffic(line)
    line.member(M1).texts("MENU")
    raw = line.line.rq
    holding = set(privacy.keys_holding(raw, M1))
    exported = member_data.export(line.r, M1)
    in_export = set(exported["keys"]) | {f"tl:msg:{m['id']}" for m in exported["messages"]} | {
        f"tl:callback:{c['id']}" for c in exported["callbacks"]}
    shared = {"tl:members", "tl:optout", "tl:optout:at", "tl:invalid"}
    assert holding - in_export - shared == set()
    assert {m["body"] for m in exported["messages"]} >= {SENT[0], SENT[1]}

    member_data.erase(line.r, M1)
    assert set(privacy.keys_holding(raw, M1)) == set()
    assert M1[-10:] not in " ".join(privacy.dump(raw, k).decode("latin-1") for k in raw.scan_iter("*"))

    line.member(M2).texts("STOP")
    member_data.erase(line.r, M2)
    assert set(privacy.keys_holding(raw, M2)) == {"tl:optout", "tl:optout:at"}
