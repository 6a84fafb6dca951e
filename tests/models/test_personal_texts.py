"""Every text of the plan, signal, reminder and agreement features fits one GSM-7 segment, the plan two."""
from __future__ import annotations

import tomllib

import pytest

from textline.core import catalog, gsm
from textline.core.catalog import TEXTS_DIR
from textline.core.line import Line
from textline.core.settings import Settings
from textline.models.plans import MAX_ANSWER, MAX_NAME, PLAN_SEPTETS, Contact, Plan, render
from textline.models.reminders_personal import MAX_WHAT

FILES = ("plan", "signal", "remind", "rules")
#: Worst-case values by placeholder name (extension characters count double).
WORST = {
    "line": "L" * 30, "resource": "R" * 100, "value": "v" * MAX_ANSWER, "name": "N" * MAX_NAME,
    "contact": "N" * MAX_NAME + " ***0101", "limit": "60", "n": "123456789", "max": "5", "word": "W" * 20,
    "case": "123456", "member": "M" * 20, "what": "w" * MAX_WHAT, "when": "el 2026-12-01 a las 09:00",
    "time": "23:59", "day": "mie", "date": "2026-12-01", "group": "G" * 20, "rules": "",
}


def entries(language: str, name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    catalog._flatten(tomllib.loads((TEXTS_DIR / language / f"{name}.toml").read_text("utf-8")), "", out)
    return out


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("name", FILES)
def test_each_text_fits_one_segment_with_worst_case_values(language: str, name: str) -> None:
    for key, template in entries(language, name).items():
        values = {p: WORST[p] for p in catalog.placeholders(template)}
        text = template.format(**values)
        if key.endswith(".voice"):
            assert len(text) < 300, key
            continue
        fitted = gsm.fit(text)
        assert gsm.segments(fitted) == 1, (key, gsm.septets(fitted))


@pytest.mark.parametrize("name", FILES)
def test_spanish_has_every_english_text(name: str) -> None:
    assert set(entries("es", name)) == set(entries("en", name))


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_fullest_plan_fits_two_segments_whole(language: str) -> None:
    line = Line(Settings(), None)  # type: ignore[arg-type]
    longest = Contact("N" * MAX_NAME, "+" + "9" * 15)
    plan = Plan(signs="s" * MAX_ANSWER, helps="h" * MAX_ANSWER, contacts=(longest, longest), reason="r" * MAX_ANSWER)
    text = render(line, plan, language, hint=True)
    assert gsm.is_gsm7(text) and gsm.septets(text) <= PLAN_SEPTETS and gsm.segments(text) == 2
    assert text.endswith("r" * MAX_ANSWER)  # nothing cut; the hint is left out when it would not fit
    shorter = render(line, Plan(signs="s" * MAX_ANSWER, helps="h" * MAX_ANSWER, reason="r"), language, hint=True)
    assert shorter.endswith(line.text(language, "plan.edit_hint"))
