"""The Zalo bridge's rules without servers: signature, events, splitting, choices, when it starts."""

from __future__ import annotations

import hashlib
import json

from conftest import settings_env

from bot.processes import all_processes
from bot.zalo_format import Choice, parse_event, rasa_to_zalo, resolve_choice, signature_ok
from hotline.zalo_oa import split_text

APP, SECRET = "4142434445464748494", "oa-secret"


def _signed(body: dict, secret: str = SECRET) -> tuple[bytes, str]:
    raw = json.dumps(body, ensure_ascii=False).encode()
    return raw, hashlib.sha256(APP.encode() + raw + str(body["timestamp"]).encode() + secret.encode()).hexdigest()


def test_signature_is_sha256_of_app_id_body_timestamp_and_oa_secret_in_that_order():
    body = {"app_id": APP, "event_name": "user_send_text", "timestamp": "1760000000000",
            "sender": {"id": "77"}, "message": {"text": "chào", "msg_id": "a1"}}
    raw, mac = _signed(body)
    _body, event = parse_event(raw)
    assert (event.user_id, event.text, event.msg_id, event.timestamp) == ("77", "chào", "a1", "1760000000000")
    assert signature_ok(mac, APP, raw, event.timestamp, SECRET)
    assert signature_ok(f"mac={mac.upper()}", APP, raw, event.timestamp, SECRET)
    assert not signature_ok(mac, APP, raw + b" ", event.timestamp, SECRET)
    assert not signature_ok(mac, APP, raw, "1760000000001", SECRET)
    assert not signature_ok(_signed(body, "other")[1], APP, raw, event.timestamp, SECRET)
    assert not signature_ok("", APP, raw, event.timestamp, SECRET)
    assert event.fresh(1760000000000 + 60_000) and not event.fresh(1760000000000 + 6 * 60_000)
    assert parse_event(b"[1, 2]") is None and parse_event(b"\xff") is None
    odd = json.dumps(dict(body, sender={"id": "77:web:x"})).encode()
    assert parse_event(odd)[1].user_id == "", "a user id that is not one is ignored"


def test_text_is_split_at_sentences_under_the_limit_and_links_stay_whole():
    link = "https://dichvucong.gov.vn/" + "x" * 80
    text = " ".join(f"Câu số {i} nói về hồ sơ ở TP. Huế và P. Bến Nghé." for i in range(60)) + f" Xem {link} nhé."
    parts = split_text(text, 300)
    assert all(len(p) <= 300 for p in parts)
    assert all(p.endswith(".") for p in parts[:-1])
    assert not any(p.endswith(("TP.", "P.")) for p in parts), "abbreviations are not sentence ends"
    assert " ".join(parts) == text
    assert sum(link in p for p in parts) == 1
    # No break anywhere: a hard cut, but never inside a link that fits in one message.
    parts = split_text("a" * 250 + link, 300)
    assert parts == ["a" * 250, link]


def test_choices_are_numbered_and_become_buttons_only_up_to_five():
    replies = [{"text": "Chọn:", "buttons": [{"title": f"Mục {i}", "payload": f"/pick{i}"} for i in range(1, 4)]},
               {"text": "Hoặc:", "buttons": [{"title": "Khác", "payload": "khác"}]}]
    messages, offered = rasa_to_zalo(replies)
    assert messages[0].text == "Chọn:\n\n1. Mục 1\n2. Mục 2\n3. Mục 3\n(Trả lời bằng số thứ tự để chọn.)"
    assert [b["payload"] for b in messages[0].buttons] == ["Mục 1", "Mục 2", "Mục 3"]
    assert messages[1].text.startswith("Hoặc:\n\n4. Khác")
    assert resolve_choice("2", offered) == "/pick2" and resolve_choice(" 4. ", offered) == "khác"
    assert resolve_choice("mục 3", offered) == "/pick3"
    assert resolve_choice("9", offered) is None and resolve_choice("1234", offered) is None
    assert resolve_choice("1", []) is None
    many, _ = rasa_to_zalo([{"text": "", "buttons": [{"title": f"Xã {i}", "payload": str(i)} for i in range(8)]}], "en")
    assert many[0].text.startswith("Please choose:") and not many[0].buttons
    assert "(Reply with a number to choose.)" in many[0].text
    assert Choice(1, "a", "b") == Choice(1, "a", "b")


def test_the_bridge_starts_only_when_its_settings_are_present():
    full = {"ZALO_APP_ID": APP, "ZALO_OA_SECRET_KEY": SECRET, "ZALO_APP_SECRET": "s", "ZALO_REFRESH_TOKEN": "r"}
    settings, _ = settings_env(**full)
    assert "zalo" in [spec.name for spec in all_processes(settings)]
    for missing in full:
        settings, _ = settings_env(**dict(full, **{missing: ""}))
        assert "zalo" not in [spec.name for spec in all_processes(settings)], missing


def test_a_superscript_digit_is_not_a_choice_number() -> None:
    # "²" passes str.isdigit() but not int(): it once ended the citizen's turn without a reply.
    from bot.zalo_format import Choice, resolve_choice

    offered = [Choice(1, "Một", "/a"), Choice(2, "Hai", "/b")]
    assert resolve_choice("²", offered) is None and resolve_choice("2", offered) == "/b"
