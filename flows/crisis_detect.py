"""Crisis detection for inbound member texts (English and Spanish).

Pure Python, no I/O at import time, no environment read. ``detect(text, extra_dir)`` returns a
:class:`Detection` naming the category, the lexicon language and the lexicon entry that matched,
or ``None``. The lexicon lives in ``flows/data/crisis/*.toml`` (see the header of ``en.toml`` for
the format); the ``*.toml`` files in ``extra_dir`` (the line's ``Settings.crisis_lexicon_dir``,
set by ``TEXTLINE_CRISIS_LEXICON_DIR``) are merged in.

How a text is checked (everything is compiled once per lexicon, on first use):

1. ``normalise``: accents stripped (NFKD), lowercase, apostrophes dropped, "w/o" and "w/" spelled
   out, digits/symbols inside words read as letters, other punctuation to spaces, letter runs
   cut to 2.
2. One combined regex is searched on the normalised text, and another on its ``squeeze``
   (repeated letters cut to 1 in words of 4+ letters, against entries squeezed the same way).
3. A crisis match is dropped only when an idiom match wholly contains it; the rest of the
   message is still checked ("this traffic is killing me, I want to kill myself" is caught).
4. Nothing found: retry with spelled-out letters joined ("k i l l"), then with texting forms
   spelled out (the [texting] words: "bout" -> "about", "q" -> "que", fillers like "shit" or
   "literally" dropped; and a dropped final g restored when that gives a lexicon word:
   "killin" -> "killing") and one-typo fixes of the fuzzy key words ("sucide"), then with the
   compact keys inside run-together words.

When several entries match, the reported one is the first by ``CATEGORIES`` order, except that
a one-word means entry (a bare "gun", "pills") ranks below any more specific match.
"""

from __future__ import annotations

import functools
import logging
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "CATEGORIES",
    "DATA_DIR",
    "Detection",
    "Lexicon",
    "LexiconError",
    "builtin_paths",
    "clear_lexicon_cache",
    "detect",
    "join_spelled",
    "load_lexicon",
    "normalise",
    "squeeze",
]

log = logging.getLogger(__name__)

#: Categories in priority order: when several match, the first listed is reported.
CATEGORIES: tuple[str, ...] = ("suicide", "means", "self_harm", "danger", "harm_others", "abuse", "indirect")
_RANK = {c: i for i, c in enumerate(CATEGORIES)}

DATA_DIR = Path(__file__).resolve().parent / "data" / "crisis"

_FILE_KEYS = frozenset({"language", "defs", "phrases", "patterns", "compact", "fuzzy", "texting", "idioms"})
_MIN_COMPACT = 6
_MIN_FUZZY = 5


class LexiconError(ValueError):
    """A lexicon file is missing, malformed, or has an entry that does not compile."""


@dataclass(frozen=True)
class Detection:
    """What matched: the category, the language of the lexicon, and the entry's term.

    ``weak`` is True for a bare one-word means entry ("pills", "gun"), which ranks below any other
    match: a weak detection means nothing more specific matched. It takes no part in equality.
    """

    category: str
    language: str
    term: str
    weak: bool = field(default=False, compare=False)


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------

_EMOJI = str.maketrans({"💊": " pills ", "🔫": " gun ", "🔪": " knife ", "🪢": " rope "})
_WITH = re.compile(r"\bw/(o\b)?")  # texting "w/o" and "w/"
_APOSTROPHES = re.compile("['\u2019\u2018\u02bc\u00b4`\u2032]")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_LEET_INNER = re.compile(r"(?<=[a-z])[013457@$!|]+(?=[a-z])")
_LEET_LEAD = re.compile(r"(?<![a-z0-9])[@$](?=[a-z])")
_LEET_ANY = re.compile(r"[013457@$!|]")
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"}
)
_NON_WORD = re.compile(r"[^a-z0-9]+")
_RUN3 = re.compile(r"([a-z])\1{2,}")
_RUN2 = re.compile(r"([a-z])\1+")
_SELF = re.compile(r"\b(my|your|ur|him|her|it|one|them|our|thy) (self|selves|slef|sef)\b")
_SPELLED = re.compile(r"\b[a-z](?: [a-z]\b){2,}")
_DOUBLED_WORD = re.compile(r"\b[a-z]*?([a-z])\1[a-z]*")
_REGEX_TOKEN = re.compile(r"\\.|[a-z]+|.", re.S)
_DEF_REF = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_COMPILED: dict[str, re.Pattern[str]] = {}


