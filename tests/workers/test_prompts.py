"""Scheduled check-in prompts arrive at the member's local time, wait out quiet hours, skip opted-out members."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flows.answers import fold
from tests.core.test_catalog import NOT_DISCREET
from tests.support.harness import Harness, member_number
from textline.core import queues, timers
from textline.core.errors import ConfigError
from textline.models import checkins, members, prompts, sessions
from workers.prompts import send_prompt

LA = "+12065550501"                # America/Los_Angeles
NY = member_number(502)            # America/New_York
MX = "+525512345670"               # America/Mexico_City, Spanish
MONDAY = datetime(2024, 6, 3, 15, tzinfo=UTC)  # 08:00 in Los Angeles, 11:00 in New York


def at(line: Harness, moment: datetime) -> None:
    """Move the clock and let the ticker and the workers do what is due."""
    line.set_clock(moment)
    line.work()


def prompts_to(line: Harness, phone: str) -> list[str]:
    return [text for text in line.twilio.texts_to(phone) if "1 (" in text]


def test_a_daily_prompt_arrives_at_nine_local_time_and_a_bare_number_answers_it(line: Harness) -> None:
    line.set_clock(MONDAY)
    member = line.member(LA).joins()
    member.texts("DAILY 9am")
    at(line, datetime(2024, 6, 3, 15, 59, 59, tzinfo=UTC))
    assert prompts_to(line, LA) == []
    at(line, datetime(2024, 6, 3, 16, tzinfo=UTC))  # 09:00 PDT
    [prompt] = prompts_to(line, LA)
    assert "Test Line: time to check in" in prompt
    [reply] = member.texts("3")
    assert "note" in reply
    member.texts("SKIP")
    [entry] = checkins.history(line.r, LA)
    assert (entry.mood, entry.prompted) == (3, True)
    assert prompts.get(line.r, LA).next_at == datetime(2024, 6, 4, 16, tzinfo=UTC).isoformat()
    at(line, datetime(2024, 6, 4, 16, 0, 1, tzinfo=UTC))
    assert len(prompts_to(line, LA)) == 2


def test_jobs_and_timers_carry_the_prompt_id_not_the_number(line: Harness) -> None:
    line.set_clock(MONDAY)
    line.member(LA).joins().texts("DAILY 9am")
    schedule = prompts.get(line.r, LA)
    [(name, _)] = timers.pending(line.r, "prompt:")
    assert name == f"prompt:{schedule.id}"
    assert LA not in str(line.r.hgetall(f"tl:timer:{name}"))
    line.set_clock(datetime(2024, 6, 3, 16, tzinfo=UTC))
    timers.tick(line.line)
    [job] = queues.queue(line.line, queues.BROADCAST).get_jobs()
    assert job.args == (schedule.id,) and LA not in job.description


def test_weekly_prompts_come_once_a_week(line: Harness) -> None:
    line.set_clock(MONDAY)
    line.member(NY).joins().texts("WEEKLY TUE 10am")
    for day in range(8):
        at(line, datetime(2024, 6, 3 + day, 14, 30, tzinfo=UTC))
    assert len(prompts_to(line, NY)) == 1
    assert prompts.get(line.r, NY).next_at == datetime(2024, 6, 11, 14, tzinfo=UTC).isoformat()


def test_daylight_saving_keeps_the_local_time(line: Harness) -> None:
    line.set_clock(datetime(2024, 3, 9, 12, tzinfo=UTC))  # Saturday 07:00 EST
    line.member(NY).joins().texts("DAILY 9am")
    at(line, datetime(2024, 3, 9, 14, tzinfo=UTC))  # 09:00 EST
    assert len(prompts_to(line, NY)) == 1
    assert prompts.get(line.r, NY).next_at == datetime(2024, 3, 10, 13, tzinfo=UTC).isoformat()  # 09:00 EDT
    at(line, datetime(2024, 3, 10, 13, tzinfo=UTC))
    assert len(prompts_to(line, NY)) == 2


def test_quiet_hours_hold_a_prompt_until_they_end(line: Harness) -> None:
    line.configure(quiet_hours="21:00-08:00")
    line.set_clock(MONDAY)
    line.member(LA).joins().texts("DAILY 7am")
    at(line, datetime(2024, 6, 4, 14, tzinfo=UTC))  # 07:00 PDT: quiet
    assert prompts_to(line, LA) == []
    at(line, datetime(2024, 6, 4, 15, tzinfo=UTC))  # 08:00 PDT
    assert len(prompts_to(line, LA)) == 1


def test_quiet_hours_set_after_the_prompt_was_armed_still_hold_it(line: Harness) -> None:
    line.set_clock(MONDAY)
    line.member(LA).joins().texts("DAILY 10pm")
    line.configure(quiet_hours="21:00-08:00")
    at(line, datetime(2024, 6, 4, 5, tzinfo=UTC))  # 22:00 PDT
    assert prompts_to(line, LA) == []
    assert prompts.get(line.r, LA).next_at == datetime(2024, 6, 4, 15, tzinfo=UTC).isoformat()
    at(line, datetime(2024, 6, 4, 15, tzinfo=UTC))
    assert len(prompts_to(line, LA)) == 1


def test_opted_out_members_never_get_a_prompt_and_it_resumes_when_they_return(line: Harness) -> None:
    line.set_clock(MONDAY)
    member = line.member(LA).joins()
    member.texts("DAILY 9am")
    member.texts("STOP")
    at(line, datetime(2024, 6, 3, 16, tzinfo=UTC))
    at(line, datetime(2024, 6, 4, 16, tzinfo=UTC))
    assert line.twilio.texts_to(LA) == []
    member.texts("START")
    at(line, datetime(2024, 6, 5, 16, tzinfo=UTC))
    assert len(prompts_to(line, LA)) == 1


def test_a_prompt_opted_out_of_before_delivery_is_not_delivered(line: Harness) -> None:
    line.set_clock(MONDAY)
    member = line.member(LA).joins()
    member.texts("DAILY 9am")
    line.set_clock(datetime(2024, 6, 3, 16, tzinfo=UTC))
    assert send_prompt(line.line, prompts.get(line.r, LA).id) == "sent"  # its delivery waits in the queue
    member.texts("STOP")
    line.work()
    assert prompts_to(line, LA) == []


def test_three_missed_prompts_quietly_flag_the_member_for_outreach(line: Harness) -> None:
    line.set_clock(MONDAY)
    member = line.member(LA).joins()
    member.texts("DAILY 9am")

    def show() -> dict[str, object]:
        return line.cli_json("members", "show", LA)

    for day in range(3):
        assert show()["needs_outreach"] is False
        at(line, datetime(2024, 6, 3 + day, 16, tzinfo=UTC))        # the prompt
        at(line, datetime(2024, 6, 3 + day, 16, tzinfo=UTC) + timedelta(hours=8))  # its window closes
    shown = show()
    assert shown["needs_outreach"] is True and shown["prompts"]["missed"] == 3
    assert len(prompts_to(line, LA)) == 3
    assert not any("outreach" in text for text in line.twilio.texts_to(LA))  # quietly
    member.texts("CHECKIN 4")
    assert show()["needs_outreach"] is False and show()["prompts"]["missed"] == 0


def test_a_check_in_between_prompts_resets_the_count(line: Harness) -> None:
    line.set_clock(MONDAY)
    member = line.member(LA).joins()
    member.texts("DAILY 9am")
    for day, answer in ((0, None), (1, None), (2, "2"), (3, None), (4, None)):
        at(line, datetime(2024, 6, 3 + day, 16, tzinfo=UTC))
        if answer:
            member.texts(answer)
            member.texts("NO")
        at(line, datetime(2024, 6, 3 + day, 16, tzinfo=UTC) + timedelta(hours=8))
    assert prompts.get(line.r, LA).missed == 2
    assert not prompts.needs_outreach(line.r, LA)


def test_a_discreet_member_gets_neutral_words(line: Harness) -> None:
    line.set_clock(MONDAY)
    member = line.member(LA).joins()
    member.texts("DAILY 9am")
    member.texts("DISCREET ON")
    at(line, datetime(2024, 6, 3, 16, tzinfo=UTC))
    [prompt] = prompts_to(line, LA)
    assert "How is your day going?" in prompt
    assert not [word for word in NOT_DISCREET if word in fold(prompt)]
    assert "Test Line" not in prompt


def test_a_prompt_in_spanish(line: Harness) -> None:
    line.set_clock(MONDAY)
    line.member(MX).joins().texts("DIARIO 10")
    at(line, datetime(2024, 6, 3, 16, tzinfo=UTC))  # 10:00 CST
    [prompt] = prompts_to(line, MX)
    assert "¿como te sientes hoy?" in prompt and "muy bien" in prompt


def test_a_member_midway_through_another_flow_is_not_interrupted(line: Harness) -> None:
    line.set_clock(MONDAY)
    member = line.member(LA).joins()
    member.texts("DAILY 9am")
    member.texts("LANG")  # a language question is waiting for an answer
    at(line, datetime(2024, 6, 3, 16, tzinfo=UTC))
    assert prompts_to(line, LA) == []
    assert sessions.get(line.r, LA).flow == "language"
    member.texts("1")
    at(line, datetime(2024, 6, 3, 16, 30, tzinfo=UTC))
    assert len(prompts_to(line, LA)) == 1


def test_a_prompt_job_run_twice_sends_once(line: Harness) -> None:
    line.set_clock(MONDAY)
    line.member(LA).joins().texts("DAILY 9am")
    schedule = prompts.get(line.r, LA)
    line.set_clock(datetime(2024, 6, 3, 16, tzinfo=UTC))
    assert send_prompt(line.line, schedule.id) == "sent"
    assert send_prompt(line.line, schedule.id) == "not due"
    line.work()
    assert len(prompts_to(line, LA)) == 1


def test_erased_and_switched_off_schedules_send_nothing(line: Harness) -> None:
    line.set_clock(MONDAY)
    line.member(LA).joins().texts("DAILY 9am")
    line.member(NY).joins().texts("DAILY 9am")
    line.member(NY).texts("SCHEDULE OFF")
    assert line.cli("members", "erase", LA, "--yes").exit_code == 0
    assert timers.pending(line.r, "prompt") == []
    at(line, datetime(2024, 6, 3, 16, tzinfo=UTC))
    assert line.twilio.messages == []
    assert members.get(line.r, LA) is None


def test_the_answer_window_and_the_missed_limit_come_from_settings(line: Harness) -> None:
    line.configure(checkins={"prompt_window": "1h", "missed_limit": 2})
    line.set_clock(MONDAY)
    line.member(LA).joins().texts("DAILY 9am")
    for day in range(2):
        at(line, datetime(2024, 6, 3 + day, 16, tzinfo=UTC))
        at(line, datetime(2024, 6, 3 + day, 17, tzinfo=UTC))  # one hour later: missed
    assert prompts.needs_outreach(line.r, LA)


def test_a_bad_missed_limit_is_refused_at_start(line: Harness) -> None:
    with pytest.raises(ConfigError):
        line.configure(checkins={"missed_limit": 0})
