"""A message sent again with its id is answered once (bot/resend.py, hotline/rasa_client.py).

A widget or bridge whose answer was lost (a replica killed mid-answer, a timeout) sends the
message again with the same id. The citizen gets the replies of the first time, and the
conversation does not move on twice — a "không" meant for one question does not answer the next.
"""

from __future__ import annotations

import json

from aiohttp import web
from conftest import http_json
from stack_helpers import serve

from hotline.rasa_client import RasaClient


def _user_messages(stack, sender: str) -> list[str]:
    return [e.get("text") for e in stack.tracker(sender)["events"] if e["event"] == "user"]


def test_the_same_message_sent_again_is_answered_from_the_record_and_runs_once(stack):
    sender = "web:resend-1"
    stack.chat(sender, "tôi muốn khiếu nại", message_id="m1")
    asked = stack.chat(sender, "Cán bộ phường bắt tôi nộp bản sao căn cước dù đã có trên VNeID", message_id="m2")
    again = stack.chat(sender, "Cán bộ phường bắt tôi nộp bản sao căn cước dù đã có trên VNeID", message_id="m2")
    assert again == asked and "khi nào" in json.dumps(asked, ensure_ascii=False)
    assert _user_messages(stack, sender) == ["tôi muốn khiếu nại",
                                             "Cán bộ phường bắt tôi nộp bản sao căn cước dù đã có trên VNeID"]
    # The form is still at "when?": the next answer is taken as the time, not repeated as the place.
    assert "cơ quan nào" in " ".join(r.get("text", "") for r in stack.chat(sender, "hôm qua", message_id="m3"))
    assert "Đã hủy" in " ".join(r.get("text", "") for r in stack.chat(sender, "hủy", message_id="m4"))
    assert len(_user_messages(stack, sender)) == 4


def test_an_id_is_one_citizens_own(stack):
    stack.chat("resend-a", "xin chào", message_id="1")
    stack.chat("resend-a", "thủ tục đăng ký khai sinh", message_id="2")
    # Another citizen using the same ids gets its own answers, never a replay of the first one's.
    other = stack.chat("resend-b", "xin chào", message_id="2")
    assert "khai sinh" not in json.dumps(other, ensure_ascii=False).lower()
    assert _user_messages(stack, "resend-b") == ["xin chào"]


def test_a_malformed_message_id_is_refused_politely(stack):
    for bad in (["x"], {"a": 1}, True, "", "x" * 129):
        status, body = http_json("POST", f"{stack.rasa_url}/webhooks/rest/webhook",
                                 {"sender": "resend-bad", "message": "xin chào", "message_id": bad})
        assert status == 400 and "message_id" in json.dumps(body), (bad, status, body)
    status, body = http_json("POST", f"{stack.rasa_url}/webhooks/rest/webhook",
                             {"sender": "resend-bad", "message": "xin chào", "message_id": 7})
    assert status == 200 and body


def test_the_widget_sends_each_message_with_its_id_and_a_resent_one_runs_once(stack):
    session = "resendwidget01"
    body = {"session": session, "message": "tôi muốn khiếu nại", "message_id": "lq2x-abc123"}
    first = http_json("POST", f"{stack.web_url}/chat", body)
    again = http_json("POST", f"{stack.web_url}/chat", body)
    assert first[0] == again[0] == 200 and first[1]["replies"] == again[1]["replies"]
    assert _user_messages(stack, f"web:{session}") == ["tôi muốn khiếu nại"]
    # A malformed id is dropped, never a reason to refuse the citizen's message.
    odd = http_json("POST", f"{stack.web_url}/chat", {**body, "message": "hủy", "message_id": "<script>"})
    assert odd[0] == 200 and len(_user_messages(stack, f"web:{session}")) == 2


async def _flaky_rasa(drops: int):
    """A Rasa stand-in on localhost that cuts the first `drops` answers off mid-way, as a replica
    killed after it took the message does."""
    seen: list[dict] = []

    async def webhook(request: web.Request) -> web.StreamResponse:
        seen.append(await request.json())
        if len(seen) <= drops:
            request.transport.close()
            return web.Response()
        return web.json_response([{"recipient_id": seen[-1]["sender"], "text": "đã nhận"}])

    app = web.Application()
    app.router.add_post("/webhooks/trusted/webhook", webhook)
    runner, base = await serve(app)
    return runner, base, seen


async def test_the_widget_asks_rasa_again_only_when_the_message_has_an_id(tmp_path, monkeypatch):
    import dataclasses

    import aiohttp

    from hotline.db import upgrade
    from hotline.settings import load_settings
    from hotline.web.app import create_app

    rasa, url, seen = await _flaky_rasa(drops=1)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    settings = dataclasses.replace(load_settings(), rasa_url=url, hotline_database_url=f"sqlite:///{tmp_path / 'h.db'}")
    upgrade(settings.hotline_database_url)
    runner, base = await serve(create_app(settings))
    chat = f"{base}/chat"
    try:
        async with aiohttp.ClientSession() as client:
            async with client.post(chat, json={"session": "widgetflaky01", "message": "không", "message_id": "a1"}) as r:
                assert r.status == 200 and (await r.json())["replies"][0]["text"] == "đã nhận"
            assert [s.get("message_id") for s in seen] == ["a1", "a1"]
            seen.clear()
            # Without an id (an older widget) it is not sent twice: the citizen is told to try again.
            async with client.post(chat, json={"session": "widgetflaky01", "message": "không"}) as r:
                assert r.status == 503 and len(seen) == 1
    finally:
        await runner.cleanup()
        await rasa.cleanup()


async def test_the_bridges_client_asks_again_only_when_the_message_has_an_id():
    runner, url, seen = await _flaky_rasa(drops=1)
    client = RasaClient(url, "secret")
    try:
        assert await client.send("zalo:1", "không", "msg:abc") == [{"recipient_id": "zalo:1", "text": "đã nhận"}]
        assert [s["message_id"] for s in seen] == ["msg:abc", "msg:abc"]
        seen.clear()
        # Without an id a second try could run the message twice: the bridge apologises instead.
        assert await client.send("zalo:1", "không") is None and len(seen) == 1
    finally:
        await client.close()
        await runner.cleanup()
