"""Tests for flows.crisis_detect: the labelled corpus, normalisation, lexicon files and speed."""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows import crisis_detect
from flows.crisis_detect import (
    CATEGORIES,
    Detection,
    LexiconError,
    builtin_paths,
    detect,
    join_spelled,
    load_lexicon,
    normalise,
    squeeze,
)

CORPUS = Path(__file__).with_name("crisis_corpus.tsv")
MAX_BENIGN_FLAGGED = 0.10


class Sample(NamedTuple):
    """One labelled corpus line."""

    line: int
    label: str
    language: str
    category: str
    text: str


def read_corpus() -> list[Sample]:
    """Parse crisis_corpus.tsv (tab-separated; '#' lines and the header row are skipped)."""
    samples: list[Sample] = []
    for number, raw in enumerate(CORPUS.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#") or raw.startswith("label\t"):
            continue
        label, language, category, text = raw.split("\t", 3)
        samples.append(Sample(number, label, language, category, text))
    return samples


SAMPLES = read_corpus()
CRISIS = [s for s in SAMPLES if s.label == "crisis"]
BENIGN = [s for s in SAMPLES if s.label == "benign"]


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------


def test_corpus_is_well_formed() -> None:
    counts = Counter((s.label, s.language) for s in SAMPLES)
    print("corpus:", dict(sorted(counts.items())))
    assert all(s.label in {"crisis", "benign"} for s in SAMPLES)
    assert all(s.language in {"en", "es"} for s in SAMPLES)
    assert all(s.category in CATEGORIES for s in CRISIS)
    assert all(s.category == "-" for s in BENIGN)
    assert len(SAMPLES) >= 260 and len(CRISIS) >= 150 and len(BENIGN) >= 110
    covered = {(s.category, s.language) for s in CRISIS}
    missing = {(c, lang) for c in CATEGORIES for lang in ("en", "es")} - covered
    assert not missing, f"no crisis sample for {sorted(missing)}"
    assert counts["benign", "es"] >= 30 and counts["crisis", "es"] >= 60


def test_every_crisis_message_is_caught() -> None:
    missed = [s for s in CRISIS if detect(s.text) is None]
    for s in missed:
        print(f"MISSED line {s.line} [{s.language}/{s.category}]: {s.text}")
    assert not missed, f"{len(missed)} of {len(CRISIS)} crisis messages missed (listed above)"


def test_few_benign_messages_are_flagged() -> None:
    flagged = [(s, d) for s in BENIGN if (d := detect(s.text)) is not None]
    for s, d in flagged:
        print(f"FLAGGED line {s.line} [{s.language}] {d.category}/{d.language}/{d.term}: {s.text}")
    rate = len(flagged) / len(BENIGN)
    print(f"benign flagged: {len(flagged)}/{len(BENIGN)} = {rate:.1%}")
    assert rate <= MAX_BENIGN_FLAGGED


def test_categories_mostly_agree_with_labels() -> None:
    """The category is advice for staff; most crisis lines should get the labelled one."""
    wrong = [(s, d) for s in CRISIS if (d := detect(s.text)) is not None and d.category != s.category]
    for s, d in wrong:
        print(f"category line {s.line}: labelled {s.category}, detected {d.category} ({d.term}): {s.text}")
    assert len(wrong) <= 0.15 * len(CRISIS)


def test_language_of_detection_mostly_matches() -> None:
    """Detection.language should name the lexicon of the message's language for most lines."""
    other = [(s, d) for s in CRISIS if (d := detect(s.text)) is not None and d.language != s.language]
    for s, d in other:
        print(f"language line {s.line}: {s.language} text matched the {d.language} lexicon ({d.term})")
    assert len(other) <= 0.10 * len(CRISIS)


# detect()'s speed is measured in bench/crisis_recall.py (mean CPU per message), not asserted here:
# a timed assertion fails on a loaded machine without anything being wrong.


# ---------------------------------------------------------------------------------------------
# Behaviour
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "kill...myself",
        "KILL MY SELF",
        "killlll myselfff",
        "k i l l myself",
        "k.i.l.l. myself",
        "sucide",
        "suicde",
        "kil myself",
        "kms",
        "unalive",
        "ctb",
        "sewer slide",
        "k1ll mys3lf",
        "$uicide",
        "i w a n t  t o  d i e",
        "Me quiero matar",
        "quiero morirme",
        "QUIERO MORÍR",
        "suicidío",
        "me kiero mataaaar",
        "thinkin about killin myself",
        "i want 2 end it tonite",
        "kiero q todo termine",
        "cant do this shit anymore",
        "everyones better off w/o me",
    ],
)
def test_obfuscated_crisis_texts_are_caught(text: str) -> None:
    assert detect(text) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "this traffic is killing me",
        "I'm dying to see you",
        "killing it at work",
        "me muero de hambre",
        "me muero de risa",
        "dead tired",
        "I could kill for a coffee",
        "my phone is dead",
        "pills for my headache worked",
        "cut myself shaving",
        "me corté el pelo",
        "i hope my plants dont die while im away",
        "i want to try skydiving before i die",
        "voy a tirarme en el sillon a ver la tele",
    ],
)
def test_idioms_alone_are_not_crises(text: str) -> None:
    assert detect(text) is None, (text, detect(text))


