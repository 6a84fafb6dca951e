"""The dashboard's pages through Flask's test client: what each shows, what each changes, what each hides."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.support.dashboard import signed_in
from tests.support.harness import Harness, member_number, staff_number
from textline.models import audit, member_data, member_refs, outbound, staff
from textline.models.outbound import Kind, Status

M1, M2, S1, S2 = member_number(501), member_number(502), staff_number(51), staff_number(52)
PAGES = ("/dashboard/", "/dashboard/cases", "/dashboard/callbacks", "/dashboard/groups", "/dashboard/members",
         "/dashboard/meetings", "/dashboard/broadcast", "/dashboard/roster", "/dashboard/delivery",
         "/dashboard/impact")
_URL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*([a-z][a-z0-9+.-]*:|//)""", re.IGNORECASE)


def test_every_page_is_light_self_contained_and_shows_no_whole_number(line: Harness) -> None:
    line.cli("staff", "add", "Ana", S1, "--role", "crisis")
    for n in range(60):
        line.member(member_number(600 + n)).joins()
    browser = signed_in(line)
    member_page = re.search(r'href="(/dashboard/members/[^"]+)"', browser.page("/dashboard/members"))
    assert member_page
    for path in (*PAGES, member_page.group(1)):
        html = browser.page(path)
        assert len(html.encode()) < 100_000, path
        assert not _URL.search(html), (path, _URL.search(html))
        assert "<link" not in html and "@import" not in html and "url(" not in html, path
        assert not re.search(r"\+1\d{10}", html), path


def test_roster_puts_staff_on_and_off_call_like_their_own_texts(line: Harness) -> None:
    line.cli("staff", "add", "Ana", S1, "--role", "crisis")
    line.cli("staff", "add", "Bo", S2, "--role", "peer")
    browser = signed_in(line)
    html = browser.page("/dashboard/roster")
    assert "***0051" in html and S1 not in html and S1[1:] not in html
    toggle = re.search(r'action="(/dashboard/roster/[^"]+/on)"', html)
    assert toggle
    assert browser.post(toggle.group(1)).status_code == 302
    assert [m.name for m in staff.on_call(line.r, staff.Role.CRISIS)] == ["Ana"]
    assert "Ana" in browser.page("/dashboard/")
    line.member(S1).texts("OFF")
    ana_row = re.search(r'<tr data-staff="[^"]+"><td>Ana<.*?</tr>', browser.page("/dashboard/roster"), re.S)
    assert ana_row and "Put on call" in ana_row.group(0)
    assert audit.recent(line.r, 1)[0]["what"] == "put a staff member on call"


def test_a_whole_number_shows_only_after_reveal_and_the_reveal_is_recorded(line: Harness) -> None:
    line.member(M1).joins()
    browser = signed_in(line)
    listing = browser.page("/dashboard/members")
    assert "***0501" in listing and M1 not in listing
    link = re.search(r'href="/dashboard/members/([^"]+)"', listing)
    assert link
    ref = link.group(1)
    page = browser.page(f"/dashboard/members/{ref}")
    assert M1 not in page and "***0501" in page and "active" in page
    plain_link = browser.get(f"/dashboard/members/{ref}/reveal")
    assert plain_link.status_code == 404 and M1 not in plain_link.get_data(as_text=True), "a reveal is never a link"
    revealed = browser.post(f"/dashboard/members/{ref}/reveal")
    assert revealed.status_code == 200 and M1 in revealed.get_data(as_text=True)
    assert member_refs.reveals(line.r, M1)[0]["by"] == "coordinator@example.org"
    entry = audit.recent(line.r, 1)[0]
    assert entry["what"] == "revealed a member's number" and entry["member"] == ref and M1 not in str(entry)
    assert M1 not in browser.page(f"/dashboard/members/{ref}"), "the next visit is masked again"
    exported = member_data.export(line.r, M1)
    assert f"tl:member:{M1}:reveals" in exported["keys"]
    member_data.erase(line.r, M1)
    assert browser.get(f"/dashboard/members/{ref}").status_code == 404
    assert not line.r.exists(member_refs.REFS)


