"""Crisis texts: every entry fits one GSM-7 segment at its worst; alerts cut the member's words to fit."""
from __future__ import annotations

import pytest

from tests.support.harness import Harness, member_number
from textline.core import catalog, gsm
from textline.models import alerts, members
from textline.models.cases import open_case

WORST = {"line": "W" * 30, "case": 9_999_999, "who": "N" * 30, "name": "S" * 40, "phone": "+123456789012345",
         "last4": "1234", "resource": "R" * 100}
M1 = member_number(441)


def crisis_keys(language: str) -> list[str]:
    return sorted(k for k in catalog.load(language) if k.startswith("crisis_") and not k.endswith(".voice"))


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_crisis_text_fits_one_segment_with_worst_case_values(language: str) -> None:
    keys = crisis_keys(language)
    assert len(keys) == 21 and keys == crisis_keys("en")
    for key in keys:
        text = catalog.render(language, key, **WORST)
        assert gsm.is_gsm7(text) and gsm.segments(text) == 1, (key, len(text))
        # Alerts leave room for the member's words.
        if key.startswith("crisis_alert") and key not in ("crisis_alert_signal", "crisis_alert_call"):
            assert gsm.septets(text) <= 120, key


def test_an_alert_names_the_member_or_their_last_four_and_cuts_long_words(line: Harness) -> None:
    words = "I can't do this anymore, " * 20 + "I want to kill myself"
    case, _ = open_case(line.line, M1, text=words, category="suicide", term="kill myself", language="en")
    text = alerts.alert(line.line, case, "en")
    assert text.startswith("CRISIS case 1, number ending 0441. Reply ACK 1 to take it. They wrote: \"I can't do")
    assert text.endswith('..." (cut: full text on the case page)') and gsm.segments(text) == 1 and len(text) >= 150
    members.create(line.r, M1, language="en", timezone="UTC", at=line.line.now())
    members.update(line.r, M1, name="Maria José")
    spanish = alerts.alert(line.line, case, "es", words="¿Dónde estás? 😢")
    assert spanish == 'CRISIS caso 1, Maria José. Responde ACK 1 para tomarlo. Escribio: "¿Donde estas?"'
