"""Zalo Official Account API client, shared by the Zalo bridge and the outbox (hotline.notify).

- `split_text`: Zalo's 2,000-character text limit, cut by `hotline.text_split` at paragraph, line, sentence or word
  boundaries and never inside a link.
- `TokenStore` + `OAClient.access_token`/`refresh`: the OA access/refresh token pair lives in
  the hotline database (`zalo_tokens`), seeded from ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN,
  refreshed before it expires and once when the API calls it invalid. Zalo's refresh token is
  single-use, so a lease in the row lets only one process spend it; the others wait and
  take the new pair from the database.
- `OAClient.send`: one customer-service message (text, optional buttons) through OA API v3,
  retried with backoff on 429, 5xx and refused connections; never after a timeout, because
  Zalo may have delivered it and a citizen must not get the same message twice.
- `remember_event`: a webhook event is taken once (`zalo_events`).

Tokens never reach a log or an exception text: errors carry Zalo's codes only.
See docs/channels.md for the API details relied on and where they are stated.

One module over 400 lines on purpose: every rule of Zalo's API (limits, token lease, retries)
sits next to the one client that obeys it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import Column, Index, String, Text, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from hotline.db import Base, transaction
from hotline.dbtypes import UTCDateTime, utcnow
from hotline.text_split import split_text as _split

log = logging.getLogger(__name__)

MAX_TEXT = 2000            # Zalo refuses longer texts (error -210) instead of cutting them
MAX_BUTTONS = 5            # buttons on one message
MAX_BUTTON_TITLE = 60
SEND_PATH = "/v3.0/oa/message/cs"
REFRESH_PATH = "/v4/oa/access_token"
# "Access token is invalid / expired": refresh once and send again.
TOKEN_ERRORS = frozenset({-216, -124})
SEND_ATTEMPTS = 6
REFRESH_ATTEMPTS = 3
REFRESH_MARGIN = timedelta(minutes=30)   # refresh a token that expires sooner than this
LEASE = timedelta(seconds=60)            # how long one process may hold the refresh (> HTTP timeout)
HTTP_TIMEOUT_S = 30
MAX_WAIT_S = 60                          # longest Retry-After honoured


class ZaloApiError(Exception):
    """Zalo refused or failed a call: `code` is Zalo's error code (negative) or an HTTP status."""

    def __init__(self, code: int | str, message: str = "") -> None:
        self.code = code
        super().__init__(f"Zalo API error {code}: {message}"[:300])


class ZaloAuthError(ZaloApiError):
    """The token pair could not be refreshed (the OA must be authorised again)."""


# ------------------------------------------------------------------ tables


class ZaloToken(Base):
    __tablename__ = "zalo_tokens"

    app_id = Column(String(64), primary_key=True)
    access_token = Column(Text, nullable=False)
    refresh_token = Column(Text, nullable=False)
    expires_at = Column(UTCDateTime, nullable=True)        # None: unknown (a token given by hand)
    seed_hash = Column(String(64), nullable=False)         # which ZALO_REFRESH_TOKEN seeded this row
    refresh_lease_until = Column(UTCDateTime, nullable=True)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


class ZaloEvent(Base):
    __tablename__ = "zalo_events"

    key = Column(String(160), primary_key=True)
    received_at = Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_zalo_events_received_at", "received_at"),)


def remember_event(sessions: sessionmaker, key: str) -> bool:
    """True the first time `key` is seen, False ever after (a retried or replayed event)."""
    try:
        with transaction(sessions) as session:
            session.add(ZaloEvent(key=key[:160], received_at=utcnow()))
        return True
    except IntegrityError:
        return False


def forget_events(sessions: sessionmaker, before: datetime) -> int:
    """Drop event keys older than `before` (events that old are refused by their timestamp anyway)."""
    with transaction(sessions) as session:
        return session.execute(delete(ZaloEvent).where(ZaloEvent.received_at < before)).rowcount or 0


# ------------------------------------------------------------------ text


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Zalo's text limit: see hotline.text_split."""
    return _split(text, limit)


# ------------------------------------------------------------------ tokens


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: datetime | None

    def expiring(self, now: datetime | None = None) -> bool:
        """Missing, or expiring within REFRESH_MARGIN (unknown expiry counts as valid)."""
        if not self.access_token:
            return True
        return self.expires_at is not None and self.expires_at - (now or utcnow()) <= REFRESH_MARGIN


