"""The citizen's dossier flows, as the chat actions call them: each opens its own transaction.

- `check`: refresh the dossier from the provincial API (when configured), then the verified
  lookup; says whether the province was not answering (the answer may be stale).
- `open_overdue_ticket`: one overdue_dossier ticket per citizen and dossier.
- `subscribe_citizen`: status pushes to the citizen's channel.
Blocking database work runs in a thread so the action server's event loop stays free.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.orm import sessionmaker

from hotline.db import transaction
from hotline.dossiers.codes import check_code
from hotline.dossiers.connector import DossierConnector, sync_dossier
from hotline.dossiers.enums import FetchKind
from hotline.dossiers.lookup import LookupOutcome, pause_remaining, verify_and_lookup
from hotline.dossiers.messages import ticket_description
from hotline.dossiers.service import get_by_code, subscribe, view_of
from hotline.enums import TicketKind


@dataclass(frozen=True)
class CheckResult:
    outcome: LookupOutcome
    stale: bool = False  # the provincial API did not answer: what we show may not be the latest


@lru_cache(maxsize=4)
def _connector(settings) -> DossierConnector:
    """One connector (and its cache) per settings for the life of the process."""
    return DossierConnector.from_settings(settings)


async def _refresh_from_province(sessions: sessionmaker, settings, sender: str, code: str | None) -> bool:
    """Update the dossier from the provincial API (when configured) before verifying.

    Only for a well-formed code from a sender who is not paused, and a code not locked by too
    many wrong tries (from anyone), so the bot cannot be used to hammer the provincial system.
    True when the API did not answer.
    """
    checked = check_code(code)
    if not settings.dossier_api_url or not checked.ok:
        return False

    def paused() -> bool:
        with sessions() as session:
            return pause_remaining(session, sender, checked.code) > 0

    if await asyncio.to_thread(paused):
        return False
    outcome = await sync_dossier(sessions, _connector(settings), checked.code)
    return outcome.fetch.kind == FetchKind.UNAVAILABLE


async def check(sessions: sessionmaker, settings, sender: str, code: str | None,
                digits: str | None) -> CheckResult:
    """Refresh from the province, then verify code + digits together (raises if the database is down)."""
    stale = await _refresh_from_province(sessions, settings, sender, code)

    def work() -> LookupOutcome:
        with transaction(sessions) as session:
            return verify_and_lookup(session, sender, code, digits)

    return CheckResult(await asyncio.to_thread(work), stale)


async def open_overdue_ticket(sessions: sessionmaker, code: str, *, channel: str, address: str, sender: str,
                              language: str):
    """The overdue_dossier ticket for the verified dossier `code` (None when the dossier is gone)."""

    def work():
        from hotline.tickets import open_ticket  # tickets build on dossiers, not the other way round

        with sessions() as session:
            dossier = get_by_code(session, code)
            view = view_of(dossier) if dossier else None
        if view is None:
            return None
        return open_ticket(
            sessions, kind=TicketKind.OVERDUE_DOSSIER, description=ticket_description(view), channel=channel,
            reply_address=address, sender_id=sender, dossier_code=view.code,
            procedure_code=view.procedure_code or None, commune_name=view.ward_name or None,
            province_name=view.province_name or None, language=language,
            # One tap or five, one ticket per citizen and dossier.
            channel_message_id=f"dossier:{view.code}:{address}"[:128],
        )

    return await asyncio.to_thread(work)


async def subscribe_citizen(sessions: sessionmaker, code: str, *, channel: str, address: str,
                            language: str) -> bool:
    """Subscribe the citizen's channel to the dossier's status changes; False when it is gone."""

    def work() -> bool:
        with transaction(sessions) as session:
            dossier = get_by_code(session, code)
            if dossier is None:
                return False
            subscribe(session, dossier, channel, address, language)
            return True

    return await asyncio.to_thread(work)
