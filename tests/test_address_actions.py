"""The address form's logic with plain trackers (fast; the REST round trip is in test_address_chat)."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import address
from procedure_kb import units


def _tracker(text: str, slots: dict | None = None, entities: list | None = None, language: str = "vi") -> Tracker:
    # The NLU normaliser folds "text"; the citizen's words are in "text_original".
    latest = {"text": text.lower(), "text_original": text, "entities": entities or [],
              "intent": {"name": "inform_address"}}
    return Tracker("t", {"language": language, "hotline_phone": "1800 1096", **(slots or {})}, latest, [],
                   False, None, {"name": "address_form"}, "action_listen")


def test_full_address_fills_every_slot_in_one_turn():
    values = address.understand(_tracker("P. Bến Nghé, Q.1, TP.HCM"))
    ward = next(w for w in units.old_wards("760") if w["name"] == "Phường Bến Nghé")["code"]
    assert values == {"addr_province": "79", "addr_district": "760", "addr_ward": ward}


def test_answer_to_the_district_question_is_read_within_the_province():
    values = address.understand(_tracker("Q1", {"addr_province": "79"}))
    assert values["addr_district"] == "760" and "addr_ward" not in values


def test_answer_to_the_ward_question_is_read_within_the_district():
    values = address.understand(_tracker("ben nghe", {"addr_province": "79", "addr_district": "760"}))
    assert units.lookup_old_ward(values["addr_ward"]).new_wards[0]["name"] == "Phường Sài Gòn"


def test_ambiguous_ward_then_province_answer_resolves_it():
    first = address.understand(_tracker("Phường Trần Hưng Đạo"))
    assert len(first["addr_candidates"]) > 2 and "addr_ward" not in first
    second = address.understand(_tracker("Thái Bình", {"addr_candidates": first["addr_candidates"]}))
    assert units.lookup_old_ward(second["addr_ward"]).matched_old["province"]["name"] == "Tỉnh Thái Bình"


def test_button_payload_with_a_code_fills_the_parents_too():
    values = address.understand(_tracker('/inform_address{"addr_ward":"06970"}',
                                         entities=[{"entity": "addr_ward", "value": "06970"}]))
    assert values["addr_province"] == "22" and values["addr_district"] == "202" and values["addr_ward"] == "06970"


def test_island_district_needs_no_ward():
    values = address.understand(_tracker("Huyện Côn Đảo"))
    assert values["addr_ward"] == address.ISLAND + "755"
    assert "Đặc khu Côn Đảo" in address.answer_text(_tracker(""), values["addr_ward"])


@pytest.mark.parametrize("text", ["asdf", "", "😀", "x" * 5000, "<script>", "'; DROP TABLE t; --"])
def test_garbage_fills_nothing(text):
    assert address.understand(_tracker(text)) == {}


def test_bad_button_values_are_ignored():
    entities = [{"entity": "addr_ward", "value": ["x"]}, {"entity": "addr_district", "value": 5}, "junk"]
    assert address.understand(_tracker("", entities=entities)) == {}


def test_answer_gives_unit_kind_office_and_papers_in_vietnamese():
    text = address.answer_text(_tracker(""), units.lookup_address("Phường Bến Nghé, Quận 1, TP HCM").matched_old["ward"]["code"])
    assert "Phường Sài Gòn" in text and "nhập toàn bộ" in text
    assert "Ủy ban nhân dân Phường Sài Gòn" in text and "Trung tâm Phục vụ hành chính công Thành phố Hồ Chí Minh" in text
    assert "Nghị quyết 190/2025/QH15" in text and "1800 1096" in text


def test_answer_in_english_and_split_says_it_depends_on_the_street():
    ward = units.lookup_address("Xã Cổ Bi, Gia Lâm, Hà Nội").matched_old["ward"]["code"]
    text = address.answer_text(_tracker("", language="en"), ward)
    assert "depends on your street" in text and "Resolution 190/2025/QH15" in text


def test_ask_ward_offers_buttons_with_codes_when_few():
    dispatcher = CollectingDispatcher()
    asyncio.run(address.AskWard().run(dispatcher, _tracker("", {"addr_province": "22", "addr_district": "202"}), {}))
    buttons = dispatcher.messages[0]["buttons"]
    assert {"title": "Thị trấn Ba Chẽ", "payload": '/inform_address{"addr_ward":"06970"}'} in buttons
    assert len(buttons) <= address.MAX_BUTTONS


def test_ask_district_without_buttons_when_too_many_lists_examples():
    dispatcher = CollectingDispatcher()
    asyncio.run(address.AskDistrict().run(dispatcher, _tracker("", {"addr_province": "01"}), {}))
    msg = dispatcher.messages[0]
    assert msg["buttons"] == [] and "Thành phố Hà Nội" in msg["text"] and "ví dụ" in msg["text"]


def _extract(text: str, slots: dict, intent: str = "inform_address") -> tuple[dict, list]:
    tracker = _tracker(text, {"requested_slot": "addr_province", **slots})
    tracker.latest_message["intent"] = {"name": intent}
    dispatcher = CollectingDispatcher()
    values = asyncio.run(address.ValidateAddressForm().extract_addr_province(dispatcher, tracker, {}))
    return values, dispatcher.messages


def test_ambiguous_answer_keeps_the_form_asking():
    values, _ = _extract("Phường Trần Hưng Đạo", {})
    assert "addr_province" in values and values["addr_province"] is None and values["addr_candidates"]


def test_unreadable_answer_gets_a_hint_and_the_form_asks_again():
    values, messages = _extract("asdf", {})
    assert values == {"addr_province": None} and "Chưa tìm thấy" in messages[0]["text"]


def test_another_request_inside_the_form_is_left_to_its_own_rule():
    values, messages = _extract("thủ tục làm căn cước", {}, intent="ask_procedure")
    assert values == {} and messages == []


def test_inside_the_form_a_procedure_question_is_not_read_as_an_address():
    values, _ = _extract("hỗ trợ tiền điện cho hộ nghèo thủ tục thế nào", {}, intent="ask_procedure")
    assert values == {}
