"""check_dossier through the real Rasa and action servers, on the demo data set."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from hotline.db import make_engine, make_session_factory, upgrade
from hotline.demo_data import DEMO_COMPLETED_CODE, DEMO_OVERDUE_CODE, demo_records
from hotline.dossiers import DossierSubscription
from hotline.dossiers.importer import import_records


@pytest.fixture(scope="module")
def stack_db(stack):
    """The running stack's hotline database, with the demo dossiers loaded."""
    url = f"sqlite:///{stack.var_dir / 'hotline.db'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    import_records(sessions, demo_records(), source="demo")
    yield sessions
    engine.dispose()


def sender() -> str:
    return f"test-dossier-{uuid.uuid4().hex[:8]}"


def payloads(replies: list[dict]) -> list[str]:
    return [b["payload"] for r in replies for b in r.get("buttons", [])]


def test_overdue_dossier_code_then_digits_then_one_tap_ticket(stack, stack_db):
    who = sender()
    assert "mã hồ sơ" in stack.texts(who, "tra cứu tình trạng hồ sơ")
    assert "4 chữ số cuối" in stack.texts(who, DEMO_OVERDUE_CODE.lower())
    replies = stack.chat(who, "4321")
    text = "\n".join(r.get("text", "") for r in replies)
    assert "Đang xử lý" in text and "quá hạn" in text and "UBND Phường Ba Đình" in text
    assert "/dossier_open_ticket" in payloads(replies) and "/dossier_subscribe" in payloads(replies)
    opened = stack.texts(who, "/dossier_open_ticket")
    assert "Đã mở phiếu hỗ trợ PA-" in opened and DEMO_OVERDUE_CODE in opened
    assert "đã có phiếu hỗ trợ" in stack.texts(who, "/dossier_open_ticket")  # a second tap: same ticket
    from hotline.tickets import Ticket

    with stack_db() as session:
        tickets = session.execute(select(Ticket).where(Ticket.dossier_code == DEMO_OVERDUE_CODE)).scalars().all()
    assert len(tickets) == 1 and tickets[0].kind == "overdue_dossier"


def test_code_in_the_first_message_and_subscription(stack, stack_db):
    who = sender()
    assert "4 chữ số cuối" in stack.texts(who, f"hồ sơ {DEMO_OVERDUE_CODE} đến đâu rồi")
    stack.chat(who, "4 3 2 1")
    assert "Đã đăng ký" in stack.texts(who, "/dossier_subscribe")
    with stack_db() as session:
        subscription = session.execute(
            select(DossierSubscription).where(DossierSubscription.recipient == who)).scalar_one()
    assert (subscription.channel, subscription.active) == ("rest", True)


def test_wrong_digits_and_unknown_code_get_the_same_answer(stack, stack_db):
    first, second = sender(), sender()
    stack.chat(first, "tra cứu hồ sơ")
    stack.chat(first, DEMO_COMPLETED_CODE)
    wrong_digits = stack.texts(first, "1111")
    stack.chat(second, "tra cứu hồ sơ")
    stack.chat(second, "000.21.26.H58-251015-0999")
    unknown = stack.texts(second, "5678")
    assert wrong_digits == unknown and "Không tìm thấy" in unknown
    assert "Sài Gòn" not in wrong_digits and "tình trạng hôn nhân" not in wrong_digits


def test_garbage_code_is_explained_and_asked_again_and_stop_cancels(stack, stack_db):
    who = sender()
    stack.chat(who, "tra cứu hồ sơ")
    text = stack.texts(who, "<b>mã của tôi là 12345</b> 🙃")
    assert "chưa đúng định dạng" in text and "<b>" not in text
    assert "Đã hủy" in stack.texts(who, "thôi, dừng lại")
    # SQL or markup as a "code": a polite answer either way, never an error or data.
    stack.chat(who, "tra cứu hồ sơ")
    text = stack.texts(who, "'; DROP TABLE dossiers; --")
    assert "chưa đúng định dạng" in text or "Đã hủy" in text


def test_english_flow(stack, stack_db):
    who = sender()
    assert "dossier code" in stack.texts(who, "I want to check my dossier status")
    stack.chat(who, DEMO_COMPLETED_CODE)
    text = stack.texts(who, "5678")
    assert "Completed" in text and "ready" in text


@pytest.fixture(scope="module")
def province_stack(trained_model, tmp_path_factory):
    """Rasa + action servers whose DOSSIER_API_URL is the simulator, on an empty database."""
    import subprocess
    import sys

    from tests.conftest import PROJECT_ROOT, free_port, running_stack, wait_until_ready

    port = free_port()
    simulator = subprocess.Popen(
        [sys.executable, "-m", "hotline.dossier_simulator", "--port", str(port), "--token", "t0k"],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(f"{base}/health", simulator, timeout=60)
        with running_stack(trained_model, tmp_path_factory.mktemp("var_province"),
                           tmp_path_factory.mktemp("logs_province"), names=("actions", "rasa"),
                           DOSSIER_API_URL=base, DOSSIER_API_TOKEN="t0k", DOSSIER_API_CACHE_SECONDS="0",
                           DOSSIER_API_TIMEOUT="2") as running:
            yield running, base
    finally:
        simulator.terminate()
        simulator.wait(timeout=10)


def test_dossier_known_only_to_the_province_is_fetched_and_outages_are_explained(province_stack):
    from tests.conftest import http_json

    stack, base = province_stack
    who = sender()
    stack.chat(who, "tra cứu hồ sơ")
    stack.chat(who, DEMO_OVERDUE_CODE)
    text = stack.texts(who, "4321")
    assert "Đang xử lý" in text and "quá hạn" in text  # the local database was empty: it came from the API
    assert http_json("POST", f"{base}/_control", {"mode": "error"})[0] == 200
    other = sender()
    stack.chat(other, "tra cứu hồ sơ")
    stack.chat(other, DEMO_OVERDUE_CODE)
    text = stack.texts(other, "4321")
    assert "Đang xử lý" in text and "không phản hồi" in text  # stored copy, with a note that it may be old
