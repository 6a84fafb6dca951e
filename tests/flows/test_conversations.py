"""Peer text conversations (issue #15), as conversations through signed webhooks and the Twilio double.

Free text -> a text request in the one queue -> peers told -> TAKE -> both directions relayed, no
number visible to either side -> DONE; and the edges: racing TAKE, RELEASE with history, max_per_peer
and @n, ESCALATE, STOP mid-conversation, a pending number, acknowledgements, typos, Spanish.
"""
from __future__ import annotations

import logging
import threading

import pytest

from tests.support import privacy
from tests.support.harness import LINE_NUMBER, PUBLIC_URL, Harness, Person, member_number, staff_number
from tests.support.peers import add_peer, named_member
from textline.models import cases, member_data
from textline.models import requests as callbacks
from textline.models.requests import transcript

M1, M2, M3 = member_number(701), member_number(702), member_number(703)
ANA, BEN, CAL, ROS = staff_number(701), staff_number(702), staff_number(703), staff_number(704)
ALONE = "had a long day, could someone text with me for a bit"


def sent_to(line: Harness, number: str) -> list[dict[str, str]]:
    return [m.form for m in line.twilio.messages if m.to == number]


def assert_masked(line: Harness, member: str, peers: tuple[str, ...]) -> None:
    """Every text to a peer holds no member number, every text to the member no peer number; all from the line."""
    for peer in peers:
        for form in sent_to(line, peer):
            assert form["From"] == LINE_NUMBER
            assert member not in form["Body"] and member[-4:] not in form["Body"]
    for form in sent_to(line, member):
        assert form["From"] == LINE_NUMBER
        assert all(peer not in form["Body"] and peer[-4:] not in form["Body"] for peer in peers)


