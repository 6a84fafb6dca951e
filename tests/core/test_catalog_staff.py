"""Texts to staff phones: no shell command in any SMS, counted nouns in both forms."""
from __future__ import annotations

import re

import pytest

from textline.core import catalog

SMS = [(lang, key, text) for lang in catalog.languages() for key, text in sorted(catalog.load(lang).items())
       if not key.endswith(".voice")]


@pytest.mark.parametrize(("language", "key", "text"), SMS, ids=[f"{lang}:{key}" for lang, key, _ in SMS])
def test_no_text_names_a_shell_command(language: str, key: str, text: str) -> None:
    assert not re.search(r"\btextline\s+[a-z]", text), "a phone user cannot run a command"
    assert "Run:" not in text and "Usa:" not in text


@pytest.mark.parametrize("language", catalog.languages())
def test_counted_nouns_have_both_forms(language: str) -> None:
    keys = set(catalog.load(language))
    for key in keys:
        if key.endswith("_one"):
            assert key[:-4] + "_other" in keys
    assert catalog.render(language, "count.member_one", n=1).startswith("1 ")
