"""The analytics consumer: `python -m hotline.analytics_consumer`, its own process.

Turns Rasa's conversation events into per-turn facts (`hotline/analytics.py`):

- **Cluster** (the endpoints file has a `pika` event broker, `make cluster`): reads the
  durable queue bound to Rasa's fanout exchange (both named in the endpoints file) in batches
  of up to `BATCH` events, stores them in one transaction, then acknowledges them: an event is
  lost only if RabbitMQ loses it, and one delivered twice changes nothing. Rasa publishes after
  it has saved the conversation, without waiting, so a replica killed in between never
  publishes those events; every `ANALYTICS_SCAN_SECONDS` the consumer therefore also reads the
  tracker store's new citizen messages and adds the turns the stream did not bring.
- **Embedded default** (`make run`, no event broker, no RabbitMQ): every
  `ANALYTICS_SCAN_SECONDS` it reads the new events of the tracker store itself.

Either way the tracker store is read by `events.id`, from a cursor kept in the hotline
database, leaving out the last `SETTLE_S` seconds (events still being written or published).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from dataclasses import dataclass

from sqlalchemy import bindparam, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from hotline.analytics import AnalyticsCursor, ConversationTurn, apply_events, parse_event
from hotline.db import SchemaNotAtHead, check_schema, make_engine, make_session_factory, transaction
from hotline.logging_setup import bootstrap
from hotline.settings import Settings, endpoints_config, load_settings

log = logging.getLogger("hotline.analytics")

BATCH = 500            # events stored per transaction
BATCH_WAIT_S = 0.3     # how long a batch waits to fill up
SCAN_BATCH = 2000      # tracker-store rows read at a time
SETTLE_S = 10.0        # the newest events are left to the stream (or to their writer) this long
CURSOR = "tracker_store"


@dataclass(frozen=True)
class Broker:
    exchange: str
    queue: str


def broker_of(endpoints: dict) -> Broker | None:
    """The pika event broker's exchange and (first) queue from an endpoints file, if it has one."""
    config = endpoints.get("event_broker") or {}
    if not isinstance(config, dict) or config.get("type") != "pika":
        return None
    queues = config.get("queues") or ["rasa_production_events"]
    queue = queues[0] if isinstance(queues, list) else str(queues)
    return Broker(str(config.get("exchange_name") or "rasa-exchange"), str(queue))


# ------------------------------------------------------------------ the tracker store


def _tracker_rows(tracker: Engine, after: int, only_user: bool) -> list:
    query = ("SELECT id, sender_id, type_name, timestamp, data FROM events WHERE id > :after"
             + (" AND type_name = 'user'" if only_user else "") + " ORDER BY id LIMIT :limit")
    with tracker.connect() as connection:
        last = connection.execute(text("SELECT max(id) FROM events")).scalar()
        if last is not None and last < after:  # the tracker store was emptied or replaced
            after = 0
        return connection.execute(text(query), {"after": after, "limit": SCAN_BATCH}).all()


def _event(row) -> dict | None:
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    data["sender_id"] = row.sender_id
    data.setdefault("event", row.type_name)
    data.setdefault("timestamp", row.timestamp)
    return data


def _turn_events(tracker: Engine, user_row) -> list[dict]:
    """A citizen message and what followed it, up to their next message."""
    with tracker.connect() as connection:
        rows = connection.execute(
            text("SELECT id, sender_id, type_name, timestamp, data FROM events "
                 "WHERE sender_id = :sender AND id > :after ORDER BY id LIMIT 200"),
            {"sender": user_row.sender_id, "after": user_row.id}).all()
    events = [_event(user_row)]
    for row in rows:
        if row.type_name == "user":
            break
        events.append(_event(row))
    return [e for e in events if e]


def _message_id(row) -> str | None:
    event = _event(row) or {}
    return event.get("message_id") or (event.get("parse_data") or {}).get("message_id")


def scan_tracker_store(sessions: sessionmaker, tracker: Engine, *, only_missing: bool,
                       now: float | None = None) -> int:
    """Read the tracker store's events after the cursor; returns how many turns were added.

    only_missing: read citizen messages only and add the turns missing from the table (the
    event stream brings the rest); otherwise fold every event in.
    """
    if not inspect(tracker).has_table("events"):
        return 0
    added = 0
    horizon = (now or time.time()) - SETTLE_S
    while True:
        with transaction(sessions) as session:
            cursor = session.get(AnalyticsCursor, CURSOR)
            position = cursor.position if cursor else 0
        rows = _tracker_rows(tracker, position, only_missing)
        ready = []
        for row in rows:
            if row.timestamp is not None and row.timestamp > horizon:
                break  # too new: leave it, and everything after, for the next scan
            ready.append(row)
        if not ready:
            return added
        if only_missing:
            ids = {row.id: _message_id(row) for row in ready}
            with transaction(sessions) as session:
                known = set(session.execute(
                    select(ConversationTurn.message_id).where(ConversationTurn.message_id.in_(bindparam("ids", expanding=True))),
                    {"ids": [m for m in ids.values() if m]}).scalars())
            events = [e for row in ready if ids[row.id] not in known for e in _turn_events(tracker, row)]
        else:
            events = [e for e in map(_event, ready) if e]
        with transaction(sessions) as session:
            added += apply_events(session, events)
            cursor = session.get(AnalyticsCursor, CURSOR)
            if cursor is None:
                session.add(AnalyticsCursor(name=CURSOR, position=ready[-1].id))
            else:
                cursor.position = ready[-1].id
        if added and only_missing:
            log.info("analytics: %d turns the event stream missed were added from the tracker store", added)
        if len(ready) < len(rows) or len(rows) < SCAN_BATCH:
            return added


