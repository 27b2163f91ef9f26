"""The provincial API connector against the simulator server: answers, outages, sync, cache."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from aiohttp import web
from stack_helpers import serve

from bot.localnet import free_port
from hotline.db import make_engine, make_session_factory, transaction, upgrade
from hotline.demo_data import DEMO_COMPLETED_CODE, DEMO_OVERDUE_CODE
from hotline.dossier_simulator import create_app
from hotline.dossiers import get_by_code, subscribe
from hotline.dossiers.connector import BAD_CODE, FOUND, NOT_FOUND, UNAVAILABLE, DossierConnector, sync_dossier
from hotline.notify import OutboxMessage

TOKEN = "s3cret-token"


@pytest.fixture
async def simulator():
    runner = web.AppRunner(create_app(token=TOKEN))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    yield base
    await runner.cleanup()


async def control(base: str, mode: str, delay: float = 0) -> None:
    async with aiohttp.ClientSession() as client:
        async with client.post(f"{base}/_control", json={"mode": mode, "delay": delay}) as response:
            assert response.status == 200


async def test_happy_path_returns_the_dossier(simulator):
    async with DossierConnector(simulator, TOKEN) as connector:
        result = await connector.fetch(DEMO_COMPLETED_CODE.lower())
    assert result.kind == FOUND
    assert result.record.code == DEMO_COMPLETED_CODE and result.record.status == "completed"
    assert result.record.phone.endswith("5678")


async def test_unknown_code_and_bad_code_and_wrong_token(simulator):
    async with DossierConnector(simulator, TOKEN) as connector:
        assert (await connector.fetch("000.00.31.H29-250715-0999")).kind == NOT_FOUND
        assert (await connector.fetch("'; DROP TABLE x")).kind == BAD_CODE
    async with DossierConnector(simulator, "wrong") as connector:
        assert (await connector.fetch(DEMO_OVERDUE_CODE)).kind == UNAVAILABLE


@pytest.mark.parametrize("mode", ["error", "malformed", "slow"])
async def test_outages_become_a_polite_answer(simulator, mode):
    await control(simulator, mode, delay=3)
    started = time.monotonic()
    async with DossierConnector(simulator, TOKEN, timeout=0.5) as connector:
        result = await connector.fetch(DEMO_OVERDUE_CODE)
    assert time.monotonic() - started < 2.5
    assert result.kind == UNAVAILABLE and result.record is None
    assert "thử lại" in result.message("vi") and "1800 1096" in result.message("vi")
    assert "try again later" in result.message("en")


async def test_nothing_listening_is_an_outage_too():
    async with DossierConnector(f"http://127.0.0.1:{free_port()}", TOKEN, timeout=1) as connector:
        assert (await connector.fetch(DEMO_OVERDUE_CODE)).kind == UNAVAILABLE
    async with DossierConnector("", TOKEN) as connector:
        assert (await connector.fetch(DEMO_OVERDUE_CODE)).kind == UNAVAILABLE


async def test_answers_are_cached_but_outages_are_not(simulator):
    async with DossierConnector(simulator, TOKEN, cache_ttl=60) as connector:
        await control(simulator, "error")
        assert (await connector.fetch(DEMO_COMPLETED_CODE)).kind == UNAVAILABLE
        await control(simulator, "normal")
        assert (await connector.fetch(DEMO_COMPLETED_CODE)).kind == FOUND
        await control(simulator, "error")
        assert (await connector.fetch(DEMO_COMPLETED_CODE)).kind == FOUND  # from the cache


async def test_sync_stores_the_dossier_and_a_status_change_notifies(simulator, tmp_path):
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        async with DossierConnector(simulator, TOKEN, cache_ttl=0) as connector:
            first = await sync_dossier(sessions, connector, DEMO_OVERDUE_CODE)
            assert first.ok and first.created
            with transaction(sessions) as session:
                subscribe(session, get_by_code(session, DEMO_OVERDUE_CODE), "web", "session-42", "en")
            async with aiohttp.ClientSession() as client:
                async with client.get(f"{simulator}/api/dossiers/{DEMO_OVERDUE_CODE}",
                                      headers={"Authorization": f"Bearer {TOKEN}"}) as response:
                    record = await response.json()
                record.update(status="completed", status_at="2026-11-20T10:00:00+07:00", message="Mời nhận kết quả")
                async with client.put(f"{simulator}/_control/dossiers/{DEMO_OVERDUE_CODE}", json=record) as response:
                    assert response.status == 200
            second = await sync_dossier(sessions, connector, DEMO_OVERDUE_CODE)
            assert second.ok and second.status_changed
        with sessions() as session:
            assert get_by_code(session, DEMO_OVERDUE_CODE).status == "completed"
            messages = session.query(OutboxMessage).all()
        assert [(m.channel, m.recipient) for m in messages] == [("web", "session-42")]
        assert "Completed" in messages[0].text
    finally:
        engine.dispose()


async def test_two_action_servers_syncing_one_status_change_notify_once(simulator, postgres_database):
    """Replicas that look the same dossier up at the same moment queue its status notice once."""
    from conftest import _reset_postgres
    from sqlalchemy import func, select

    from hotline.demo_data import demo_records

    _reset_postgres(postgres_database)
    upgrade(postgres_database)
    engine = make_engine(postgres_database)
    sessions = make_session_factory(engine)
    codes = [d["code"] for d in demo_records() if d["status"] == "in_processing"][:12]
    try:
        async with DossierConnector(simulator, TOKEN, cache_ttl=0) as one, \
                DossierConnector(simulator, TOKEN, cache_ttl=0) as two, aiohttp.ClientSession() as client:
            for n, code in enumerate(codes):
                assert (await sync_dossier(sessions, one, code)).created
                with transaction(sessions) as session:
                    subscribe(session, get_by_code(session, code), "telegram", str(500 + n))
                async with client.get(f"{simulator}/api/dossiers/{code}",
                                      headers={"Authorization": f"Bearer {TOKEN}"}) as response:
                    record = await response.json()
                record.update(status="completed", status_at="2026-11-20T10:00:00+07:00", message="Mời nhận kết quả")
                async with client.put(f"{simulator}/_control/dossiers/{code}", json=record) as response:
                    assert response.status == 200
            await asyncio.gather(*(sync_dossier(sessions, connector, code) for code in codes for connector in (one, two)))
        with transaction(sessions) as session:
            notices = dict(session.execute(select(OutboxMessage.recipient, func.count())
                                           .group_by(OutboxMessage.recipient)).all())
        assert notices == {str(500 + n): 1 for n in range(len(codes))}
    finally:
        engine.dispose()


async def test_a_code_locked_by_wrong_tries_is_not_fetched_from_the_province(tmp_path):
    """Someone guessing the digits of one code (from many senders) cannot make the assistant
    hammer the provincial system with it: once the code is locked, the chat asks nothing there."""
    import dataclasses

    from hotline import lookup_limits
    from hotline.dossiers import flows
    from hotline.lookup_limits import LookupKind
    from hotline.settings import load_settings

    fetched: list[str] = []

    @web.middleware
    async def count(request, handler):
        if request.path.startswith("/api/dossiers/"):
            fetched.append(request.path)
        return await handler(request)

    app = create_app(token=TOKEN)
    app.middlewares.append(count)
    runner, base = await serve(app)
    url = f"sqlite:///{tmp_path / 'h.db'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    settings = dataclasses.replace(load_settings(), dossier_api_url=base,
                                   dossier_api_token=TOKEN, dossier_api_cache_seconds=0)
    try:
        await flows.check(sessions, settings, "web:guesser-0", DEMO_OVERDUE_CODE, "0000")
        assert len(fetched) == 1  # a well-formed code from a sender in good standing: asked
        with transaction(sessions) as session:
            for n in range(lookup_limits.CODE_LIMIT[LookupKind.DOSSIER]):
                lookup_limits.record_failure(session, LookupKind.DOSSIER, f"web:guesser-{n}", DEMO_OVERDUE_CODE)
        result = await flows.check(sessions, settings, "web:someone-new", DEMO_OVERDUE_CODE.lower(), "4321")
        assert len(fetched) == 1 and result.outcome.code_locked
    finally:
        await flows._connector(settings).close()
        flows._connector.cache_clear()
        engine.dispose()
        await runner.cleanup()