def test_members_by_status_and_page(line: Harness) -> None:
    line.configure(dashboard={"page_size": 2})
    for n in range(3):
        line.member(member_number(700 + n)).joins()
    line.member(member_number(710)).texts("hi")
    line.member(member_number(702)).texts("STOP")
    browser = signed_in(line)
    groups = browser.page("/dashboard/groups")
    assert re.search(r'<div class="big">2</div>active', groups) and re.search(r'big">1</div>opted out', groups)
    assert browser.page("/dashboard/members?status=pending").count("/dashboard/members/") == 1
    first, second = browser.page("/dashboard/members"), browser.page("/dashboard/members?page=2")
    assert "page 1 of 2" in first and "Next" in first and "Previous" in second


def test_the_composer_counts_segments_and_shows_what_is_replaced(line: Harness) -> None:
    browser = signed_in(line)
    html = browser.post("/dashboard/broadcast", {"step": "check", "group": "", "text": "Reunión mañana “aquí” 🙂"})
    page = html.get_data(as_text=True)
    assert html.status_code == 200
    assert "1 segment" in page and "ó &rarr; o" in page and "“ &rarr; &#34;" in page and "🙂 &rarr; (removed)" in page
    long = browser.post("/dashboard/broadcast", {"step": "check", "text": "x" * 161}).get_data(as_text=True)
    assert "161 characters, 2 segments" in long
    refused = browser.post("/dashboard/broadcast", {"step": "send", "text": "hello"}).get_data(as_text=True)
    assert "Choose a group" in refused


def test_delivery_counts_sent_delivered_and_failures_by_code(line: Harness) -> None:
    browser = signed_in(line)
    ids = [outbound.create(line.line, member_number(800 + n), "hi", kind=Kind.REPLY, queue="replies")
           for n in range(4)]
    for n, msg_id in enumerate(ids):
        assert msg_id
        outbound.mark(line.line, msg_id, Status.SENT, sid=f"SM{n:032d}")
    line.status(f"SM{0:032d}", "sent")
    line.status(f"SM{0:032d}", "delivered")
    line.status(f"SM{1:032d}", "undelivered", "30003")
    line.status(f"SM{2:032d}", "failed", "30007")
    html = browser.page("/dashboard/delivery")
    today = line.line.now().strftime("%a %d %b")
    row = re.search(rf'<td class="d">{today}</td>(.*?)</tr>', html)
    assert row and re.findall(r'class="n">(\d+)<', row.group(1)) == ["4", "1", "2", "0"]
    assert "<td>30003</td>" in html and "<td>30007</td>" in html


def test_impact_shows_aggregates_only_and_no_data_yet(line: Harness) -> None:
    now = datetime(2030, 3, 14, 12, tzinfo=UTC)
    line.set_clock(now)
    browser = signed_in(line)
    empty = browser.page("/dashboard/impact")
    assert "no data yet" in empty and "<svg" not in empty
    line.r.delete("tl:dash:impact:checkins")  # the figures are kept two minutes: start afresh
    assert line.cli("groups", "add", "Tuesday group", "--code", "TUE").exit_code == 0
    assert line.cli("groups", "add", "Tiny group", "--code", "TINY").exit_code == 0
    people = {member_number(900 + n): ("TUE", 1 + n) for n in range(4)}
    lonely = member_number(950)
    people[lonely] = ("TINY", 2)
    for days in (8, 1):  # in time order: each number's texts are counted on the line's clock
        line.set_clock(now - timedelta(days=days))
        for phone, (code, mood) in people.items():
            if days == 8:
                line.member(phone).joins().texts(f"JOIN {code}")
            if code == "TUE":
                line.member(phone).texts(f"CHECKIN {mood}")
    line.set_clock(now)
    line.member(lonely).texts("CHECKIN 2")
    html = browser.page("/dashboard/impact")
    assert "Tuesday group" in html and html.count("<svg") == 2
    assert "Tiny group" not in html and "1 group with too few members" in html
    for phone in people:
        assert phone not in html and phone[-4:] not in html
    assert phone not in line.r.get("tl:dash:impact:checkins"), "the kept figures are counts only"