@pytest.mark.parametrize(
    "text",
    [
        "this traffic is killing me, I want to kill myself",
        "I want to kill myself, this traffic is killing me",
        "me muero de hambre pero la verdad me quiero morir",
        "dead tired. i wish i was dead",
        "took all my pills for my headache",
        "I killed it at work today and tonight I'm going to end my life",
    ],
)
def test_an_idiom_does_not_hide_a_real_crisis(text: str) -> None:
    assert detect(text) is not None, text


def test_detection_shape() -> None:
    found = detect("I want to kill myself")
    assert isinstance(found, Detection)
    assert dataclasses.is_dataclass(found)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.category = "x"  # type: ignore[misc]
    assert found.category == "suicide" and found.language == "en"
    assert found.term and "i want" not in found.term.lower()
    es = detect("mi esposo me golpea")
    assert es is not None and es.category == "abuse" and es.language == "es"


def test_term_is_a_lexicon_entry_not_the_message() -> None:
    terms: set[str] = set()
    for path in builtin_paths():
        data, _ = crisis_detect._read_file(path, {})
        terms |= {e.term for e, _ in data.phrases + data.patterns + data.compact}
    for s in CRISIS:
        found = detect(s.text)
        assert found is None or found.term in terms, (s.text, found)


def test_priority_reports_the_most_urgent_category() -> None:
    found = detect("everyone would be better off without me so I am going to kill myself")
    assert found is not None and found.category == "suicide"
    matches = load_lexicon().matches("everyone would be better off without me so I am going to kill myself")
    assert [m.category for m in matches][:1] == ["suicide"]
    assert "indirect" in {m.category for m in matches}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # An idiom must never swallow a real threat that shares its words.
        ("my husband is going to kill me", "danger"),
        ("this headache is going to kill me", None),
        ("he hit me with a belt", "abuse"),
        ("he hit me up last night", None),
        ("he threw me off the balcony", "abuse"),
        ("she threw me a surprise party", None),
        ("I cut myself on purpose", "self_harm"),
        ("I cut myself shaving", None),
        ("when i'm gone for good nobody will care", "indirect"),
        ("when i'm gone on vacation who runs group?", None),
        ("i can't go on this way", "indirect"),
        ("i can't go on thursday", None),
        ("i took my pills", None),
        ("i took all my pills", "means"),
        ("he beat me at chess", None),
        ("he beat me at home again", "abuse"),
        ("el me va a matar", "danger"),
        ("este calor me va a matar", None),
        ("en el puente no hay reunion", None),
        ("estoy en el puente", "means"),
    ],
)
def test_idioms_never_hide_the_threat_beside_them(text: str, category: str | None) -> None:
    found = detect(text)
    if category is None:
        assert found is None, (text, found)
    else:
        assert found is not None and found.category == category, (text, found)