def _fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class TokenStore:
    """The token row of one Zalo app in the hotline database (synchronous; call via to_thread)."""

    def __init__(self, sessions: sessionmaker, app_id: str, seed_access: str, seed_refresh: str) -> None:
        self.sessions = sessions
        self.app_id = app_id
        self.seed_access = seed_access
        self.seed_refresh = seed_refresh

    def load(self) -> TokenPair:
        """The stored pair; the configured one when none is stored or a new refresh token was configured."""
        for _ in range(2):
            try:
                with transaction(self.sessions) as session:
                    row = session.get(ZaloToken, self.app_id)
                    seed = _fingerprint(self.seed_refresh)
                    if row is None or (self.seed_refresh and row.seed_hash != seed):
                        if row is None:
                            row = ZaloToken(app_id=self.app_id)
                            session.add(row)
                        row.access_token = self.seed_access
                        row.refresh_token = self.seed_refresh
                        # A hand-given access token's expiry is unknown: used until Zalo refuses it.
                        row.expires_at = None
                        row.seed_hash = seed
                        row.refresh_lease_until = None
                        row.updated_at = utcnow()
                    return TokenPair(row.access_token, row.refresh_token, row.expires_at)
            except IntegrityError:  # another process seeded the row at the same moment
                continue
        raise RuntimeError("could not read the Zalo token row")

    def claim_lease(self) -> bool:
        """Take the right to refresh for LEASE; False while another process holds it."""
        now = utcnow()
        with transaction(self.sessions) as session:
            won = session.execute(
                update(ZaloToken)
                .where(ZaloToken.app_id == self.app_id,
                       (ZaloToken.refresh_lease_until.is_(None)) | (ZaloToken.refresh_lease_until < now))
                .values(refresh_lease_until=now + LEASE)
            ).rowcount
        return won == 1

    def release_lease(self) -> None:
        with transaction(self.sessions) as session:
            session.execute(update(ZaloToken).where(ZaloToken.app_id == self.app_id)
                            .values(refresh_lease_until=None))

    def save(self, pair: TokenPair) -> None:
        """Store a freshly refreshed pair and give the lease back."""
        with transaction(self.sessions) as session:
            session.execute(
                update(ZaloToken).where(ZaloToken.app_id == self.app_id)
                .values(access_token=pair.access_token, refresh_token=pair.refresh_token,
                        expires_at=pair.expires_at, refresh_lease_until=None, updated_at=utcnow())
            )

    def stored(self) -> TokenPair | None:
        """The stored pair as it is (for tests and diagnostics)."""
        with transaction(self.sessions) as session:
            row = session.execute(select(ZaloToken).where(ZaloToken.app_id == self.app_id)).scalar_one_or_none()
            return None if row is None else TokenPair(row.access_token, row.refresh_token, row.expires_at)


# ------------------------------------------------------------------ client


def _retry_after(header: str | None, fallback: float) -> float:
    try:
        return min(max(float(header), 0.0), MAX_WAIT_S) if header else fallback
    except ValueError:
        return fallback


def button(title: str) -> dict[str, Any]:
    """A Zalo button that, tapped, sends `title` back as the user's own text message."""
    title = title[:MAX_BUTTON_TITLE]
    return {"title": title, "type": "oa.query.show", "payload": title}


