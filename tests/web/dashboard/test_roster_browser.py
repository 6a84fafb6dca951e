"""The Roster editor in headless Chromium on a 360-pixel screen: a coordinator adds a shift and removes it."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.support.browser import screenshot
from tests.support.dashboard import add_user
from tests.support.harness import Harness, staff_number
from tests.web.dashboard.conftest import Site
from textline.models import audit, shifts

pytestmark = pytest.mark.browser

ANN, BEN = staff_number(1901), staff_number(1902)
MONDAY = datetime(2026, 3, 2, 17, tzinfo=UTC)  # noon in New York


def test_the_roster_editor_adds_and_removes_a_shift(line: Harness, site: Site) -> None:
    line.set_clock(MONDAY)
    line.cli("staff", "add", "Ann", ANN, "--role", "peer")
    line.cli("staff", "add", "Ben", BEN, "--role", "crisis")
    add_user(line, "coord@example.org")
    site.login("coord@example.org")
    site.go("/dashboard/roster")
    assert site.page.is_visible("#no-shifts")
    site.page.select_option("#shift-staff", label="Ben (crisis)")
    site.page.fill("#shift-days", "mon-fri")
    site.page.fill("#shift-from", "18:00")
    site.page.fill("#shift-to", "2am")
    site.page.fill("#shift-tz", "America/Chicago")
    site.click("#add-shift-button")
    assert site.path == "/dashboard/roster"
    assert "Added a shift for Ben: mon-fri 18:00-02:00 America/Chicago." in site.page.inner_text(".flash.info")
    [shift] = shifts.for_phone(line.r, BEN)
    assert site.page.inner_text(f"[data-shift='{shift.id}']").startswith("mon-fri 18:00-02:00 America/Chicago")
    width = site.page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], width
    assert not re.search(r"\+1\d{10}", site.page.content())
    screenshot(site.page, "roster-shift-added")

    site.click(f"#remove-shift-{shift.id}")
    assert f"Removed shift {shift.id} (mon-fri 18:00-02:00 America/Chicago) of Ben." in \
        site.page.inner_text(".flash.info")
    assert shifts.for_phone(line.r, BEN) == [] and site.page.is_visible("#no-shifts")
    assert [e["what"] for e in audit.recent(line.r, 2)] == [
        f"removed shift {shift.id} (mon-fri 18:00-02:00 America/Chicago)",
        f"added shift {shift.id} (mon-fri 18:00-02:00 America/Chicago)"]
    screenshot(site.page, "roster-shift-removed")


def test_a_mistyped_shift_keeps_the_form_and_says_what_was_wrong(line: Harness, site: Site) -> None:
    line.set_clock(MONDAY)
    line.cli("staff", "add", "Ann", ANN, "--role", "peer")
    add_user(line, "coord@example.org")
    site.login("coord@example.org")
    site.go("/dashboard/roster")
    site.page.select_option("#shift-staff", label="Ann (peer)")
    site.page.fill("#shift-days", "mon-fry")
    site.page.fill("#shift-from", "18:00")
    site.page.fill("#shift-to", "23:00")
    site.click("#add-shift-button")
    assert "Days 'mon-fry': 'fry' is not a day" in site.page.inner_text("#shift-error")
    assert site.page.input_value("#shift-days") == "mon-fry"
    site.page.fill("#shift-days", "mon-fri")
    site.click("#add-shift-button")
    assert [s.describe() for s in shifts.for_phone(line.r, ANN)] == ["mon-fri 18:00-23:00 America/New_York"]