def test_squeezing_short_words_does_not_collide() -> None:
    assert squeeze("proud off myself") == "proud off myself"
    assert detect("I'm proud of myself, 30 days sober") is None
    assert detect("i should just off myself") is not None
    assert detect("photo of a building") is None


def test_bare_object_words_rank_below_specific_matches() -> None:
    assert detect("pills") == Detection("means", "en", "pills")
    found = detect("he has a gun and he's drunk")
    assert found is not None and found.category == "danger"
    found = detect("he said if i leave he'll kill the kids")
    assert found is not None and found.category == "danger"


@pytest.mark.parametrize("text", ["", "   ", "?!", "\u200b", "🙂🙂", "0", "a" * 5000, "é" * 300])
def test_odd_input_never_raises(text: str) -> None:
    assert detect(text) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_detect_never_raises(text: str) -> None:
    found = detect(text)
    assert found is None or (found.category in CATEGORIES and found.language in {"en", "es"} and found.term)


@pytest.mark.parametrize("unit", ["a ", "i ", "me ", "he said ", "my husband ", "k i l l ", "the the ", "ñ", "😀"])
def test_long_repetitive_input_stays_linear(unit: str) -> None:
    text = (unit * 1600)[:1600]  # Twilio's longest message body
    start = time.process_time()
    detect(text)
    assert time.process_time() - start < 0.05


