"""Every catalog entry, in every language, fits one GSM-7 segment with worst-case placeholder values.

Generic on purpose: it reads every `texts/<lang>/*.toml`, whichever feature wrote it. A new
placeholder gets WORST_DEFAULT characters unless WORST names it; give yours a real worst case here.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.answers import fold
from textline.core import catalog, gsm
from textline.core.settings import DEFAULT_RESOURCES, MAX_NAME

#: Worst-case length of each placeholder, by name (characters, each one septet).
WORST = {
    "line": MAX_NAME,          # settings: the line's name is capped
    "resource": 100,           # the crisis resource from settings
    "name": 20,                # a member's or a staff member's chosen name
    "time": 7,                 # "11:30pm"
    "day": 9,                  # "Wednesday", "miércoles"
    "next": 20,                # "Wed 11:30pm +0545"
    "current": 30,             # "every Wednesday at 11:30pm"
    "zone": 32,                # the longest IANA name, America/Argentina/ComodRivadavia
    "options": 40,             # "1 English, 2 Español, 3 ..."
    "n": 6, "id": 6, "count": 6, "number": 6, "minutes": 4,
    "case": 7, "who": 30, "phone": 16, "last4": 4,  # crisis: case number, member named in alerts, E.164
}
WORST_DEFAULT = 20
VOICE_MAX = 600
#: Words a discreet text (shared phones) never carries, folded (no accents, upper case).
NOT_DISCREET = ("MENTAL HEALTH", "SALUD MENTAL", "CRISIS", "SUICID", "CHECK-IN", "CHECK IN", "CHECKIN",
                "SELF-HARM", "SELF HARM", "AUTOLESION", "DEPRESSION", "DEPRESION", "THERAPY", "TERAPIA", "988",
                "PEER SUPPORT", "APOYO ENTRE PARES", "REGISTRO DE ANIMO")
#: Keys the line sends unprompted, which must have a discreet variant.
UNPROMPTED = ("checkin.prompt",)
REQUIRED_LANGUAGES = ("en", "es")


class Worst(dict[str, str]):
    def __missing__(self, name: str) -> str:
        return "W" * WORST.get(name, WORST_DEFAULT)


def entries() -> Iterator[tuple[str, str, str]]:
    for language in catalog.languages():
        for key, template in sorted(catalog.load(language).items()):
            yield language, key, template


ALL = list(entries())
TEXTS = [(lang, key, t) for lang, key, t in ALL if not key.endswith(".voice")]
VOICE = [(lang, key, t) for lang, key, t in ALL if key.endswith(".voice")]


def test_there_is_a_catalog_in_every_required_language() -> None:
    assert set(REQUIRED_LANGUAGES) <= set(catalog.languages())
    assert len(TEXTS) > 50


@pytest.mark.parametrize(("language", "key", "template"), TEXTS, ids=[f"{lang}:{key}" for lang, key, _ in TEXTS])
def test_entry_fits_one_gsm7_segment_with_worst_case_values(language: str, key: str, template: str) -> None:
    assert template.strip(), "empty entry"
    rendered = template.format_map(Worst())
    fitted = gsm.fit(rendered)
    assert gsm.is_gsm7(fitted)
    assert gsm.septets(rendered) <= 160, f"{gsm.septets(rendered)} septets: {fitted}"
    dropped = [ch for ch, replacement in gsm.replaced(template) if not replacement]
    assert not dropped, f"characters fit() would drop (emoji?): {dropped}"


@pytest.mark.parametrize(("language", "key", "template"), VOICE, ids=[f"{lang}:{key}" for lang, key, _ in VOICE])
def test_voice_variant_is_sane(language: str, key: str, template: str) -> None:
    rendered = template.format_map(Worst())
    assert rendered.strip() and len(rendered) <= VOICE_MAX
    assert "<" not in rendered and ">" not in rendered  # read by <Say>: no markup


@pytest.mark.parametrize("language", catalog.languages())
def test_every_language_has_every_english_key_with_the_same_placeholders(language: str) -> None:
    english = catalog.load("en")
    mine = catalog.load(language)
    if language in REQUIRED_LANGUAGES:
        missing = sorted(set(english) - set(mine))
        assert not missing, f"{language} lacks {missing}"
    assert not sorted(set(mine) - set(english)), "keys with no English original"
    for key, template in mine.items():
        extra = set(catalog.placeholders(template)) - set(catalog.placeholders(english[key]))
        assert not extra, f"{language}:{key} uses placeholders English does not give: {extra}"


def test_discreet_variants_never_name_what_the_line_is_for() -> None:
    checked = 0
    for language, key, template in ALL:
        if not key.endswith(".discreet"):
            continue
        assert "{resource}" not in template, f"{language}:{key}"
        text = fold(template.format_map(Worst({"line": "Peer Line", "resource": DEFAULT_RESOURCES[language]})))
        found = [word for word in NOT_DISCREET if re.search(rf"\b{re.escape(word)}", text)]
        assert not found, f"{language}:{key} says {found}"
        checked += 1
    assert checked >= len(UNPROMPTED) * len(REQUIRED_LANGUAGES)


@pytest.mark.parametrize("language", REQUIRED_LANGUAGES)
@pytest.mark.parametrize("key", UNPROMPTED)
def test_unprompted_texts_have_a_discreet_variant(language: str, key: str) -> None:
    assert f"{key}.discreet" in catalog.load(language)
    assert catalog.render(language, key, discreet=True, line="X") != catalog.render(language, key, line="X")


def test_a_voice_variant_never_replaces_discreet_wording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "en"
    folder.mkdir()
    (folder / "x.toml").write_text('t = "Check in now"\n"t.discreet" = "Hi!"\n"t.voice" = "Time to check in"\n')
    monkeypatch.setattr(catalog, "TEXTS_DIR", tmp_path)
    catalog.load.cache_clear()
    try:
        assert catalog.render("en", "t", voice=True) == "Time to check in"
        assert catalog.render("en", "t", voice=True, discreet=True) == "Hi!"
        (folder / "x.toml").write_text('t = "A"\n"t.discreet" = "B"\n"t.discreet.voice" = "C"\n')
        catalog.load.cache_clear()
        assert catalog.render("en", "t", voice=True, discreet=True) == "C"
    finally:
        catalog.load.cache_clear()