# ------------------------------------------------------------------ the event stream


def store_events(sessions: sessionmaker, events: list[dict]) -> int:
    with transaction(sessions) as session:
        return apply_events(session, events)


async def consume_stream(settings: Settings, sessions: sessionmaker, broker: Broker, lock: asyncio.Lock) -> None:
    """Read Rasa's events from RabbitMQ forever, in batches, acknowledging after each commit."""
    import aio_pika

    connection = await aio_pika.connect_robust(settings.rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=2 * BATCH)
        # Declared exactly as Rasa's pika broker declares them, whichever starts first.
        exchange = await channel.declare_exchange(broker.exchange, aio_pika.ExchangeType.FANOUT)
        queue = await channel.declare_queue(broker.queue, durable=True)
        await queue.bind(exchange, "")
        inbox: asyncio.Queue = asyncio.Queue()
        await queue.consume(inbox.put)
        log.info("analytics: reading Rasa's events from queue %s (exchange %s)", broker.queue, broker.exchange)
        loop = asyncio.get_running_loop()
        while True:
            batch = [await inbox.get()]
            deadline = loop.time() + BATCH_WAIT_S
            while len(batch) < BATCH and (left := deadline - loop.time()) > 0:
                try:
                    batch.append(await asyncio.wait_for(inbox.get(), left))
                except asyncio.TimeoutError:
                    break
            events = [event for message in batch if (event := parse_event(message.body))]
            try:
                async with lock:
                    await asyncio.to_thread(store_events, sessions, events)
            except Exception:  # the database is away: give the events back, try again shortly
                log.exception("analytics: could not store %d events; they stay in the queue", len(events))
                await _settle_batch(batch, ack=False)
                await asyncio.sleep(5)
                continue
            await _settle_batch(batch, ack=True)


async def _settle_batch(batch: list, ack: bool) -> None:
    try:
        if ack:
            await batch[-1].ack(multiple=True)  # every earlier delivery on this channel too
        else:
            await batch[-1].nack(multiple=True, requeue=True)
    except Exception:  # the channel was re-opened meanwhile: RabbitMQ redelivers them, harmlessly
        log.warning("analytics: could not settle a batch of %d messages; they will be redelivered", len(batch))


async def scan_forever(settings: Settings, sessions: sessionmaker, only_missing: bool, lock: asyncio.Lock) -> None:
    tracker = make_engine(settings.tracker_database_url)
    what = "missed messages" if only_missing else "new events"
    log.info("analytics: reading %s from the tracker store every %g s", what, settings.analytics_scan_seconds)
    try:
        while True:
            try:
                async with lock:
                    await asyncio.to_thread(scan_tracker_store, sessions, tracker, only_missing=only_missing)
            except Exception:  # a database hiccup must not stop the scans for good
                log.exception("analytics: tracker-store scan failed")
            await asyncio.sleep(settings.analytics_scan_seconds)
    finally:
        tracker.dispose()


async def run(settings: Settings) -> None:
    engine = make_engine(settings.hotline_database_url)
    sessions = make_session_factory(engine)
    broker = broker_of(endpoints_config(settings.rasa_endpoints))
    lock = asyncio.Lock()  # the stream and the scan never write the same turn at once
    tasks = [scan_forever(settings, sessions, only_missing=broker is not None, lock=lock)]
    if broker is not None:
        tasks.append(consume_stream(settings, sessions, broker, lock))
    else:
        log.info("analytics: no event broker in %s; conversations are read from the tracker store",
                 settings.rasa_endpoints)
    try:
        await asyncio.gather(*tasks)
    finally:
        engine.dispose()


def main() -> None:
    settings = load_settings()
    bootstrap(settings, "analytics")
    try:
        check_schema(settings.hotline_database_url)
    except SchemaNotAtHead as error:
        sys.exit(f"analytics consumer not started: {error}")
    from aio_pika.exceptions import AMQPError

    try:
        asyncio.run(run(settings))
    except (OSError, AMQPError) as error:  # RabbitMQ not reachable (at start, or gone for good)
        sys.exit(f"analytics consumer stopped: {type(error).__name__}: {error}. Is RabbitMQ running at RABBITMQ_URL?")


if __name__ == "__main__":
    main()