def test_long_text_with_crisis_at_the_end() -> None:
    text = "just checking in about the meeting. " * 40 + "i took a whole bottle of pills"
    found = detect(text)
    assert found is not None and found.category == "means"


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Kill...MySelf!!", "kill myself"),
        ("KILL MY SELF", "kill myself"),
        ("killlll myselfff", "kill myselff"),
        ("I'm   NOT   okay", "im not okay"),
        ("don’t", "dont"),
        ("¿Quién? ¡Sí! Mamá, daño, pegó", "quien si mama dano pego"),
        ("k1ll mys3lf", "kill myself"),
        ("$uicide", "suicide"),
        ("meeting at 7?", "meeting at 7"),
        ("better off w/o me, w/ them", "better off without me with them"),
        ("5 kms", "5 kms"),
        ("ＫＩＬＬ", "kill"),
        ("💊💊", "pills pills"),
        ("", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_squeeze_and_join() -> None:
    assert squeeze("killl myselff pills") == "kil myself pils"
    assert join_spelled("k i l l myself") == "kill myself"
    assert join_spelled("q u i e r o morir") == "quiero morir"
    assert join_spelled("i am a mess") == "i am a mess"


def test_normalise_is_idempotent_on_corpus() -> None:
    for s in SAMPLES:
        once = normalise(s.text)
        assert normalise(once) == once, s.text


# ---------------------------------------------------------------------------------------------
# Lexicon files
# ---------------------------------------------------------------------------------------------


def test_builtin_files_parse_and_cover_every_category() -> None:
    paths = builtin_paths()
    assert {p.name for p in paths} >= {"en.toml", "es.toml"}
    for path in paths:
        assert path.read_text(encoding="utf-8").lstrip().startswith("#"), f"{path} needs a comment header"
    lexicon = load_lexicon([])
    assert set(lexicon.languages) == {"en", "es"}
    for path in paths:
        data, _ = crisis_detect._read_file(path, {})
        cats = {e.category for e, _ in data.phrases} | {e.category for e, _ in data.patterns}
        assert cats == set(CATEGORIES), f"{path.name} lacks {set(CATEGORIES) - cats}"
        assert data.idioms, f"{path.name} has no idioms"


def test_default_lexicon_is_cached() -> None:
    assert load_lexicon() is load_lexicon()


def _write(directory: Path, name: str, body: str) -> Path:
    path = directory / name
    path.write_text(body, encoding="utf-8")
    return path


EXTRA = """
# a coordinator's additions
language = "en"
[phrases]
danger = ["code purple"]
[patterns.suicide]
bye_cruel = 'goodbye cruel \\w+'
[idioms]
phrases = ["code purple drill"]
"""


def test_extra_lexicon_dir_is_merged(tmp_path: Path) -> None:
    assert detect("code purple") is None
    _write(tmp_path, "local.toml", EXTRA)
    found = detect("CODE PURPLE!!", tmp_path)
    assert found == Detection("danger", "en", "code purple")
    assert detect("goodbye cruel world", tmp_path) == Detection("suicide", "en", "bye_cruel")
    assert detect("code purple drill at noon", tmp_path) is None
    assert detect("I want to kill myself", tmp_path) is not None, "built-ins still apply"
    assert tmp_path / "local.toml" in load_lexicon(extra_dir=tmp_path).paths
    assert detect("code purple") is None, "without the directory, the built-in lexicon alone"


def test_extra_dir_is_read_lazily(tmp_path: Path) -> None:
    assert detect("code purple", tmp_path) is None
    _write(tmp_path, "local.toml", EXTRA)
    crisis_detect.clear_lexicon_cache()
    assert detect("code purple", tmp_path) is not None


def test_extra_paths_argument(tmp_path: Path) -> None:
    lexicon = load_lexicon([_write(tmp_path, "x.toml", EXTRA)])
    assert lexicon.detect("code purple") == Detection("danger", "en", "code purple")
    assert lexicon.detect("me quiero matar") is not None


def test_extra_language_and_defs(tmp_path: Path) -> None:
    body = """
language = "es"
[patterns.danger]
miedo_tio = 'miedo (?:de|a) mi tio abuelo'
[patterns.abuse]
persona_reused = 'mi {persona} me grita'
"""
    lexicon = load_lexicon([_write(tmp_path, "es-local.toml", body)])
    assert Detection("danger", "es", "miedo_tio") in lexicon.matches("le tengo miedo a mi tío abuelo")
    assert lexicon.detect("mi padrastro me grita") == Detection("abuse", "es", "persona_reused")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('language = "en"\n[phrases]\nsadness = ["x"]\n', "unknown category"),
        ('[phrases]\nsuicide = ["x"]\n', "language"),
        ("language = \"en\"\n[patterns.suicide]\nbad = '(unclosed'\n", "bad regex"),
        ("language = \"en\"\n[patterns.suicide]\nbad = '{nope} x'\n", "unknown {nope}"),
        ('language = "en"\n[compact]\nsuicide = ["kms"]\n', "too short"),
        ('language = "en"\nphrasez = []\n', "unknown keys"),
        ('language = "en"\n[phrases\n', "not valid TOML"),
        ('language = "en"\n[texting]\n"two words" = "x"\n', "texting"),
    ],
)
def test_bad_extra_file_raises_when_loaded_explicitly(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(LexiconError, match=message.replace("{", r"\{").replace("}", r"\}")):
        load_lexicon([_write(tmp_path, "bad.toml", body)])


def test_bad_extra_file_in_the_extra_dir_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _write(tmp_path, "a-bad.toml", "language = \"en\"\n[patterns.suicide]\nbad = '(unclosed'\n")
    _write(tmp_path, "b-good.toml", EXTRA)
    with caplog.at_level(logging.ERROR, logger="flows.crisis_detect"):
        assert detect("code purple", tmp_path) is not None
        assert detect("I want to kill myself", tmp_path) is not None
    assert "a-bad.toml" in caplog.text


def test_missing_extra_dir_falls_back_to_builtins(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="flows.crisis_detect"):
        assert detect("kms", tmp_path / "nope") is not None
    assert "not a directory" in caplog.text


def test_import_reads_no_files(tmp_path: Path) -> None:
    """Importing the module must not load the lexicon (it is read on the first detect())."""
    code = (
        "import flows.crisis_detect as c\n"
        "assert c._default_lexicon.cache_info().currsize == 0\n"
        "assert c.detect('kms') is not None\n"
        "assert c._default_lexicon.cache_info().currsize == 1\n"
    )
    env = dict(os.environ)
    root = Path(crisis_detect.__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code], cwd=root, env=env, check=True, timeout=60)