def _rx(source: str) -> re.Pattern[str]:
    """Compile once per process: rebuilding the lexicon (an extra file added) reuses every unchanged pattern."""
    found = _COMPILED.get(source)
    if found is None:
        found = _COMPILED[source] = re.compile(source)
    return found


def normalise(text: str) -> str:
    """Fold a text to the form lexicon entries are written in: plain lowercase words, single spaces."""
    s = text if text.isascii() else _COMBINING.sub("", unicodedata.normalize("NFKD", text.translate(_EMOJI)))
    s = _APOSTROPHES.sub("", s).lower()
    if "w/" in s:
        s = _WITH.sub(lambda m: " without " if m.group(1) else " with ", s)
    if _LEET_ANY.search(s):
        s = _LEET_INNER.sub(_unleet, s)
        s = _LEET_LEAD.sub(_unleet, s)
    s = _RUN3.sub(r"\1\1", _NON_WORD.sub(" ", s)).strip()
    return _SELF.sub(r"\1\2", s) if "se" in s or "sl" in s else s


def _unleet(m: re.Match[str]) -> str:
    return m.group().translate(_LEET)


def squeeze(text: str) -> str:
    """Cut repeated letters to one inside words of 4+ letters ("killll" -> "kil", "pills" -> "pils").

    Shorter words keep their letters, so "off" never becomes "of" and "too" never "to".
    """
    return _DOUBLED_WORD.sub(_squeeze_word, text)


def _squeeze_word(m: re.Match[str]) -> str:
    word = m.group()
    return _RUN2.sub(r"\1", word) if len(word) >= 4 else word


def join_spelled(text: str) -> str:
    """Join three or more single letters in a row ("k i l l myself" -> "kill myself")."""
    return _SPELLED.sub(lambda m: m.group().replace(" ", ""), text)


def _squeeze_regex(src: str) -> str:
    """Squeeze the literal words of a regex source the way ``squeeze`` does text (escapes kept)."""
    return "".join(
        _RUN2.sub(r"\1", tok) if len(tok) >= 4 and tok.isalpha() else tok for tok in _REGEX_TOKEN.findall(src)
    )


# ---------------------------------------------------------------------------------------------
# Lexicon files
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """One lexicon entry: where it came from and what it reports."""

    category: str
    language: str
    term: str
    weak: bool = False


@dataclass
class _FileData:
    """The parsed, validated content of one lexicon file."""

    path: Path
    language: str
    phrases: list[tuple[_Entry, str]] = field(default_factory=list)
    patterns: list[tuple[_Entry, str]] = field(default_factory=list)
    compact: list[tuple[_Entry, str]] = field(default_factory=list)
    fuzzy_words: list[str] = field(default_factory=list)
    fuzzy_ignore: list[str] = field(default_factory=list)
    texting: dict[str, str] = field(default_factory=dict)
    idioms: list[str] = field(default_factory=list)


def builtin_paths() -> list[Path]:
    """The lexicon files shipped with textline (English first)."""
    return sorted(DATA_DIR.glob("*.toml"), key=lambda p: (p.stem != "en", p.name))


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise LexiconError(f"{where}: expected a list of non-empty strings")
    return list(value)


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise LexiconError(f"{where}: expected a table")
    return value


def _category(name: str, where: str) -> str:
    if name not in _RANK:
        raise LexiconError(f"{where}: unknown category {name!r} (one of {', '.join(CATEGORIES)})")
    return name


def _expand(src: str, defs: Mapping[str, str], where: str, depth: int = 0) -> str:
    """Replace {name} references by their [defs] fragment, recursively."""
    if depth > 8:
        raise LexiconError(f"{where}: [defs] nest too deeply (a cycle?)")

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in defs:
            raise LexiconError(f"{where}: unknown {{{name}}} (not in [defs])")
        return "(?:" + _expand(defs[name], defs, where, depth + 1) + ")"

    return _DEF_REF.sub(sub, src)


