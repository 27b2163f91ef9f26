"""What the widget's /chat proxy adds to Rasa's replies (no servers)."""

from actions.procedure import render_card
from hotline.web.widget import clean_replies, essentials
from procedure_kb.search import get_procedure


def test_a_procedure_card_gets_its_first_phone_screen():
    card = render_card(get_procedure("1.001193"), "vi")
    short = essentials(card)
    lines = short.split("\n")
    assert lines[0].startswith("Thủ tục đăng ký khai sinh")
    assert [line.split(":")[0].split(" (")[0] for line in lines[1:]] == [
        "Nơi nộp hiện nay", "Hồ sơ cần có", "Thời hạn giải quyết", "Lệ phí"]
    assert "4 giấy tờ" in short and len(short) < len(card) / 2
    english = essentials(render_card(get_procedure("1.014064"), "en"))
    assert "Where to submit now:" in english and "Fee:" in english and "Legal basis" not in english
    assert essentials("Xin chào! Tôi giúp gì được bạn?") is None


def test_replies_keep_only_what_the_widget_shows():
    [reply] = clean_replies([{"text": render_card(get_procedure("1.001193"), "vi"), "recipient_id": "x",
                              "buttons": [{"title": "Hồ sơ", "payload": "/ask_documents"}]}])
    assert set(reply) == {"text", "short", "buttons"}
    assert clean_replies([{"text": "ok", "image": "javascript:alert(1)"}]) == [{"text": "ok"}]
