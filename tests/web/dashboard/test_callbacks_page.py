"""The Call-backs page lists calls only: text requests share the queue but have their own page."""
from __future__ import annotations

from tests.support.harness import Harness, member_number, staff_number
from tests.support.peers import add_peer, named_member
from textline.models import requests as callbacks
from textline.web.dashboard import data


def test_the_callbacks_page_lists_calls_not_text_requests(line: Harness) -> None:
    add_peer(line, "Pat", staff_number(781))
    named_member(line, member_number(781), "Sam").texts("my landlord keeps shouting at me")
    named_member(line, member_number(782), "Kim").texts("CALL")
    kinds = {cb.id: cb.kind for cb in callbacks.all_requests(line.r)}
    assert sorted(kinds.values()) == ["call", "text"]
    rows = data.callback_rows(line.line)
    assert [kinds[row.id] for row in rows] == ["call"]
