"""The analytics consumer process against the real RabbitMQ, fed by Rasa's own pika event broker."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import IN_CI, PROJECT_ROOT, settings_env
from sqlalchemy import func, select

from hotline.analytics import ConversationTurn
from hotline.db import make_engine, make_session_factory, transaction, upgrade

RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
EVENTS = json.loads((Path(__file__).parent / "data" / "rasa_events_sample.json").read_text(encoding="utf-8"))


async def _declare_or_delete(exchange: str, queue: str, delete: bool) -> None:
    import aio_pika

    connection = await asyncio.wait_for(aio_pika.connect(RABBITMQ_URL), 5)
    async with connection:
        channel = await connection.channel()
        if delete:
            await channel.queue_delete(queue)
            await channel.exchange_delete(exchange)


@pytest.fixture
def rabbitmq():
    """A fresh exchange and queue on the local RabbitMQ, deleted afterwards."""
    try:
        asyncio.run(_declare_or_delete("", "", delete=False))
    except Exception:  # not reachable here
        if IN_CI:
            pytest.fail(f"RabbitMQ at {RABBITMQ_URL} must be reachable in CI")
        pytest.skip(f"RabbitMQ at {RABBITMQ_URL} not reachable here")
    names = f"test_events_{uuid.uuid4().hex[:8]}", f"test_analytics_{uuid.uuid4().hex[:8]}"
    yield names
    asyncio.run(_declare_or_delete(*names, delete=True))


async def _publish_like_rasa(exchange: str, queue: str, events: list[dict]) -> None:
    """Publish as a Rasa replica does: Rasa's PikaEventBroker, the event body with its sender_id."""
    import rasa.shared.core.events  # noqa: F401 - the broker uses it without importing it (Rasa loads it earlier)
    from rasa.core.brokers.pika import PikaEventBroker

    broker = PikaEventBroker("127.0.0.1", "guest", "guest", port=5672, queues=[queue], exchange_name=exchange)
    await broker.connect()
    for event in events:
        broker.publish(event)
    while broker._background_tasks:  # publishing is fire-and-forget in Rasa; wait for ours
        await asyncio.sleep(0.05)
    await broker.close()


def _count(sessions) -> int:
    with transaction(sessions) as session:
        return session.execute(select(func.count()).select_from(ConversationTurn)).scalar_one()


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_events_published_by_rasa_become_turns_once_even_across_a_consumer_crash(rabbitmq, tmp_path):
    exchange, queue = rabbitmq
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: ${RASA_TRACKER_DB}\n"
        f"event_broker:\n  type: pika\n  url: 127.0.0.1\n  username: guest\n  password: guest\n"
        f"  exchange_name: {exchange}\n  queues:\n    - {queue}\n")
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    upgrade(url)
    _settings, env = settings_env(VAR_DIR=str(tmp_path / "var"), HOTLINE_DATABASE_URL=url, RASA_ENDPOINTS=str(endpoints),
                                  RABBITMQ_URL=RABBITMQ_URL, ANALYTICS_SCAN_SECONDS="1")
    log = open(tmp_path / "consumer.log", "wb")

    def start() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "hotline.analytics_consumer"], cwd=PROJECT_ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)

    engine = make_engine(url)
    sessions = make_session_factory(engine)
    consumer = start()
    try:
        first = [e for e in EVENTS if e["sender_id"] != "s3"]
        asyncio.run(_publish_like_rasa(exchange, queue, first))
        _wait_for(lambda: _count(sessions) == 8, 30, "the first conversations' 8 turns")
        consumer.send_signal(signal.SIGKILL)
        consumer.wait()
        # While the consumer is down Rasa goes on publishing: the durable queue keeps the events.
        asyncio.run(_publish_like_rasa(exchange, queue, [e for e in EVENTS if e["sender_id"] == "s3"] + first[:30]))
        consumer = start()
        _wait_for(lambda: _count(sessions) == 14, 30, "all 14 turns")
        time.sleep(1.5)  # the repeated events have been read too by now: nothing doubled
        assert _count(sessions) == 14, (tmp_path / "consumer.log").read_text(errors="replace")[-3000:]
        with transaction(sessions) as session:
            outcomes = sorted(session.execute(select(ConversationTurn.outcome)).scalars())
        assert outcomes.count("answered") == 8 and "handoff" in outcomes
    finally:
        consumer.kill()
        consumer.wait()
        log.close()
        engine.dispose()


def test_the_consumer_says_clearly_when_rabbitmq_is_not_there(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("event_broker:\n  type: pika\n  url: 127.0.0.1\n  username: guest\n  password: guest\n"
                         "  queues:\n    - nowhere\n")
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    upgrade(url)
    from conftest import free_port

    _settings, env = settings_env(VAR_DIR=str(tmp_path / "var"), HOTLINE_DATABASE_URL=url, RASA_ENDPOINTS=str(endpoints),
                                  RABBITMQ_URL=f"amqp://guest:guest@127.0.0.1:{free_port()}/")
    done = subprocess.run([sys.executable, "-m", "hotline.analytics_consumer"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "Is RabbitMQ running at RABBITMQ_URL?" in done.stderr
    assert "guest:guest" not in done.stderr