def _check_regex(src: str, where: str) -> None:
    for form in (src, _squeeze_regex(src)):
        try:
            _rx(form)
        except re.error as exc:
            raise LexiconError(f"{where}: bad regex: {exc}") from exc


def _read_file(path: Path, inherited_defs: Mapping[str, Mapping[str, str]]) -> tuple[_FileData, dict[str, str]]:
    """Parse and validate one lexicon file; returns its data and its resolved [defs]."""
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{path}: not valid TOML: {exc}") from exc
    unknown = set(raw) - _FILE_KEYS
    if unknown:
        raise LexiconError(f"{path}: unknown keys {sorted(unknown)} (allowed: {sorted(_FILE_KEYS)})")
    language = raw.get("language")
    if not isinstance(language, str) or not language.strip():
        raise LexiconError(f'{path}: needs language = "en" (or another code)')
    language = language.strip().lower()
    defs = dict(inherited_defs.get(language, {}))
    for name, frag in _table(raw.get("defs", {}), f"{path} [defs]").items():
        if not isinstance(frag, str) or not _DEF_REF.fullmatch("{" + name + "}"):
            raise LexiconError(f"{path} [defs] {name}: names are lowercase words, values strings")
        defs[name] = frag
    data = _FileData(path=path, language=language)

    for cat, items in _table(raw.get("phrases", {}), f"{path} [phrases]").items():
        where = f"{path} [phrases] {cat}"
        _category(cat, where)
        for phrase in _strings(items, where):
            folded = normalise(phrase)
            if not folded:
                raise LexiconError(f"{where}: {phrase!r} is empty once normalised")
            # A bare object word ("gun", "pills") ranks below every more specific match.
            weak = cat == "means" and " " not in folded
            data.phrases.append((_Entry(cat, language, phrase, weak), folded))

    for cat, table in _table(raw.get("patterns", {}), f"{path} [patterns]").items():
        _category(cat, f"{path} [patterns.{cat}]")
        for name, src in _table(table, f"{path} [patterns.{cat}]").items():
            where = f"{path} [patterns.{cat}] {name}"
            if not isinstance(src, str) or not src.strip():
                raise LexiconError(f"{where}: expected a regex string")
            expanded = _expand(src, defs, where)
            _check_regex(expanded, where)
            data.patterns.append((_Entry(cat, language, name), expanded))

    for cat, items in _table(raw.get("compact", {}), f"{path} [compact]").items():
        where = f"{path} [compact] {cat}"
        _category(cat, where)
        for key in _strings(items, where):
            folded = _RUN2.sub(r"\1", normalise(key).replace(" ", ""))
            if len(folded) < _MIN_COMPACT:
                raise LexiconError(f"{where}: {key!r} is too short (at least {_MIN_COMPACT} letters)")
            data.compact.append((_Entry(cat, language, key), folded))

    fuzzy = _table(raw.get("fuzzy", {}), f"{path} [fuzzy]")
    if set(fuzzy) - {"words", "ignore"}:
        raise LexiconError(f"{path} [fuzzy]: only 'words' and 'ignore' are allowed")
    for word in _strings(fuzzy.get("words", []), f"{path} [fuzzy] words"):
        folded = normalise(word)
        if len(folded) < _MIN_FUZZY or not folded.isalpha():
            raise LexiconError(f"{path} [fuzzy] words: {word!r} must be one word of {_MIN_FUZZY}+ letters")
        data.fuzzy_words.append(folded)
    data.fuzzy_ignore = [normalise(w) for w in _strings(fuzzy.get("ignore", []), f"{path} [fuzzy] ignore")]

    for short, full in _table(raw.get("texting", {}), f"{path} [texting]").items():
        if not isinstance(full, str) or not normalise(short) or " " in normalise(short):
            raise LexiconError(f"{path} [texting] {short!r}: one word = 'the words it stands for' (or '')")
        data.texting[normalise(short)] = normalise(full)  # "" drops the word

    idioms = _table(raw.get("idioms", {}), f"{path} [idioms]")
    if set(idioms) - {"phrases", "patterns"}:
        raise LexiconError(f"{path} [idioms]: only 'phrases' and 'patterns' are allowed")
    for phrase in _strings(idioms.get("phrases", []), f"{path} [idioms] phrases"):
        data.idioms.append(re.escape(normalise(phrase)) + r"\b")
    for name, src in _table(idioms.get("patterns", {}), f"{path} [idioms.patterns]").items():
        where = f"{path} [idioms.patterns] {name}"
        if not isinstance(src, str) or not src.strip():
            raise LexiconError(f"{where}: expected a regex string")
        expanded = f"(?:{_expand(src, defs, where)})\\b"  # an idiom always ends at a word end
        _check_regex(expanded, where)
        data.idioms.append(expanded)
    return data, defs


