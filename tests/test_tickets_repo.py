"""Ticket repository on SQLite and on the real PostgreSQL: intake, lifecycle, queues, races."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from tickets_helpers import add_user, complaint, new_factory

from hotline import tickets as T
from hotline.db import transaction
from hotline.notify import OutboxMessage, web_messages


@pytest.fixture
def sessions(database_url):
    engine, factory = new_factory(database_url)
    yield factory
    engine.dispose()


def test_codes_are_sequential_per_year_and_human_friendly(sessions):
    first = T.open_ticket(sessions, **complaint())
    second = T.open_ticket(sessions, **complaint(description="Lần hai"))
    year = datetime.now(timezone.utc).year
    assert first.code == f"PA-{year}-000001"
    assert second.code == f"PA-{year}-000002"
    assert T.parse_code(f"pa {year} 2") == second.code
    assert T.parse_code("'; DROP TABLE tickets; --") is None


def test_retried_message_never_makes_two_tickets(sessions):
    one = T.open_ticket(sessions, **complaint(channel_message_id="web:sess-1:42"))
    again = T.open_ticket(sessions, **complaint(channel_message_id="web:sess-1:42"))
    assert one.created and not again.created
    assert one.code == again.code
    with transaction(sessions) as session:
        assert session.execute(select(func.count(T.Ticket.id))).scalar_one() == 1


def test_simultaneous_retries_make_one_ticket(sessions):
    results, errors = [], []
    barrier = threading.Barrier(4)

    def submit():
        try:
            barrier.wait()
            results.append(T.open_ticket(sessions, **complaint(channel_message_id="tg:777:1", channel="telegram",
                                                             reply_address="777")).code)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1
    with transaction(sessions) as session:
        assert session.execute(select(func.count(T.Ticket.id))).scalar_one() == 1


def test_two_operators_claim_at_once_exactly_one_wins(sessions):
    ticket = T.open_ticket(sessions, **complaint())
    operators = [add_user(sessions, f"op{i}") for i in range(2)]
    barrier = threading.Barrier(2)
    wins: dict[str, bool] = {}

    def click(user):
        barrier.wait()
        with transaction(sessions) as session:
            wins[user.username] = T.claim(session, ticket.id, user)

    threads = [threading.Thread(target=click, args=(user,)) for user in operators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins.values()) == [False, True]
    winner = next(name for name, won in wins.items() if won)
    with transaction(sessions) as session:
        stored = T.get_ticket(session, ticket.code)
        assert stored.assignee.username == winner
        assert stored.status == "assigned"
        claims = [e for e in T.history(session, stored) if e.action == "claimed"]
        assert len(claims) == 1


def test_lifecycle_reply_resolve_rate_reopen(sessions):
    ticket = T.open_ticket(sessions, **complaint())
    operator = add_user(sessions, "lan")
    with transaction(sessions) as session:
        assert T.claim(session, ticket.id, operator)
        T.change_status(session, ticket.id, "in_progress", operator)
        T.add_note(session, ticket.id, operator, "Đã gọi cho UBND xã")
        T.reply(session, ticket.id, operator, "Chúng tôi đang xác minh.")
        assert T.get_ticket(session, ticket.id).status == "waiting_for_citizen"   # a reply waits for the citizen
    with transaction(sessions) as session, pytest.raises(T.TicketError):
        T.change_status(session, ticket.id, "new", operator)
    with transaction(sessions) as session:
        T.resolve(session, ticket.id, operator, "Xã đã tiếp nhận hồ sơ.")
    with transaction(sessions) as session, pytest.raises(T.TicketError):
        T.rate(session, ticket.id, 9)
    with transaction(sessions) as session:
        T.rate(session, ticket.id, 4)
        T.reopen(session, ticket.id, operator, "Công dân báo chưa xong")
    with transaction(sessions) as session:
        stored = T.get_ticket(session, ticket.code)
        assert stored.status == "assigned" and stored.is_open
        assert stored.first_response_at is None          # owed a new answer within a fresh SLA
        assert stored.open_sla_due_at == stored.sla_due_at
        actions = [e.action for e in T.history(session, stored)]
        assert actions == ["created", "claimed", "status", "note", "status", "reply", "resolved", "rated",
                           "reopened"]
        citizen_view = [e.action for e in T.history(session, stored, include_internal=False)]
        assert "note" not in citizen_view
        assert T.last_reply(session, stored).body == "Xã đã tiếp nhận hồ sơ."
    # the citizen's widget receives the reply and the rating request, in order, by cursor
    messages = web_messages(sessions, "web", "sess-1")
    texts = [m["text"] for m in messages]
    assert len(texts) == 2
    assert "Chúng tôi đang xác minh." in texts[0] and ticket.code in texts[0]
    assert "1" in texts[1] and "5" in texts[1] and "Xã đã tiếp nhận hồ sơ." in texts[1]
    assert web_messages(sessions, "web", "sess-1", after_id=messages[-1]["id"]) == []
    with transaction(sessions) as session:
        statuses = {m.status for m in session.query(OutboxMessage).filter_by(recipient="sess-1")}
    assert statuses == {"delivered"}


def test_history_cannot_be_rewritten(sessions):
    ticket = T.open_ticket(sessions, **complaint())
    with pytest.raises(T.TicketError), transaction(sessions) as session:
        event = T.history(session, T.get_ticket(session, ticket.code))[0]
        event.body = "đã sửa"
        session.flush()


def test_queues_show_the_right_tickets_most_urgent_first(sessions):
    operator = add_user(sessions, "minh")
    feedback = T.open_ticket(sessions, **complaint(kind="feedback", description="Góp ý: nên có chỗ để xe"))
    refused = T.open_ticket(sessions, **complaint(description="Cán bộ từ chối nhận hồ sơ vì sáp nhập xã"))
    other = T.open_ticket(sessions, **complaint(commune_code="26734", commune_name="Phường Sài Gòn",
                                                province_code="79", kind="technical_fault",
                                                description="Cổng dịch vụ công báo lỗi"))
    with transaction(sessions) as session:
        assert [t.code for t in T.queue_unassigned(session)] == [refused.code, other.code, feedback.code]
        assert T.claim(session, other.id, operator)
    with transaction(sessions) as session:
        assert [t.code for t in T.queue_unassigned(session)] == [refused.code, feedback.code]
        assert [t.code for t in T.queue_mine(session, operator.id)] == [other.code]
        assert [t.code for t in T.queue_by_commune(session, "00004")] == [refused.code, feedback.code]
        assert [t.code for t in T.queue_by_province(session, "79")] == [other.code]
        assert [t.code for t in T.queue_by_kind(session, "feedback")] == [feedback.code]
        # a week later, every open ticket is past its SLA; the refused dossier is due first
        later = datetime(2099, 1, 1, tzinfo=timezone.utc)
        assert [t.code for t in T.queue_sla(session, later)][0] == refused.code
        T.resolve(session, refused.id, operator)
    with transaction(sessions) as session:
        assert refused.code not in [t.code for t in T.queue_sla(session, later)]


def test_search_by_code_phone_text_and_ownership(sessions):
    mine = T.open_ticket(sessions, **complaint(description="Phí <b>ngoài</b> 100% _ lạ"))
    T.open_ticket(sessions, **complaint(phone="0987000111", sender_id="web:other", reply_address="other"))
    with transaction(sessions) as session:
        assert [t.code for t in T.search(session, code=mine.code.lower())] == [mine.code]
        assert [t.code for t in T.search(session, phone="+84 912 345 678")] == [mine.code]
        assert [t.code for t in T.search(session, text="100% _")] == [mine.code]
        assert T.search(session, text="1_0") == []
        assert T.search(session, code="PA-1999-000001") == []
        assert mine.masked_phone == "091*****78"
        # owner: same sender, or last 4 digits of the phone; a stranger learns nothing
        assert T.ticket_for_citizen(session, mine.code, sender_id="web:sess-1") is not None
        assert T.ticket_for_citizen(session, mine.code, sender_id="web:x", phone_last4="5678") is not None
        assert T.ticket_for_citizen(session, mine.code, sender_id="web:x", phone_last4="0000") is None
        assert T.ticket_for_citizen(session, "PA-2026-999999", sender_id="web:sess-1") is None


def test_bad_input_is_refused_politely(sessions):
    for bad in (dict(description="   "), dict(kind="spam"), dict(channel="fax")):
        with pytest.raises(T.TicketError):
            T.open_ticket(sessions, **complaint(**bad))
    huge = T.open_ticket(sessions, **complaint(description="😡" * 20000, phone="not a phone"))
    assert len(huge.description) == T.MAX_DESCRIPTION and huge.phone is None


def test_assign_and_reassign_rules(sessions):
    ticket = T.open_ticket(sessions, **complaint())
    a, b = add_user(sessions, "a-op"), add_user(sessions, "b-op")
    boss = add_user(sessions, "boss", role="supervisor")
    with transaction(sessions) as session:
        T.assign(session, ticket.id, a, boss)
    with transaction(sessions) as session, pytest.raises(T.TicketError):
        T.assign(session, ticket.id, b, b)   # an operator cannot take a colleague's ticket
    with transaction(sessions) as session:
        assert not T.claim(session, ticket.id, b)
        T.assign(session, ticket.id, b, boss)
        assert T.get_ticket(session, ticket.code).assignee.username == "b-op"
    with transaction(sessions) as session:
        assert session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 0
