"""Text requests (issue #15): a member's own words reach a person.

Free text (not a keyword, a command, an answer to the member's flow, or a short acknowledgement)
opens a text request in the one peer queue, or joins the member's open one; the member is told
honestly that a peer will read it and roughly when. Once a peer has taken it, what the member
texts is relayed to that peer (`[14 Sam] <text>`); flows/relay.py carries the peer's side.

The seam with the risk assessment (issue #14): a `concern` opens (or raises) the member's text
request at priority high through `open_text_request(turn, risk)`.

Stages (the engine lists them): `stop_stage` (a STOP ends the member's conversation, the peer is
told; compliance answers after), `member_relay_stage` (a member in a taken conversation),
`pending_stage` (a number that has not said YES: its words are kept for after YES) and
`free_text_stage` (last: typo commands, acknowledgements, then free text).
"""
from __future__ import annotations

from dataclasses import replace

from flows import answers, consent, registry
from flows.compliance import STOP_WORDS
from flows.inbound import Channel
from flows.outcome import Effect, Outcome, SendText
from flows.turn import Turn
from textline.core import gsm
from textline.models import members
from textline.models import requests as callbacks
from textline.models.members import MemberStatus
from textline.models.outbound import Kind
from textline.models.requests import Callback, Status, transcript
from textline.models.requests import texts as cb_texts
from textline.models.requests import times as cb_times

#: A relayed text is at most two segments (a basic phone shows them well).
RELAY_LIMIT = 2 * gsm.GSM7_CONCAT
HIGH_RISKS = ("concern", "crisis")


def open_text_request(turn: Turn, risk: str = "none") -> Outcome:
    """Open (or join) the member's text request with this turn's text at `risk`; what to tell them.

    `risk` is "none", "concern" or "crisis" (concern and crisis are priority high). The outcome's
    replies are the member's answer after any resource the caller already gave. A number that has
    not said YES keeps its words for after YES, unless the risk is concern or crisis.
    """
    text = turn.inbound.text or ""
    pending = turn.member is None or turn.member.status == MemberStatus.PENDING
    if pending and risk not in HIGH_RISKS:
        transcript.keep_pending(turn.line, turn.phone, text)
        return Outcome.say(turn.text("conv_pending_kept"))
    return open_with(turn, [text], risk)


def open_with(turn: Turn, texts: list[str], risk: str = "none") -> Outcome:
    """The member's words into their open text request, or a new one; the honest answer."""
    line, phone = turn.line, turn.phone
    existing = callbacks.open_request_id(line, phone, callbacks.Kind.TEXT)
    cb = callbacks.get(line.r, existing) if existing else None
    if cb is not None:
        callbacks.raise_risk(line.r, cb, risk)
        for text in texts:
            transcript.add(line, cb.id, transcript.MEMBER, text)
        if cb.status == Status.TAKEN:
            return Outcome(effects=[e for text in texts for e in to_peer(turn, cb, text)])
        return Outcome.say(_where(turn, cb, again=True))
    reason = {"concern": "concern", "crisis": "crisis"}.get(risk, "text")
    request_id = callbacks.create(line, phone, reason=reason, kind=callbacks.Kind.TEXT, risk=risk)
    if request_id is None:  # opened by a message a moment ago: join it
        return open_with(turn, texts, risk)
    for text in texts:
        transcript.add(line, request_id, transcript.MEMBER, text)
    callbacks.schedule_notify(line, request_id, callbacks.Kind.TEXT)
    cb = callbacks.get(line.r, request_id)
    assert cb is not None
    return Outcome.say(_where(turn, cb, again=False))


def _where(turn: Turn, cb: Callback, *, again: bool) -> str:
    """Honest: a peer will read it, in about how long, or nobody is on call (with the resource)."""
    estimate = cb_times.estimate(turn.line, callbacks.ahead_of(turn.r, cb.id), callbacks.taken_count(turn.r))
    if estimate.peers == 0:
        if again:
            return turn.text("conv_added_no_peer")
        if cb.risk in HIGH_RISKS:  # the risk stage's answer gave the resource just before this one
            return turn.text("conv_opened_no_peer_after_resource")
        return turn.text("conv_opened_no_peer", resource=gsm.fit(turn.line.settings.resource(turn.language)))
    if again:
        return turn.text("conv_added")
    return turn.text("conv_opened", wait=cb_times.wait_words(turn.line, turn.language, estimate.minutes))


def member_kind(line_member: members.Member | None) -> Kind:
    """Relays to a number that has not said YES (a concern, opened at once) go as crisis texts."""
    return Kind.REPLY if line_member is not None and line_member.active else Kind.CRISIS


def relay_body(prefix: str, text: str) -> tuple[str, bool]:
    """`prefix text`, GSM-7 fitted and at most two segments; whether it was cut."""
    whole = gsm.fit(f"{prefix}{text}".strip())
    cut = gsm.truncate(whole, RELAY_LIMIT)
    return cut, cut != whole


def to_peer(turn: Turn, cb: Callback, text: str) -> list[Effect]:
    """A member's text to the peer holding their conversation, as `[14 Sam] <text>`, in pieces of two
    segments at most (a member's long text reaches the peer whole)."""
    language = cb_texts.language_of_staff(turn.line, cb.taken_by)
    prefix = f"[{cb.id} {cb_texts.member_name(turn.line, cb, language)}] "
    effects: list[Effect] = []
    rest, part = gsm.fit(" ".join(text.split())), 0
    mark = turn.inbound.sid or turn.now.isoformat()
    while rest and part < 6:
        body, cut = relay_body(prefix, rest)
        if cut:
            body = body[:-3].rstrip()
        effects.append(SendText(cb.taken_by, body, kind=Kind.ALERT, dedupe=f"conv:{cb.id}:m:{mark}:{part}",
                                ref=transcript.ref(cb.id)))
        rest = rest[len(body) - len(prefix):].strip() if cut else ""
        part += 1
    return effects


