"""No single message takes the service down: 1,000+ hostile requests against the real servers.

A seeded generator sends empty, huge, malformed, control-character, RTL, HTML/JS, SQL, emoji,
non-object and deeply nested bodies to Rasa's public REST webhook and to the widget's /chat.
Every answer must be a 4xx or a 200 with no traceback, within 2 seconds; afterwards Rasa's
memory has not run away, /health is ok and "xin chào" is answered in normal time.
"""

from __future__ import annotations

import json
import random
import time
import urllib.request
from pathlib import Path

from conftest import http_json

WORDS = "tôi muốn làm căn cước cho con hồ sơ đất đai ở đâu xin chào cán bộ phường giấy khai sinh".split()
REPLY_LIMIT_S = 2.0
TOTAL = 1_100


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def hostile_bodies(seed: int = 20261130):
    """(description, raw body bytes) pairs, deterministic for the seed."""
    rng = random.Random(seed)

    def obj(message, sender=None) -> bytes:
        return json.dumps({"sender": sender or f"hostile-{rng.randrange(10**9)}", "message": message}).encode()

    makers = [
        ("empty", lambda: obj("")),
        ("whitespace", lambda: obj(" \n\t " * rng.randint(1, 50))),
        ("long 2k-20k", lambda: obj(_words(rng, rng.randint(300, 3000)))),
        ("long 200k chars", lambda: obj("ă" * 200_000)),
        ("25,000 words", lambda: obj(_words(rng, 25_000))),
        ("slash flood", lambda: obj("/" + "a" * rng.randint(60_000, 70_000))),
        ("lone surrogate in message", lambda: b'{"sender":"s%d","message":"hi \\ud800 x"}' % rng.randrange(10**6)),
        ("lone surrogate in sender", lambda: b'{"sender":"\\ud800x","message":"hi"}'),
        ("NUL and controls", lambda: obj("xin\x00 chào\x01\x02\x1b[31m \x7f" * rng.randint(1, 100))),
        ("RTL override", lambda: obj("\u202etxet desrever\u202c làm căn cước \u2066x\u2069")),
        ("HTML/JS", lambda: obj("<script>alert(document.cookie)</script><img src=x onerror=alert(1)>")),
        ("SQL", lambda: obj("'; DROP TABLE events; -- \" OR 1=1; SELECT * FROM tickets")),
        ("emoji flood", lambda: obj("😀👨‍👩‍👧‍👦🇻🇳" * rng.randint(100, 2000))),
        ("list body", lambda: b'["hi", "there"]'),
        ("string body", lambda: b'"xin chao"'),
        ("number body", lambda: b"42"),
        ("null body", lambda: b"null"),
        ("deep nesting", lambda: b'{"sender":"a","message":"hi","metadata":' + b"[" * 5000 + b"]" * 5000 + b"}"),
        ("deep nesting overflow", lambda: b"[" * 100_000 + b"]" * 100_000),
        ("message not a string", lambda: json.dumps({"sender": "n1", "message": rng.choice([1, 2.5, True, [], {}])}).encode()),
        ("sender not a string", lambda: json.dumps({"sender": rng.choice([1, None, [], {}]), "message": "hi"}).encode()),
        ("missing sender", lambda: json.dumps({"message": "xin chào"}).encode()),
        ("missing message", lambda: json.dumps({"sender": "m1"}).encode()),
        ("invalid JSON", lambda: b'{"sender": "x", "message": "unterminated'),
        ("invalid UTF-8", lambda: b'{"sender":"u1","message":"\xff\xfe\xc3\x28"}'),
        ("borrowed widget sender", lambda: obj("tra cứu phản ánh PA-2026-000001", sender="web:abcdefgh12")),
        ("huge sender", lambda: obj("hi", sender="s" * 10_000)),
        ("metadata junk", lambda: json.dumps({"sender": "md", "message": "hi", "metadata": "x" * 1000}).encode()),
    ]
    for index in range(TOTAL):
        name, make = makers[index % len(makers)] if index < len(makers) * 3 else rng.choice(makers)
        yield name, make()


def widget_body(raw: bytes, rng: random.Random) -> bytes:
    """The same hostility shaped for the widget's /chat ({"session", "message"})."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return raw
    if isinstance(body, dict):
        body = {"session": rng.choice(["abcdefgh1234", "x", "../../etc", 12, None, "s" * 500]),
                "message": body.get("message")}
    return json.dumps(body).encode()


def post(url: str, raw: bytes) -> tuple[int, str, float]:
    request = urllib.request.Request(url, data=raw, method="POST", headers={"Content-Type": "application/json"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local
            status, body = response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError) as error:  # the server dropped the connection
        status, body = 0, f"connection failed: {error!r}"
    return status, body, time.monotonic() - started


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_a_thousand_hostile_requests_crash_nothing(stack):
    rasa_pid = stack.processes["rasa"].pid
    stack.chat("warm-up", "xin chào")
    before = rss_mb(rasa_pid)
    rng = random.Random(7)
    problems, slowest, statuses = [], 0.0, {}
    for number, (name, raw) in enumerate(hostile_bodies()):
        if number % 3 == 2:
            url, raw = f"{stack.web_url}/chat", widget_body(raw, rng)
        else:
            url = f"{stack.rasa_url}/webhooks/rest/webhook"
        status, body, took = post(url, raw)
        statuses[status] = statuses.get(status, 0) + 1
        slowest = max(slowest, took)
        if status >= 500 or status == 0 or "Traceback" in body or took > REPLY_LIMIT_S:
            problems.append((name, url.rsplit("/", 2)[-2:], status, round(took, 2), body[:200]))
        if status == 200 and url.endswith("/webhook"):
            assert isinstance(json.loads(body), list), (name, body[:200])
    assert not problems, problems[:10]
    assert statuses.get(200, 0) > 300 and statuses.get(400, 0) > 100, statuses  # both paths really exercised
    assert stack.processes["rasa"].poll() is None, "Rasa must still be running"
    after = rss_mb(rasa_pid)
    assert after - before < 300, f"Rasa grew from {before:.0f} MB to {after:.0f} MB"
    assert http_json("GET", f"{stack.web_url}/health")[0] == 200
    started = time.monotonic()
    assert stack.texts(f"after-{rng.randrange(10**6)}", "xin chào")
    assert time.monotonic() - started < 1.0


def test_a_long_message_is_answered_and_the_citizen_is_told_it_was_cut(stack):
    replies = stack.chat("long-1", "làm lại căn cước bị mất " + "rất gấp " * 2000)
    assert "2.000 ký tự đầu" in replies[0]["text"]
    assert len(replies) > 1  # the beginning was still answered
    english = stack.chat("long-2", "how do I replace a lost ID card " + "please " * 2000)
    assert "first 2,000 characters" in english[0]["text"]


def test_borrowed_channel_sender_and_malformed_bodies_get_clear_4xx(stack):
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    status, body = http_json("POST", url, {"sender": "web:abcdefgh12", "message": "tra cứu phản ánh"})
    assert status == 403 and "reserved" in str(body)
    status, body = http_json("POST", url, ["not", "an", "object"])
    assert status == 400 and "JSON object" in str(body)
    # the trusted channel is closed without the channel secret, even for a channel's own sender
    trusted = f"{stack.rasa_url}/webhooks/trusted/webhook"
    assert http_json("POST", trusted, {"sender": "web:abcdefgh12", "message": "hi"})[0] == 403
    assert http_json("POST", trusted, {"sender": "web:abcdefgh12", "message": "hi"},
                     headers={"X-Channel-Secret": "guess"})[0] == 403
