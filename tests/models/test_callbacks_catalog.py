"""Every call-back text fits one GSM-7 segment with worst-case values, in every language."""
from __future__ import annotations

import tomllib

import pytest

from textline.core import catalog, gsm

WORST = {"id": "999999", "name": "N" * 20, "peer": "P" * 20, "wait": "1.5 h", "day": "tomorrow", "time": "18:00",
         "items": "I" * 20, "priority": "normal", "detail": ", low check-in today", "minutes": "9999", "peers": "999",
         "count": "999", "word": "RELEASE", "n": "999", "line": "L" * 30, "kind": "T"}


def entries() -> list[tuple[str, str, str]]:
    found = []
    for language in catalog.languages():
        path = catalog.TEXTS_DIR / language / "callbacks.toml"
        for key, text in tomllib.loads(path.read_text(encoding="utf-8")).items():
            found.append((language, key, text))
    return found


@pytest.mark.parametrize(("language", "key", "text"), entries(), ids=lambda v: v if len(v) < 30 else "")
def test_fits_one_segment(language: str, key: str, text: str) -> None:
    rendered = text.format(**WORST)
    assert gsm.is_gsm7(rendered)
    assert gsm.septets(rendered) <= 160


def test_every_language_has_every_entry() -> None:
    keys = {language: {k for lang, k, _ in entries() if lang == language} for language in catalog.languages()}
    assert keys["es"] == keys["en"]
