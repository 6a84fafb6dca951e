"""Peers over SMS: notified of new call-backs, QUEUE, TAKE (first wins), DONE, RELEASE, RETRY."""
from __future__ import annotations

import threading

from tests.support.harness import LINE_NUMBER, PUBLIC_URL, Harness, member_number, staff_number
from tests.support.peers import add_peer, named_member
from textline.models import requests as callbacks

M1, M2, M3 = member_number(501), member_number(502), member_number(503)
ANA, BEN, CAL, DEE = staff_number(501), staff_number(502), staff_number(503), staff_number(504)


def test_call_notifies_every_peer_on_call_once(line: Harness) -> None:
    add_peer(line, "Ana", ANA)
    add_peer(line, "Ben", BEN)
    add_peer(line, "Cal", CAL, on_call=False)
    named_member(line, M1, "Sam Smith").texts("CALL")
    line.work()
    for peer in (ANA, BEN):
        [notice] = line.twilio.texts_to(peer)
        assert notice == "Call-back 1 waiting, priority normal: Sam. Reply TAKE 1"
    assert line.twilio.texts_to(CAL) == []


def test_peers_never_see_the_members_number_or_surname(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    named_member(line, M1, "Sam Smith").texts("CALL")
    line.work()
    seen = line.twilio.texts_to(ANA) + ana.texts("QUEUE") + ana.texts("TAKE 1")
    line.work()
    assert all(M1 not in text and M1[-4:] not in text and "Smith" not in text for text in seen)


def test_a_member_without_a_name_is_a_member(line: Harness) -> None:
    add_peer(line, "Ana", ANA)
    line.member(M1).joins().texts("3")
    line.work()
    assert line.twilio.texts_to(ANA) == ["Call-back 1 waiting, priority normal: a member. Reply TAKE 1"]


def test_take_calls_the_peer_from_the_line_with_a_bridge_url(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    sam = named_member(line, M1, "Sam")
    sam.texts("CALL")
    [won] = ana.texts("TAKE 1")
    assert won.startswith("Call-back 1 is yours.") and "press 1" in won and "Sam" in won
    line.work()
    [call] = line.twilio.calls_to(ANA)
    assert call.form["From"] == LINE_NUMBER
    assert call.form["Url"] == PUBLIC_URL + "/twilio/voice/bridge/1/1/answer"
    assert call.form["StatusCallback"] == PUBLIC_URL + "/twilio/status"
    assert sam.received[-1] == "A peer will call you from this number in a moment."
    assert callbacks.get(line.r, 1).status == callbacks.Status.TAKEN


def test_two_peers_racing_for_one_call_back_exactly_one_wins(line: Harness) -> None:
    add_peer(line, "Ana", ANA)
    add_peer(line, "Ben", BEN)
    named_member(line, M1, "Sam").texts("CALL")
    answers: dict[str, list[str]] = {}
    start = threading.Barrier(2)

    def take(peer: str) -> None:
        client = line.app.test_client()
        params = {"MessageSid": f"SM{peer[-4:]}race", "From": peer, "To": LINE_NUMBER, "Body": "TAKE 1"}
        start.wait()
        response = client.post("/twilio/sms", data=params, base_url=PUBLIC_URL,
                               headers={"X-Twilio-Signature": line.sign("/twilio/sms", params)})
        answers[peer] = [m for m in response.get_data(as_text=True).split("<Message>")[1:]]

    threads = [threading.Thread(target=take, args=(p,)) for p in (ANA, BEN)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winner = callbacks.get(line.r, 1).taken_by
    loser = BEN if winner == ANA else ANA
    assert winner in (ANA, BEN)
    assert answers[winner][0].startswith("Call-back 1 is yours.")
    assert answers[loser][0].startswith(f"Call-back 1 was already taken by {'Ana' if winner == ANA else 'Ben'}.")
    line.work()
    assert [c.to for c in line.twilio.calls] == [winner]


def test_many_peers_racing_for_many_call_backs_one_winner_each(line: Harness) -> None:
    peers = [staff_number(520 + i) for i in range(4)]
    for i, phone in enumerate(peers):
        add_peer(line, f"Peer{i}", phone)
    requests = [member_number(520 + i) for i in range(8)]
    for phone in requests:
        named_member(line, phone).texts("CALL")
    won: list[tuple[str, int]] = []
    lock = threading.Lock()
    start = threading.Barrier(len(peers))

    def greedy(peer: str) -> None:
        client = line.app.test_client()
        start.wait()
        for n in range(1, len(requests) + 1):
            params = {"MessageSid": f"SM{peer[-4:]}x{n}", "From": peer, "To": LINE_NUMBER, "Body": f"TAKE {n}"}
            body = client.post("/twilio/sms", data=params, base_url=PUBLIC_URL,
                               headers={"X-Twilio-Signature": line.sign("/twilio/sms", params)}).get_data(as_text=True)
            if "is yours" in body:
                with lock:
                    won.append((peer, n))

    threads = [threading.Thread(target=greedy, args=(p,)) for p in peers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(n for _, n in won) == list(range(1, len(requests) + 1))
    for peer, n in won:
        assert callbacks.get(line.r, n).taken_by == peer
    line.work()
    assert len(line.twilio.calls) == len(requests)


def test_queue_lists_high_priority_first_then_oldest(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    named_member(line, M1, "Al").texts("CALL")
    named_member(line, M2, "Bo").texts("CALL")
    named_member(line, M3, "Cy")
    assert callbacks.open_request(line.line, M3, reason="low_checkin") == 3
    [queue] = ana.texts("QUEUE")
    assert queue == "3 waiting: C3 high Cy, C1 normal Al, C2 normal Bo. Reply TAKE <n>"
    line.work()
    assert line.twilio.texts_to(ANA)[-1] == "Call-back 3 waiting, priority high: Cy, low check-in today. Reply TAKE 3"


def test_queue_when_nothing_waits(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    assert ana.texts("QUEUE") == ["No call-backs waiting right now. Thank you!"]


def test_done_closes_with_a_note_kept_for_coordinators(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    ben = add_peer(line, "Ben", BEN)
    sam = named_member(line, M1, "Sam")
    sam.texts("CALL")
    ana.texts("TAKE 1")
    assert ben.texts("DONE 1") == ["Call-back 1 is with Ana, not you."]
    assert ana.texts("DONE 1 talked 20 min, feeling better") == ["Thank you. Call-back 1 is closed."]
    record = callbacks.get(line.r, 1)
    assert record.status == callbacks.Status.DONE and record.note == "talked 20 min, feeling better"
    assert ben.texts("TAKE 1") == ["Call-back 1 is already closed."]
    assert "already" not in sam.texts("CALL")[0]  # the member may ask again
    assert callbacks.open_request_id(line.line, M1) == 2


def test_release_puts_it_back_at_its_place_and_tells_the_others(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    add_peer(line, "Ben", BEN)
    named_member(line, M1, "Al").texts("CALL")
    named_member(line, M2, "Bo").texts("CALL")
    ana.texts("TAKE 1")
    line.work()
    assert ana.texts("RELEASE 1") == ["Call-back 1 is back in the queue at its place. Thank you."]
    assert callbacks.waiting_ids(line.r) == [1, 2]
    line.work()
    assert line.twilio.texts_to(BEN)[-1] == "Call-back 1 waiting, priority normal: Al. Reply TAKE 1"
    assert line.twilio.texts_to(ANA)[-1] != "Call-back 1 waiting, priority normal: Al. Reply TAKE 1"
    assert ana.texts("RELEASE 1") == ["Call-back 1 isn't taken. Reply TAKE 1 first."]


def test_retry_calls_the_peer_again(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    named_member(line, M1, "Sam").texts("CALL")
    ana.texts("TAKE 1")
    line.work()
    assert ana.texts("RETRY 1") == ["Calling you again for call-back 1: press 1 to connect."]
    line.work()
    assert len(line.twilio.calls_to(ANA)) == 2


def test_peer_commands_explain_what_they_need(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    assert ana.texts("TAKE") == ["Add the call-back number, like TAKE 42."]
    assert ana.texts("take 7") == ["There's no call-back 7. Reply QUEUE to see those waiting."]
    named_member(line, M1).texts("CALL")
    ana.texts("TAKE #1")
    assert ana.texts("TAKE 1")[0].startswith("Call-back 1 is already yours.")


def test_members_cannot_use_peer_commands(line: Harness) -> None:
    sam = named_member(line, M1, "Sam")
    sam.texts("CALL")
    assert "yours" not in " ".join(named_member(line, M2).texts("TAKE 1"))
    assert callbacks.get(line.r, 1).status == callbacks.Status.WAITING


def test_hundreds_of_concurrent_claims_never_give_a_request_two_owners(line: Harness) -> None:
    peers = [staff_number(540 + i) for i in range(6)]
    phones = [member_number(540 + i) for i in range(40)]
    for phone in phones:
        callbacks.create(line.line, phone)
    wins: list[tuple[str, int]] = []
    lock = threading.Lock()
    start = threading.Barrier(len(peers))

    def claim_all(peer: str) -> None:
        start.wait()
        for n in range(1, len(phones) + 1):
            cb = callbacks.get(line.r, n)
            if callbacks.take(line.line, cb, peer).ok:
                with lock:
                    wins.append((peer, n))

    threads = [threading.Thread(target=claim_all, args=(p,)) for p in peers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(n for _, n in wins) == list(range(1, len(phones) + 1))  # 240 attempts, 40 winners
    assert all(callbacks.get(line.r, n).taken_by == peer and callbacks.get(line.r, n).attempt == 1 for peer, n in wins)
    assert callbacks.waiting_ids(line.r) == []
