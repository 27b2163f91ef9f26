"""Rasa's trusted channel as the messenger bridges use it (Telegram, Zalo).

`RasaClient.send` posts one message to `{RASA_URL}/webhooks/trusted/webhook` with the
channel secret and returns Rasa's replies, or None when Rasa could not answer; the bridges
then send `busy_text` so a citizen never meets silence.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp

from hotline.channel_messages import BUSY
from procedure_kb.i18n import EN, VI, say

log = logging.getLogger(__name__)

RASA_ATTEMPTS = 5
RASA_TIMEOUT_S = 60


def busy_text(phone: str, english: bool = False) -> str:
    """The apology sent when the assistant cannot answer right now."""
    return say(BUSY, EN if english else VI, phone=phone)


class RasaClient:
    """POSTs messages to Rasa's trusted channel (bot/channels.py) with the channel secret;
    retries only when the request never got there."""

    def __init__(self, rasa_url: str, channel_secret: str) -> None:
        self.url = f"{rasa_url.rstrip('/')}/webhooks/trusted/webhook"
        self.headers = {"X-Channel-Secret": channel_secret}
        self._session: aiohttp.ClientSession | None = None

    async def send(self, sender: str, message: str) -> list[dict] | None:
        """Rasa's replies, or None when Rasa could not be reached or failed."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=RASA_TIMEOUT_S))
        delay = 0.5
        for attempt in range(1, RASA_ATTEMPTS + 1):
            try:
                async with self._session.post(self.url, json={"sender": sender, "message": message},
                                              headers=self.headers) as response:
                    if response.status != 200:
                        log.error("Rasa answered %s for %s", response.status, sender)
                        return None
                    body = await response.json(content_type=None)
                    return body if isinstance(body, list) else []
            except aiohttp.ClientConnectorError as error:
                # Could not connect (Rasa restarting): the message was not processed, so retry.
                if attempt == RASA_ATTEMPTS:
                    log.error("Rasa unreachable for %s: %s", sender, error)
                    return None
                await asyncio.sleep(delay)
                delay *= 2
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
                # It may have been processed: retrying could answer twice.
                log.error("Rasa failed for %s: %r", sender, error)
                return None
        return None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
