"""Every groups text fits one GSM-7 segment with its longest placeholder values, in every language."""
from __future__ import annotations

from datetime import datetime

import pytest

from textline.core import catalog, gsm
from textline.models import meetings
from textline.models.groups import MAX_NAME

LONGEST_WHEN = max(
    (meetings.when_text(lang, datetime(2025, month, 28, hour, 30)) for lang in catalog.languages()
     for month in range(1, 13) for hour in (10, 12, 23)), key=len)
WORST = {"group": "W" * MAX_NAME, "code": "C" * 10, "when": "x" * max(22, len(LONGEST_WHEN)),
         "where": "w" * meetings.MAX_WHERE, "count": "9" * 7, "segments": "99 segmentos", "line": "L" * 30,
         "members": "9999999 miembros"}
NAMES = ("days", "months", "when", "clock")


def entries() -> list[tuple[str, str]]:
    return [(lang, key) for lang in catalog.languages() for key in catalog.load(lang)
            if key.startswith("groups.") and key.split(".")[1] not in NAMES]


@pytest.mark.parametrize(("language", "key"), entries())
def test_fits_one_segment(language: str, key: str) -> None:
    text = gsm.fit(catalog.load(language)[key].format(**WORST))
    assert gsm.segments(text) == 1, (len(text), text)


def test_every_language_has_every_entry_with_the_same_placeholders() -> None:
    english = {k: v for k, v in catalog.load("en").items() if k.startswith("groups.")}
    for lang in catalog.languages():
        mine = {k: v for k, v in catalog.load(lang).items() if k.startswith("groups.")}
        assert set(mine) == set(english)
        for key, template in mine.items():
            assert set(catalog.placeholders(template)) <= set(catalog.placeholders(english[key])), key


def test_when_reads_naturally() -> None:
    assert meetings.when_text("en", datetime(2025, 3, 11, 19, 0)) == "Tue Mar 11, 7:00pm"
    assert meetings.when_text("es", datetime(2025, 3, 11, 19, 0)) == "mar 11/3, 19:00"
    assert len(LONGEST_WHEN) <= 22
