"""GSM-7 fitting: every text the line sends must stay in the 160-character alphabet."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textline.core import gsm

# 3GPP TS 23.038 default alphabet in table order (0x1B, the escape, left out), written
# independently of the module so a typo in one of them shows up.
TABLE = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)


def test_alphabet_matches_3gpp_table() -> None:
    assert len(TABLE) == 127
    assert gsm.GSM7_BASIC == frozenset(TABLE)
    assert gsm.GSM7_EXTENDED == frozenset("^{}\\[~]|€\f")
    assert not gsm.GSM7_BASIC & gsm.GSM7_EXTENDED
    assert "\x1b" not in gsm.GSM7_BASIC
    for ch in "`áíóúçÑ\t":
        assert (ch in gsm.GSM7_BASIC) == (ch == "Ñ")


def test_spanish_accents() -> None:
    text = "¿Cómo estás? Ánimo: mañana hay reunión, sí. ¡Pingüino! Él Ú Í Ó"
    out = gsm.fit(text)
    assert out == "¿Como estas? Animo: mañana hay reunion, si. ¡Pingüino! Él U I O"
    assert gsm.is_gsm7(out)
    assert not gsm.is_gsm7(text)


def test_gsm_text_is_untouched() -> None:
    text = "é ñ ü ¿ ¡ à è ù ì ò Ä Ö Ü Å Æ ß Ø @£$¥ {x} [y] ~|^ € \\ \r\n"
    assert gsm.is_gsm7(text)
    assert gsm.fit(text) == text
    assert gsm.replaced(text) == []


def test_decomposed_accents_are_composed_first() -> None:
    assert gsm.fit("cafe\u0301") == "café"
    assert gsm.fit("na\u0303o") == "nao"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hola 😀 amigo", "Hola amigo"),
        ("Gracias 🙏🏽", "Gracias"),
        ("🙂 Hola", "Hola"),
        ("ok😀bien", "okbien"),
        ("ok 😀 👍  bien", "ok bien"),
        ("Hola 😀\nbien", "Hola\nbien"),
        ("❤️ 1️⃣", "1"),
        ("a\u200bb", "ab"),
        ("keep  two spaces", "keep  two spaces"),
        ("© 2024 ™", "2024 TM"),
    ],
)
def test_emoji_and_symbols_removed(text: str, expected: str) -> None:
    assert gsm.fit(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“Hola” ‘tú’", "\"Hola\" 'tu'"),
        ("it’s", "it's"),
        ("«sí»", '"si"'),
        ("9–5 — hoy", "9-5 - hoy"),
        ("espera…", "espera..."),
        ("a\u00a0b\u2009c\u3000d", "a b c d"),
        ("col1\tcol2", "col1 col2"),
        ("line\u2028next", "line\nnext"),
        ("½ ①", "1/2 1"),
        ("ç ã ê ô Ç Ê", "c a e o Ç E"),
        ("Œuvre ﬁn Ｈｉ", "OEuvre fin Hi"),
        ("٣ ٤", "3 4"),
        ("Привет", ""),
    ],
)
def test_replacements(text: str, expected: str) -> None:
    assert gsm.fit(text) == expected


def test_replaced_lists_each_distinct_change_once() -> None:
    assert gsm.replaced("¿Cómo estás? Sí, sí 😀 “ok”") == [
        ("ó", "o"),
        ("á", "a"),
        ("í", "i"),
        ("😀", ""),
        ("“", '"'),
        ("”", '"'),
    ]
    assert gsm.replaced("") == []


def test_septets_count_extended_double() -> None:
    assert gsm.septets("") == 0
    assert gsm.septets("hola") == 4
    assert gsm.septets("{€}") == 6
    assert gsm.septets("a\fb") == 4
    assert gsm.septets("día") == 3  # fitted first: í -> i


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("a", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),
        ("€" + "a" * 159, 2),
        ("a" * 158 + "[", 1),
        ("a" * 159 + "[", 2),
        ("ú" * 160, 1),  # fitted to u: still one GSM-7 segment, not three UCS-2 ones
        ("😀" * 200, 0),
    ],
)
def test_segments(text: str, expected: int) -> None:
    assert gsm.segments(text) == expected


def test_extended_char_is_never_split_across_parts() -> None:
    # 306 septets would be 2 parts, but the escape pair cannot straddle part 1 and 2.
    text = "a" * 152 + "€" + "a" * 152
    assert gsm.septets(text) == 306
    assert gsm.segments(text) == 3


def test_ucs2_counts_for_raw_text() -> None:
    assert gsm.ucs2_segments("") == 0
    assert gsm.ucs2_segments("á" * 70) == 1
    assert gsm.ucs2_segments("á" * 71) == 2
    assert gsm.ucs2_segments("á" * 134) == 2
    assert gsm.ucs2_segments("á" * 135) == 3
    assert gsm.ucs2_units("😀") == 2
    assert gsm.ucs2_segments("😀" * 35) == 1
    assert gsm.ucs2_segments("😀" * 36) == 2
    assert gsm.raw_segments("a" * 160) == 1
    assert gsm.raw_segments("á" + "a" * 159) == 3
    assert gsm.segments("á" + "a" * 159) == 1


def test_truncate_short_text_is_only_fitted() -> None:
    assert gsm.truncate("Reunión hoy") == "Reunion hoy"
    assert gsm.truncate("a" * 160) == "a" * 160


def test_truncate_cuts_at_word_boundary() -> None:
    text = "palabra " * 30
    out = gsm.truncate(text)
    assert out.endswith("palabra...")
    assert gsm.septets(out) <= 160
    assert out[:-3] == text[: len(out) - 3]
    assert gsm.truncate("uno dos tres cuatro", 12) == "uno dos..."
    assert gsm.truncate("Fin. Después más", 12) == "Fin..."


def test_truncate_counts_extended_and_long_words() -> None:
    out = gsm.truncate("{" * 100)
    assert out == "{" * 78 + "..."
    assert gsm.septets(out) == 159
    assert gsm.truncate("x" * 200, 10) == "x" * 7 + "..."
    assert gsm.truncate("abcdef", 2) == "ab"
    assert gsm.truncate("abcdef", 0) == ""


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fit_is_gsm7_and_idempotent(text: str) -> None:
    out = gsm.fit(text)
    assert gsm.is_gsm7(out)
    assert gsm.fit(out) == out
    assert gsm.segments(text) == gsm.segments(out)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8")), st.integers(min_value=0, max_value=200))
def test_truncate_always_fits(text: str, limit: int) -> None:
    out = gsm.truncate(text, limit)
    assert gsm.is_gsm7(out)
    assert gsm.septets(out) <= limit
