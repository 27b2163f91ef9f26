"""Messages to citizens through an outbox: written in the caller's transaction, sent later.

`enqueue_message(session, channel, recipient, text)` only inserts a row, so a reply is
delivered if and only if the operator's action committed. The web app runs `delivery_loop`,
which sends pending Telegram and Zalo rows; "web" and "rest" rows wait until the citizen's widget polls
`POST /api/widget/messages` (`web_messages`, read by cursor). Every web-app replica runs the
loop: due rows are selected `FOR UPDATE SKIP LOCKED` (PostgreSQL: replicas take different rows)
and claimed with a conditional UPDATE (any database: a row another loop claimed first is not
claimed again), so two loops never send a message twice (tests/test_outbox_replicas.py).
Failures are retried with exponential backoff and given up after `MAX_ATTEMPTS`. A claim is a
lease of `LEASE`: a row left "sending" by a notifier that died mid-send is sent again after it
(the one case a message can arrive twice: Telegram has no idempotency key).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Text, and_, select, update
from sqlalchemy.orm import Session, sessionmaker

from hotline.db import Base, transaction
from hotline.dbtypes import UTCDateTime, utcnow
from hotline.enums import Channel

log = logging.getLogger(__name__)

CHANNELS = tuple(c.value for c in Channel if c.can_receive_replies)
POLLED_CHANNELS = (Channel.WEB.value, Channel.REST.value)   # delivered when the citizen's client asks for them
MAX_ATTEMPTS = 8
MAX_TEXT = 4000                      # Telegram's limit is 4096 characters; Zalo's senders split at 2000
LEASE = timedelta(minutes=5)         # a claimed row not finished by then belongs to a dead notifier


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"

    id = Column(Integer, primary_key=True)
    channel = Column(String(16), nullable=False)
    recipient = Column(String(128), nullable=False)
    text = Column(Text, nullable=False)
    buttons = Column(JSON, nullable=True)   # quick replies [{"title", "payload"}] shown with the text
    ticket_id = Column(ForeignKey("tickets.id", ondelete="SET NULL"), nullable=True)
    # pending -> sending -> sent (pushed) | delivered (polled) | failed (gave up)
    status = Column(String(16), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime, nullable=False, default=utcnow)
    last_error = Column(String(500), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = Column(UTCDateTime, nullable=True)

    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        Index("ix_outbox_messages_recipient", "channel", "recipient", "status"),
    )


def _clean_buttons(buttons: list[dict] | None) -> list[dict[str, str]] | None:
    cleaned = [{"title": str(b["title"])[:40], "payload": str(b["payload"])[:60]}
               for b in buttons or [] if isinstance(b, dict) and b.get("title") and b.get("payload")]
    return cleaned[:8] or None


def enqueue_message(session: Session, channel: str, recipient: str, text: str,
                    ticket_id: int | None = None, buttons: list[dict] | None = None) -> OutboxMessage:
    """Queue `text` (with optional quick-reply `buttons`) for `recipient` on `channel`
    ("telegram" chat id, "zalo" user id, "web"/"rest" session id).

    Runs in the caller's transaction: nothing is sent unless the caller commits.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if not recipient or not text.strip():
        raise ValueError("recipient and text are required")
    message = OutboxMessage(channel=channel, recipient=str(recipient)[:128], text=text[:MAX_TEXT],
                            buttons=_clean_buttons(buttons),
                            ticket_id=ticket_id, status="pending", attempts=0, next_attempt_at=utcnow())
    session.add(message)
    session.flush()
    return message


def web_messages(sessions: sessionmaker, channel: str, recipient: str, after_id: int = 0,
                 limit: int = 20) -> list[dict]:
    """Messages for a widget session newer than `after_id`; pending ones are marked delivered.

    Read by cursor, never consumed: whoever else learns a session id cannot take a reply away
    from the citizen's own browser.
    """
    with transaction(sessions) as session:
        rows = session.execute(
            select(OutboxMessage.id, OutboxMessage.text, OutboxMessage.buttons, OutboxMessage.created_at,
                   OutboxMessage.status)
            .where(OutboxMessage.channel == channel, OutboxMessage.recipient == recipient,
                   OutboxMessage.id > after_id, OutboxMessage.status.in_(("pending", "delivered")))
            .order_by(OutboxMessage.id).limit(limit)
        ).all()
        pending = [row.id for row in rows if row.status == "pending"]
        if pending:
            session.execute(
                update(OutboxMessage).where(OutboxMessage.id.in_(pending), OutboxMessage.status == "pending")
                .values(status="delivered", sent_at=utcnow(), attempts=OutboxMessage.attempts + 1)
            )
    return [{"id": row.id, "text": row.text, "created_at": row.created_at.isoformat(),
             **({"buttons": row.buttons} if row.buttons else {})} for row in rows]


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 5 s, 10 s, 20 s … capped at one hour."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