def _taken_conversation(turn: Turn) -> Callback | None:
    request_id = turn.open_text_id()  # read with the turn's state: no request, no further read
    cb = callbacks.get(turn.r, request_id) if request_id else None
    return cb if cb is not None and cb.status == Status.TAKEN else None


def held_for(turn: Turn) -> bool:
    """A peer holds this member's text conversation now (SMS)."""
    if turn.staff is not None or turn.inbound.channel != Channel.SMS:
        return False
    return _taken_conversation(turn) is not None


def relay_if_held(turn: Turn) -> list[Effect]:
    """A member's crisis text while a peer holds their conversation: the peer reads it too (the risk
    stage answered it and opened the case; the conversation goes on)."""
    if turn.staff is not None or turn.inbound.channel != Channel.SMS or not turn.inbound.text:
        return []
    cb = _taken_conversation(turn)
    if cb is None:
        return []
    transcript.add(turn.line, cb.id, transcript.MEMBER, turn.inbound.text)
    return to_peer(turn, cb, turn.inbound.text)


def stop_stage(turn: Turn) -> Outcome | None:
    """A member's STOP ends their text request (the peer holding it is told); compliance answers after."""
    told = turn.inbound.opt_out_type.upper()
    if told != "STOP" and (told or turn.inbound.keyword not in STOP_WORDS):
        return None
    request_id = callbacks.open_request_id(turn.line, turn.phone, callbacks.Kind.TEXT)
    cb = callbacks.get(turn.r, request_id) if request_id else None
    if cb is None:
        return None
    moved = callbacks.withdraw(turn.line, cb)
    effects: list[Effect] = []
    if moved.ok and moved.holder:
        body = cb_texts.to_peer(turn.line, cb, moved.holder, "conv_member_stopped")
        effects.append(SendText(moved.holder, body, kind=Kind.ALERT, dedupe=f"conv:{cb.id}:stopped",
                                ref=transcript.ref(cb.id)))
    return Outcome(effects=effects, go_on=True)


def member_relay_stage(turn: Turn) -> Outcome | None:
    """A member whose text request a peer holds: what they write goes to that peer (a bare command
    word, MENU or CHECKIN, is still the command, and a flow under way gets its answers)."""
    if turn.staff is not None or turn.inbound.channel != Channel.SMS or not turn.inbound.text:
        return None
    word = turn.inbound.keyword
    if word in registry.command_words() and not word.isdigit():
        return None
    if turn.session() is not None:
        return None  # a flow under way (REMIND, a check-in) answers first: its answers are its own
    cb = _taken_conversation(turn)
    if cb is None:
        return None
    transcript.add(turn.line, cb.id, transcript.MEMBER, turn.inbound.text)
    return Outcome(effects=to_peer(turn, cb, turn.inbound.text))


def _is_free_text(turn: Turn) -> bool:
    text = turn.inbound.text or ""
    word = turn.inbound.keyword
    if not text.strip() or turn.inbound.digits or word.isdigit() or answers.is_ack(text):
        return False
    if answers.yes_no(text) is not None:
        return False  # a bare yes or no answers nothing now: the pointer to the menu
    if registry.find_command(word) or registry.find_command(turn.inbound.command):
        return False
    return _typo_command(turn) is None


def _typo_command(turn: Turn) -> str | None:
    """A member's message that is a command word with a typo, alone or with a number (`CHEKIN`, `CHEKIN 3`);
    a longer message is their own words, whatever its first word looks like."""
    words = turn.inbound.words
    if not words or len(words) > 2 or (len(words) == 2 and not words[1].isdigit()):
        return None
    return registry.correct_command(turn.inbound.command)


def pending_stage(turn: Turn) -> Outcome | None:
    """A number that has not said YES: its own words are kept for a peer to read after YES."""
    if turn.staff is not None or turn.inbound.channel != Channel.SMS:
        return None
    member = turn.member
    if member is not None and member.status != MemberStatus.PENDING:
        return None
    if turn.inbound.keyword == "YES" or answers.is_greeting(turn.inbound.text) or not _is_free_text(turn):
        return None
    transcript.keep_pending(turn.line, turn.phone, turn.inbound.text)
    if member is None:
        return None  # first contact: the welcome asks for consent, the words wait
    return Outcome.say(turn.text("conv_pending_kept"))


def after_yes(turn: Turn, kept: list[str]) -> Outcome | None:
    """After YES: the words kept from before (taken with the activation) reach a peer."""
    if not kept:
        return None
    joined = replace(turn, member=members.get(turn.r, turn.phone))
    return open_with(joined, kept)


consent.AFTER_CONSENT.append(consent.AfterConsent(transcript.take_pending_queued, after_yes))


def free_text_stage(turn: Turn) -> Outcome | None:
    """The last stage for a member: a command word with a typo, an acknowledgement, else free text."""
    if turn.staff is not None or turn.member is None or turn.inbound.channel != Channel.SMS:
        return None
    fixed = _typo_command(turn)
    if fixed:
        rest = turn.inbound.rest
        handler = registry.find_command(fixed)
        corrected = replace(turn, inbound=replace(turn.inbound, text=f"{fixed} {rest}".strip()))
        found = handler(corrected) if handler else None
        if found is not None:
            return found
    if answers.is_ack(turn.inbound.text):
        return Outcome.say(turn.text("conv_ack"))
    if not _is_free_text(turn) or not turn.member.active:
        return None
    return open_text_request(turn)
