"""The Conversations view in headless Chromium: a peer's own and the queue with first words, no numbers;
a coordinator's counts with no words until opened, and each opening audited."""
from __future__ import annotations

import pytest

from tests.support.browser import screenshot
from tests.support.dashboard import add_user
from tests.support.harness import Harness, member_number, staff_number
from tests.support.peers import add_peer, named_member
from tests.web.dashboard.conftest import Site
from textline.models import audit

pytestmark = pytest.mark.browser

M1, M2, PAT = member_number(771), member_number(772), staff_number(771)
WORRY = "my landlord keeps shouting at me"
SECOND = "can't sleep again, everything is loud"


def test_a_peer_sees_the_queue_with_first_words_and_takes_one(line: Harness, site: Site) -> None:
    pat = add_peer(line, "Pat", PAT)
    named_member(line, M1, "Sam").texts(WORRY)
    named_member(line, M2, "Kim").texts(SECOND)
    add_user(line, "pat@example.org", "peer", phone=PAT)
    site.login("pat@example.org")
    site.go("/dashboard/conversations")
    waiting = site.page.inner_text("#waiting")
    assert "my landlord keeps shouting at me" in waiting and "Sam" in waiting and "Kim" in waiting
    html = site.page.content()
    assert M1 not in html and M1[-4:] not in html and M2[-4:] not in html
    site.click("#waiting tr:has-text('Sam') button")  # Sam's row, whatever the priorities
    assert "Text 1 is yours." in site.page.inner_text("main")
    mine = site.page.inner_text("#conv1")
    assert "Text 1" in mine and WORRY in mine
    pat.texts("I'm here, Sam")
    site.go("/dashboard/conversations")
    assert "I'm here, Sam" in site.page.inner_text("#conv1")
    screenshot(site.page, "conversations-peer")


def test_a_coordinator_sees_counts_and_words_only_when_opened_and_audited(line: Harness, site: Site) -> None:
    add_peer(line, "Pat", PAT)
    named_member(line, M1, "Sam").texts(WORRY)
    add_user(line, "cora@example.org")
    site.login("cora@example.org")
    site.go("/dashboard/conversations")
    assert site.page.inner_text("#count-waiting") == "1"
    assert WORRY not in site.page.content()
    site.click("#open1")
    assert WORRY in site.page.inner_text("#lines")
    [entry] = [e for e in audit.recent(line.r) if e["what"] == "opened conversation 1"]
    assert entry["who"] == "cora@example.org" and M1 not in str(entry)
    screenshot(site.page, "conversation-opened")