def _claim_due(sessions: sessionmaker, now: datetime, limit: int, channels: list[str]) -> list[OutboxMessage]:
    """Mark due rows of the given pushed channels as "sending" (a lease until now + LEASE).

    Only channels this process can send on are claimed, so a web app without a Telegram token
    leaves Telegram rows alone. Due means pending and its retry time reached, or "sending"
    with the lease run out (its notifier died).
    """
    claimed: list[OutboxMessage] = []
    channels = [channel for channel in channels if channel not in POLLED_CHANNELS]
    if not channels:
        return claimed
    due_now = and_(OutboxMessage.status.in_(("pending", "sending")), OutboxMessage.next_attempt_at <= now)
    with transaction(sessions) as session:
        due = session.execute(
            select(OutboxMessage).where(due_now, OutboxMessage.channel.in_(channels))
            .order_by(OutboxMessage.id).limit(limit)
            .with_for_update(skip_locked=True)  # ignored by SQLite, which has one writer at a time
        ).scalars().all()
        for message in due:
            # Still due when we write (re-checked after any concurrent claim commits): exactly one
            # claimer wins, whatever the database and isolation level.
            won = session.execute(
                update(OutboxMessage).where(OutboxMessage.id == message.id, due_now)
                .values(status="sending", attempts=OutboxMessage.attempts + 1, next_attempt_at=now + LEASE)
            ).rowcount
            if won == 1:
                claimed.append(message)
    return claimed


def _finish(sessions: sessionmaker, message_id: int, error: str | None, attempts: int) -> None:
    with transaction(sessions) as session:
        if error is None:
            values = {"status": "sent", "sent_at": utcnow(), "last_error": None}
        elif attempts >= MAX_ATTEMPTS:
            values = {"status": "failed", "last_error": error[:500]}
        else:
            values = {"status": "pending", "last_error": error[:500],
                      "next_attempt_at": utcnow() + backoff(attempts)}
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))


class TelegramSender:
    """Sends through python-telegram-bot's Bot (base_url lets tests use a local fake API)."""

    def __init__(self, token: str, base_url: str) -> None:
        from telegram import Bot  # imported here: only the delivery loop needs it

        self.bot = Bot(token, base_url=base_url)
        self._ready = False

    async def send(self, chat_id: str, text: str, buttons: list[dict] | None = None) -> None:
        if not self._ready:
            await self.bot.initialize()
            self._ready = True
        markup = None
        if buttons:
            from telegram import InlineKeyboardButton, InlineKeyboardMarkup

            # The bridge reads "p:<payload>" as the payload itself (bot.telegram_format.PayloadStore);
            # outbox payloads are short ("1"…"5"), well inside Telegram's 64-byte callback data.
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(b["title"], callback_data="p:" + b["payload"][:60])
                                            for b in buttons]])
        await self.bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)

    async def close(self) -> None:
        if self._ready:
            await self.bot.shutdown()


class ZaloSender:
    """Sends through the Zalo OA API (hotline.zalo_oa), splitting texts at Zalo's limit.

    A text sent in several parts remembers how many went out, so when a later part fails and
    the outbox tries the row again, the citizen does not get the first parts twice.
    """

    def __init__(self, settings, sessions: sessionmaker) -> None:
        from hotline.zalo_oa import OAClient  # imported here: only the delivery loop needs it

        self.client = OAClient(settings, sessions)
        self._progress: dict[str, int] = {}

    async def send(self, user_id: str, text: str, buttons: list[dict] | None = None) -> None:
        from hotline.zalo_oa import split_text

        if buttons:  # quick replies as a line the citizen answers by typing one of them (e.g. 1-5)
            text = f"{text}\n" + " · ".join(str(b.get("title", "")) for b in buttons)
        chunks = split_text(text)
        key = f"{user_id}\n{text}"
        done = self._progress.get(key, 0)
        for index in range(done, len(chunks)):
            await self.client.send(user_id, chunks[index])
            self._progress[key] = index + 1
            if len(self._progress) > 1000:  # a bounded memory of half-sent texts
                self._progress.pop(next(iter(self._progress)))
        self._progress.pop(key, None)

    async def close(self) -> None:
        await self.client.close()


async def deliver_once(sessions: sessionmaker, senders: dict, limit: int = 50) -> int:
    """Send every due pushed message once; returns how many were sent successfully."""
    claimed = await asyncio.to_thread(_claim_due, sessions, utcnow(), limit, list(senders))
    sent = 0
    for message in claimed:
        sender = senders.get(message.channel)
        attempts = message.attempts + 1
        if sender is None:
            error = f"no sender configured for channel {message.channel}"
        else:
            try:
                if message.buttons:
                    await sender.send(message.recipient, message.text, message.buttons)
                else:
                    await sender.send(message.recipient, message.text)
                error = None
            except Exception as exc:  # any failure is retried later; details go to the row
                error = f"{type(exc).__name__}: {exc}"
        if error:
            log.warning("outbox message %s to %s failed (attempt %s): %s",
                        message.id, message.channel, attempts, error)
        else:
            sent += 1
        await asyncio.to_thread(_finish, sessions, message.id, error, attempts)
    return sent


async def delivery_loop(sessions: sessionmaker, senders: dict, interval: float = 1.0) -> None:
    """Run `deliver_once` forever (cancelled when the web app stops)."""
    while True:
        try:
            await deliver_once(sessions, senders)
        except asyncio.CancelledError:
            raise
        except Exception:  # a database hiccup must not stop deliveries for good
            log.exception("outbox delivery round failed")
        await asyncio.sleep(interval)
