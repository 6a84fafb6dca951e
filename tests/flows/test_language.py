"""Two languages: numbers from Spanish-speaking countries start in Spanish; LANG, ESPANOL, ENGLISH switch."""
from __future__ import annotations

import pytest

from tests.support.harness import Harness, member_number
from textline.models import members

US = member_number(601)
MX = "+525512345601"
PR = "+17875550601"   # Puerto Rico: a +1 number that starts in Spanish


@pytest.mark.parametrize("phone", [MX, PR, "+34612345601"])
def test_numbers_from_spanish_speaking_places_start_in_spanish(line: Harness, phone: str) -> None:
    [welcome] = line.member(phone).texts("hola")
    assert "apoyo entre pares" in welcome and "Responde YES" in welcome
    assert members.get(line.r, phone).language == "es"


def test_a_us_number_starts_in_english(line: Harness) -> None:
    [welcome] = line.member(US).texts("hi")
    assert "peer support" in welcome


@pytest.mark.parametrize("word", ["ESPANOL", "español", "Espanol!", "SPANISH"])
def test_a_word_switches_to_spanish_and_english_switches_back(line: Harness, word: str) -> None:
    member = line.member(US).joins()
    [answer] = member.texts(word)
    assert answer == "Listo, te escribiré en español. Responde IDIOMA para cambiar."
    assert "Responde 1 Registrar animo" in member.texts("MENU")[0]
    [back] = member.texts("english")
    assert "in English" in back
    assert "Reply 1 Check in" in member.texts("MENU")[0]


def test_menu_item_4_lists_the_languages(line: Harness) -> None:
    member = line.member(US).joins()
    [choose] = member.texts("4")
    assert "1 English, 2 Español" in choose
    [answer] = member.texts("2")
    assert "español" in answer
    assert members.get(line.r, US).language == "es"
    [choose] = member.texts("IDIOMA")
    assert "1 English" in choose
    assert "in English" in member.texts("English")[0]


def test_lang_with_a_choice_in_one_message(line: Harness) -> None:
    member = line.member(US).joins()
    assert "español" in member.texts("LANG ES")[0]
    assert members.get(line.r, US).language == "es"


def test_something_else_after_lang_is_handled_as_usual(line: Harness) -> None:
    member = line.member(US).joins()
    member.texts("LANG")
    [answer] = member.texts("what?")
    assert "peer is on call" in answer  # the member's own words, for a peer
    assert members.get(line.r, US).language == "en"


def test_only_the_lines_languages_are_offered(line: Harness) -> None:
    line.configure(languages=["en"])
    member = line.member(US).joins()
    assert "1 English" in member.texts("LANG")[0] and "Español" not in member.texts("LANG")[0]
    assert "isn't available" in member.texts("ESPANOL")[0]
    assert members.get(line.r, US).language == "en"


def test_espanol_before_consent_gives_the_welcome_in_spanish(line: Harness) -> None:
    member = line.member(US)
    member.texts("hi")
    [welcome] = member.texts("Español")
    assert "Responde YES para unirte" in welcome
    [joined] = member.texts("YES")
    assert "Bienvenida/o" in joined
    assert members.get(line.r, US).language == "es"


def test_a_first_message_of_espanol_creates_a_pending_spanish_member(line: Harness) -> None:
    [welcome] = line.member(US).texts("ESPANOL")
    assert "Responde YES" in welcome
    member = members.get(line.r, US)
    assert (member.language, member.status, member.timezone) == ("es", "pending", "America/New_York")


def test_a_whole_conversation_in_spanish_after_switching(line: Harness) -> None:
    member = line.member(US).joins()
    member.texts("ESPANOL")
    assert "muy mal" in member.texts("1")[0]
    assert "SALTAR" in member.texts("4")[0]
    assert "HORARIO" in member.texts("saltar")[0]