# ---------------------------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------------------------


_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _first_chars(src: str) -> frozenset[str] | None:
    """The characters a match of ``src`` can start with, or None if unknown or it can be empty.

    Uses the stdlib regex parser; anything it cannot analyse is simply tried everywhere.
    """
    try:
        from re import _constants as c  # type: ignore[attr-defined]
        from re import _parser as parser  # type: ignore[attr-defined]

        def first(items: Any) -> tuple[set[str], bool]:
            """(first chars, nullable) of a sequence of parsed items."""
            out: set[str] = set()
            for op, av in items:
                chars, nullable = one(op, av)
                out |= chars
                if not nullable:
                    return out, False
            return out, True

        def one(op: Any, av: Any) -> tuple[set[str], bool]:
            if op is c.LITERAL:
                return {chr(av)}, False
            if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
                return set(), True
            if op is c.SUBPATTERN:
                return first(av[-1])
            if op is c.ATOMIC_GROUP:
                return first(av)
            if op is c.BRANCH:
                out: set[str] = set()
                nullable = False
                for branch in av[1]:
                    chars, null = first(branch)
                    out |= chars
                    nullable = nullable or null
                return out, nullable
            if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
                chars, nullable = first(av[2])
                return chars, nullable or av[0] == 0
            if op is c.IN and all(sub_op in (c.LITERAL, c.RANGE) for sub_op, _ in av):
                out = set()
                for sub_op, sub_av in av:
                    if sub_op is c.LITERAL:
                        out.add(chr(sub_av))
                    else:
                        out.update(chr(x) for x in range(sub_av[0], sub_av[1] + 1))
                return out, False
            return set(_ALPHABET), False  # ANY, categories, negated sets...

        chars, nullable = first(parser.parse(src))
    except Exception:  # an internal API: if it ever changes, the pattern is just tried everywhere
        return None
    chars &= _ALPHABET
    return None if nullable or not chars else frozenset(chars)


