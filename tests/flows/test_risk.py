"""Tests for flows.risk: the assessment (crisis / concern / none), its context rules and its model file."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.risk_data import FINAL_BLOCK, NEW_BLOCKS, RISK_CORPUS, read_corpus, read_file, training_rows
from flows import crisis_detect
from flows.crisis_detect import CATEGORIES
from flows.risk import Level, Risk, Thresholds, assess, decide, gather, thresholds_of
from flows.risk_context import read_context
from flows.risk_cues import find_cue
from flows.risk_features import char_hashes, features, pair_hashes, word_hash, words
from flows.risk_model import MAGIC, MODEL_PATH, ModelError, RiskModel, load_model, read_model

ROOT = Path(__file__).resolve().parents[2]
CRISIS_KINDS = {*CATEGORIES, "overdose", "preparation", "goodbye", "passive", "command", "third_party"}
BENIGN_KINDS = {"-", "negation", "past", "literal", "news", "school", "idiom"}


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------


def test_risk_corpus_is_well_formed() -> None:
    rows = read_file(RISK_CORPUS)
    assert all(r.language in {"en", "es"} for r in rows)
    assert all(r.kind in CRISIS_KINDS for r in rows if r.level == "crisis")
    assert all(r.kind in BENIGN_KINDS for r in rows if r.level == "none")
    assert all(r.kind == "-" for r in rows if r.level == "concern")
    missing = {(k, lang) for k in CRISIS_KINDS | BENIGN_KINDS for lang in ("en", "es")} - {
        (r.kind, r.language) for r in rows
    }
    assert not missing, f"no example of {sorted(missing)}"
    concern = Counter(r.language for r in rows if r.level == "concern")
    assert concern["en"] >= 50 and concern["es"] >= 30


def test_final_block_is_held_out() -> None:
    rows = read_corpus()
    final = [r for r in rows if r.block == FINAL_BLOCK]
    assert len(final) >= 300, "the final block is a few hundred texts"
    assert {r.level for r in final} == {"crisis", "concern", "none"}
    assert FINAL_BLOCK not in NEW_BLOCKS
    assert all(r.block != FINAL_BLOCK for r in training_rows(rows))
    trained = load_model().header["trained"]
    assert trained["left_out"] == FINAL_BLOCK
    assert trained["rows"] <= len(training_rows(rows))


# ---------------------------------------------------------------------------------------------
# assess() on labelled examples of every kind
# ---------------------------------------------------------------------------------------------

CRISIS_TEXTS = [
    ("suicide", "i want to kill myself"),
    ("suicide", "me quiero matar"),
    ("means", "i'm standing on the bridge"),
    ("means", "estoy en el puente"),
    ("overdose", "took like 30 of my klonopin and washed it down with vodka"),
    ("overdose", "me tomé todo el frasco de pastillas y me siento mareada"),
    ("preparation", "gave my dog to my neighbor and wrote letters to my kids"),
    ("preparation", "ya regalé mis cosas y escribí cartas para mis hijos"),
    ("goodbye", "goodbye everyone. thank you for everything"),
    ("goodbye", "adiós a todos, gracias por todo"),
    ("passive", "i hope i dont wake up tomorrow"),
    ("passive", "ojalá no despierte mañana"),
    ("command", "the voices are telling me to jump"),
    ("command", "las voces me dicen que me mate"),
    ("self_harm", "i cut myself again tonight"),
    ("self_harm", "me corté otra vez"),
    ("danger", "he has a gun and said he will kill me"),
    ("abuse", "mi esposo me golpea"),
    ("harm_others", "i'm going to stab him when he gets home"),
    ("harm_others", "voy a matar a ese cabrón"),
    ("indirect", "everyone would be better off without me"),
    ("indirect", "todos estarían mejor sin mí"),
    ("third_party", "my friend took a bunch of pills and won't wake up"),
    ("third_party", "mi amiga se tomó un montón de pastillas y no despierta"),
    ("third_party", "my sister says she's gonna do it"),
]


@pytest.mark.parametrize(("kind", "text"), CRISIS_TEXTS)
def test_crisis_texts_are_crisis(kind: str, text: str) -> None:
    risk = assess(text)
    assert risk.level is Level.CRISIS, (kind, text, risk)


@pytest.mark.parametrize(
    "text",
    [
        "i feel so alone tonight",
        "everything is too much lately",
        "me siento muy sola",
        "my anxiety is through the roof today",
        "no paro de llorar",
        "i'm safe, not thinking of hurting myself, just lonely",  # no danger, but lonely: a peer reads it
    ],
)
def test_distress_without_danger_is_concern(text: str) -> None:
    assert assess(text).level is Level.CONCERN, (text, assess(text))


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("negation", "not suicidal, just tired"),
        ("negation", "no es que me quiera morir, solo estoy cansada"),
        ("past", "2 years clean today"),
        ("past", "I attempted at 16, now I want to volunteer"),
        ("past", "intenté suicidarme a los 17 y ahora ayudo a otros"),
        ("past", "my ex used to hit me, that was 4 years ago"),
        ("school", "writing my psych paper on suicide prevention"),
        ("news", "did you see the news about the shooting downtown"),
        ("idiom", "kill me now lol"),
        ("-", "what time is group thursday"),
        ("-", "a qué hora es la reunión"),
    ],
)
def test_benign_texts_are_not_crisis(kind: str, text: str) -> None:
    risk = assess(text)
    assert risk.level is Level.NONE, (kind, text, risk)


# Found at integration (a concern or crisis answer replaces the peer conversation); round 19 of the corpus
# was written for them, and these exact texts are not in it.
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "one more thing"),
        ("en", "Hi Sam, I'm here. What's going on tonight?"),
        ("en", "Glad you reached out tonight"),
        ("en", "Text me back please"),
        ("en", "my roommate moved out and I have nobody"),  # lonely, no danger: concern at most
        ("en", "my landlord keeps shouting at me"),
        ("es", "tuve un dia largo, alguien puede escribirme un rato"),
        ("es", "hola, quiero platicar un rato con alguien"),
        ("es", "quiero contarle a alguien como me fue con mi hermana"),
        ("es", "me gustaria hablar de mi semana"),
    ],
)
def test_peer_line_conversation_is_not_crisis(language: str, text: str) -> None:
    risk = assess(text, language)
    assert risk.level is not Level.CRISIS, (text, risk)


@pytest.mark.parametrize(
    "text",
    [
        "not suicidal but i'm going to cut tonight",
        "i haven't cut in 3 months but i want to tonight",
        "i tried to kill myself last year and i feel like that again",
        "2 years clean but i relapsed tonight and i want to die",
        "did you see the news? i want to kill myself",
        "this traffic is killing me lol, i want to end my life",
    ],
)
def test_negation_past_and_jokes_never_hide_a_crisis_beside_them(text: str) -> None:
    assert assess(text).level is Level.CRISIS, (text, assess(text))


def test_a_crisis_buried_in_a_long_chatty_text_is_found() -> None:
    chat = "so the kids are fine and work is work, my sister visited sunday and we went to the park. " * 8
    text = (chat + "honestly though i've decided i'm going to end my life this weekend. " + chat)[:1600]
    assert assess(text).level is Level.CRISIS


def test_a_long_ordinary_text_is_not_a_crisis() -> None:
    text = ("so the kids are fine and work is work, my sister visited sunday and we went to the park. " * 20)[:1600]
    assert assess(text).level is Level.NONE


# ---------------------------------------------------------------------------------------------
# Context: what is set aside, and other people in danger
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "why", "kept"),
    [
        ("not suicidal, just tired", "negated", "just tired"),
        ("ya no me corto, llevo 3 meses", "negated", "llevo 3 meses"),
        ("I attempted at 16, now I want to volunteer", "past", "now I want to volunteer"),
        ("i used to want to die every day. not anymore. thank you all", "past", "thank you all"),
        ("hace un año estaba en el hospital, hoy estoy mucho mejor", "past", "hoy estoy mucho mejor"),
        ("writing my psych paper on suicide prevention", "report", ""),
        ("i took my meds and now i'm going to bed", "routine", "i'm going to bed"),
        ("if i hear that song one more time im gonna jump off a bridge haha", "joke", ""),
    ],
)
def test_context_sets_aside_clauses_not_about_now(text: str, why: str, kept: str) -> None:
    context = read_context(text)
    assert why in context.set_aside and context.kept == kept, context


@pytest.mark.parametrize(
    "text",
    [
        "i want to die",
        "i dont want to live anymore",
        "i can't stop cutting",
        "no puedo mas quiero morir",
        "i took all my pills",
    ],
)
def test_context_keeps_what_is_about_now(text: str) -> None:
    context = read_context(text)
    assert not context.set_aside and context.kept == text, context


def test_a_dated_clause_sets_aside_only_itself_unless_it_points_back() -> None:
    assert read_context("i want to kill myself, 3 years clean and it doesn't matter").kept == "i want to kill myself"
    assert read_context("i tried to kill myself, that was 5 years ago").kept == ""


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("my brother is on the bathroom floor and he won't respond", "unresponsive"),
        ("my roommate is standing on the ledge", "at a height"),
        ("my daughter cut herself and there's blood everywhere", "self-harm"),
        ("my dad is beating my mom right now", "violence"),
        ("mi hermana se está cortando en su cuarto", "self-harm"),
        ("mi hijo tuvo una sobredosis y casi no respira", "overdose"),
    ],
)
def test_other_people_in_danger_now(text: str, kind: str) -> None:
    assert read_context(text).third_party == kind
    risk = assess(text)
    assert risk.level is Level.CRISIS and risk.reasons[0] == f"someone else in danger: {kind}"


@pytest.mark.parametrize(
    "text",
    [
        "my brother died by suicide 10 years ago",
        "my dog ate ibuprofen, we're at the vet",
        "my husband is going hunting with his rifle",
        "my son won't respond to my texts lol",
        "my daughter has a project on overdose prevention",
        "mi hijo se cortó el pelo",
    ],
)
def test_other_people_not_in_danger_now(text: str) -> None:
    assert read_context(text).third_party is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("see you on the other side", "goodbye"),
        ("esta es mi despedida", "goodbye"),
        ("i've been stockpiling my pills", "preparation"),
        ("ya dejé todo arreglado", "preparation"),
        ("you won't have to worry about me after tonight", "euphemism"),
        ("the voices are telling me to jump", "command"),
        ("las voces me dicen que lo lastime", "command"),
    ],
)
def test_cues_without_a_crisis_word(text: str, kind: str) -> None:
    assert find_cue(crisis_detect.normalise(text)) == kind


# ---------------------------------------------------------------------------------------------
# The decision and its reasons
# ---------------------------------------------------------------------------------------------


def test_risk_shape_and_reasons_never_quote_the_text() -> None:
    text = "so my week was long and my landlord is a pain, anyway i want to kill myself tonight, sorry"
    risk = assess(text)
    assert isinstance(risk, Risk) and risk.level is Level.CRISIS and 0.0 <= risk.score <= 1.0
    assert risk.reasons and all(len(reason) <= 80 for reason in risk.reasons)
    assert not any("landlord" in reason or "sorry" in reason for reason in risk.reasons)
    assert any(reason.startswith("lexicon suicide") for reason in risk.reasons)
    assert any(reason.startswith("model crisis") for reason in risk.reasons)


def test_levels_are_the_spec_names() -> None:
    assert [level.value for level in Level] == ["crisis", "concern", "none"]
    assert Level("crisis") is Level.CRISIS


def test_thresholds_come_from_the_model_file() -> None:
    model = load_model()
    thresholds = thresholds_of(model)
    assert thresholds == Thresholds(**model.header["thresholds"])
    assert 0.0 <= thresholds.confirm <= thresholds.crisis <= 1.0 and 0.0 < thresholds.concern <= 1.0


def test_decide_follows_its_thresholds() -> None:
    model = load_model()
    evidence = gather("i feel so alone tonight", model)
    alert = evidence.scores.alert
    strict = Thresholds(crisis=1.0, confirm=1.0, confirm_indirect=1.0, confirm_means=1.0, concern=alert + 0.01)
    loose = Thresholds(crisis=1.0, confirm=1.0, confirm_indirect=1.0, confirm_means=1.0, concern=alert)
    assert decide(evidence, strict)[0] is Level.NONE
    assert decide(evidence, loose)[0] is Level.CONCERN
    match = gather("i want to kill myself", model)
    assert decide(match, strict)[0] is Level.CONCERN, "a lexicon match is at least a concern"


@pytest.mark.parametrize("text", ["", "   ", "?!", "\u200b", "🙂🙂", "0", "a" * 5000, "é" * 300, "\n\n"])
def test_odd_input(text: str) -> None:
    risk = assess(text)
    assert risk.level in set(Level)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_assess_never_raises(text: str) -> None:
    risk = assess(text, "en")
    assert risk.level in set(Level) and 0.0 <= risk.score <= 1.0


# ---------------------------------------------------------------------------------------------
# Features and the model file
# ---------------------------------------------------------------------------------------------


def test_features_are_crc32_of_padded_ngrams_and_words() -> None:
    assert words("Not SUICIDAL, just tired!") == ["not", "suicidal", "just", "tired"]
    assert char_hashes("hi") == [zlib.crc32(g) for g in (b" h", b"hi", b"i ", b" hi", b"hi ", b" hi ")]
    assert word_hash("die") == zlib.crc32(b"w die")
    assert pair_hashes(["to", "die"]) == [zlib.crc32(b"w to die")]
    assert features(["to", "die"]) == [
        *char_hashes("to"),
        word_hash("to"),
        *char_hashes("die"),
        word_hash("die"),
        *pair_hashes(["to", "die"]),
    ]


def test_hashing_does_not_depend_on_the_process() -> None:
    code = "from flows.risk_features import features, words; print(sum(features(words('quiero morir hoy'))))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
        for seed in ("1", "2", "random")
    }
    assert len(outputs) == 1 and int(outputs.pop()) == sum(features(words("quiero morir hoy")))


def test_model_file_matches_the_training_scripts_scores() -> None:
    """The training script stores a few texts with the probabilities it computed before quantising."""
    model = read_model(MODEL_PATH)
    checks = model.header["checks"]
    assert len(checks) >= 5
    for check in checks:
        scores = model.score(read_context(check["text"]).kept)
        assert scores.crisis == pytest.approx(check["crisis"], abs=0.02), check
        assert scores.alert == pytest.approx(check["alert"], abs=0.02), check


def test_model_file_is_small_and_complete() -> None:
    assert MODEL_PATH.stat().st_size < 512 * 1024
    model = read_model(MODEL_PATH)
    assert len(model.weights) == model.header["features"] > 1000
    assert set(model.header["thresholds"]) == set(Thresholds.__dataclass_fields__)


def test_scores_are_the_sum_of_word_weights() -> None:
    model = RiskModel({word_hash("die"): (2.0, 1.0), zlib.crc32(b"w to die"): (0.5, 0.0)}, (-1.0, -2.0), {})
    assert model.logits(["to", "die"]) == (1.5, -1.0)
    assert model.logits([]) == (-1.0, -2.0)


def test_long_texts_are_scored_in_windows() -> None:
    model = RiskModel({word_hash("die"): (3.0, 3.0)}, (-1.0, -1.0), {})
    long = ["ok"] * 200 + ["die"] + ["ok"] * 200
    assert model.logits(long) == (2.0, 2.0), "the window holding the word counts, not the text's length"


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"", "not a textline risk model"),
        (b"PK\x03\x04 something else", "not a textline risk model"),
        (MAGIC + (5).to_bytes(4, "little") + b"{bad}", "bad header"),
        (MAGIC + (15).to_bytes(4, "little") + b'{"features": 3}', "bad header"),
    ],
)
def test_bad_model_files_are_refused(tmp_path: Path, blob: bytes, message: str) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(blob)
    with pytest.raises(ModelError, match=message):
        read_model(path)


def test_truncated_model_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(MODEL_PATH.read_bytes()[:-10])
    with pytest.raises(ModelError, match="expected"):
        read_model(path)
    with pytest.raises(ModelError, match="cannot read"):
        read_model(tmp_path / "missing.bin")


def test_import_reads_no_model() -> None:
    """Importing flows.risk must not read the model file (it is read on the first assess())."""
    code = (
        "import flows.risk as r, flows.risk_model as m\n"
        "assert m.load_model.cache_info().currsize == 0\n"
        "r.assess('hi')\n"
        "assert m.load_model.cache_info().currsize == 1\n"
        "import sys; assert 'numpy' not in sys.modules, 'numpy in the webhook path'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
