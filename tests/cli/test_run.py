"""`textline simulate`, `worker --burst` and the dev outbox."""
from __future__ import annotations

from tests.support.harness import Harness, member_number

M1 = member_number(451)


def test_simulate_posts_through_the_signed_webhook(line: Harness) -> None:
    result = line.cli("simulate", "--from", M1, "hi")
    assert result.exit_code == 0, result.output
    assert "YES" in result.output
    assert line.cli_json("members", "show", M1)["status"] == "pending"


def test_simulate_refuses_a_bad_number(line: Harness) -> None:
    result = line.cli("simulate", "--from", "12", "hi")
    assert result.exit_code != 0 and "not" in result.output


def test_worker_rejects_unknown_queues(line: Harness) -> None:
    result = line.cli("worker", "--burst", "--queues", "crisis,nope")
    assert result.exit_code != 0 and "nope" in result.output


def test_dev_mode_sends_go_to_the_outbox(line: Harness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from textline.models import outbound
    from textline.models.outbound import Kind

    monkeypatch.setenv("TEXTLINE_ENV", "dev")  # dev mode on purpose: production never falls back to the outbox
    line.member(M1).joins()
    outbound.send_text(line.line, M1, "Hello from dev mode", kind=Kind.REPLY)
    assert line.cli("worker", "--burst").exit_code == 0
    [entry] = line.cli_json("outbox")
    assert entry["to"] == M1 and entry["body"] == "Hello from dev mode"
    assert line.twilio.messages == []
