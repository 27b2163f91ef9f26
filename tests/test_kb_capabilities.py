"""Procedures/FAQ and address capabilities: typed cores, one catalogue each, visible failures."""

from __future__ import annotations

import logging

from procedure_kb import address_form, i18n, units
from procedure_kb.address_messages import NoteKind
from procedure_kb.answers import AnswerKind
from procedure_kb.followup import Detail, Part, detail_kind, part_asked
from procedure_kb.presenter import detail_reply, not_known_message, submit_where
from procedure_kb.procedures import SubmitPlace, submit_place
from procedure_kb.search import get_procedure, search_outcome, search_procedures


def test_one_language_policy():
    assert i18n.reply_language("en", "xin chào") == "en"
    assert i18n.reply_language(None, "how do I register a birth?") == "en"
    assert i18n.reply_language("fr", "thủ tục làm căn cước") == "vi"
    assert i18n.say(("Gọi {n}", "Call {n}"), "en", n="1800") == "Call 1800"


def test_a_broken_search_is_logged_and_reported_not_taken_for_no_match(caplog):
    def broken(query, top):
        raise RuntimeError("index bug")

    with caplog.at_level(logging.ERROR, logger="procedure_kb.search"):
        outcome = search_outcome("đăng ký khai sinh", 3, search=broken)
    assert outcome.failed and outcome.hits == []
    assert any(r.exc_info and "index bug" in str(r.exc_info[1]) for r in caplog.records)
    assert not search_outcome("đăng ký khai sinh", 3).failed
    message = not_known_message("ask_procedure", "đăng ký khai sinh", "vi", "1800 1096", failed=True)
    assert "1800 1096" in message["text"] and "sự cố" in message["text"]
    assert "chưa tìm thấy thủ tục phù hợp" not in message["text"]
    assert search_procedures("", 3) == []


def test_submit_where_is_computed_from_the_catalogue_in_both_languages():
    proc = get_procedure("1.000894") or next(iter([get_procedure(h.code) for h in search_procedures("khai sinh", 1)]))
    place, _ = submit_place(proc)
    assert isinstance(place, SubmitPlace)
    assert submit_where(proc, "vi") == proc.submit_where  # the stored Vietnamese text
    assert submit_where(proc, "en") and submit_where(proc, "en") != proc.submit_where
    assert not hasattr(proc, "submit_where_en")


def test_follow_up_parsing_is_a_pure_core():
    assert detail_kind("", "lệ phí bao nhiêu?") == Detail.FEE
    assert detail_kind("ask_steps", "") == Detail.STEPS
    assert detail_kind("", "xin chào") is None
    assert part_asked(Detail.DOCUMENTS.value, "trình tự thế nào") is Part.STEPS
    proc = get_procedure(search_procedures("đăng ký khai sinh", 1)[0].code)
    fee = detail_reply(proc, Detail.FEE.value, "lệ phí?", (None, 0), "vi")
    assert fee.text.startswith(proc.name + "\nLệ phí: ") and fee.part is None


def test_address_result_is_data_worded_by_the_catalogue():
    res = units.lookup_address("Long An giờ thuộc tỉnh Tây Ninh à?")
    assert res.note is NoteKind.SEVERAL_PROVINCES and res.note_values["fates"]
    assert "Tỉnh Long An nay thuộc Tỉnh Tây Ninh." in res.message
    assert "Long An is now part of" in res.message_en
    out = res.to_dict()
    assert out["message"] == res.message and "note" not in out


def test_typed_old_units():
    ward = units.old_unit("26734", "ward")
    assert ward is not None and ward.level == "ward" and units.old_unit(ward.district, "district").province == ward.province
    assert units.old_unit("nope", "ward") is None and units.old_unit(None, "province") is None


def test_naming_several_provinces_in_the_form_does_not_crash():
    values = address_form.understand(address_form.FormState(), "Long An giờ thuộc Tây Ninh", {})
    assert not any(slot in values for slot in address_form.SLOTS)


def test_answer_kinds_unchanged_for_analytics():
    assert {k.value for k in AnswerKind} == {"faq", "procedure", "clarify", "choices", "not_known"}
