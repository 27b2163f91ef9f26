"""The Rasa server's faster action-response check accepts and rejects exactly what Rasa's does."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.rasa_server import _validate_action_result

GOOD = {"events": [{"event": "slot", "name": "language", "value": "vi"}], "responses": [{"text": "Xin chào"}]}
BAD = [{"events": "not a list"}, {"events": [{"no_event_key": 1}]}, {"responses": "x"}]


def test_valid_response_passes_both_checks() -> None:
    assert _validate_action_result(None, GOOD) is True
    jsonschema.validate(GOOD, RemoteAction.action_response_format_spec())


@pytest.mark.parametrize("bad", BAD)
def test_invalid_response_is_rejected_like_rasa_does(bad) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        _validate_action_result(None, bad)


def test_event_lookup_gives_the_same_classes_as_rasa() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    from bot.rasa_server import _event_classes

    for cls in all_subclasses(Event):
        expected = next(c for c in all_subclasses(Event) if c.type_name == cls.type_name)
        assert _event_classes()[cls.type_name] is expected


async def test_the_tracker_store_publishes_exactly_the_events_rasa_would(tmp_path) -> None:
    """The save that skips Rasa's second conversation load stores and publishes the same events.

    Both run on Rasa's real SQL tracker store with Rasa's SQL event broker (a real broker that
    writes what it is given to a table), over two turns of a conversation.
    """
    import json

    from rasa.core.brokers.sql import SQLEventBroker
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from sqlalchemy import create_engine, text

    from bot.rasa_server import _save_publishing_what_was_stored

    rasa_save = SQLTrackerStore.save
    assert rasa_save is not _save_publishing_what_was_stored  # Rasa's own, for the comparison
    turns = [
        [ActionExecuted("action_session_start", timestamp=1.0), SessionStarted(timestamp=1.1),
         ActionExecuted("action_listen", timestamp=1.2),
         UserUttered("xin chào", {"name": "greet", "confidence": 0.99}, timestamp=2.0, message_id="m1"),
         ActionExecuted("utter_greet", timestamp=2.1), BotUttered("Xin chào!", timestamp=2.2),
         ActionExecuted("action_listen", timestamp=2.3)],
        [UserUttered("thủ tục khai sinh", {"name": "ask_procedure", "confidence": 0.9}, timestamp=3.0, message_id="m2"),
         ActionExecuted("action_answer_procedure", timestamp=3.1), BotUttered("Đăng ký khai sinh…", timestamp=3.2),
         ActionExecuted("action_listen", timestamp=3.3)],
    ]

    async def run(name: str, save) -> tuple[list, list]:
        broker = SQLEventBroker(db=str(tmp_path / f"{name}-broker.db"))
        store = SQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / f"{name}-tracker.db"),
                                event_broker=broker)
        for events in turns:
            tracker = await store.retrieve("citizen") or DialogueStateTracker("citizen", slots=[])
            for event in events:
                tracker.update(event)
            await save(store, tracker)
        await asyncio.sleep(0)
        published = [json.loads(data) for (data,) in create_engine(f"sqlite:///{tmp_path / f'{name}-broker.db'}")
                     .connect().execute(text("SELECT data FROM events ORDER BY id"))]
        stored = [json.loads(data) for (data,) in create_engine(f"sqlite:///{tmp_path / f'{name}-tracker.db'}")
                  .connect().execute(text("SELECT data FROM events ORDER BY id"))]
        return published, stored

    import asyncio

    rasa_published, rasa_stored = await run("rasa", rasa_save)
    our_published, our_stored = await run("ours", _save_publishing_what_was_stored)
    assert our_stored == rasa_stored and len(our_stored) == 11
    assert our_published == rasa_published
    assert [e["event"] for e in our_published].count("user") == 2 and all(e["sender_id"] == "citizen" for e in our_published)


async def _action_server(statuses: list[int]):
    """An action endpoint on localhost answering the given statuses in turn, then a valid answer."""
    from aiohttp import web
    from stack_helpers import serve

    calls: list[int] = []

    async def webhook(request: web.Request) -> web.Response:
        await request.json()
        calls.append(1)
        if len(calls) <= len(statuses):
            return web.Response(status=statuses[len(calls) - 1], text="no server available")
        return web.json_response({"events": [], "responses": [{"text": "Mã phản ánh: PA-2026-000001"}]})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner, base = await serve(app)
    return runner, f"{base}/webhook", calls


class _Channel:
    """The output channel an action call needs: only its name (rasa.core.channels would import
    Sanic, which switches the whole test session's event loop policy to uvloop)."""

    @staticmethod
    def name() -> str:
        return "rest"


async def _run_submit(url: str):
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    from bot.rasa_server import retrying_action_calls

    action = RemoteAction("action_submit_complaint", EndpointConfig(url))
    run = retrying_action_calls(RemoteAction.run)
    return await run(action, _Channel(), TemplatedNaturalLanguageGenerator({}),
                     DialogueStateTracker("s", []), Domain.empty())


async def test_an_action_call_the_load_balancer_could_not_place_is_asked_again(monkeypatch) -> None:
    monkeypatch.setattr("bot.rasa_server.ACTION_RETRY_DELAYS", (0.01, 0.01))
    runner, url, calls = await _action_server([503, 502])
    try:
        events = await _run_submit(url)
        assert len(calls) == 3 and "PA-2026-000001" in events[0].text
    finally:
        await runner.cleanup()


async def test_an_action_that_failed_itself_is_not_run_again(monkeypatch) -> None:
    from rasa.shared.exceptions import RasaException

    monkeypatch.setattr("bot.rasa_server.ACTION_RETRY_DELAYS", (0.01, 0.01))
    runner, url, calls = await _action_server([500])
    try:
        with pytest.raises(RasaException):
            await _run_submit(url)
        assert len(calls) == 1
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("token", ["-Gt27DuIOORBxb8QnGoQ8OVEmsZtQmclgcYFDkenzyY", "abc-DEF_123", "-x"])
def test_the_api_token_reaches_rasa_whatever_it_starts_with(token) -> None:
    """A generated token that starts with "-" once stopped the Rasa server from starting (CI)."""
    from rasa.__main__ import create_argument_parser

    from bot.rasa_server import with_token

    argv = with_token(["rasa", "run", "--enable-api", "--port", "5005"], token)
    assert create_argument_parser().parse_args(argv[1:]).auth_token == token
    assert with_token(["rasa", "run", f"--auth-token={token}"], "other") == ["rasa", "run", f"--auth-token={token}"]
    assert with_token(["rasa", "train"], token) == ["rasa", "train"]
