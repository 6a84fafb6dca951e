"""A peer builds the plan with the member of a call-back (PLAN <n>); the member confirms each step."""
from __future__ import annotations

from tests.support.harness import Harness, member_number, staff_number
from textline.models import plans
from textline.models import requests as callbacks

M1, MX = member_number(821), "+525512345678"
PAT, SAM = staff_number(21), staff_number(22)


def taken_callback(line: Harness, member: str, peer: str) -> int:
    """A call-back request `peer` has taken. The status change stands in for the call-back feature's TAKE."""
    callback_id = callbacks.open_request(line.line, member)
    assert callback_id is not None
    line.r.hset(f"tl:callback:{callback_id}", mapping={"status": "taken", "taken_by": peer})
    return callback_id


def peer(line: Harness, phone: str, name: str = "Pat") -> None:
    assert line.cli("staff", "add", name, phone, "--role", "peer").exit_code == 0


def test_peer_builds_and_member_confirms_each_step(line: Harness) -> None:
    member = line.member(M1).joins()
    peer(line, PAT)
    n = taken_callback(line, M1, PAT)
    pat = line.member(PAT)

    [started] = pat.texts(f"PLAN {n}")
    assert started.startswith(f"Plan for call-back {n}, step 1 of 4") and "confirm" in started
    assert pat.texts("Isolating, not eating") == ["Step 2 of 4: text what helps them, or SKIP."]
    line.work()
    assert member.received == ["From your peer for your plan (warning signs): Isolating, not eating. "
                               "Reply YES to save it, NO to leave it out."]
    assert pat.texts("skip")[0].startswith("Step 3 of 4")
    [more] = pat.texts("Ana 202-555-0101")
    assert more == "Sent Ana ***0101 to confirm. Text one more name and number, or SKIP."
    assert pat.texts("SKIP")[0].startswith("Step 4 of 4")
    assert pat.texts("Her daughter")[0].startswith("That's all 4 steps")
    line.work()
    assert len(member.received) == 1  # one question at a time: the next comes with the answer

    assert member.texts("YES") == ["Saved to your plan.", "From your peer for your plan (a contact): Ana +12025550101. "
                                                          "Reply YES to save it, NO to leave it out."]
    assert member.texts("maybe") == ["Reply YES to save it to your plan, or NO to leave it out."]
    [left_out, reason] = member.texts("no")
    assert left_out == "Left out of your plan." and "(a reason to keep going): Her daughter." in reason
    assert member.texts("yes") == ["Saved to your plan."]
    plan = plans.get(line.r, M1)
    assert (plan.signs, plan.helps, plan.contacts, plan.reason) == ("Isolating, not eating", "", (), "Her daughter")
    assert "Sorry" in member.texts("yes")[0]  # nothing left to confirm: YES means nothing now


def test_spanish_member_confirms_in_spanish(line: Harness) -> None:
    member = line.member(MX)
    member.texts("hola")
    member.texts("YES")
    peer(line, PAT)
    n = taken_callback(line, MX, PAT)
    line.member(PAT).texts(f"plan #{n}")
    line.member(PAT).texts("Musica y caminar")
    line.work()
    [asked] = member.received
    assert asked.startswith("De tu par para tu plan (señales de alerta): Musica y caminar. Responde SI")
    assert member.texts("Sí") == ["Guardado en tu plan."]
    assert plans.get(line.r, MX).signs == "Musica y caminar"


def test_only_the_peer_who_took_the_call_back(line: Harness) -> None:
    line.member(M1).joins()
    peer(line, PAT)
    peer(line, SAM, "Sam")
    n = taken_callback(line, M1, PAT)
    waiting = callbacks.open_request(line.line, member_number(822))
    assert line.member(SAM).texts(f"PLAN {n}") == [f"Call-back {n} isn't yours. TAKE {n} first, then PLAN {n}."]
    assert line.member(PAT).texts(f"PLAN {waiting}")[0].startswith(f"Call-back {waiting} isn't yours")
    assert line.member(PAT).texts("PLAN 999") == ["There is no call-back 999."]
    assert line.member(PAT).texts("PLAN") == ["Text PLAN and the call-back number, like PLAN 12."]


def test_a_released_call_back_ends_the_walk_through(line: Harness) -> None:
    line.member(M1).joins()
    peer(line, PAT)
    n = taken_callback(line, M1, PAT)
    pat = line.member(PAT)
    pat.texts(f"PLAN {n}")
    line.r.hset(f"tl:callback:{n}", mapping={"status": "waiting", "taken_by": ""})
    assert pat.texts("Pacing") == [f"Call-back {n} isn't yours. TAKE {n} first, then PLAN {n}."]
    line.work()
    assert line.twilio.texts_to(M1) == []


def test_the_member_who_left_the_question_is_asked_again(line: Harness) -> None:
    member = line.member(M1).joins()
    peer(line, PAT)
    n = taken_callback(line, M1, PAT)
    pat = line.member(PAT)
    pat.texts(f"PLAN {n}")
    pat.texts("Pacing")
    member.texts("MENU")  # leaves the confirmation
    pat.texts("Music")
    line.work()
    first, again = member.received
    assert first == again and "(warning signs): Pacing." in again
    assert member.texts("YES")[1].startswith("From your peer for your plan (what helps): Music.")