class OAClient:
    """Sends customer-service messages as the OA and keeps its access token fresh."""

    def __init__(self, settings, sessions: sessionmaker, *, sleep=asyncio.sleep) -> None:
        self.api_url = settings.zalo_api_base_url.rstrip("/")
        self.oauth_url = settings.zalo_oauth_base_url.rstrip("/")
        self.app_id = settings.zalo_app_id
        self.app_secret = settings.zalo_app_secret
        self.store = TokenStore(sessions, settings.zalo_app_id, settings.zalo_access_token,
                                settings.zalo_refresh_token)
        self.sleep = sleep
        self._pair: TokenPair | None = None
        self._lock = asyncio.Lock()
        self._http: aiohttp.ClientSession | None = None

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S))
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    # -------------------------------------------------------------- tokens

    async def access_token(self) -> str:
        """A token good for a while yet; refreshed first when it expires within REFRESH_MARGIN."""
        if self._pair is None or self._pair.expiring():
            self._pair = await asyncio.to_thread(self.store.load)
            if self._pair.expiring():
                return await self.refresh(self._pair.access_token)
        return self._pair.access_token

    async def refresh(self, stale: str) -> str:
        """Replace the access token `stale` (expiring, or refused by Zalo) and return the new one.

        If another process already replaced it, its pair is taken from the database instead of
        spending the refresh token again.
        """
        async with self._lock:
            deadline = asyncio.get_running_loop().time() + LEASE.total_seconds() + 5
            while True:
                pair = await asyncio.to_thread(self.store.load)
                if pair.access_token != stale and not pair.expiring():
                    self._pair = pair
                    return pair.access_token
                if await asyncio.to_thread(self.store.claim_lease):
                    # Read again under the lease: another process may have refreshed just before.
                    pair = await asyncio.to_thread(self.store.load)
                    if pair.access_token != stale and not pair.expiring():
                        await asyncio.to_thread(self.store.release_lease)
                        self._pair = pair
                        return pair.access_token
                    break
                if asyncio.get_running_loop().time() > deadline:
                    raise ZaloAuthError("lease", "another process is refreshing the Zalo token")
                await self.sleep(0.5)
            try:
                fresh = await self._call_refresh(pair.refresh_token)
            except BaseException:
                await asyncio.to_thread(self.store.release_lease)
                raise
            await asyncio.to_thread(self.store.save, fresh)
            self._pair = fresh
            log.info("Zalo access token refreshed%s",
                     f"; valid until {fresh.expires_at:%Y-%m-%d %H:%M} UTC" if fresh.expires_at else "")
            return fresh.access_token

    async def _call_refresh(self, refresh_token: str) -> TokenPair:
        if not refresh_token:
            raise ZaloAuthError("no-refresh-token", "no Zalo refresh token stored or configured")
        delay = 1.0
        for attempt in range(1, REFRESH_ATTEMPTS + 1):
            try:
                async with self._session().post(
                    f"{self.oauth_url}{REFRESH_PATH}",
                    data={"refresh_token": refresh_token, "app_id": self.app_id, "grant_type": "refresh_token"},
                    headers={"secret_key": self.app_secret},
                ) as response:
                    status = response.status
                    retry_after = response.headers.get("Retry-After")
                    body = await response.json(content_type=None) if status < 500 and status != 429 else None
            except aiohttp.ClientConnectorError:
                # Never reached Zalo: the refresh token is unspent, so trying again is safe.
                if attempt == REFRESH_ATTEMPTS:
                    raise ZaloAuthError("connect", "Zalo OAuth server unreachable") from None
                await self.sleep(delay)
                delay *= 2
                continue
            except ValueError:
                raise ZaloAuthError("body", "Zalo OAuth answered something that is not JSON") from None
            if status == 429:
                if attempt == REFRESH_ATTEMPTS:
                    raise ZaloAuthError(status, "rate limited")
                await self.sleep(_retry_after(retry_after, delay))
                delay *= 2
                continue
            if not isinstance(body, dict) or not body.get("access_token"):
                code = body.get("error", status) if isinstance(body, dict) else status
                reason = (body.get("error_name") or body.get("error_description") or "") if isinstance(body, dict) else ""
                raise ZaloAuthError(code, f"token refresh refused {str(reason)[:120]}")
            try:
                seconds = int(body.get("expires_in") or 0)
            except (TypeError, ValueError):
                seconds = 0
            return TokenPair(str(body["access_token"]), str(body.get("refresh_token") or refresh_token),
                             utcnow() + timedelta(seconds=seconds) if seconds > 0 else None)
        raise AssertionError("unreachable")

    # -------------------------------------------------------------- messages

    async def send(self, user_id: str, text: str, buttons: list[dict] | None = None) -> str:
        """Send one message to a Zalo user; Zalo's message id. Raises ZaloApiError."""
        message: dict[str, Any] = {"text": text}
        if buttons:
            message["attachment"] = {"type": "template", "payload": {"buttons": buttons[:MAX_BUTTONS]}}
        payload = {"recipient": {"user_id": str(user_id)}, "message": message}
        token = await self.access_token()
        refreshed = False
        delay = 0.5
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                async with self._session().post(f"{self.api_url}{SEND_PATH}", json=payload,
                                                headers={"access_token": token}) as response:
                    status = response.status
                    retry_after = response.headers.get("Retry-After")
                    body = await response.json(content_type=None) if status == 200 else None
            except aiohttp.ClientConnectorError:
                # Could not connect: the message was not taken, so trying again cannot double it.
                if attempt == SEND_ATTEMPTS:
                    raise ZaloApiError("connect", "Zalo API unreachable") from None
                await self.sleep(delay)
                delay = min(delay * 2, 30)
                continue
            except ValueError:
                raise ZaloApiError("body", "Zalo API answered something that is not JSON") from None
            if status == 429 or status >= 500:
                if attempt == SEND_ATTEMPTS:
                    raise ZaloApiError(status, "gave up after retries")
                wait = _retry_after(retry_after, delay)
                log.warning("Zalo API answered %s, retrying in %.1fs (attempt %s)", status, wait, attempt)
                await self.sleep(wait)
                delay = min(delay * 2, 30)
                continue
            if status != 200 or not isinstance(body, dict):
                raise ZaloApiError(status, "unexpected answer")
            code = body.get("error", 0)
            if code == 0:
                return str((body.get("data") or {}).get("message_id") or "")
            if code in TOKEN_ERRORS and not refreshed:
                refreshed = True
                log.warning("Zalo refused the access token (%s); refreshing it once", code)
                token = await self.refresh(token)
                continue
            raise ZaloApiError(code, str(body.get("message") or "")[:200])
        raise AssertionError("unreachable")

    async def send_message(self, user_id: str, text: str, buttons: list[dict] | None = None) -> str:
        """`send`, falling back to plain text when Zalo refuses the button template itself
        (the choices are numbered in the text as well, so nothing is lost)."""
        try:
            return await self.send(user_id, text, buttons)
        except ZaloApiError as error:
            refused = isinstance(error.code, int) and error.code < 0 and error.code not in TOKEN_ERRORS
            if not buttons or not refused or isinstance(error, ZaloAuthError):
                raise
            log.warning("Zalo refused the button template (%s); sending the text alone", error.code)
            return await self.send(user_id, text)
