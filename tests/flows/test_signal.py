"""The discreet signal: SIGNAL <word>, confirmed; the word alone later escalates while the reply looks ordinary."""
from __future__ import annotations

import pytest
from rq import Queue

from tests.support.harness import Harness, member_number
from textline.core.jobs import ESCALATE_STEP
from textline.models import cases, members, signals

M1, M2, MX = member_number(831), member_number(832), "+525512345678"
#: Nothing in the ordinary reply may tell a reader over the member's shoulder what happened.
CRISIS_WORDS = ("crisis", "help", "ayuda", "staff", "equipo", "alert", "aviso", "988", "911", "danger", "peligro",
                "safe", "signal", "señal", "case", "caso", "emergency")


def crisis_jobs(line: Harness) -> list[tuple[str, tuple[object, ...]]]:
    """The ladder rounds queued (the signal's case opens in the webhook, its first round is a job)."""
    return [(job.func_name, job.args) for job in Queue("crisis", connection=line.line.rq).jobs
            if job.func_name == ESCALATE_STEP]


def sets_signal(line: Harness, phone: str, word: str) -> None:
    member = line.member(phone)
    confirm = member.texts(f"SIGNAL {word}")[0]
    assert "YES" in confirm and word.upper() not in confirm.upper()  # never echoed: a screen may be seen
    member.texts("YES")


def test_setting_a_signal_is_confirmed_and_the_word_is_not_stored(line: Harness) -> None:
    member = line.member(M1).joins()
    assert "No signal word set" in member.texts("SIGNAL")[0]
    [confirm] = member.texts("signal Bluebird")
    assert "BLUEBIRD" not in confirm.upper() and "YES" in confirm
    assert member.texts("no") == ["OK, nothing changed."]
    assert not signals.is_set(line.r, M1)
    member.texts("SIGNAL bluebird")
    [done] = member.texts("yes")
    assert done.startswith("Done.") and "Thanks, noted." in done
    assert "is set" in member.texts("SIGNAL")[0]
    dump = str({k: line.r.hgetall(k) for k in line.r.keys("tl:member:*") if line.r.type(k) == "hash"})
    assert "BLUEBIRD" not in dump.upper()


def test_the_signal_opens_a_case_by_signal_with_an_ordinary_reply(line: Harness) -> None:
    line.member(M1).joins()
    sets_signal(line, M1, "bluebird")
    [reply] = line.member(M1).texts("  Bluebird! ")
    assert reply == "Thanks, noted."
    assert not any(word in reply.lower() for word in CRISIS_WORDS)
    [case] = cases.all_cases(line.r)  # opened in the webhook, like a crisis text's case
    assert (case.phone, case.category, case.status) == (M1, cases.SIGNAL, cases.CaseStatus.OPEN)
    [(func, args)] = crisis_jobs(line)
    assert func == ESCALATE_STEP and args == (case.id, 1)
    assert M1 not in str(args)  # jobs carry ids only
    [event_id] = line.r.keys("tl:case:signal:*")
    event = signals.event(line.r, event_id.rsplit(":", 1)[1])
    assert event is not None and event["phone"] == M1 and event["via"] == "signal"


def test_spanish_member_gets_a_spanish_ordinary_reply(line: Harness) -> None:
    member = line.member(MX)
    member.texts("hola")
    member.texts("YES")
    [confirm] = member.texts("SEÑAL colibrí")
    assert confirm.startswith("Tu palabra señal sera") and "COLIBRI" not in confirm.upper()
    assert member.texts("sí")[0].startswith("Listo.")
    [reply] = member.texts("Colibri")
    assert reply == "Gracias, anotado."
    assert not any(word in reply.lower() for word in CRISIS_WORDS)
    assert len(crisis_jobs(line)) == 1


def test_the_ordinary_reply_is_the_next_meeting(line: Harness) -> None:
    assert line.cli("groups", "add", "River Circle", "--code", "RIVER").exit_code == 0
    assert line.cli("meetings", "add", "RIVER", "--at", "2099-03-03 19:00", "--where", "the library").exit_code == 0
    member = line.member(M1).joins()
    member.texts("JOIN RIVER")
    sets_signal(line, M1, "bluebird")
    [reply] = member.texts("BLUEBIRD")
    assert "library" in reply and reply == member.texts("NEXT")[0]
    assert len(crisis_jobs(line)) == 1


@pytest.mark.parametrize("word", ["stop", "Cancel", "END", "help", "menu", "plan", "remind", "yes", "skip",
                                  "call", "next", "voice", "sms", "hello", "thanks", "gracias", "lunes", "tired",
                                  "three", "cinco"])
def test_keywords_commands_and_common_words_are_refused(line: Harness, word: str) -> None:
    [refused] = line.member(M1).joins().texts(f"SIGNAL {word}")
    assert "too common" in refused
    assert not signals.is_set(line.r, M1)


@pytest.mark.parametrize("word", ["no", "si", "on", "two words", "1234", "b1rd", "x" * 21])
def test_a_signal_is_one_word_of_3_to_20_letters(line: Harness, word: str) -> None:
    [refused] = line.member(M1).joins().texts(f"SIGNAL {word}")
    assert "one word of 3 to 20 letters" in refused or "too common" in refused


def test_only_the_word_alone_and_only_from_its_member(line: Harness) -> None:
    line.member(M1).joins()
    line.member(M2).joins()
    sets_signal(line, M1, "bluebird")
    assert "peer is on call" in line.member(M1).texts("a bluebird sang today")[0]  # free text, for a peer
    assert "peer is on call" in line.member(M2).texts("bluebird")[0]
    assert crisis_jobs(line) == []


def test_signal_off_removes_it(line: Harness) -> None:
    line.member(M1).joins()
    sets_signal(line, M1, "bluebird")
    assert line.member(M1).texts("SIGNAL OFF") == ["Your signal word is removed."]
    assert "peer is on call" in line.member(M1).texts("bluebird")[0]
    assert crisis_jobs(line) == []


def test_an_opted_out_member_is_escalated_and_hears_nothing(line: Harness) -> None:
    line.member(M1).joins()
    sets_signal(line, M1, "bluebird")
    line.member(M1).texts("STOP")
    assert line.member(M1).texts("bluebird") == []
    assert len(crisis_jobs(line)) == 1
    assert members.is_opted_out(line.r, M1)


def test_the_signal_works_in_the_middle_of_a_walk_through(line: Harness) -> None:
    member = line.member(M1).joins()
    sets_signal(line, M1, "bluebird")
    member.texts("REMIND")
    assert member.texts("bluebird") == ["Thanks, noted."]
    assert len(crisis_jobs(line)) == 1