class _Trie:
    """Builds one regex from many literal phrases, factored by shared prefixes."""

    def __init__(self) -> None:
        self.root: dict[str, Any] = {}

    def add(self, phrase: str, entry: _Entry) -> None:
        node = self.root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node.setdefault("", entry)

    def regex(self, marker: Callable[[_Entry], str], node: dict[str, Any] | None = None) -> str:
        """The trie as a regex; ``marker`` is called in the order the phrases are emitted."""
        node = self.root if node is None else node
        alts = [re.escape(ch) + self.regex(marker, child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            alts.append(r"\b" + marker(node[""]))
        return alts[0] if len(alts) == 1 and "" not in node else "(?:" + "|".join(alts) + ")"


_MAX_BUCKETS = 12  # a pattern that can start with more letters than this is tried everywhere


class _Form:
    """Every entry and idiom compiled for one text form (plain or squeezed).

    One regex holds a prefix trie of the phrases, then the patterns grouped by their possible
    first character behind a binary tree of lookaheads, so at each word start the engine only
    tries what could begin there. Each entry ends in an empty group whose number
    (``Match.lastindex``) tells which entry matched.
    """

    def __init__(
        self, phrases: Sequence[tuple[_Entry, str]], patterns: Sequence[tuple[_Entry, str]], idioms: Sequence[str]
    ) -> None:
        self._sources = [(e, re.escape(p) + r"\b") for e, p in phrases] + list(patterns)
        # Each entry alone, by the characters it can start with (built on first need, see ``hits``).
        self._singles: dict[str, list[tuple[re.Pattern[str], _Entry]]] | None = None
        self._by_group: dict[int, _Entry] = {}
        self._group = 0
        trie = _Trie()
        for entry, phrase in phrases:
            trie.add(phrase, entry)
        buckets: dict[str, list[tuple[_Entry, str, int]]] = {}
        anywhere: list[tuple[_Entry, str, int]] = []
        for entry, src in patterns:
            item = (entry, src, _rx(src).groups)
            chars = _first_chars(src)
            if chars is None or len(chars) > _MAX_BUCKETS:
                anywhere.append(item)
            else:
                for ch in chars:
                    buckets.setdefault(ch, []).append(item)
        parts = [trie.regex(self._marker)] if trie.root else []
        if buckets:
            parts.append(self._dispatch(sorted(buckets), buckets))
        parts.extend(self._alt(*item) for item in anywhere)
        self._crisis = _rx(r"\b(?:" + "|".join(parts) + ")") if parts else None
        self._idioms = [_rx(rf"\b(?:{src})") for src in idioms]
        self._any_idiom = _rx(r"\b(?:" + "|".join(idioms) + ")") if idioms else None

    def _dispatch(self, chars: list[str], buckets: Mapping[str, list[tuple[_Entry, str, int]]]) -> str:
        """A binary tree of lookaheads on the first character, with each bucket at a leaf."""
        if len(chars) == 1:
            alts = "|".join(self._alt(*item) for item in buckets[chars[0]])
            return f"(?={re.escape(chars[0])})(?:{alts})"
        mid = len(chars) // 2
        left, right = chars[:mid], chars[mid:]
        return (
            f"(?:(?=[{''.join(left)}]){self._dispatch(left, buckets)}"
            f"|(?=[{''.join(right)}]){self._dispatch(right, buckets)})"
        )

    def _alt(self, entry: _Entry, src: str, groups: int) -> str:
        self._group += groups
        return f"(?:{src}){self._marker(entry)}"

    def _marker(self, entry: _Entry) -> str:
        self._group += 1
        self._by_group[self._group] = entry
        return "()"

    def _idiom_spans(self, text: str) -> list[tuple[int, int]]:
        if self._any_idiom is None or self._any_idiom.search(text) is None:
            return []
        spans: list[tuple[int, int]] = []
        for rx in self._idioms:
            pos = 0
            while (m := rx.search(text, pos)) is not None:
                spans.append(m.span())
                pos = m.start() + 1
        return spans

    def hits(self, text: str) -> list[tuple[_Entry, int, int]]:
        """All crisis matches in ``text`` that no idiom match wholly contains."""
        if self._crisis is None:
            return []
        found: list[tuple[_Entry, int, int]] = []
        spans: list[tuple[int, int]] | None = None
        pos = 0
        while (m := self._crisis.search(text, pos)) is not None:
            if spans is None:
                spans = self._idiom_spans(text)
            entry = self._by_group[m.lastindex or 0]
            if not _covered(m.start(), m.end(), spans):
                found.append((entry, m.start(), m.end()))
            elif spans:
                # The first alternative at this position lies inside an idiom; another entry may
                # still match here with a longer span (e.g. "took all my pills for my headache").
                if self._singles is None:
                    self._singles = self._compile_singles()
                for rx, other in self._singles.get(text[m.start()], ()):
                    om = rx.match(text, m.start())
                    if om is not None and not _covered(om.start(), om.end(), spans):
                        found.append((other, om.start(), om.end()))
                        break
            pos = m.start() + 1
        return found

    def _compile_singles(self) -> dict[str, list[tuple[re.Pattern[str], _Entry]]]:
        """Every entry compiled alone, listed under each character a match of it can start with."""
        by_char: dict[str, list[tuple[re.Pattern[str], _Entry]]] = {ch: [] for ch in _ALPHABET}
        for entry, src in self._sources:
            chars = _first_chars(src) or _ALPHABET
            item = (_rx(rf"\b(?:{src})"), entry)
            for ch in sorted(chars):
                by_char[ch].append(item)
        return by_char


def _covered(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(a <= start and end <= b for a, b in spans)


def _edit1(a: str, b: str) -> bool:
    """True if a and b differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    if la > lb:
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]


class Lexicon:
    """A compiled set of lexicon files; ``detect`` checks one text against all of them."""

    def __init__(self, files: Sequence[_FileData]) -> None:
        self.paths: tuple[Path, ...] = tuple(f.path for f in files)
        self.languages: tuple[str, ...] = tuple(dict.fromkeys(f.language for f in files))
        patterns: list[tuple[_Entry, str]] = []
        phrases: list[tuple[_Entry, str]] = []
        seen: set[tuple[str, str]] = set()
        idioms: list[str] = []
        self._compact: list[tuple[_Entry, str]] = []
        vocab: set[str] = set()
        fuzzy_words: list[str] = []
        self._texting: dict[str, str] = {}
        for f in files:
            self._texting.update(f.texting)
            patterns.extend(f.patterns)
            for entry, phrase in f.phrases:
                vocab.update(phrase.split())
                if phrase not in seen:
                    seen.add(phrase)
                    phrases.append((entry, phrase))
            idioms.extend(f.idioms)
            self._compact.extend(f.compact)
            fuzzy_words.extend(f.fuzzy_words)
            vocab.update(f.fuzzy_ignore)
            for _entry, src in f.patterns:
                vocab.update(re.findall(r"(?<![\\a-z])[a-z]{5,}(?![a-z])", src))
        self._plain = _Form(phrases, patterns, idioms)
        self._squeezed = _Form(
            [(e, squeeze(p)) for e, p in phrases],
            [(e, _squeeze_regex(src)) for e, src in patterns],
            [_squeeze_regex(i) for i in idioms],
        )
        self._vocab = frozenset(vocab)
        self._fuzzy_exact = frozenset(fuzzy_words)
        self._fuzzy_index: dict[str, set[str]] = {}
        for word in fuzzy_words:
            for key in {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}:
                self._fuzzy_index.setdefault(key, set()).add(word)
        self._fuzzy_cache: dict[str, str | None] = {}

    # -- the steps of detect() -----------------------------------------------------------------

    def _correct(self, token: str) -> str | None:
        """The fuzzy key word one typo away from ``token``, if any."""
        cached = self._fuzzy_cache.get(token, "")
        if cached != "":
            return cached
        found: str | None = None
        if token not in self._vocab and token not in self._fuzzy_exact and token.isalpha():
            candidates = set(self._fuzzy_index.get(token, ()))
            for i in range(len(token)):
                candidates.update(self._fuzzy_index.get(token[:i] + token[i + 1 :], ()))
            for word in sorted(candidates):
                if _edit1(token, word):
                    found = word
                    break
        if len(self._fuzzy_cache) > 20000:
            self._fuzzy_cache.clear()
        self._fuzzy_cache[token] = found
        return found

    def _fix_typos(self, text: str) -> str:
        """``text`` with texting forms spelled out and fuzzy key words corrected."""
        tokens = text.split(" ")
        changed = False
        for i, tok in enumerate(tokens):
            full = self._texting.get(tok)
            if full is None and len(tok) >= 4 and tok.endswith("in") and tok not in self._vocab:
                full = tok + "g" if tok + "g" in self._vocab else None  # "killin" -> "killing"
            if full is not None:
                tokens[i] = full
                changed = True
            elif len(tok) >= _MIN_FUZZY:
                fixed = self._correct(tok)
                if fixed is not None and fixed != tok:
                    tokens[i] = fixed
                    changed = True
        return " ".join(t for t in tokens if t) if changed else text

    def _scan(self, text: str, squeezed: str) -> list[_Entry]:
        """Entries matching ``text`` in its plain form and in its squeezed form."""
        found = [e for e, _, _ in self._plain.hits(text)]
        found += [e for e, _, _ in self._squeezed.hits(squeezed)]
        return found

    def _scan_compact(self, squeezed: str) -> list[_Entry]:
        """Compact keys found inside one run-together word ("killmyself", spelled "iwanttodie")."""
        words = [w for w in squeezed.split(" ") if len(w) >= _MIN_COMPACT]
        if not words:
            return []
        return [entry for entry, key in self._compact if any(key in w for w in words)]

    def matches(self, text: str) -> list[Detection]:
        """Every distinct detection for ``text``, best first (empty when nothing matched)."""
        base = normalise(text)
        if not base:
            return []
        squeezed = squeeze(base)
        found = self._scan(base, squeezed)
        if not found:
            joined = join_spelled(base)
            if joined != base:
                base, squeezed = joined, squeeze(joined)
                found = self._scan(base, squeezed)
        if not found:
            fixed = self._fix_typos(base)
            if fixed != base:
                found = self._scan(fixed, squeeze(fixed))
        if not found:
            found = self._scan_compact(squeezed)
        if not found:
            return []
        votes: dict[str, int] = {}
        for entry in found:
            votes[entry.language] = votes.get(entry.language, 0) + 1
        order = {lang: i for i, lang in enumerate(self.languages)}
        unique = list(dict.fromkeys(found))
        unique.sort(key=lambda e: (e.weak, _RANK[e.category], -votes[e.language], order.get(e.language, 99)))
        return [Detection(e.category, e.language, e.term, e.weak) for e in unique]

    def detect(self, text: str) -> Detection | None:
        """The highest-priority detection for ``text``, or None."""
        found = self.matches(text)
        return found[0] if found else None


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def _build(paths: Sequence[Path], *, lenient_from: int | None = None) -> Lexicon:
    """Compile ``paths``; with ``lenient_from``, bad files from that index on are logged and skipped."""
    files: list[_FileData] = []
    defs: dict[str, dict[str, str]] = {}
    for index, path in enumerate(paths):
        lenient = lenient_from is not None and index >= lenient_from
        try:
            data, file_defs = _read_file(Path(path), defs)
            if lenient:
                Lexicon([data])  # compile it alone first: a bad extra file must not stop detection
        except (LexiconError, re.error, RecursionError) as exc:
            if not lenient:
                raise LexiconError(str(exc)) from exc
            log.error("crisis lexicon: skipping %s: %s", path, exc)
            continue
        defs[data.language] = file_defs
        files.append(data)
    return Lexicon(files)


@functools.lru_cache(maxsize=8)
def _default_lexicon(extra_dir: str | None) -> Lexicon:
    extras: list[Path] = []
    if extra_dir:
        directory = Path(extra_dir)
        if directory.is_dir():
            extras = sorted(directory.glob("*.toml"))
        else:
            log.error("crisis lexicon: %s is not a directory; using the built-in lexicon", extra_dir)
    builtins = builtin_paths()
    return _build([*builtins, *extras], lenient_from=len(builtins))


def load_lexicon(paths: Sequence[Path] | None = None, *, extra_dir: Path | None = None) -> Lexicon:
    """The built-in lexicon plus extra files.

    With ``paths=None``: the extra files are the ``*.toml`` files in ``extra_dir`` (if given); the
    result is cached, and a broken extra file is logged and skipped so detection never stops. With
    ``paths``: exactly those extra files, uncached, and any error raises :class:`LexiconError` (use
    it to check a file before deploying it).
    """
    if paths is None:
        return _default_lexicon(str(extra_dir) if extra_dir else None)
    builtins = builtin_paths()
    return _build([*builtins, *[Path(p) for p in paths]])


def clear_lexicon_cache() -> None:
    """Forget the cached lexicons (after changing their files)."""
    _default_lexicon.cache_clear()


def detect(text: str, extra_dir: Path | None = None) -> Detection | None:
    """Check one member text against the lexicon (built-in, plus the files in `extra_dir`); None when it looks safe."""
    if not text:
        return None
    return load_lexicon(extra_dir=extra_dir).detect(text)
