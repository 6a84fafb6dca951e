"""The safety plan by SMS: PLAN EDIT builds it step by step (any step skipped), PLAN shows it in two segments."""
from __future__ import annotations

import logging

import pytest

from tests.support.harness import Harness, member_number
from textline.core import gsm
from textline.models import plans

M1, M2 = member_number(801), member_number(802)
MX = "+525512345678"


def test_a_plan_is_built_with_a_step_skipped_then_shown(line: Harness) -> None:
    member = line.member(M1).joins()
    assert "no plan yet" in member.texts("PLAN")[0]
    [ask] = member.texts("plan edit")
    assert "step 1 of 4" in ask and "warning signs" in ask and "SKIP" in ask
    assert "step 2 of 4" in member.texts("Not sleeping, staying in bed")[0].lower()
    [contacts] = member.texts("skip")
    assert "Step 3 of 4" in contacts and "name and number" in contacts
    assert member.texts("Ana 202-555-0101") == ["Saved Ana. Reply one more name and number, or SKIP to go on."]
    assert "Step 4 of 4" in member.texts("Bo (202) 555-0102")[0]
    assert member.texts("My kids, and the sea") == ["Your plan is saved. Reply PLAN any time to see it."]

    [shown] = member.texts("PLAN")
    assert shown == ("My plan\nWarning signs: Not sleeping, staying in bed\n"
                     "Contacts: Ana +12025550101, Bo +12025550102\nMy reason: My kids, and the sea\n"
                     "Reply PLAN EDIT to change it.")
    assert "What helps" not in shown  # the skipped step
    assert gsm.segments(shown) <= 2
    assert member.texts("5") == [shown]  # the menu's "5 My plan"


def test_spanish_walk_through(line: Harness) -> None:
    member = line.member(MX)
    member.texts("hola")
    member.texts("YES")
    [ask] = member.texts("PLAN EDITAR")
    assert ask.startswith("Tu plan, paso 1 de 4") and "¿qué señales" in ask
    assert member.texts("SALTAR")[0].startswith("Paso 2 de 4")
    assert member.texts("Caminar y llamar a mi hermana")[0].startswith("Paso 3 de 4")
    [more] = member.texts("Luz 55 1234 5679")
    assert more.startswith("Guardado: Luz.")
    assert member.texts("skip")[0].startswith("Paso 4 de 4")
    assert member.texts("Mis hijos")[0].startswith("Tu plan esta guardado")
    [shown] = member.texts("plan")
    assert shown.startswith("Mi plan\nMe ayuda: Caminar y llamar a mi hermana\nContactos: Luz +525512345679\n")
    assert "Mi razon: Mis hijos" in shown and "Señales" not in shown


def test_a_wrong_contact_or_a_long_answer_is_asked_again(line: Harness) -> None:
    member = line.member(M1).joins()
    member.texts("PLAN EDIT")
    [too_long] = member.texts("x " * 40)
    assert "50 characters at most" in too_long
    member.texts("Pacing at night")
    member.texts("SKIP")
    assert "valid number" in member.texts("Ana 555-1234")[0]
    assert "valid number" in member.texts("202-555-0101")[0]  # no name
    assert "valid number" in member.texts("just Ana")[0]
    assert member.texts("SKIP")[0].startswith("Step 4 of 4")
    member.texts("SKIP")
    plan = plans.get(line.r, M1)
    assert plan.signs == "Pacing at night" and plan.contacts == () and plan.reason == ""


def test_editing_again_keeps_skipped_steps_and_replaces_contacts(line: Harness) -> None:
    member = line.member(M1).joins()
    for answer in ("PLAN EDIT", "Pacing", "Music", "Ana 202-555-0101", "Bo 202-555-0102", "My dog"):
        member.texts(answer)
    for answer in ("PLAN EDIT", "skip", "Walking", "Cy 202-555-0103", "skip", "skip"):
        member.texts(answer)
    plan = plans.get(line.r, M1)
    assert (plan.signs, plan.helps, plan.reason) == ("Pacing", "Walking", "My dog")
    assert [c.name for c in plan.contacts] == ["Cy"]


def test_a_command_word_leaves_the_walk_through(line: Harness) -> None:
    member = line.member(M1).joins()
    member.texts("PLAN EDIT")
    assert member.texts("MENU")[0].startswith("Reply 1")
    assert "peer is on call" in member.texts("anything")[0]  # the member's own words, for a peer
    assert plans.get(line.r, M1).empty


@pytest.mark.parametrize(("phone", "label"), [(M1, "Warning signs:"), (MX, "Señales de alerta:")])
def test_crisis_followup_is_the_plan_in_two_segments_or_none(line: Harness, phone: str, label: str) -> None:
    """The crisis stage sends this right after the resource, as its second message."""
    language = "es" if phone == MX else "en"
    assert plans.crisis_followup(line.line, phone, language) is None
    now = line.line.now()
    plans.set_answer(line.r, phone, "signs", "s" * plans.MAX_ANSWER, now)
    plans.set_answer(line.r, phone, "helps", "h" * plans.MAX_ANSWER, now)
    plans.set_answer(line.r, phone, "reason", "r" * plans.MAX_ANSWER, now)
    for n in (1, 2, 3):
        plans.add_contact(line.r, phone, plans.Contact("N" * plans.MAX_NAME, member_number(810 + n)), now)
    text = plans.crisis_followup(line.line, phone, language)
    assert text is not None and text.startswith(("My plan", "Mi plan")) and label in text
    assert not text.endswith("...") and gsm.is_gsm7(text) and gsm.segments(text) == 2
    assert member_number(811) not in text  # only the newest two contacts are kept


def test_the_plan_never_reaches_the_logs(line: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    member = line.member(M2).joins()
    for answer in ("PLAN EDIT", "Bartholomew shouting", "Tea with Zelda", "Quentin 202-555-0199", "skip", "Ophelia"):
        member.texts(answer)
    member.texts("PLAN")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records
    for secret in ("Bartholomew", "Zelda", "Quentin", "5550199", "Ophelia"):
        assert secret not in logged
