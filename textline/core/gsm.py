"""Fit outgoing text to the GSM-7 alphabet so every text costs as few segments as possible.

One character outside GSM-7 switches a whole SMS to UCS-2 (70 characters per segment
instead of 160), so everything the line sends goes through :func:`fit` first.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENDED",
    "fit",
    "is_gsm7",
    "raw_segments",
    "replaced",
    "segments",
    "septets",
    "truncate",
    "ucs2_segments",
    "ucs2_units",
]

# 3GPP TS 23.038 default alphabet. 0x1B (escape to the extension table) is left out:
# it is not a character a text can contain.
GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each is sent as ESC + code, so it costs two septets.
GSM7_EXTENDED: frozenset[str] = frozenset("\f^{}\\[]~|€")
_GSM7 = GSM7_BASIC | GSM7_EXTENDED

GSM7_SINGLE = 160
GSM7_CONCAT = 153  # the concatenation header takes 7 septets of every part
UCS2_SINGLE = 70
UCS2_CONCAT = 67

# Replacements NFKD does not give (or gives wrongly, e.g. spacing accents become a space).
_MAP: dict[str, str] = {
    "\t": " ",
    "\v": " ",
    "\u2028": "\n",
    "\u2029": "\n",
    "\x85": "\n",
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "′": "'",
    "`": "'",
    "´": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "″": '"',
    "«": '"',
    "»": '"',
    "‹": "'",
    "›": "'",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "―": "-",
    "−": "-",
    "⁃": "-",
    "•": "-",
    "…": "...",
    "⁄": "/",
    "∕": "/",
    "×": "x",
    "÷": "/",
    "œ": "oe",
    "Œ": "OE",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "Th",
    "ı": "i",
}

_REMOVED = "\x00"  # placeholder for a dropped character; never survives fit()
_SPACE_RUN = re.compile(r"[ \x00]+")


def _fit_char(ch: str) -> str:
    """Closest GSM-7 form of one character, "" if it has none."""
    if ch in _GSM7:
        return ch
    mapped = _MAP.get(ch)
    if mapped is not None:
        return mapped
    return _closest(ch)


@lru_cache(maxsize=4096)
def _closest(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == "Zs":
        return " "
    if category == "Nd":
        # Arabic-Indic, Devanagari... digits: phone numbers and times must stay readable.
        return str(unicodedata.decimal(ch))
    if category[0] == "C":
        return ""
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base == ch:
        return ""
    parts = [c if c in _GSM7 else _MAP.get(c, "") for c in base]
    out = "".join(parts)
    # Spacing accents (¨ ¸ ˜) decompose to a space: that is a symbol gone, not a space kept.
    return out if out.strip(" ") else ""


def _close_gaps(marked: str) -> str:
    """Drop placeholders, collapsing the double spaces (or edge spaces) they leave behind."""

    def close(match: re.Match[str]) -> str:
        run = match.group()
        if _REMOVED not in run:
            return run
        if " " not in run:
            return ""
        start, end = match.span()
        at_edge = start == 0 or end == len(marked) or marked[start - 1] in "\r\n" or marked[end] in "\r\n"
        return "" if at_edge else " "

    return _SPACE_RUN.sub(close, marked)


def fit(text: str) -> str:
    """Return ``text`` with every character outside GSM-7 replaced by its closest GSM-7 form."""
    if all(ch in _GSM7 for ch in text):
        return text
    # Decomposed input (e + combining acute, as some phones send) must become é, which is GSM-7.
    text = unicodedata.normalize("NFC", text)
    pieces = [_fit_char(ch) or _REMOVED for ch in text]
    return _close_gaps("".join(pieces))


def is_gsm7(text: str) -> bool:
    """True if ``text`` can be sent as GSM-7 as it is."""
    return all(ch in _GSM7 for ch in text)


def replaced(text: str) -> list[tuple[str, str]]:
    """(original, replacement or "") for each distinct character :func:`fit` changes, in order."""
    seen: dict[str, str] = {}
    for ch in unicodedata.normalize("NFC", text):
        if ch not in _GSM7 and ch not in seen:
            seen[ch] = _fit_char(ch)
    return list(seen.items())


def _septet_sizes(fitted: str) -> list[int]:
    return [2 if ch in GSM7_EXTENDED else 1 for ch in fitted]


def septets(text: str) -> int:
    """Septets ``text`` takes once fitted; extension characters count two."""
    return sum(_septet_sizes(fit(text)))


def _pack(sizes: list[int], single: int, concat: int) -> int:
    """Number of segments, never splitting a two-unit character across two parts."""
    total = sum(sizes)
    if total == 0:
        return 0
    if total <= single:
        return 1
    count, used = 1, 0
    for size in sizes:
        if used + size > concat:
            count += 1
            used = 0
        used += size
    return count


def segments(text: str) -> int:
    """GSM-7 segments ``text`` costs once fitted: 0 for "", 1 up to 160 septets, then 153 per part."""
    return _pack(_septet_sizes(fit(text)), GSM7_SINGLE, GSM7_CONCAT)


def ucs2_units(text: str) -> int:
    """UTF-16 code units of raw ``text`` (an emoji outside the BMP takes two)."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def ucs2_segments(text: str) -> int:
    """UCS-2 segments raw ``text`` would cost: 0 for "", 1 up to 70 units, then 67 per part."""
    return _pack([2 if ord(ch) > 0xFFFF else 1 for ch in text], UCS2_SINGLE, UCS2_CONCAT)


def raw_segments(text: str) -> int:
    """Segments ``text`` would cost sent unfitted, so the composer can show what fit() saves."""
    if is_gsm7(text):
        return _pack(_septet_sizes(text), GSM7_SINGLE, GSM7_CONCAT)
    return ucs2_segments(text)


def truncate(text: str, limit: int = GSM7_SINGLE) -> str:
    """Fit ``text``, then cut it at a word boundary with "..." so it takes at most ``limit`` septets."""
    fitted = fit(text)
    sizes = _septet_sizes(fitted)
    if sum(sizes) <= limit:
        return fitted
    if limit < 3:
        # No room for the ellipsis: a hard cut is all that fits.
        budget, ellipsis = limit, ""
    else:
        budget, ellipsis = limit - 3, "..."
    used = cut = 0
    for size in sizes:
        if used + size > budget:
            break
        used += size
        cut += 1
    head = fitted[:cut]
    if ellipsis and not fitted[cut].isspace():
        boundary = max(head.rfind(c) for c in " \n\r\f")
        # A single very long word (a URL) is cut mid-word rather than dropped whole.
        if boundary > 0:
            head = head[:boundary]
    head = head.rstrip(" \n\r\f,;:.-")
    return head + ellipsis
