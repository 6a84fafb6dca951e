"""The voice line, measured on this machine (not part of the test run).

    PYTHONPATH=. python bench/voice.py [--members 500]

Webhook time per request (in-process Flask client, private embedded Redis, dev mode), p50 / p99,
against the same conversation by SMS in the same run (baseline: the SMS check-in turn):
  call start (greeting + menu), a check-in by keypad (1, then 3, then 1 to skip the note),
  0 for crisis staff (two on call), the dial ending unanswered (resource, case seam, menu),
  and a status callback with 30006 on a reminder (the fallback job enqueued) against "delivered".
"""
from __future__ import annotations

import argparse
import logging
import time
from datetime import UTC, datetime

from bench.common import dev_line, percentiles
from textline.core import queues
from textline.models import outbound, staff
from textline.models.outbound import Kind, Status
from textline.models.staff import Role

MONDAY = datetime(2024, 6, 3, 15, tzinfo=UTC)



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=500)
    n = parser.parse_args().members
    logging.disable(logging.WARNING)
    with dev_line(MONDAY) as (settings, line):
        from textline import create_app

        for i in range(2):
            phone = f"+1312555{i:04d}"
            staff.add(line.r, f"crisis {i}", phone, Role.CRISIS)
            staff.set_on_call(line.r, phone, True)
        client = create_app(settings).test_client()
        seq = iter(range(10**9))
        turns: dict[str, list[float]] = {}

        def timed(name: str, path: str, data: dict[str, str]) -> str:
            started = time.perf_counter()
            response = client.post(path, data=data)
            turns.setdefault(name, []).append(time.perf_counter() - started)
            assert response.status_code == 200, response.data
            return response.get_data(as_text=True)

        def action(xml: str, tag: str = "Gather") -> str:
            from xml.etree import ElementTree

            node = ElementTree.fromstring(xml).find(tag)
            assert node is not None, xml
            return node.get("action", "")

        for i in range(n):
            phone = f"+1202555{i:04d}"
            for body in ("hi", "YES"):
                timed("SMS join", "/twilio/sms", {"MessageSid": f"SM{next(seq):032d}", "From": phone, "Body": body})
            for body in ("1", "3", "SKIP"):
                timed("SMS check-in turn (baseline)", "/twilio/sms",
                      {"MessageSid": f"SM{next(seq):032d}", "From": phone, "Body": body})
            call = {"CallSid": f"CA{next(seq):032d}", "From": phone, "To": settings.number, "Direction": "inbound"}
            xml = timed("voice: call start", "/twilio/voice", call)
            for digit in ("1", "3", "1"):
                xml = timed("voice: check-in keypress", action(xml), {**call, "Digits": digit})
            xml = timed("voice: 0 rings crisis staff", action(xml), {**call, "Digits": "0"})
            timed("voice: dial unanswered", action(xml, "Dial"), {**call, "DialCallStatus": "no-answer"})
            for error, name in (("", "status: delivered (baseline)"), ("30006", "status: 30006 on a reminder")):
                msg_id = outbound.create(line, phone, "Reminder: group Tue 6pm. Reply 1 coming, 2 can't make it.",
                                         kind=Kind.REMINDER, queue=queues.BROADCAST)
                assert msg_id
                outbound.mark(line, msg_id, Status.SENT, sid=f"SM{next(seq):032d}")
                sid = outbound.get(line.r, msg_id).sid
                state = "undelivered" if error else "delivered"
                timed(name, "/twilio/status", {"MessageSid": sid, "MessageStatus": state, "ErrorCode": error})

        base_p50, _ = percentiles(turns["SMS check-in turn (baseline)"])
        print(f"webhook, {n} members                  p50 ms   p99 ms   p50 vs SMS check-in turn")
        for name, samples in turns.items():
            p50, p99 = percentiles(samples)
            print(f"  {name:34s} {p50:7.2f}  {p99:7.2f}   x{p50 / base_p50:.2f}")
        jobs = queues.queue(line, queues.CALLS).count
        print(f"\nfallback jobs waiting on the calls queue: {jobs} (one per 30006)")
        line.r.flushdb()


if __name__ == "__main__":
    main()
