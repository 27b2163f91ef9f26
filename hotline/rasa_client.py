"""Rasa's trusted channel as our front ends use it: the Telegram and Zalo bridges, the web widget.

`RasaClient.send` posts one message to `{RASA_URL}/webhooks/trusted/webhook` with the
channel secret and returns Rasa's replies, or None when Rasa could not answer; the bridges
then send `busy_text` so a citizen never meets silence. With the messenger's own message id,
a message whose answer was lost (a replica killed mid-answer, a timeout) is sent again safely:
Rasa answers an id it already holds with the replies it gave (bot/resend.py).
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp

from hotline.channel_messages import BUSY
from hotline.inbound import MAX_CLIENT_ID
from procedure_kb.i18n import EN, VI, say

log = logging.getLogger(__name__)

RASA_ATTEMPTS = 5
RASA_TIMEOUT_S = 60


def busy_text(phone: str, english: bool = False) -> str:
    """The apology sent when the assistant cannot answer right now."""
    return say(BUSY, EN if english else VI, phone=phone)


class RasaClient:
    """POSTs messages to Rasa's trusted channel (bot/channels.py) with the channel secret;
    retries when the request never got there, and — with a message id — when its answer was lost."""

    def __init__(self, rasa_url: str, channel_secret: str) -> None:
        self.url = f"{rasa_url.rstrip('/')}/webhooks/trusted/webhook"
        self.headers = {"X-Channel-Secret": channel_secret}
        self._session: aiohttp.ClientSession | None = None

    async def send(self, sender: str, message: str, message_id: str | None = None) -> list[dict] | None:
        """Rasa's replies, or None when Rasa could not be reached or failed."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=RASA_TIMEOUT_S))
        payload = {"sender": sender, "message": message}
        if message_id:
            payload["message_id"] = message_id[:MAX_CLIENT_ID]
        delay = 0.5
        for attempt in range(1, RASA_ATTEMPTS + 1):
            try:
                async with self._session.post(self.url, json=payload, headers=self.headers) as response:
                    if response.status in (502, 503, 504) and message_id and attempt < RASA_ATTEMPTS:
                        raise aiohttp.ServerDisconnectedError(f"load balancer answered {response.status}")
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
                # It may have been processed: without an id, retrying could run it twice. After
                # a timeout the citizen has waited long enough: the apology, not another minute.
                if not message_id or attempt == RASA_ATTEMPTS or isinstance(error, (ValueError, asyncio.TimeoutError)):
                    log.error("Rasa failed for %s: %r", sender, error)
                    return None
                await asyncio.sleep(delay)
                delay *= 2
        return None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
