"""The procedure actions' replies, run directly (no servers): card, buttons, follow-ups, paging."""

from __future__ import annotations

import asyncio
import re

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.procedure import ActionAnswerQuestion, ActionProcedureDetail
from procedure_kb.presenter import render_card
from procedure_kb.search import get_procedure


def run(action, text: str, intent: str = "ask_procedure", slots: dict | None = None, entities=None):
    message = {"text": text.lower(), "text_original": text, "intent": {"name": intent, "confidence": 0.9},
               "entities": entities or []}
    tracker = Tracker("t", {"language": None, "hotline_phone": "1800 1096", **(slots or {})}, message, [], False,
                      None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_card_has_every_part_a_citizen_needs_and_cites_its_source():
    card = render_card(get_procedure("1.000894"), "vi")
    assert card.startswith("Thủ tục đăng ký kết hôn (mã 1.000894)")
    assert "Nơi nộp hiện nay: Trung tâm Phục vụ hành chính công cấp xã" in card
    assert re.search(r"^1\. ", card, re.M)  # documents numbered
    assert "Thời hạn giải quyết:" in card and "Lệ phí: Miễn phí" in card
    assert "Căn cứ pháp lý:" in card
    assert "Dữ liệu năm 2026, nguồn: Cổng Dịch vụ công quốc gia, mã 1.000894: https://dichvucong.gov.vn/" in card
    assert len(card) < 3500  # one chat bubble, not a wall of text


def test_english_card_uses_english_labels():
    card = render_card(get_procedure("1.000894"), "en")
    assert "Where to submit now: the commune-level Public Administration Service Center" in card
    assert "Data as of 2026, source: National Public Service Portal" in card


def test_card_explains_abolished_units_in_the_official_text():
    card = render_card(get_procedure("1.010385"), "vi")  # "(thực hiện tại cấp huyện)"
    assert "Từ 1/7/2025 không còn cấp huyện" in card


def test_ask_procedure_answers_with_a_card_and_remembers_it():
    messages, slots = run(ActionAnswerQuestion(), "thủ tục đăng ký kết hôn")
    assert "1.000894" in messages[0]["text"]
    assert {b["payload"] for b in messages[0]["buttons"]} >= {"/ask_documents", "/ask_fee"}
    assert slots["procedure_code"] == "1.000894"


def test_near_twins_get_the_separating_question_whose_buttons_choose_a_procedure():
    messages, slots = run(ActionAnswerQuestion(), "làm cccd cho con")  # first issue: under or from 14?
    buttons = [b for b in messages[0]["buttons"] if "procedure_code" in b["payload"]]
    assert len(buttons) == 2 and "procedure_code" not in slots and "14 tuổi" in messages[0]["text"]
    payload = buttons[1]["payload"]
    code = re.search(r'"procedure_code":"([\d.]+)"', payload).group(1)
    chosen, slots = run(ActionAnswerQuestion(), payload, intent="choose_procedure",
                        entities=[{"entity": "procedure_code", "value": code}])
    assert f"mã {code}" in chosen[0]["text"] and slots["procedure_code"] == code


def test_nothing_matched_says_so_with_examples_and_the_hotline():
    messages, _ = run(ActionAnswerQuestion(), "asdkjh qwpoeiru")
    assert "chưa tìm thấy thủ tục" in messages[0]["text"] and "1800 1096" in messages[0]["text"]
    assert "đăng ký khai sinh" in messages[0]["text"]
    assert any(b["payload"] == "/human_handoff" for b in messages[0]["buttons"])


def test_follow_ups_answer_about_the_current_procedure():
    slots = {"procedure_code": "1.000894"}
    fee, _ = run(ActionProcedureDetail(), "lệ phí bao nhiêu?", intent="ask_fee", slots=slots)
    assert "Lệ phí: Miễn phí" in fee[0]["text"] and "Thủ tục đăng ký kết hôn" in fee[0]["text"]
    time, _ = run(ActionProcedureDetail(), "mất bao lâu?", intent="ask_processing_time", slots=slots)
    assert "Thời hạn giải quyết:" in time[0]["text"]
    steps, _ = run(ActionProcedureDetail(), "các bước thế nào", intent="ask_steps", slots=slots)
    assert steps[0]["text"].startswith("Các bước — Thủ tục đăng ký kết hôn")


def test_long_documents_are_paged_with_more():
    proc_code = "2.002009"  # 22 documents
    first, slots = run(ActionProcedureDetail(), "cần giấy tờ gì?", intent="ask_documents", slots={"procedure_code": proc_code})
    assert "(1–6/" in first[0]["text"] and "xem thêm" in first[0]["text"]
    assert slots["procedure_part"] == "documents" and slots["procedure_page"] == 6
    second, slots = run(ActionProcedureDetail(), "xem thêm", intent="ask_more",
                        slots={"procedure_code": proc_code, "procedure_part": "documents", "procedure_page": 6})
    assert "(7–12/" in second[0]["text"] and slots["procedure_page"] == 12


def test_follow_up_naming_another_procedure_answers_about_that_one():
    messages, slots = run(ActionProcedureDetail(), "lệ phí đăng ký kết hôn bao nhiêu", intent="ask_fee",
                          slots={"procedure_code": "1.001193"})
    assert "Thủ tục đăng ký kết hôn" in messages[0]["text"] and slots["procedure_code"] == "1.000894"


def test_follow_up_without_a_current_procedure_asks_which_one():
    messages, _ = run(ActionProcedureDetail(), "lệ phí bao nhiêu?", intent="ask_fee")
    assert "thủ tục nào" in messages[0]["text"]


def test_transition_faq_answer_cites_its_legal_basis():
    messages, _ = run(ActionAnswerQuestion(), "căn cước ghi địa chỉ cũ còn giá trị không", intent="ask_transition_faq")
    assert "190/2025/QH15" in messages[0]["text"]


def test_bad_input_never_raises():
    for text in ["", "😀" * 500, "<script>x</script>", "a" * 5000]:
        messages, _ = run(ActionAnswerQuestion(), text)
        assert messages and messages[0]["text"]


def test_fallback_answers_life_situations_the_classifier_missed():
    messages, slots = run(ActionAnswerQuestion(), "vợ tôi vừa sinh em bé", intent="nlu_fallback")
    assert "mã 1.001193" in messages[0]["text"] and slots["procedure_code"] == "1.001193"
    # Four words may not be enough to be sure (round 16's stricter calibration offers choices
    # here): then birth registration is the first choice, never a card for something else.
    messages, slots = run(ActionAnswerQuestion(), "con tôi mới sinh", intent="nlu_fallback")
    if slots.get("procedure_code"):
        assert "mã 1.001193" in messages[0]["text"] and slots["procedure_code"] == "1.001193"
    else:
        first = next(b["payload"] for b in messages[0]["buttons"] if "procedure_code" in b["payload"])
        assert '"procedure_code":"1.001193"' in first
    messages, _ = run(ActionAnswerQuestion(), "mở quán ăn nhỏ", intent="nlu_fallback")
    assert "mã 1.001612" in messages[0]["text"]


def test_fallback_on_gibberish_keeps_the_default_reply():
    for text in ["qwzx plorf 🙃🙃", "xin chào bạn khỏe không", "hôm nay trời đẹp quá"]:
        messages, _ = run(ActionAnswerQuestion(), text, intent="nlu_fallback")
        assert messages == [{"response": "utter_default", **{k: v for k, v in messages[0].items() if k != "response"}}], text


def test_a_message_the_classifier_took_for_off_topic_never_gets_one_confident_card():
    # The words match a procedure well, but the classifier says the message is not for us: the
    # assistant is not sure, so it offers or says it does not know.
    text = "dang ky ket hon"
    messages, slots = run(ActionAnswerQuestion(), text, intent="out_of_scope")
    assert "procedure_code" not in slots and "(mã " not in messages[0].get("text", "")
    assert slots["answer_kind"] in ("choices", "clarify", "not_known")
    # the same words taken for a procedure question still get the router's confident answer
    _, asked = run(ActionAnswerQuestion(), text)
    assert asked["answer_kind"] == "procedure"


def test_the_separating_question_names_only_the_cases_its_buttons_offer():
    from procedure_kb.answers import Answer, AnswerKind, Choice
    from procedure_kb.presenter import question_message

    answer = Answer(AnswerKind.CLARIFY, facet="issue", facet_values=("reissue", "exchange"),
                    choices=(Choice("procedure", "1.014064", "Bị mất, hỏng — làm lại", "Lost or damaged — replace it"),
                             Choice("procedure", "1.014063", "Đổi", "Exchange")))
    vi = question_message(answer, "vi")["text"]
    assert "bị mất" in vi and "đổi" in vi and "lần đầu" not in vi  # no "first time?" without its button
    en = question_message(answer, "en")["text"]
    assert en.startswith("Is it a replacement") and "first time" not in en
    three = question_message(Answer(AnswerKind.CLARIFY, facet="issue", facet_values=("first", "reissue", "exchange"),
                                    choices=answer.choices), "vi")["text"]
    assert three.startswith("Bạn làm lần đầu, làm lại vì bị mất/hỏng hay đổi")
