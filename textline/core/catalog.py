"""Every text the line writes, from per-language catalog files, fitted to GSM-7.

Files live in `textline/texts/<lang>/*.toml` (one per feature), flat
`key = "text with {placeholders}"`. A key may have variants: `key.discreet`
(neutral wording for shared phones), `key.voice` (read aloud) and
`key.discreet.voice`; a discreet variant always wins over a plain voice one.
"""
from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from textline.core import gsm

TEXTS_DIR = Path(__file__).resolve().parent.parent / "texts"
FALLBACK = "en"


@cache
def load(language: str) -> Mapping[str, str]:
    """All entries of one language, merged from its files."""
    entries: dict[str, str] = {}
    folder = TEXTS_DIR / language
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        _flatten(data, "", entries)
    return entries


def _flatten(data: Mapping[str, Any], prefix: str, out: dict[str, str]) -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _flatten(value, name + ".", out)
        else:
            out[name] = str(value)


@cache
def languages() -> tuple[str, ...]:
    """The languages with a catalog folder (read once a process, like the catalogs themselves)."""
    return tuple(sorted(p.name for p in TEXTS_DIR.iterdir() if p.is_dir()))


def raw(language: str, key: str, *, discreet: bool = False, voice: bool = False) -> str:
    """The unformatted entry, choosing the variant and falling back to English."""
    for lang in (language, FALLBACK):
        entries = load(lang)
        # Discreet wording wins over voice wording: a shared phone must never hear what it would not read.
        variants = (f"{key}.discreet.voice" if discreet and voice else None, f"{key}.discreet" if discreet else None,
                    f"{key}.voice" if voice else None, key)
        for variant in variants:
            if variant and variant in entries:
                return entries[variant]
    raise KeyError(f"no catalog entry {key!r}")


def render(language: str, key: str, *, discreet: bool = False, voice: bool = False, **values: Any) -> str:
    """The entry with its placeholders filled, fitted to GSM-7 (voice text is not fitted)."""
    text = raw(language, key, discreet=discreet, voice=voice).format(**values)
    return text if voice else gsm.fit(text)


def placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]
