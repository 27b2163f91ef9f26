"""Ticket repository on SQLite and on the real PostgreSQL: intake, lifecycle, queues, races."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

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


VN = timezone(timedelta(hours=7))


def test_the_sla_queue_lists_every_ticket_labelled_due_soon(sessions):
    # Filed at night, a high-priority ticket falls due 4 office hours after the next opening:
    # exactly the "due soon" line. The label says "Sắp đến hạn", so the queue must list it.
    night = datetime(2026, 3, 10, 22, 0, tzinfo=VN)   # a Tuesday
    ticket = T.open_ticket(sessions, **complaint(description="Cán bộ từ chối nhận hồ sơ vì sáp nhập xã"), now=night)
    with transaction(sessions) as session:
        stored = T.get_ticket(session, ticket.code)
        assert stored.priority == 1 and stored.sla_state(night) == "due_soon"
        assert [t.code for t in T.queue_sla(session, night)] == [ticket.code]
        assert T.queue_count(session, "sla", now=night) == 1


def test_queue_filters_and_counts(sessions):
    high = T.open_ticket(sessions, **complaint(description="Bị đòi tiền bồi dưỡng khi nộp hồ sơ"))
    other = T.open_ticket(sessions, **complaint(commune_code="26740", commune_name="Phường Sài Gòn", province_code="79"))
    old = T.open_ticket(sessions, **complaint(channel_message_id="old"), now=datetime(2026, 1, 5, 9, 0, tzinfo=VN))
    with transaction(sessions) as session:
        assert T.queue_count(session, "open") == 3
        only_high = T.QueueFilter(priority=1)
        assert [t.code for t in T.queue(session, "open", filters=only_high)] == [high.code]
        in_saigon = T.QueueFilter(commune_code="26740")
        assert [t.code for t in T.queue(session, "unassigned", filters=in_saigon)] == [other.code]
        january = T.QueueFilter(created_from=datetime(2026, 1, 1, tzinfo=VN), created_until=datetime(2026, 2, 1, tzinfo=VN))
        assert [t.code for t in T.queue(session, "open", filters=january)] == [old.code]
        assert T.queue_count(session, "open", filters=T.QueueFilter(status="waiting_for_citizen")) == 0
        assert T.queue(session, "commune") == [] and T.queue_count(session, "kind", value="spam") == 0


def test_a_reply_waits_for_the_citizen_and_takes_an_unclaimed_ticket(sessions):
    ticket = T.open_ticket(sessions, **complaint())
    operator = add_user(sessions, "lan")
    with transaction(sessions) as session:
        T.reply(session, ticket.id, operator, "Bạn cho biết thêm mã hồ sơ giúp tôi.")
    with transaction(sessions) as session:
        stored = T.get_ticket(session, ticket.code)
        assert (stored.status, stored.assignee_id) == ("waiting_for_citizen", operator.id)
        assert stored.first_response_at is not None and stored.open_sla_due_at is None   # answered in time
        T.citizen_message(session, ticket.id, "Mã hồ sơ là 000.31.25.H29-250903-0007")
    with transaction(sessions) as session:
        assert T.get_ticket(session, ticket.code).status == "in_progress"


def test_only_the_handling_officer_reveals_the_phone_and_it_is_recorded(sessions):
    ticket = T.open_ticket(sessions, **complaint(contact_consent=True))
    handler, colleague = add_user(sessions, "lan"), add_user(sessions, "boss", role="supervisor")
    with transaction(sessions) as session, pytest.raises(T.TicketError):
        T.reveal_phone(session, ticket.id, handler)            # not claimed yet
    with transaction(sessions) as session:
        assert T.claim(session, ticket.id, handler)
    with transaction(sessions) as session, pytest.raises(T.TicketError):
        T.reveal_phone(session, ticket.id, colleague)          # a supervisor is not the handling officer
    with transaction(sessions) as session:
        assert T.reveal_phone(session, ticket.id, handler) == "0912345678"
    with transaction(sessions) as session:
        [shown] = [e for e in T.history(session, T.get_ticket(session, ticket.code)) if e.action == "phone_revealed"]
        assert shown.actor == "lan" and shown.internal
    no_consent = T.open_ticket(sessions, **complaint(channel_message_id="b"))
    with transaction(sessions) as session:
        assert T.claim(session, no_consent.id, handler)
    with transaction(sessions) as session, pytest.raises(T.TicketError):
        T.reveal_phone(session, no_consent.id, handler)       # the citizen did not agree to a call


def test_the_rating_request_carries_1_to_5_buttons(sessions):
    ticket = T.open_ticket(sessions, **complaint())
    operator = add_user(sessions, "lan")
    with transaction(sessions) as session:
        T.resolve(session, ticket.id, operator, "Đã xong.")
    [message] = web_messages(sessions, "web", "sess-1")
    assert [b["payload"] for b in message["buttons"]] == ["1", "2", "3", "4", "5"]
    assert message["buttons"][0]["title"] == "1 – kém" and message["buttons"][4]["title"] == "5 – rất tốt"
