"""Rasa's input channels with one gate in front: `hotline.inbound` cleans every message.

- ``rest`` (public, ``/webhooks/rest/webhook``): Rasa's REST channel that answers a malformed
  body with 400 instead of 500, refuses the reserved sender prefixes, cleans and caps the text.
- ``trusted`` (``/webhooks/trusted/webhook``): the same for our own front ends (web widget,
  Telegram and Zalo bridges), which must send the channel secret and may use — must use —
  their reserved prefix (``web:``, ``telegram:``, ``zalo:``).
- ``socketio``: Rasa's socket.io channel with the same gate on every message.

A message longer than the cap is cut, and the citizen is told only its beginning was read.
A body may carry ``"message_id"``: the same id sent again is answered once (`bot.resend`).
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint
from sanic.exceptions import SanicException
from sanic.request import Request

from bot.resend import scoped_id
from hotline.channel_messages import EMPTY_REPLY
from hotline.inbound import MAX_CLIENT_ID, SENDER, check_sender, clean_message, truncation_note
from procedure_kb.language import detect_language

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Channel-Secret"
_CLIENT_ID = "message_id"  # in the body; carried to the gate in the metadata, then taken out
_MAX_DEPTH = 20  # a chat message body is one flat object; deep nesting is an attack


class BadBody(SanicException):
    """A request the channel cannot read: answered 400 with a plain reason."""

    status_code = 400
    quiet = True


def _depth(value: Any, limit: int = _MAX_DEPTH) -> int:
    depth, level = 0, [value]
    while level and depth <= limit:
        depth += 1
        level = [v for item in level if isinstance(item, (dict, list))
                 for v in (item.values() if isinstance(item, dict) else item)]
    return depth


def read_body(request: Request) -> dict:
    """The JSON object of a request, or BadBody (never a 500) for anything else."""
    try:
        body = json.loads(request.body or b"")
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise BadBody("The body must be a JSON object: {\"sender\": \"…\", \"message\": \"…\"}.") from None
    if not isinstance(body, dict):
        raise BadBody("The body must be a JSON object: {\"sender\": \"…\", \"message\": \"…\"}.")
    if _depth(body) > _MAX_DEPTH:
        raise BadBody("The body is nested too deeply.")
    return body


def guarded(on_new_message: Callable[[UserMessage], Awaitable[Any]], *, trusted: bool):
    """`on_new_message` behind the gate: bad senders dropped, text cleaned, long text cut and said so."""

    async def handle(message: UserMessage) -> None:
        reason = check_sender(message.sender_id, trusted=trusted)
        if reason:
            log.warning("message refused: %s", reason)
            return
        cleaned = clean_message(message.text)
        if cleaned is None or not cleaned.text:
            english = detect_language(message.text or "") == "en" if isinstance(message.text, str) else False
            await message.output_channel.send_text_message(message.sender_id, EMPTY_REPLY[1 if english else 0])
            return
        if cleaned.truncated:
            english = detect_language(cleaned.text[:300]) == "en"
            await message.output_channel.send_text_message(message.sender_id, truncation_note(english))
        message.text = cleaned.text
        if message.metadata is not None and not isinstance(message.metadata, dict):
            message.metadata = None
        client_id = message.metadata.pop(_CLIENT_ID, None) if message.metadata else None
        if client_id:
            message.message_id = scoped_id(message.sender_id, client_id)
        await on_new_message(message)

    return handle


class PublicRestInput(RestInput):
    """Rasa's REST channel for anyone: no reserved senders, no 500s on odd bodies."""

    trusted = False

    @classmethod
    def name(cls) -> str:
        return "rest"

    def _body(self, request: Request) -> dict:
        if "gate_body" not in request.ctx.__dict__:
            request.ctx.gate_body = read_body(request)
        return request.ctx.gate_body

    async def _extract_sender(self, request: Request) -> str | None:
        sender = self._body(request).get("sender")
        reason = check_sender(sender, trusted=self.trusted)
        if reason:
            status = 403 if isinstance(sender, str) and SENDER.fullmatch(sender) else 400  # borrowed, or bad
            raise SanicException(reason[0].upper() + reason[1:] + ".", status_code=status, quiet=True)
        return sender

    def _extract_message(self, request: Request) -> str | None:
        message = self._body(request).get("message")
        if message is not None and not isinstance(message, str):
            raise BadBody("The message must be text.")
        return message or ""

    def _extract_input_channel(self, request: Request) -> str:
        return self.name()  # never the client's word: actions trust the channel name

    def get_metadata(self, request: Request) -> Dict[str, Any] | None:
        body = self._body(request)
        metadata = dict(body["metadata"]) if isinstance(body.get("metadata"), dict) else None
        if metadata:
            metadata.pop(_CLIENT_ID, None)  # only the body's own field names a message
        client_id = body.get(_CLIENT_ID)
        if client_id is not None:
            if not isinstance(client_id, (str, int)) or isinstance(client_id, bool) \
                    or not 0 < len(str(client_id)) <= MAX_CLIENT_ID:
                raise BadBody(f"The message_id must be a text of 1 to {MAX_CLIENT_ID} characters.")
            metadata = {**(metadata or {}), _CLIENT_ID: str(client_id)}
        return metadata

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(guarded(on_new_message, trusted=self.trusted))


class TrustedChannelInput(PublicRestInput):
    """The REST channel of our own front ends: channel secret required, reserved prefixes only."""

    trusted = True

    def __init__(self, secret: str | None = None) -> None:
        self.secret = secret or os.environ.get("CHANNEL_SECRET", "")

    @classmethod
    def name(cls) -> str:
        return "trusted"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> TrustedChannelInput:
        return cls((credentials or {}).get("secret"))

    async def _extract_sender(self, request: Request) -> str | None:
        given = request.headers.get(SECRET_HEADER, "")
        if not self.secret or not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise SanicException("Forbidden.", status_code=403, quiet=True)
        return await super()._extract_sender(request)


class SafeSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with the same gate on every message."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(guarded(on_new_message, trusted=False))

