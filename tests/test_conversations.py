"""Whole conversations over Rasa's REST channel, through the real Rasa and action servers."""

import uuid

from procedure_kb.textnorm import fold


def _sender() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


def test_greeting_in_vietnamese_offers_the_menu(stack) -> None:
    replies = stack.chat(_sender(), "xin chào")
    assert "Xin chào" in replies[0]["text"]
    assert len(replies[0]["buttons"]) >= 3


def test_english_greeting_gets_english(stack) -> None:
    replies = stack.chat(_sender(), "hello, good morning")
    assert "Hello" in replies[0]["text"]


def test_gibberish_gets_menu_and_hotline(stack) -> None:
    text = stack.texts(_sender(), "qwzx plorf 🙃🙃")
    assert "chưa hiểu" in text
    assert "1800 1096" in text  # the configured hotline number reaches the reply


def test_parse_understands_styles(stack) -> None:
    assert stack.parse("xin chào")["intent"]["name"] == "greet"
    # A question, whichever of the two question intents: both go to the question router, which
    # decides between the procedures and the reform FAQ (the classifier only says "a question").
    assert stack.parse("thu tuc lam cccd")["intent"]["name"] in {"ask_procedure", "ask_transition_faq"}
    asked = stack.texts(_sender(), "thu tuc lam cccd")  # the ID card's separating question: age, or lost / exchange
    assert "14 tuổi" in asked or "bị mất/hỏng" in asked, asked
    assert stack.parse("how do I register a birth?")["intent"]["name"] == "ask_procedure"


def test_help_then_thanks_then_goodbye(stack) -> None:
    sender = _sender()
    assert "Tổng đài" in stack.texts(sender, "bạn giúp được gì cho tôi")
    assert fold(stack.texts(sender, "cảm ơn nhiều")).startswith("khong co gi")
    assert "Chào bạn" in stack.texts(sender, "tạm biệt")


def test_bad_input_gets_a_polite_answer(stack) -> None:
    sender = _sender()
    for message in ["", " ", "<script>alert(1)</script>", "'; DROP TABLE tickets; --", "a" * 5000]:
        replies = stack.chat(sender, message)
        assert isinstance(replies, list)
        for reply in replies:
            assert "Traceback" not in reply.get("text", "")
