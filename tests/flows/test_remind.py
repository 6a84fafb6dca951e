"""Personal reminders by SMS: REMIND walks through what, when and how; REMINDERS lists; REMIND STOP <n> removes."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.support.harness import Harness, member_number
from textline.core import gsm, timers
from textline.models import members
from textline.models import reminders_personal as store

M1, MX = member_number(841), "+525512345678"
MONDAY_NOON = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # 12:00 in New York


def test_a_reminder_is_set_step_by_step_listed_and_removed(line: Harness) -> None:
    line.set_clock(MONDAY_NOON)
    member = line.member(M1).joins()
    [what] = member.texts("REMIND")
    assert "step 1 of 3" in what and "60 characters" in what and "Only you" in what
    assert member.texts("Take my pills")[0].startswith("Step 2 of 3: when?")
    assert member.texts("8am")[0] == "Step 3 of 3: how? Reply 1 for a text or 2 for a call."
    assert member.texts("1") == ["Saved reminder 1: every day at 08:00. REMINDERS lists yours, "
                                 "REMIND STOP 1 removes it."]
    member.texts("Remind me to Call Dr Lee about the refill")
    member.texts("thu 14:30")
    assert "every Thu at 14:30" in member.texts("2")[0]
    assert member.texts("REMINDERS") == ["Your reminders:\n1) every day at 08:00: Take my pills\n"
                                         "2) every Thu at 14:30 (by call): Call Dr Lee about the refill\n"
                                         "REMIND STOP and a number removes one."]
    assert member.texts("REMIND STOP 1") == ["Reminder 1 removed."]
    assert member.texts("remind stop #1") == ["You have no reminder 1. Reply REMINDERS to see yours."]
    assert "like REMIND STOP 1" in member.texts("REMIND STOP")[0]
    assert [r.what for r in store.of_member(line.r, M1)] == ["Call Dr Lee about the refill"]
    assert [name for name, _ in timers.pending(line.r, "personal_reminder:")] == ["personal_reminder:2"]


def test_spanish_walk_through(line: Harness) -> None:
    line.set_clock(MONDAY_NOON)
    member = line.member(MX)
    member.texts("hola")
    member.texts("YES")
    assert member.texts("RECORDAR")[0].startswith("Recordatorio personal, paso 1 de 3")
    assert "LUN 09:00" in member.texts("Tomar la pastilla")[0]
    assert member.texts("lunes 9:00")[0].startswith("Paso 3 de 3")
    assert member.texts("1") == ["Recordatorio 1 guardado: cada lun a las 09:00. REMINDERS los muestra, "
                                 "REMIND STOP 1 lo quita."]
    assert member.texts("RECORDATORIOS")[0].startswith("Tus recordatorios:\n1) cada lun a las 09:00: Tomar la")
    assert member.texts("REMIND BORRAR 1") == ["Recordatorio 1 quitado."]
    assert member.texts("REMINDERS") == ["No tienes recordatorios. Responde REMIND para crear uno."]


def test_wrong_answers_are_asked_again(line: Harness) -> None:
    line.set_clock(MONDAY_NOON)
    member = line.member(M1).joins()
    member.texts("REMIND")
    assert "60 characters at most" in member.texts("x" * 61)[0]
    member.texts("Water the plants")
    assert member.texts("whenever")[0].startswith("Sorry, I couldn't read that time")
    assert member.texts("2026-03-01 09:00")[0].startswith("That time has already passed")
    member.texts("2026-03-10 09:00")
    assert member.texts("3")[0].startswith("Step 3 of 3")
    assert "on 2026-03-10 at 09:00" in member.texts("1")[0]


def test_at_most_five_reminders_and_the_list_fits_one_segment_per_text(line: Harness) -> None:
    line.set_clock(MONDAY_NOON)
    member = line.member(M1).joins()
    for n in range(store.MAX_PER_MEMBER):
        member.texts(f"REMIND {n} " + "w" * 58)
        member.texts(f"2026-12-0{n + 1} 09:00")
        assert member.texts("2")[0].startswith(f"Saved reminder {n + 1}")
    assert member.texts("REMIND") == ["You have 5 reminders already. REMIND STOP and a number removes one first."]
    listed = member.texts("REMINDERS")
    assert len(listed) > 1 and all(gsm.segments(text) == 1 for text in listed)
    assert sum(text.count("(by call)") for text in listed) == 5


def test_remind_stop_is_not_an_opt_out_but_stop_still_is(line: Harness) -> None:
    line.set_clock(MONDAY_NOON)
    member = line.member(M1).joins()
    member.texts("REMIND Stretch")
    member.texts("09:00")
    member.texts("1")
    member.texts("REMIND STOP 1")
    assert not members.is_opted_out(line.r, M1)
    [stopped] = member.texts("STOP")
    assert "opted out" in stopped
    assert members.is_opted_out(line.r, M1)