def test_free_text_reaches_a_peer_and_both_sides_are_relayed_masked(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    sam = named_member(line, M1, "Sam Smith")
    [told] = sam.texts(ALONE)
    assert "a peer will read this" in told.lower() and "didn't catch" not in told
    [req] = [q for q in line.cli_json("requests") if q["phone"] == M1]
    assert (req["kind"], req["status"], req["priority"], req["risk"]) == ("text", "waiting", "normal", "none")
    line.work()
    assert line.twilio.texts_to(ANA) == [
        "Text 1 waiting, priority normal: Sam: had a long day, could someone text with.... Reply TAKE 1"]
    [won] = ana.texts("TAKE 1")
    assert won.startswith("Text 1 is yours.") and "[1 Sam]" in won
    line.work()
    assert line.twilio.texts_to(ANA)[-1] == f"[1 Sam] {ALONE}"
    assert sam.received[-1].startswith("A peer is reading your messages now.")
    assert ana.texts("Hi Sam, I'm here. What's going on tonight?") == []
    line.work()
    assert sam.received[-1] == "Hi Sam, I'm here. What's going on tonight?"
    assert sam.texts("my roommate moved out and the flat feels empty") == []
    line.work()
    assert line.twilio.texts_to(ANA)[-1] == "[1 Sam] my roommate moved out and the flat feels empty"
    [done] = ana.texts("DONE 1 talked it through")
    assert done == "Thank you. Text 1 is closed; Sam was told they can write again any time."
    line.work()
    assert sam.received[-1].startswith("The peer has ended this conversation.")
    assert callbacks.get(line.r, 1).status == callbacks.Status.DONE
    assert_masked(line, M1, (ANA,))
    assert all("Smith" not in t for t in line.twilio.texts_to(ANA))
    # After DONE the member may write again: a new request.
    sam.texts("one more thing")
    assert callbacks.open_request_id(line.line, M1, "text") == 2


def test_more_free_text_joins_the_open_request(line: Harness) -> None:
    add_peer(line, "Ana", ANA)
    sam = named_member(line, M1, "Sam")
    sam.texts(ALONE)
    [again] = sam.texts("it's been a hard week")
    assert again.startswith("Added to your message.")
    assert [q["id"] for q in line.cli_json("requests")] == [1]
    assert [s.text for s in transcript.lines(line.r, 1)] == [ALONE, "it's been a hard week"]


def test_nobody_on_call_says_so_with_the_crisis_resource(line: Harness) -> None:
    add_peer(line, "Ana", ANA, on_call=False)
    [told] = named_member(line, M1).texts(ALONE)
    assert told.startswith("No peer is on call now") and "988" in told


def test_two_peers_racing_take_on_a_text_request_one_wins(line: Harness) -> None:
    add_peer(line, "Ana", ANA)
    add_peer(line, "Ben", BEN)
    named_member(line, M1, "Sam").texts(ALONE)
    answers: dict[str, str] = {}
    start = threading.Barrier(2)

    def take(peer: str) -> None:
        client = line.app.test_client()
        params = {"MessageSid": f"SM{peer[-4:]}race", "From": peer, "To": LINE_NUMBER, "Body": "TAKE 1"}
        start.wait()
        response = client.post("/twilio/sms", data=params, base_url=PUBLIC_URL,
                               headers={"X-Twilio-Signature": line.sign("/twilio/sms", params)})
        answers[peer] = response.get_data(as_text=True)

    threads = [threading.Thread(target=take, args=(p,)) for p in (ANA, BEN)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winner = callbacks.get(line.r, 1).taken_by
    loser = BEN if winner == ANA else ANA
    assert "Text 1 is yours." in answers[winner]
    assert "already taken by" in answers[loser]
    assert callbacks.held_by(line.r, winner) == [1] and callbacks.held_by(line.r, loser) == []


def test_release_hands_the_history_to_the_next_peer_and_tells_the_member(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    ben = add_peer(line, "Ben", BEN)
    sam = named_member(line, M1, "Sam")
    sam.texts(ALONE)
    ana.texts("TAKE 1")
    ana.texts("I'm listening")
    sam.texts("thanks. work is awful")
    [released] = ana.texts("RELEASE 1")
    assert released == "Text 1 is back in the queue at its place. Thank you."
    line.work()
    assert sam.received[-1].startswith("Your peer had to step away.")
    assert line.twilio.texts_to(BEN)[-1].startswith("Text 1 waiting")
    [won] = ben.texts("TAKE 1")
    assert won.startswith("Text 1 is yours.")
    line.work()
    assert line.twilio.texts_to(BEN)[-3:] == [
        f"[1 Sam] {ALONE}", "[1 Ana, peer] I'm listening", "[1 Sam] thanks. work is awful"]
    ana.texts("still there?")  # Ana holds nothing now: not relayed
    line.work()
    assert "still there?" not in sam.received


def test_release_of_a_call_back_updates_the_member(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    sam = named_member(line, M1, "Sam")
    sam.texts("CALL")
    ana.texts("TAKE 1")
    line.work()
    assert sam.received[-1] == "A peer will call you from this number in a moment."
    ana.texts("RELEASE 1")
    line.work()
    assert sam.received[-1].startswith("Your peer couldn't call after all.")


def test_max_per_peer_and_at_n(line: Harness) -> None:
    line.configure(conversations={"max_per_peer": 2})
    ana = add_peer(line, "Ana", ANA)
    sam, kim, lee = named_member(line, M1, "Sam"), named_member(line, M2, "Kim"), named_member(line, M3, "Lee")
    for person in (sam, kim, lee):
        person.texts(ALONE)
    assert ana.texts("TAKE 1")[0].startswith("Text 1 is yours.")
    assert "reply with @2 first" in ana.texts("TAKE 2")[0]
    assert callbacks.held_by(line.r, ANA) == [1, 2]
    assert ana.texts("RETRY 1") == [
        "Text 1 is a text conversation: nothing to call. Text to talk, DONE 1 or RELEASE 1."]
    [full] = ana.texts("TAKE 3")
    assert full.startswith("You hold 2 text conversation(s), your limit.")
    [which] = ana.texts("hello there")
    assert which == "You hold texts 1, 2. Start with @<n> to say which, like @1 hello."
    assert ana.texts("@2 hi Kim, it's Ana") == []
    line.work()
    assert kim.received[-1] == "hi Kim, it's Ana" and "hi Kim, it's Ana" not in sam.received
    assert ana.texts("@3 hi")[0] == "You don't hold text 3. Reply QUEUE to see those waiting."


def test_max_per_peer_default_is_one(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    named_member(line, M1, "Sam").texts(ALONE)
    named_member(line, M2, "Kim").texts(ALONE)
    ana.texts("TAKE 1")
    assert ana.texts("TAKE 2")[0].startswith("You hold 1 text conversation(s), your limit.")
    assert callbacks.get(line.r, 2).status == callbacks.Status.WAITING


def test_a_long_peer_text_goes_as_two_segments_at_most_and_the_peer_is_told(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    sam = named_member(line, M1, "Sam")
    sam.texts(ALONE)
    ana.texts("TAKE 1")
    [cut] = ana.texts("word " * 120)
    assert cut == "Your text to [1 Sam] was cut to fit two texts; send the rest again."
    line.work()
    assert len(sam.received[-1]) <= 306 and sam.received[-1].endswith("...")


def test_escalate_opens_a_crisis_case_with_the_ladder(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    add_peer(line, "Ros", ROS, role="crisis")
    sam = named_member(line, M1, "Sam")
    sam.texts(ALONE)
    ana.texts("TAKE 1")
    [reply] = ana.texts("ESCALATE 1 talking about not being here tomorrow")
    assert reply.startswith("Crisis case 1 opened for Sam (request 1)")
    [case] = cases.for_member(line.r, M1)
    assert cases.get(line.r, case.id) is not None
    events = [e["what"] for e in cases.events(line.r, case.id)]
    assert any("escalated by peer Ana from request 1" in what for what in events)
    line.work()
    assert line.twilio.texts_to(ROS), "crisis staff on call were alerted"
    assert callbacks.get(line.r, 1).status == callbacks.Status.TAKEN  # the conversation goes on


def test_stop_mid_conversation_ends_it_and_the_peer_is_told(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    sam = named_member(line, M1, "Sam")
    sam.texts(ALONE)
    ana.texts("TAKE 1")
    [confirm] = sam.texts("STOP")
    assert "START" in confirm
    line.work()
    assert line.twilio.texts_to(ANA)[-1] == (
        "Sam texted STOP: text 1 is closed and nothing more reaches them. Thank you.")
    assert callbacks.get(line.r, 1).status == callbacks.Status.WITHDRAWN
    assert callbacks.held_by(line.r, ANA) == []
    before = len(sam.received)
    ana.texts("are you ok?")
    line.work()
    assert len(sam.received) == before


def test_a_pending_numbers_free_text_reaches_a_peer_after_yes(line: Harness) -> None:
    add_peer(line, "Ana", ANA)
    new = line.member(M1)
    [welcome] = new.texts(ALONE)
    assert "YES" in welcome
    assert line.cli_json("requests") == []
    [kept] = new.texts("please, anyone")
    assert kept.startswith("Thanks for writing. Reply YES to join")
    answers = new.texts("YES")
    assert any("A peer will read this" in a for a in answers)
    assert [s.text for s in transcript.lines(line.r, 1)] == [ALONE, "please, anyone"]
    line.work()
    assert line.twilio.texts_to(ANA)[-1].startswith("Text 1 waiting")


def test_a_pending_numbers_concern_opens_at_once(line: Harness) -> None:
    from flows import conversations
    from flows.engine import Turn
    from flows.inbound import Channel, Inbound
    from textline.models import members, staff

    add_peer(line, "Ana", ANA)
    line.member(M1).texts("hi")
    inbound = Inbound(Channel.SMS, M1, "i can't keep going like this", line.line.now())
    turn = Turn(line.line, inbound, members.get(line.r, M1), staff.get(line.r, M1))
    outcome = conversations.open_text_request(turn, "concern")
    assert outcome.replies
    cb = callbacks.get(line.r, 1)
    assert cb is not None and cb.priority == callbacks.Priority.HIGH and cb.risk == "concern"


def test_acknowledgements_open_nothing(line: Harness) -> None:
    sam = named_member(line, M1, "Sam")
    for ack in ("ok", "thanks", "k", "ty", "gracias", "\U0001F44D"):
        [kind] = sam.texts(ack)
        assert kind.startswith("Thank you."), ack
    assert line.cli_json("requests") == []


def test_command_words_with_a_typo_are_understood(line: Harness) -> None:
    sam = named_member(line, M1, "Sam")
    assert sam.texts("MENUE") == sam.texts("MENU")
    assert sam.texts("REMNID")[0] == sam.texts("REMIND")[0]
    assert line.cli_json("requests") == []
    sam.texts("MENU")  # leaves the REMIND walk-through
    # Words that merely look like a command are the member's own: CALM is not CALL, TEXT not NEXT.
    assert sam.texts("calm")[0].startswith("No peer is on call now")
    assert sam.texts("please write back when you can")[0].startswith("Added to your message")
    assert [q["kind"] for q in line.cli_json("requests")] == ["text"]
    ana = add_peer(line, "Ana", ANA)
    sam.texts("STOP")
    kim = named_member(line, M2, "Kim")
    kim.texts(ALONE)
    assert ana.texts("TAEK 2")[0].startswith("Text 2 is yours.")


def test_remind_step_three_call_means_by_call(line: Harness) -> None:
    sam = named_member(line, M1, "Sam")
    sam.texts("REMIND")
    sam.texts("take my pills")
    sam.texts("every day at 9am")
    [saved] = sam.texts("call")
    assert saved.startswith("Saved")
    assert "(by call)" in " ".join(sam.texts("REMINDERS"))
    assert callbacks.open_request_id(line.line, M1) is None


def test_spanish_throughout(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA, lang="es")
    add_peer(line, "Ben", BEN)
    rosa = line.member(member_number(710))
    rosa.texts("hola")
    rosa.texts("ESPAÑOL")
    rosa.texts("YES")
    [told] = rosa.texts("tengo ganas de conversar sobre el trabajo")
    assert told.startswith("Gracias por escribir. Un par leera esto")
    line.work()
    assert line.twilio.texts_to(ANA)[-1].startswith("Texto 1 en espera, prioridad normal")
    order = [m.to for m in line.twilio.messages if m.to in (ANA, BEN) and "1" in m.form["Body"]]
    assert order[:2] == [ANA, BEN]  # the peer who speaks the member's language first
    [won] = ana.texts("TAKE 1")
    assert won.startswith("El texto 1 es tuyo.")
    line.work()
    assert rosa.received[-1].startswith("Un par esta leyendo tus mensajes.")
    assert rosa.texts("gracias por escuchar") == []
    line.work()
    assert line.twilio.texts_to(ANA)[-1] == "[1 un miembro] gracias por escuchar"
    assert ana.texts("DONE 1")[0].startswith("Gracias. El texto 1 esta cerrado")
    line.work()
    assert rosa.received[-1].startswith("El par cerro esta conversacion.")


def test_queue_shows_text_and_call_requests(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    named_member(line, M1, "Al").texts("CALL")
    named_member(line, M2, "Bo").texts(ALONE)
    [queue] = ana.texts("QUEUE")
    assert queue == "2 waiting: C1 normal Al, T2 normal Bo. Reply TAKE <n>"
    assert [c["id"] for c in line.cli_json("callbacks")] == [1]
    assert {(q["id"], q["kind"]) for q in line.cli_json("requests")} == {(1, "call"), (2, "text")}


def test_max_per_shift_limits_offers(line: Harness) -> None:
    line.configure(peers={"max_per_shift": 1})
    add_peer(line, "Ana", ANA)
    named_member(line, M1, "Sam").texts(ALONE)
    named_member(line, M2, "Kim").texts(ALONE)
    line.work()
    assert len([t for t in line.twilio.texts_to(ANA) if t.startswith("Text")]) == 1


def test_unclaimed_text_requests_get_the_same_reminders(line: Harness) -> None:
    line.configure(callbacks={"claim_timeout": "1s"})
    add_peer(line, "Ana", ANA)
    add_peer(line, "Cal", CAL, role="coordinator")
    sam = named_member(line, M1, "Sam")
    sam.texts(ALONE)
    assert line.work_until(lambda: any(t.startswith("Reminder: text 1") for t in line.twilio.texts_to(ANA)))
    assert any(t.startswith("Text 1 (priority normal) unclaimed") for t in line.twilio.texts_to(CAL))
    assert sam.received[-1].startswith("Sorry for the wait")


def test_export_and_erase_cover_conversation_texts(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    sam = named_member(line, M1, "Sam")
    sam.texts("my secret worry about Bartholomew")
    ana.texts("TAKE 1")
    ana.texts("tell me more")
    line.work()
    exported = member_data.export(line.r, M1)
    [conv] = exported["conversations"]
    assert [s["text"] for s in conv["lines"]] == ["my secret worry about Bartholomew", "tell me more"]
    member_data.erase(line.r, M1)
    assert transcript.lines(line.r, 1) == []
    for key in line.r.scan_iter("tl:*"):
        kind = line.r.type(key)
        dump = str(line.r.hgetall(key) if kind == "hash" else line.r.lrange(key, 0, -1) if kind == "list" else
                   line.r.get(key) if kind == "string" else "")
        assert "Bartholomew" not in dump, key


def test_a_relayed_conversation_leaves_no_body_or_number_in_logs_or_jobs(
        line: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """The privacy audit, extended to the relay: logs, job arguments and timers hold no words, no number."""
    caplog.set_level(logging.DEBUG)
    said, answered = "my neighbour Bartholomew scares me", "that sounds frightening, Quentin is here"
    ana = add_peer(line, "Quentin", ANA)
    sam = named_member(line, M1, "Sam")
    sam.texts(said)
    line.work()
    ana.texts("TAKE 1")
    ana.texts(answered)
    sam.texts("thank you, Bartholomew left")
    ana.texts("RELEASE 1")
    line.work()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records
    for number in (M1, ANA):
        digits = number[1:]
        assert number not in logged and digits not in logged and digits[1:] not in logged
    assert "Bartholomew" not in logged and "frightening" not in logged
    raw = line.line.rq
    bodies = [said, answered, "thank you, Bartholomew left"]
    assert privacy.scan_keys(raw, "rq:*", bodies) == {}
    assert privacy.scan_keys(raw, "tl:timer:*", bodies) == {}


def test_in_a_conversation_a_flow_keeps_its_answers_and_commands_still_work(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    sam = named_member(line, M1, "Sam")
    sam.texts(ALONE)
    ana.texts("TAKE 1")
    assert sam.texts("REMIND")  # a bare command word is the command, not words for the peer
    assert sam.texts("call my sister")[0]  # the flow's answer, not relayed
    line.work()
    assert not any("call my sister" in t for t in line.twilio.texts_to(ANA))
    assert sam.texts("MENU")  # leaves the flow
    assert sam.texts("ok") == []  # in a conversation even an acknowledgement is for the peer
    line.work()
    assert line.twilio.texts_to(ANA)[-1] == "[1 Sam] ok"


def test_take_and_done_feed_the_request_metrics(line: Harness) -> None:
    from textline.models import metrics

    ana = add_peer(line, "Ana", ANA)
    named_member(line, M1, "Sam").texts(ALONE)
    ana.texts("TAKE 1")
    ana.texts("DONE 1")
    _, histograms = metrics.read(line.r)
    labelled = {h.name: {row.labels for row in rows if sum(row.cumulative)} for h, rows in histograms.items()}
    assert ("text",) in labelled[metrics.REQUEST_WAIT.name]
    assert ("text",) in labelled[metrics.REQUEST_CLAIM.name]


def test_textline_requests_lists_both_kinds_and_filters(line: Harness) -> None:
    named_member(line, M1, "Al").texts("CALL")
    named_member(line, M2, "Bo").texts(ALONE)
    rows = line.cli_json("requests")
    assert [(r["id"], r["kind"], r["risk"], r["status"]) for r in rows] == [(1, "call", "none", "waiting"),
                                                                           (2, "text", "none", "waiting")]
    assert {"id", "kind", "phone", "status", "priority", "risk", "taken_by"} <= set(rows[0])
    assert [r["id"] for r in line.cli_json("requests", "--kind", "text")] == [2]
    result = line.cli("requests")
    assert result.exit_code == 0 and "text" in result.output



def held_conversation(line: Harness) -> tuple[Person, Person]:
    """Ana holds text request 1, Sam's."""
    ana = add_peer(line, "Ana", ANA)
    sam = named_member(line, M1, "Sam")
    sam.texts(ALONE)
    line.work()
    ana.texts("TAKE 1")
    return ana, sam


def test_a_peer_asking_about_suicide_is_relayed_and_their_own_crisis_still_counts(line: Harness) -> None:
    """Asking directly is what peers are trained to do: words to the member are relayed, not a case on the
    peer; the peer's own crisis, written about themselves, still opens one."""
    ana, sam = held_conversation(line)
    line.work()
    assert ana.texts("Are you thinking about killing yourself tonight?") == []
    line.work()
    assert line.twilio.texts_to(M1)[-1] == "Are you thinking about killing yourself tonight?"
    assert cases.all_cases(line.r) == []
    [answer, *_] = ana.texts("honestly I want to end my life tonight")
    assert answer.startswith("Call or text 988")
    [case] = cases.all_cases(line.r)
    assert case.phone == ANA


def test_a_crisis_text_in_a_held_conversation_escalates_and_the_peer_reads_it(line: Harness) -> None:
    ana, sam = held_conversation(line)
    line.work()
    [resource, *_] = sam.texts("i took all my pills an hour ago")
    assert resource.startswith("Call or text 988")
    line.work()
    [case] = cases.all_cases(line.r)
    assert case.phone == M1
    assert "[1 Sam] i took all my pills an hour ago" in line.twilio.texts_to(ANA)


def test_relayed_texts_expire_with_the_conversation_not_with_other_messages(line: Harness) -> None:
    ana, sam = held_conversation(line)
    ana.texts("Hi Sam, I'm here")
    line.work()
    week, month = line.settings.conversation_retention, line.settings.message_retention
    assert week < month
    relayed = [k for k in line.r.scan_iter("tl:msg:[0-9]*") if line.r.hget(k, "ref") == "conv:1"]
    assert relayed and all(0 < line.r.ttl(k) <= week for k in relayed)


def test_max_per_shift_counts_call_backs_and_texts_alike(line: Harness) -> None:
    """Requests are one queue: a call-back offered uses the same allowance as a text request."""
    line.configure(peers={"max_per_shift": 1})
    add_peer(line, "Ana", ANA)
    named_member(line, M1, "Sam").texts("CALL")
    line.work()
    named_member(line, M2, "Kim").texts(ALONE)
    line.work()
    assert sorted(cb.kind for cb in callbacks.all_requests(line.r)) == ["call", "text"]
    offered = [t for t in line.twilio.texts_to(ANA) if "TAKE" in t]
    assert len(offered) == 1 and "Sam" in offered[0], offered
