"""Nobody reads or acts on another citizen's conversation through the servers' own APIs."""

from __future__ import annotations

import json
import stat

from conftest import http_json


def test_rasa_http_api_needs_the_token(stack):
    token = stack.env["RASA_TOKEN"]
    stack.chat("api-owner", "xin chào")
    closed = [
        ("GET", "/conversations/api-owner/tracker", None),
        ("POST", "/conversations/api-owner/tracker/events",
         {"event": "slot", "name": "dossier_verified_code", "value": "000.31.25.H29-250903-0007"}),
        ("PUT", "/conversations/api-owner/tracker/events", []),
        ("POST", "/conversations/api-owner/execute", {"name": "action_dossier_subscribe"}),
        ("POST", "/model/parse", {"text": "xin chào"}),
        ("PUT", "/model", {"model_file": "/tmp/x.tar.gz"}),
        ("DELETE", "/model", None),
        ("GET", "/status", None),
        ("GET", "/domain", None),
    ]
    for method, path, payload in closed:
        status, _ = http_json(method, f"{stack.rasa_url}{path}", payload)
        assert status in (401, 403), (method, path, status)
        status, _ = http_json(method, f"{stack.rasa_url}{path}?token=wrong", payload)
        assert status in (401, 403), (method, path, status)
    # our own callers, with the token, still work
    assert http_json("GET", f"{stack.rasa_url}/conversations/api-owner/tracker?token={token}")[0] == 200
    assert http_json("POST", f"{stack.rasa_url}/model/parse?token={token}", {"text": "xin chào"})[0] == 200
    # no wildcard CORS on the API
    status, _ = http_json("GET", f"{stack.rasa_url}/", headers={"Origin": "https://evil.example"})
    assert status == 200


def test_action_server_refuses_calls_without_the_secret(stack):
    forged = {
        "next_action": "action_dossier_subscribe", "sender_id": "attacker", "version": "3.6.21",
        "tracker": {"sender_id": "attacker", "slots": {"dossier_verified_code": "000.31.25.H29-250903-0007"},
                    "latest_message": {"text": "/dossier_subscribe", "intent": {"name": "dossier_subscribe"}},
                    "events": [], "paused": False, "latest_event_time": 0, "followup_action": None,
                    "active_loop": {}, "latest_action_name": "action_listen"},
        "domain": {},
    }
    for headers in ({}, {"X-Action-Secret": "guess"}):
        status, body = http_json("POST", f"{stack.action_url}/webhook", forged, headers=headers)
        assert status == 403, (status, body)
        assert "dossier_verified_code" not in json.dumps(body)
    assert http_json("GET", f"{stack.action_url}/health")[0] == 200
    # Rasa itself sends the secret: a normal conversation still runs its actions
    assert "khai sinh" in stack.texts("action-ok", "thủ tục đăng ký khai sinh").lower()


def test_databases_and_secrets_are_private_files(stack):
    names = ["hotline.db", "rasa_tracker.db", "rasa.token", "action.secret", "channel.secret", "api.token",
             "session.key"]
    for name in names:
        path = stack.var_dir / name
        assert path.exists(), name
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{name} is {oct(mode)}"
