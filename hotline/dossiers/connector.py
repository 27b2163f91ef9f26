"""Client of a provincial dossier API: ``GET {base}/api/dossiers/{code}`` with a bearer token.

Answers are cached for a few minutes (citizens ask again and again about the same dossier;
the provincial system is slow and rate-limited). Anything other than a well-formed answer —
timeout, refused connection, 5xx, HTML error page, malformed JSON — becomes a polite
"the system is not answering" result; nothing here raises to the caller.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from urllib.parse import quote

import aiohttp
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from hotline.db import transaction
from hotline.dossiers.codes import check_code
from hotline.dossiers.enums import FetchKind
from hotline.dossiers.importer import RecordError, parse_record
from hotline.dossiers.messages import configured_hotline, fetch_text
from hotline.dossiers.models import Dossier, DossierRecord
from hotline.dossiers.service import InvalidTransition, upsert_dossier

log = logging.getLogger(__name__)

# Short names for the kinds (one definition: hotline.dossiers.enums.FetchKind).
FOUND, NOT_FOUND, UNAVAILABLE, BAD_CODE = FetchKind.FOUND, FetchKind.NOT_FOUND, FetchKind.UNAVAILABLE, FetchKind.BAD_CODE
MAX_BODY = 256 * 1024


@dataclass(frozen=True)
class FetchResult:
    kind: FetchKind
    record: DossierRecord | None = None
    hotline_phone: str = ""  # for the texts; the connector passes settings.hotline_phone

    @property
    def ok(self) -> bool:
        return self.kind == FOUND

    def message(self, lang: str = "vi") -> str:
        """Citizen-facing text for a result that carries no dossier."""
        return fetch_text(self.kind, lang, self.hotline_phone or None)

    @property
    def message_en(self) -> str:
        return f"stored {self.record.code}: {self.record.status}" if self.record else self.message("en")


class DossierConnector:
    """Async client with a small TTL cache; use as ``async with DossierConnector(...)``."""

    def __init__(self, base_url: str, token: str = "", *, timeout: float = 5.0, cache_ttl: float = 300.0,
                 reduction: float = 0.0, hotline_phone: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.cache_ttl = cache_ttl
        self.reduction = reduction
        self.hotline_phone = hotline_phone or configured_hotline()
        self._cache: dict[str, tuple[float, FetchResult]] = {}
        self._session: aiohttp.ClientSession | None = None

    @classmethod
    def from_settings(cls, settings, **kwargs) -> DossierConnector:
        kwargs.setdefault("cache_ttl", settings.dossier_api_cache_seconds)
        kwargs.setdefault("timeout", settings.dossier_api_timeout)
        return cls(settings.dossier_api_url, settings.dossier_api_token,
                   reduction=settings.dossier_time_reduction, hotline_phone=settings.hotline_phone, **kwargs)

    async def __aenter__(self) -> DossierConnector:
        return self

    async def __aexit__(self, *_exc) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            headers = {"Accept": "application/json"}
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            self._session = aiohttp.ClientSession(
                headers=headers, timeout=aiohttp.ClientTimeout(total=self.timeout)
            )
        return self._session

    def _result(self, kind: FetchKind, record: DossierRecord | None = None) -> FetchResult:
        return FetchResult(kind, record, self.hotline_phone)

    async def fetch(self, code_text: str) -> FetchResult:
        """The dossier as the provincial system knows it now (or from the cache)."""
        checked = check_code(code_text)
        if not checked.ok:
            return self._result(BAD_CODE)
        code = checked.code
        cached = self._cache.get(code)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        if not self.base_url:
            log.warning("dossier API not configured (DOSSIER_API_URL is empty)")
            return self._result(UNAVAILABLE)
        result = await self._fetch(code)
        if result.kind in (FOUND, NOT_FOUND):  # never cache an outage
            self._cache[code] = (time.monotonic() + self.cache_ttl, result)
        return result

    async def _fetch(self, code: str) -> FetchResult:
        url = f"{self.base_url}/api/dossiers/{quote(code, safe='')}"
        try:
            async with self._client().get(url) as response:
                if response.status == 404:
                    return self._result(NOT_FOUND)
                if response.status != 200:
                    log.warning("dossier API answered HTTP %s for %s", response.status, code)
                    return self._result(UNAVAILABLE)
                body = await response.content.read(MAX_BODY + 1)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            log.warning("dossier API unreachable for %s: %s", code, type(exc).__name__)
            return self._result(UNAVAILABLE)
        if len(body) > MAX_BODY:
            log.warning("dossier API answer too large for %s", code)
            return self._result(UNAVAILABLE)
        try:
            data = json.loads(body.decode("utf-8"))
            if isinstance(data, dict) and isinstance(data.get("dossier"), dict):
                data = data["dossier"]
            record = parse_record(data, self.reduction)
        except (ValueError, UnicodeDecodeError, RecordError) as exc:
            log.warning("dossier API gave a malformed answer for %s: %s", code, exc)
            return self._result(UNAVAILABLE)
        if record.code != code:
            log.warning("dossier API answered %s for %s", record.code, code)
            return self._result(UNAVAILABLE)
        return self._result(FOUND, record)


@dataclass(frozen=True)
class SyncOutcome:
    fetch: FetchResult
    created: bool = False
    status_changed: bool = False

    @property
    def ok(self) -> bool:
        return self.fetch.ok

    @property
    def message_en(self) -> str:
        return self.fetch.message_en

    def message(self, lang: str = "vi") -> str:
        return self.fetch.message(lang)


async def sync_dossier(sessions: sessionmaker, connector: DossierConnector, code: str) -> SyncOutcome:
    """Fetch one dossier and store it; a status change notifies its subscribers."""
    result = await connector.fetch(code)
    if not result.ok:
        return SyncOutcome(result)

    def store() -> SyncOutcome:
        try:
            with transaction(sessions) as session:
                # Two action servers syncing one dossier at once: the second waits for the first's
                # commit here and then sees its status, so a change notifies subscribers once.
                session.execute(select(Dossier.id).where(Dossier.code == result.record.code).with_for_update())
                upserted = upsert_dossier(session, result.record, source="api")
                return SyncOutcome(result, upserted.created, upserted.status_changed)
        except InvalidTransition as exc:  # the provincial data contradicts our history; keep ours
            log.warning("dossier %s: provincial API reported an impossible change: %s", result.record.code, exc)
            return SyncOutcome(result)

    return await asyncio.to_thread(store)
