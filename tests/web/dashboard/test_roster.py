"""The Roster editor (#18): shifts added and removed, staff removed with their shifts, load today and STOP shown,
every change audited and behind the CSRF token; Now and Call-backs show scheduled call-backs as scheduled, and
actions flash web words, never the SMS reply."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.support.dashboard import signed_in
from tests.support.harness import Harness, member_number, staff_number
from textline.models import audit, shifts, staff, staff_load
from textline.models import requests as callbacks

ANN, BEN, M1, M2 = staff_number(1801), staff_number(1802), member_number(1803), member_number(1804)
MONDAY = datetime(2026, 3, 2, 17, tzinfo=UTC)  # noon in New York


def roster(line: Harness) -> None:
    line.set_clock(MONDAY)
    line.cli("staff", "add", "Ann", ANN, "--role", "peer")
    line.cli("staff", "add", "Ben", BEN, "--role", "crisis")


def token_of(html: str, name: str) -> str:
    found = re.search(rf'<option value="([0-9a-f]+)">{name} \(', html)
    assert found, html
    return found.group(1)


def test_a_coordinator_adds_and_removes_a_shift(line: Harness) -> None:
    roster(line)
    browser = signed_in(line)
    html = browser.page("/dashboard/roster")
    assert "No shifts yet." in html
    response = browser.post("/dashboard/roster/shifts", {"staff": token_of(html, "Ann"), "days": "mon-fri",
                                                         "from": "6pm", "to": "23:00", "tz": ""})
    assert response.status_code == 302
    [shift] = shifts.for_phone(line.r, ANN)
    assert shift.describe() == "mon-fri 18:00-23:00 America/New_York"
    html = browser.page("/dashboard/roster")
    assert "Added a shift for Ann: mon-fri 18:00-23:00 America/New_York." in html
    assert "mon-fri 18:00-23:00 America/New_York" in html.split('id="shifts"')[1]
    assert audit.recent(line.r, 1)[0] == {**audit.recent(line.r, 1)[0], "who": "coordinator@example.org",
                                          "what": f"added shift {shift.id} (mon-fri 18:00-23:00 America/New_York)",
                                          "staff": f"***{ANN[-4:]}"}
    assert browser.post(f"/dashboard/roster/shifts/{shift.id}/remove").status_code == 302
    assert shifts.for_phone(line.r, ANN) == []
    html = browser.page("/dashboard/roster")
    assert f"Removed shift {shift.id} (mon-fri 18:00-23:00 America/New_York) of Ann." in html
    assert audit.recent(line.r, 1)[0]["what"] == f"removed shift {shift.id} (mon-fri 18:00-23:00 America/New_York)"
    assert not re.search(r"\+1\d{10}", html)


def test_a_bad_shift_is_refused_with_what_was_typed_and_the_form_kept(line: Harness) -> None:
    roster(line)
    browser = signed_in(line)
    ann = token_of(browser.page("/dashboard/roster"), "Ann")
    for form, error in (({"staff": ann, "days": "mon-fry", "from": "18:00", "to": "23:00"},
                         "Days &#39;mon-fry&#39;: &#39;fry&#39; is not a day"),
                        ({"staff": ann, "days": "mon", "from": "25:00", "to": "23:00"},
                         "From &#39;25:00&#39;: not a time"),
                        ({"staff": "", "days": "mon", "from": "18:00", "to": "23:00"},
                         "Choose a staff member for the shift.")):
        response = browser.post("/dashboard/roster/shifts", {**form, "tz": ""})
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert error in html, html
        assert f'value="{form["days"]}"' in html
    assert shifts.all_shifts(line.r) == []


def test_the_roster_forms_need_the_csrf_token(line: Harness) -> None:
    roster(line)
    browser = signed_in(line)
    ann = token_of(browser.page("/dashboard/roster"), "Ann")
    refused = browser.post("/dashboard/roster/shifts", {"staff": ann, "days": "mon", "from": "18:00", "to": "23:00"},
                           csrf=False)
    assert refused.status_code == 400
    assert browser.post(f"/dashboard/roster/{ann}/remove", csrf=False).status_code == 400
    assert shifts.all_shifts(line.r) == [] and staff.get(line.r, ANN) is not None


def test_removing_a_staff_member_removes_their_shifts(line: Harness) -> None:
    roster(line)
    line.cli("shifts", "add", ANN, "--days", "mon", "--from", "18:00", "--to", "23:00")
    line.cli("shifts", "add", ANN, "--days", "tue", "--from", "18:00", "--to", "23:00")
    line.cli("shifts", "add", BEN, "--days", "tue", "--from", "18:00", "--to", "23:00")
    browser = signed_in(line)
    ann = token_of(browser.page("/dashboard/roster"), "Ann")
    assert browser.post(f"/dashboard/roster/{ann}/remove").status_code == 302
    assert staff.get(line.r, ANN) is None and shifts.for_phone(line.r, ANN) == []
    assert [s.phone for s in shifts.all_shifts(line.r)] == [BEN]
    html = browser.page("/dashboard/roster")
    assert "Ann is off the roster with 2 shifts." in html
    assert audit.recent(line.r, 1)[0]["what"] == "removed a staff member and 2 shifts"


def test_load_today_and_stop_are_on_the_roster_and_now(line: Harness) -> None:
    roster(line)
    line.r.hset(staff_load.key(ANN, datetime.now(UTC).date()), mapping={"taken": 4, "crisis": 2})
    line.member(BEN).texts("ON")
    line.member(BEN).texts("STOP")
    browser = signed_in(line)
    html = browser.page("/dashboard/roster")
    ann_row = html.split(f'data-staff="{token_of(html, "Ann")}"')[1].split("</tr>")[0]
    assert "<td class=\"n\">4</td><td class=\"n\">2</td>" in ann_row
    ben_row = html.split(f'data-staff="{token_of(html, "Ben")}"')[1].split("</tr>")[0]
    assert ">STOP</span>" in ben_row and ">STOP</span>" not in ann_row
    now = browser.page("/dashboard/")
    assert "Texted STOP, so they get no texts or alerts until they text START: Ben." in now
    assert 'Ben <span class="badge high">STOP</span>' in now


def test_a_scheduled_call_back_is_shown_as_scheduled_not_waiting(line: Harness) -> None:
    line.set_clock(MONDAY)
    line.cli("staff", "add", "Ann", ANN, "--role", "peer")
    for phone in (M1, M2):
        line.member(phone).joins()
    callbacks.open_request(line.line, M1, when="tomorrow")
    callbacks.open_request(line.line, M2)
    coordinator = signed_in(line)
    now = coordinator.page("/dashboard/")
    assert 'id="waiting-callbacks">1<' in now
    assert "Call-backs scheduled" in now and "Tue 03 Mar" in now.split("Call-backs scheduled")[1]
    peer = signed_in(line, "peer", "ann@example.org", phone=ANN)
    html = peer.page("/dashboard/callbacks")
    assert "The queue (1)" in html and "Scheduled (1)" in html
    scheduled = html.split("Scheduled (1)")[1].split("</table>")[0]
    assert 'data-scheduled="1"' in scheduled and "Take" not in scheduled
    assert "/dashboard/callbacks/1/take" not in html and "/dashboard/callbacks/2/take" in html


def test_actions_flash_web_words_not_the_sms_reply(line: Harness) -> None:
    line.cli("staff", "add", "Ben", BEN, "--role", "crisis")
    line.cli("staff", "add", "Ann", ANN, "--role", "peer")
    line.member(M1).joins().texts("I want to kill myself")
    line.member(M2).joins()
    callbacks.open_request(line.line, M2)
    crisis = signed_in(line, "coordinator", "ben@example.org", phone=BEN)
    response = crisis.post("/dashboard/cases/1/ack")
    flashed = crisis.get(response.headers["Location"]).get_data(as_text=True)
    assert "You acknowledged case 1" in flashed
    flashes = " ".join(re.findall(r'<p class="flash [a-z]+">(.*?)</p>', flashed))
    assert "Reply" not in flashes and "***" not in flashes and "CLOSE" not in flashes, flashes
    peer = signed_in(line, "peer", "ann@example.org", phone=ANN)
    for move, said in (("take", "Call-back 1 is yours."), ("release", "Call-back 1 is back in the queue"),
                       ("take", "Call-back 1 is yours."), ("done", "Call-back 1 is done.")):
        response = peer.post(f"/dashboard/callbacks/1/{move}")
        html = peer.get(response.headers["Location"]).get_data(as_text=True)
        flashes = " ".join(re.findall(r'<p class="flash [a-z]+">(.*?)</p>', html))
        assert said in flashes, (move, flashes)
        assert "Reply" not in flashes and "***" not in flashes, flashes
