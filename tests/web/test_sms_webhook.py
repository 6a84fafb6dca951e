"""The SMS webhook: signature, duplicates, consent and the carrier keywords."""
from __future__ import annotations

import pytest

from tests.support.harness import Harness, member_number
from textline.models import members
from textline.models.members import MemberStatus

M1, M2 = member_number(101), member_number(102)


def test_missing_signature_is_refused_and_stores_nothing(line: Harness) -> None:
    response = line.sms(M1, "hi", signed=False)
    assert response.status_code == 403
    assert line.r.dbsize() == 0


def test_wrong_signature_is_refused_and_stores_nothing(line: Harness) -> None:
    params = {"MessageSid": "SM" + "1" * 32, "From": M1, "To": "+15005550006", "Body": "hi"}
    response = line.post("/twilio/sms", params, signature="bm90IGEgc2lnbmF0dXJl")
    assert response.status_code == 403
    assert line.r.dbsize() == 0


def test_signature_over_other_params_is_refused(line: Harness) -> None:
    params = {"MessageSid": "SM" + "2" * 32, "From": M1, "To": "+15005550006", "Body": "hi"}
    signature = line.sign("/twilio/sms", {**params, "Body": "something else"})
    assert line.post("/twilio/sms", params, signature=signature).status_code == 403


def test_first_contact_asks_for_consent_and_yes_joins(line: Harness) -> None:
    member = line.member(M1)
    [welcome] = member.texts("hi")
    assert "YES" in welcome and "STOP" in welcome
    assert members.get(line.r, M1).status == MemberStatus.PENDING
    [joined] = member.texts("YES")
    assert "MENU" in joined
    assert members.get(line.r, M1).status == MemberStatus.ACTIVE


def test_nothing_but_the_consent_prompt_before_yes(line: Harness) -> None:
    member = line.member(M1)
    member.texts("hi")
    [again] = member.texts("MENU")
    assert "YES" in again


def test_the_same_message_sid_acts_once(line: Harness) -> None:
    first = line.sms(M1, "hi", sid="SM" + "a" * 32)
    second = line.sms(M1, "hi", sid="SM" + "a" * 32)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    line.sms(M1, "YES", sid="SM" + "b" * 32)
    # A replayed first message does not undo or repeat anything: the member stays active.
    line.sms(M1, "hi", sid="SM" + "a" * 32)
    assert members.get(line.r, M1).status == MemberStatus.ACTIVE


@pytest.mark.parametrize("word", ["STOP", "stop", " Stop. ", "STOPALL", "unsubscribe", "Cancel!", "END", "quit",
                                  "REVOKE", "optout", "OptOut?"])
def test_stop_confirms_once_then_silence_and_start_brings_back(line: Harness, word: str) -> None:
    member = line.member(M1).joins()
    confirmation = member.texts(word)
    assert len(confirmation) == 1 and "START" in confirmation[0]
    assert member.texts(word) == []
    assert member.texts("MENU") == []
    assert member.texts("1") == []
    assert members.get(line.r, M1).status == MemberStatus.OPTED_OUT
    [back] = member.texts("START")
    assert "MENU" in back
    assert members.get(line.r, M1).status == MemberStatus.ACTIVE
    assert member.texts("MENU")


def test_unstop_and_yes_opt_back_in(line: Harness) -> None:
    member = line.member(M1).joins()
    member.texts("STOP")
    assert member.texts("UNSTOP")
    member.texts("STOP")
    assert member.texts("yes")
    assert not members.is_opted_out(line.r, M1)


def test_stop_from_an_unknown_number_is_kept(line: Harness) -> None:
    assert len(line.member(M2).texts("STOP")) == 1
    assert members.is_opted_out(line.r, M2)
    assert line.member(M2).texts("hello") == []


@pytest.mark.parametrize("word", ["HELP", "help", "Info", "AYUDA"])
def test_help_answers_with_name_stop_and_resource(line: Harness, word: str) -> None:
    [answer] = line.member(M1).texts(word)
    assert "Test Line" in answer and "STOP" in answer and "988" in answer


def test_twilio_advanced_opt_out_is_followed_without_a_second_confirmation(line: Harness) -> None:
    line.configure(twilio_opt_out=True)
    member = line.member(M1).joins()
    assert member.texts("please stop texting me", OptOutType="STOP") == []
    assert members.is_opted_out(line.r, M1)
    assert member.texts("START", OptOutType="START") == []
    assert not members.is_opted_out(line.r, M1)


def test_opt_out_type_is_followed_whatever_the_word(line: Harness) -> None:
    member = line.member(M1).joins()
    assert len(member.texts("arret", OptOutType="STOP")) == 1
    assert members.is_opted_out(line.r, M1)


def test_unknown_text_gets_a_kind_pointer_to_the_menu(line: Harness) -> None:
    [answer] = line.member(M1).joins().texts("7")
    assert "MENU" in answer


@pytest.mark.parametrize("params", [
    {},
    {"From": M1, "Body": "hi"},
    {"MessageSid": "SM" + "c" * 32, "Body": "hi"},
])
def test_junk_gets_a_4xx(line: Harness, params: dict[str, str]) -> None:
    assert line.post("/twilio/sms", params).status_code == 400


def test_a_malformed_number_is_ignored(line: Harness) -> None:
    response = line.sms("not-a-number", "hi")
    assert response.status_code == 200
    assert b"<Message>" not in response.data
    assert members.all_phones(line.r) == []


def test_wrong_method_is_405(line: Harness) -> None:
    assert line.client.get("/twilio/sms", base_url="https://line.example.org").status_code in (403, 405)


def test_a_repeated_parameter_is_validated_not_a_500(line: Harness) -> None:
    raw = f"MessageSid=SM{'9' * 32}&From=%2B12025550101&Body=hi&Body=again".encode()
    from werkzeug.datastructures import MultiDict

    params = MultiDict([("MessageSid", "SM" + "9" * 32), ("From", M1), ("Body", "hi"), ("Body", "again")])
    signature = line.validator.compute_signature("https://line.example.org/twilio/sms", params)
    response = line.client.post("/twilio/sms", data=raw, base_url="https://line.example.org",
                                headers={"X-Twilio-Signature": signature,
                                         "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200
