"""`/metrics` adds up across processes: two gunicorn workers take the webhooks, a `textline worker` sends.

Every process counts into Redis, so whichever web process answers a scrape shows the whole line's
figures. gunicorn's access log names the process (pid) that answered each request: the webhooks and
the scrapes are seen to be spread over both web processes, and every scrape gives the same figures.
"""
from __future__ import annotations

import re
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.chaos import scenarios
from tests.support.harness import member_number, staff_number
from tests.support.metrics import Samples, figure, samples
from tests.support.procs import LineProcs, wait
from tests.support.twilio_double import TEST_ACCOUNT_SID
from textline.models import staff
from textline.models.staff import Role

pytestmark = [pytest.mark.chaos, pytest.mark.slow]

ANA, BO = staff_number(191), staff_number(192)
MEMBERS = [member_number(n) for n in range(1900, 1940)]
IN_CRISIS = [member_number(1950), member_number(1951)]
#: Twilio's "not a mobile number you can text": Bo's alerts are refused for good, in the worker.
NOT_MOBILE = 21612
#: gunicorn's access log: the answering process's pid, the method and the path (never a query or a body).
ACCESS = ("--access-logfile", "-", "--access-logformat", "web-pid %(p)s %(m)s %(U)s %(s)s")
LOGGED = re.compile(r"web-pid <(\d+)> (\w+) (\S+) (\d+)")


def answered_by(procs: LineProcs, path: str) -> set[str]:
    """The pids of the web processes that answered `path` with 200."""
    return {pid for pid, _, where, status in LOGGED.findall(procs.logs()) if where == path and status == "200"}


def both_answer(procs: LineProcs, path: str) -> bool:
    """Ask `path` on a new connection; True once two web processes have answered it."""
    requests.get(procs.web_url + path, timeout=10)
    return len(answered_by(procs, path)) == 2


def scrape(procs: LineProcs) -> Samples:
    response = requests.get(procs.web_url + "/metrics", timeout=10)  # a new connection each time
    assert response.status_code == 200, response.text
    return samples(response.text)


def test_metrics_add_up_across_two_web_processes_and_a_worker(procs: LineProcs) -> None:
    line = procs.line()
    for name, phone in (("Ana", ANA), ("Bo", BO)):
        staff.add(line.r, name, phone, Role.CRISIS)
        staff.set_on_call(line.r, phone, True)
    procs.double.fail_for(BO, code=NOT_MOBILE)
    procs.start_web(workers=2, threads=1, extra=ACCESS)  # sync workers: a busy one leaves the next to the other
    procs.start_workers(1)
    assert wait(lambda: both_answer(procs, "/healthz"), 60), "the second web process never came up"

    texts = [(phone, "hi", "SM" + uuid.uuid4().hex) for phone in MEMBERS]
    texts += [(phone, "I want to kill myself tonight", "SM" + uuid.uuid4().hex) for phone in IN_CRISIS]
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda t: procs.sms(*t).status_code, texts))
        statuses += list(pool.map(lambda t: procs.sms(*t).status_code, texts[:10]))  # Twilio's retries
    assert statuses == [200] * (len(texts) + 10)
    assert wait(lambda: len(procs.double.texts_to(ANA)) == 2, 60), procs.tail(procs.workers[0])
    assert scenarios.settle(line, 60)

    alerts = [m for m in procs.double.messages if m.to == ANA]
    for message in alerts:  # Twilio's callbacks: the alerts reached Ana's phone
        params = {"MessageSid": message.sid or "", "MessageStatus": "delivered", "AccountSid": TEST_ACCOUNT_SID}
        assert procs.post("/twilio/status", params).status_code == 200
    assert procs.sms(ANA, "ACK 1").status_code == 200
    assert scenarios.settle(line, 60)

    with ThreadPoolExecutor(4) as pool:
        scrapes = list(pool.map(lambda _: scrape(procs), range(12)))
    while len(answered_by(procs, "/metrics")) < 2 and len(scrapes) < 60:  # the kernel chose one process so far
        scrapes.append(scrape(procs))
    assert len(answered_by(procs, "/twilio/sms")) == 2, "the webhooks were all answered by one web process"
    assert len(answered_by(procs, "/metrics")) == 2, "the scrapes were all answered by one web process"
    assert all(found == scrapes[0] for found in scrapes[1:]), "two web processes gave different figures"

    found = scrapes[0]
    assert figure(found, "textline_inbound_total", channel="sms") == len(texts) + 1  # retries once; ACK 1
    by_status: dict[str, float] = defaultdict(float)
    for (name, labels), value in found.items():
        if name == "textline_outbound_total":
            by_status[dict(labels)["status"]] += value
    # Only the worker process sends: every text Twilio took was counted there once.
    refused = [r for r in procs.double.rejected if r.to == BO]
    assert by_status["sent"] == len(procs.double.messages)
    assert by_status["failed"] == len(refused) >= 1
    assert figure(found, "textline_twilio_errors_total", code=str(NOT_MOBILE)) == len(refused)
    assert by_status["skipped"] == figure(found, "textline_outbound_skipped_total", reason="invalid")
    assert figure(found, "textline_outbound_total", kind="alert", channel="sms", status="delivered") == 2
    assert figure(found, "textline_crisis_alert_seconds_count") == 2  # one per case, from either web process
    assert 0 < figure(found, "textline_crisis_alert_seconds_sum") < 120
    assert figure(found, "textline_crisis_ack_seconds_count") == 1
    assert figure(found, "textline_cases_open") == 1
    assert sum(v for (name, _), v in found.items() if name == "textline_queue_depth") == 0
