"""Start Rasa's own command line (``rasa run …``) closed and bounded, with measured performance fixes.

- The HTTP API token comes from the environment (``RASA_TOKEN``, generated into VAR_DIR by the
  settings), so it never shows in the process list; every API endpoint but the channel
  webhooks then answers 401/403 without it.
- Request bodies are capped at 4 MB (Sanic's default is 100 MB); the channels cap the text.
- Its log handlers get the project's masking formatter (personal data, tracebacks, long lines).
- A message sent again with the same ``message_id`` is answered once (`bot.resend`).
- An action call that failed on the way (502/503/504, a broken connection) is asked again
  twice (`retrying_action_calls`): without it Rasa drops the action and says "not understood".

Measured with py-spy on the Rasa server under bench/chat_load.py:
- Rasa 3.6 checks every action-server response with ``jsonschema.validate``, which re-checks
  the schema itself and rebuilds a validator on every call: 46% of the server's CPU. Here
  the same schema is compiled once; every response is still validated, with the same error.
- Loading a conversation from the tracker store looks each event's class up by walking all
  subclasses of ``Event`` (6%). Here the name -> class table is built once; unknown names
  still go through Rasa's own lookup.
- With an event broker (the cluster), the SQL tracker store loads the whole conversation a
  second time on every save just to count its events before publishing the new ones
  (bench/RESULTS.md has the measured cost); here the events it stores are the ones published.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache


@lru_cache(maxsize=1)
def _response_validator():
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)


def _validate_action_result(self, result) -> bool:
    from jsonschema import ValidationError
    from rasa.core.actions.action import DOCS_BASE_URL

    try:
        _response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise


@lru_cache(maxsize=1)
def _event_classes() -> dict:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    table = {}
    for cls in reversed(all_subclasses(Event)):  # reversed: the first match wins, as in Rasa
        table[cls.type_name] = cls
    return table


async def _save_publishing_what_was_stored(self, tracker) -> None:
    """SQLTrackerStore.save that publishes to the event broker exactly the events it stores.

    Rasa's own save first loads the whole conversation again (`stream_events` -> `retrieve`) only
    to count its events, then stores the new ones (counted in the database) and publishes the
    diff. Here the new events are found once, stored, committed, then published: the same
    events, without the second load, and never an event that failed to commit.
    """
    import json

    from rasa.shared.nlu.constants import INTENT_NAME_KEY

    with self.session_scope() as session:
        events = list(self._additional_events(session, tracker))
        for event in events:
            data = event.as_dict()
            session.add(self.SQLEvent(
                sender_id=tracker.sender_id, type_name=event.type_name, timestamp=data.get("timestamp"),
                intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                action_name=data.get("name"), data=json.dumps(data),
            ))
        session.commit()
    if self.event_broker is not None:
        for event in events:
            body = {"sender_id": tracker.sender_id}
            body.update(event.as_dict())
            self.event_broker.publish(body)


ACTION_RETRY_DELAYS = (0.5, 1.5)  # seconds before the second and the third try


def _transient(error: BaseException) -> bool:
    """An action call that failed on the way, not in the action: the connection broke or the load
    balancer had no server for it (502/503/504)."""
    import aiohttp
    from rasa.utils.endpoints import ClientResponseError

    cause = error.__cause__ or error.__context__
    return isinstance(cause, aiohttp.ClientConnectionError) or (
        isinstance(cause, ClientResponseError) and cause.status in (502, 503, 504))


def retrying_action_calls(run):
    """RemoteAction.run that asks again when the call failed on the way (an action server killed
    mid-call, the load balancer between two servers). The actions that write are idempotent per
    message — a ticket per draft, a hand-off per message id — so a second call cannot write
    twice; without it Rasa drops the action's events and answers "I did not understand"."""
    import asyncio

    from rasa.shared.exceptions import RasaException

    async def run_retrying(self, *args, **kwargs):
        for delay in (*ACTION_RETRY_DELAYS, None):
            try:
                return await run(self, *args, **kwargs)
            except RasaException as error:
                if delay is None or not _transient(error):
                    raise
                await asyncio.sleep(delay)

    return run_retrying


def install_fixes() -> None:
    """Replace the per-call schema check and the per-event class search with cached ones, and
    the SQL tracker store's second conversation load per message when an event broker is set;
    retry an action call that failed on the way."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import Event

    SQLTrackerStore.save = _save_publishing_what_was_stored
    RemoteAction._validate_action_result = _validate_action_result
    RemoteAction.run = retrying_action_calls(RemoteAction.run)
    rasa_lookup = Event.resolve_by_type

    def resolve_by_type(type_name, default=None):
        return _event_classes().get(type_name) or rasa_lookup(type_name, default)

    Event.resolve_by_type = staticmethod(resolve_by_type)


MAX_BODY_BYTES = 4_000_000  # a 200,000-character message, JSON-escaped, is ~1.2 MB; the text is capped later


def mask_rasa_logs(rasa_cli) -> None:
    """Rasa sets up its own logging; wrap its handlers in the project's masking formatter after it
    does, so phone and ID numbers never reach the log, tracebacks included."""
    from hotline.logging_setup import mask_handlers

    def after(setup):
        def wrapped(*args, **kwargs):
            result = setup(*args, **kwargs)
            mask_handlers()
            return result

        return wrapped

    rasa_cli.configure_logging_and_warnings = after(rasa_cli.configure_logging_and_warnings)
    rasa_cli.configure_structlog = after(rasa_cli.configure_structlog)


def with_token(argv: list[str], token: str) -> list[str]:
    """`rasa run …` with the API token added. One argument (`--auth-token=…`): a generated token
    may start with "-", which argparse would take for an option and refuse to start."""
    if token and argv[1:2] == ["run"] and not any(a.split("=")[0] == "--auth-token" for a in argv):
        return [*argv, f"--auth-token={token}"]
    return argv


def main() -> None:
    from bot import resend

    install_fixes()
    resend.install()
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_BODY_BYTES))
    sys.argv = with_token(sys.argv, os.environ.get("RASA_TOKEN", ""))
    import rasa.__main__ as rasa_cli

    mask_rasa_logs(rasa_cli)
    sys.argv[0] = "rasa"
    rasa_cli.main()


if __name__ == "__main__":
    main()
