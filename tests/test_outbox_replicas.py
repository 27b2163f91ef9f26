"""Two web-app replicas, each running the outbox notifier, send every message exactly once.

Real processes (`python -m hotline.web`, as `make cluster` runs them) on one PostgreSQL
database, talking to a local fake Telegram Bot API. Each replica gets its own bot token so
the fake can tell who sent what.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from datetime import timedelta

import pytest
from conftest import _reset_postgres, free_port, settings_env, start_process, stop_process, wait_until_ready
from fake_telegram import FakeTelegram
from sqlalchemy import func, select, update
from tickets_helpers import add_user, complaint

from hotline import tickets as T
from hotline.db import make_engine, make_session_factory, transaction, upgrade
from hotline.dbtypes import utcnow
from hotline.dossiers import change_status, get_by_code, subscribe
from hotline.dossiers.importer import import_records
from hotline.notify import LEASE, OutboxMessage, _claim_due, enqueue_message

TOKENS = ("111:replica-one", "222:replica-two")
DOSSIER = {
    "Mã hồ sơ": "000.00.31.H29-250715-0012", "Mã thủ tục": "1.004222", "Tên thủ tục": "Đăng ký thường trú",
    "Cơ quan tiếp nhận": "UBND Phường Ba Đình", "Mã xã": "00004", "Xã phường": "Phường Ba Đình",
    "Tỉnh": "Thành phố Hà Nội", "Ngày tiếp nhận": "15/07/2025 09:30", "Ngày hẹn trả": "",
    "Thời hạn giải quyết": "7", "Đơn vị thời gian": "Ngày làm việc", "Trạng thái": "Đang xử lý",
    "Ngày cập nhật": "16/07/2025 10:00", "Ghi chú": "Đang thẩm định", "Số điện thoại": "0912 345 678",
}


@pytest.fixture
async def replicas(postgres_database, tmp_path):
    _reset_postgres(postgres_database)
    upgrade(postgres_database)  # the deploy step, once
    fake = FakeTelegram(token=TOKENS[0], other_tokens=TOKENS[1:])
    base_url = await fake.start()
    processes = []
    try:
        for n, token in enumerate(TOKENS, 1):
            _settings, env = settings_env(
                VAR_DIR=str(tmp_path / "var"), HOTLINE_DATABASE_URL=postgres_database, WEB_PORT=str(free_port()),
                HOST="127.0.0.1", TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_BASE_URL=base_url)
            process = start_process([sys.executable, "-m", "hotline.web"], env, tmp_path / f"web-{n}.log")
            processes.append(process)
            # on a thread: the fake API must keep answering meanwhile
            await asyncio.to_thread(wait_until_ready, f"http://127.0.0.1:{env['WEB_PORT']}/health", process, 60)
        engine = make_engine(postgres_database)
        yield fake, make_session_factory(engine)
        engine.dispose()
    finally:
        for process in processes:
            await asyncio.to_thread(stop_process, process)
        await fake.stop()


def _rows(sessions) -> Counter:
    with transaction(sessions) as session:
        return Counter(dict(session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()))


async def test_two_notifiers_send_every_message_once(replicas):
    fake, sessions = replicas
    operator = add_user(sessions, "lan")
    expected: list[tuple[int, str]] = []
    fake.fail_next("sendMessage", status=502, description="Bad Gateway")  # retried later, still once
    for batch in range(6):  # queued while both notifiers poll, as operators and the connector do
        with transaction(sessions) as session:
            for n in range(50):
                chat = 1000 + n % 17
                text = f"Tin {batch}-{n}: cán bộ đã trả lời phản ánh của bạn."
                enqueue_message(session, "telegram", str(chat), text)
                expected.append((chat, text))
        await asyncio.sleep(0.3)
    # An operator's reply and a dossier's status push go through the same outbox.
    ticket = T.open_ticket(sessions, **complaint(channel="telegram", reply_address="777", sender_id="telegram:777"))
    with transaction(sessions) as session:
        T.reply(session, ticket.id, operator, "Đã chuyển cho UBND phường.")
    import_records(sessions, [DOSSIER])
    with transaction(sessions) as session:
        dossier = get_by_code(session, DOSSIER["Mã hồ sơ"])
        subscribe(session, dossier, "telegram", "888")
    with transaction(sessions) as session:
        assert change_status(session, get_by_code(session, DOSSIER["Mã hồ sơ"]), "completed", message="Đã có kết quả")
    total = len(expected) + 2
    await fake.wait_for(lambda: _rows(sessions)["sent"] >= total, timeout=90)
    await asyncio.sleep(2.5)  # a double send would come now, if at all
    sent = [(int(c.params["chat_id"]), c.params["text"]) for c in fake.called("sendMessage") if c.status == 200]
    counts = Counter(sent)
    assert [item for item, n in counts.items() if n > 1] == []
    assert set(expected) <= set(counts) and len(sent) == total
    assert any(chat == 777 and "UBND phường" in text for chat, text in sent)
    assert any(chat == 888 and DOSSIER["Mã hồ sơ"] in text for chat, text in sent)
    by_replica = Counter(c.token for c in fake.called("sendMessage") if c.status == 200)
    assert set(by_replica) == set(TOKENS), f"both notifiers took part: {by_replica}"
    assert _rows(sessions) == Counter({"sent": total})


def test_a_claim_left_by_a_dead_notifier_is_taken_again_after_its_lease(sqlite_sessions):
    with transaction(sqlite_sessions) as session:
        enqueue_message(session, "telegram", "1", "một")
    now = utcnow()
    assert len(_claim_due(sqlite_sessions, now, 10, ["telegram"])) == 1   # this notifier dies now
    assert _claim_due(sqlite_sessions, now + LEASE - timedelta(seconds=1), 10, ["telegram"]) == []
    again = _claim_due(sqlite_sessions, now + LEASE + timedelta(seconds=1), 10, ["telegram"])
    assert len(again) == 1
    with transaction(sqlite_sessions) as session:
        row = session.execute(select(OutboxMessage)).scalar_one()
        assert (row.status, row.attempts) == ("sending", 2)
        session.execute(update(OutboxMessage).values(status="sent"))
    assert _claim_due(sqlite_sessions, now + 3 * LEASE, 10, ["telegram"]) == []
