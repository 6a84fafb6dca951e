"""Risk of a member's text: crisis, concern or none (the lexicon and the trained model together).

``assess(text, language)`` is meant to run first on every member text and spoken phrase. It
gathers three kinds of evidence and decides:

1. context (``flows.risk_context``): clauses that are negated, told as past, reported (news,
   school) or joking are set aside; someone else in danger now is found;
2. the crisis lexicon (``flows.crisis_detect.detect``) on what is left: precise, explainable;
   and cues of a crisis told without a crisis word (``flows.risk_cues``: goodbyes,
   preparations, euphemisms), which count like an indirect lexicon statement;
3. the model (``flows.risk_model``) on what is left: two probabilities, crisis and alert
   (crisis or concern), which read what the lexicon has no entry for.

Then (``decide``; the thresholds are chosen by ``bench/train_risk.py`` on out-of-fold scores
and stored in the model file):

- crisis: someone else is in danger now; or a lexicon match the model does not contradict
  (crisis probability >= the match's confirmation threshold, see ``Thresholds``); or the model
  alone is sure enough (>= ``crisis``);
- concern: any other lexicon match or cue (also a lexicon match set aside as a joke); or alert
  probability >= ``concern``;
- none otherwise.

``Risk.reasons`` are short labels for staff and logs ("lexicon suicide: kill myself",
"model crisis 0.91", "set aside: negated"), never the member's words beyond a lexicon term.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from pathlib import Path

from flows.crisis_detect import Detection, detect, normalise
from flows.risk_context import Context, read_context
from flows.risk_cues import find_cue
from flows.risk_model import RiskModel, Scores, load_model

__all__ = ["DEFAULT_THRESHOLDS", "Evidence", "Level", "Risk", "Thresholds", "assess", "decide", "gather"]


class Level(enum.StrEnum):
    """How a text is answered: see SPEC.md, "Risk: crisis, concern, none"."""

    CRISIS = "crisis"
    CONCERN = "concern"
    NONE = "none"


@dataclass(frozen=True)
class Thresholds:
    """Model probabilities at which each rule fires.

    A lexicon match is a crisis when the model's crisis probability reaches the confirmation
    threshold of its category: ``confirm`` for the categories that name the danger (suicide,
    self_harm, danger, harm_others, abuse), ``confirm_indirect`` for indirect statements (which
    also describe distress without danger), ``confirm_means`` for a method or place (which has
    literal uses: "rope for the clothesline", "on the bridge waiting for the bus").
    """

    crisis: float  # the model's crisis probability alone makes a crisis
    confirm: float
    confirm_indirect: float
    confirm_means: float
    concern: float  # the alert probability alone makes a concern

    def for_match(self, found: Detection) -> float:
        """The crisis probability a lexicon match needs to be a crisis."""
        if found.category == "means":
            return self.confirm_means
        if found.category == "indirect":
            return self.confirm_indirect
        return self.confirm


#: Used only when the model file carries no thresholds of its own.
DEFAULT_THRESHOLDS = Thresholds(crisis=0.8, confirm=0.0, confirm_indirect=0.3, confirm_means=0.4, concern=0.4)


@dataclass(frozen=True)
class Risk:
    """The assessment of one text."""

    level: Level
    score: float  # the model's crisis probability for the text as read (1.0 for someone else in danger)
    reasons: tuple[str, ...]
    #: The lexicon's match on the text as read (its category and term go on a case), if any.
    detection: Detection | None = field(default=None, compare=False)
    #: What opened it, for a case's category: the lexicon's category, "third_party", a cue, or "model".
    kind: str = field(default="", compare=False)
    #: The model's alert probability (crisis or concern) for the text as read.
    alert: float = field(default=0.0, compare=False)


@dataclass(frozen=True)
class Evidence:
    """What ``decide`` reads: the context, the lexicon's match and the model's scores."""

    context: Context
    detection: Detection | None  # on the kept text
    cue: str | None  # a goodbye, preparation or euphemism in the kept text (flows.risk_cues)
    set_aside: Detection | None  # on the whole text, when clauses were set aside and matched
    scores: Scores  # on the kept text


def gather(text: str, model: RiskModel, extra_dir: Path | None = None) -> Evidence:
    """Read the context, then run the lexicon (with a site's ``extra_dir``) and the model on what is left."""
    context = read_context(text)
    kept = context.kept.strip()
    detection = detect(kept, extra_dir) if kept else None
    cue = find_cue(normalise(kept)) if kept else None
    set_aside = detect(text, extra_dir) if context.set_aside and detection is None else None
    scores = model.score(kept) if kept else Scores(0.0, 0.0)
    if len(kept) > LONG:  # the risk buried mid-way through a long chatty text: its sentence scored alone too
        for part in sentences(kept):
            found = model.score(part)
            scores = Scores(max(scores.crisis, found.crisis), max(scores.alert, found.alert))
    return Evidence(context, detection, cue, set_aside, scores)


#: A text longer than this (characters) is also scored sentence by sentence, the highest score kept.
LONG = 100
_SENTENCE = re.compile(r"[^.!?;\n]+")


def sentences(text: str) -> list[str]:
    """The sentences of a long text worth scoring alone (a few words at least)."""
    return [p.strip() for p in _SENTENCE.findall(text) if len(p.split()) >= 3 and len(p) < len(text)]


def decide(evidence: Evidence, thresholds: Thresholds) -> tuple[Level, tuple[str, ...]]:
    """The level for a text's evidence, with its reasons."""
    crisis_p, alert_p = evidence.scores.crisis, evidence.scores.alert
    reasons = [f"model crisis {crisis_p:.2f} alert {alert_p:.2f}"]
    found = evidence.detection
    if found is not None:
        reasons.insert(0, f"lexicon {found.category}: {found.term}")
    if evidence.cue is not None:
        reasons.insert(0 if found is None else 1, f"cue: {evidence.cue}")
    if evidence.context.set_aside:
        reasons.append("set aside: " + ", ".join(dict.fromkeys(evidence.context.set_aside)))
    if evidence.set_aside is not None:
        reasons.append(f"set-aside lexicon {evidence.set_aside.category}: {evidence.set_aside.term}")
    if evidence.context.third_party is not None:
        return Level.CRISIS, (f"someone else in danger: {evidence.context.third_party}", *reasons)
    if found is not None and crisis_p >= thresholds.for_match(found):
        return Level.CRISIS, tuple(reasons)
    if found is None and evidence.cue is not None and crisis_p >= thresholds.confirm_indirect:
        return Level.CRISIS, tuple(reasons)
    if crisis_p >= thresholds.crisis:
        return Level.CRISIS, tuple(reasons)
    if found is not None or evidence.cue is not None or alert_p >= thresholds.concern:
        return Level.CONCERN, tuple(reasons)
    if evidence.set_aside is not None and "joke" in evidence.context.set_aside:
        return Level.CONCERN, tuple(reasons)
    return Level.NONE, tuple(reasons)


def thresholds_of(model: RiskModel) -> Thresholds:
    """The thresholds stored with the model (chosen when it was trained), else the defaults."""
    stored = model.thresholds
    if not stored:
        return DEFAULT_THRESHOLDS
    return Thresholds(**{name: float(stored[name]) for name in Thresholds.__dataclass_fields__})


def assess(text: str, language: str | None = None, *, extra_dir: Path | None = None) -> Risk:
    """Assess one member text (or spoken phrase).

    ``language`` is the member's language if known ("en", "es"); both languages' lexicons and
    context rules are applied whatever it is, because members mix them, so it only matters to
    callers that log it. ``extra_dir`` is a site's extra lexicon (``[crisis] lexicon_dir``): its
    entries are the site's explicit word, so a match there is a crisis whatever the model says.
    """
    del language  # see the docstring: every language's rules always apply
    if not text or not text.strip():
        return Risk(Level.NONE, 0.0, ())
    model = load_model()
    evidence = gather(text, model, extra_dir)
    level, reasons = decide(evidence, thresholds_of(model))
    found = evidence.detection
    if (extra_dir is not None and found is not None and level is not Level.CRISIS
            and detect(evidence.context.kept.strip()) != found):
        level, reasons = Level.CRISIS, (*reasons, "site lexicon")  # matched only thanks to the site's entries
    score = 1.0 if evidence.context.third_party is not None else round(evidence.scores.crisis, 4)
    if evidence.context.third_party is not None:
        kind = "third_party"
    elif found is not None:
        kind = found.category
    else:
        kind = evidence.cue or "model"
    return Risk(level, score, reasons, found, kind, round(evidence.scores.alert, 4))
