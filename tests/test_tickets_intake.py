"""The chat intake's pure core (hotline.tickets.intake) and the ticket text catalogue: no servers."""

from hotline.tickets import intake, messages
from hotline.tickets.enums import TRANSITIONS, TicketStatus
from hotline.tickets.intake import NOT_GIVEN, Field


def test_skips_and_stops():
    assert intake.is_none_answer("Không nhớ rõ.") and intake.is_none_answer("skip")
    assert not intake.is_none_answer("hôm qua")
    assert intake.wants_to_stop("stop", "hủy")
    assert not intake.wants_to_stop("stop", "bỏ qua")                       # a skip answer, not a cancel
    assert not intake.wants_to_stop("stop", "tôi muốn dừng lại vì cán bộ bắt nộp lại hồ sơ nhiều lần")
    assert not intake.wants_to_stop("affirm", "hủy")


def test_yes_no_words_first_then_intent():
    assert intake.yes_no("Có") is True and intake.yes_no("ko") is False and intake.yes_no("đồng ý") is True
    assert intake.yes_no("hmm", "affirm") is True and intake.yes_no("hmm", "deny") is False
    assert intake.yes_no("hmm") is None


def test_description_when_and_phone():
    assert intake.description("abc", 5000) is None and intake.description("\x00 a b", 5000) is None
    assert intake.description("  Xã không trả lời đơn  ", 10) == "Xã không t"
    assert intake.when("không nhớ") == NOT_GIVEN and intake.when("hôm qua") == "hôm qua" and intake.when("") == ""
    assert intake.phone("+84 912 345 678") == intake.PhoneAnswer(phone="0912345678")
    assert intake.phone("không") == intake.PhoneAnswer(declined=True)
    assert intake.phone("12") == intake.PhoneAnswer()
    assert intake.phone_last4("số 0912-345-678") == "5678" and intake.phone_last4("12") is None


def test_reference():
    assert intake.reference("ko") == intake.Reference() and intake.reference(" . ") == intake.Reference()
    both = intake.reference("thủ tục 1.000894, hồ sơ H29.22-250801-0007")
    assert (both.procedure_code, both.dossier_code) == ("1.000894", "H29.22-250801-0007")
    assert intake.reference("'; DROP TABLE tickets; --").dossier_code is None


def test_place_keeps_the_office_and_finds_the_commune():
    office = intake.place("bộ phận một cửa UBND phường Sài Gòn")
    assert office.commune.code == "26740" and office.office == "bộ phận một cửa UBND phường Sài Gòn"
    assert office.shown == "bộ phận một cửa UBND phường Sài Gòn (Phường Sài Gòn, Thành phố Hồ Chí Minh)"
    ward = intake.place("phường Sài Gòn")
    assert ward.office is None and ward.shown == "Phường Sài Gòn, Thành phố Hồ Chí Minh"
    assert intake.place("không") == intake.PlaceAnswer(NOT_GIVEN, None, intake.Commune())
    unknown = intake.place("😀 chỗ nào đó")
    assert unknown.commune == intake.Commune(name="😀 chỗ nào đó") and unknown.shown == "😀 chỗ nào đó"


def test_change_words_rating_and_handoff_question():
    assert intake.field_from_words("sửa số điện thoại") is Field.CONTACT
    assert intake.field_from_words("đổi thời điểm") is Field.WHEN and intake.field_from_words("sửa lại") is None
    assert intake.rating("5 sao") == 5 and intake.rating("10") is None and intake.rating("") is None
    lines = [{"who": "citizen", "text": "làm sao đổi cccd"}, {"who": "bot", "text": "…"},
             {"who": "citizen", "text": "hi"}, {"who": "citizen", "text": "cho tôi gặp người"}]
    assert intake.handoff_question(lines, "x") == ("cho tôi gặp người", ["làm sao đổi cccd"])
    assert intake.handoff_question([], "gặp cán bộ") == ("gặp cán bộ", [])


def test_catalogue_has_both_languages_and_one_policy():
    for key, (vi, en) in messages.CITIZEN.items():
        assert vi and en, key
    assert messages.language("en") == "en" and messages.language("fr") == "vi" and messages.language(None) == "vi"
    assert messages.citizen("busy", "en", phone="1900 0000").endswith("call 1900 0000.")
    assert "1800" not in "".join(vi + en for vi, en in messages.CITIZEN.values())  # the number comes from settings
    assert messages.status_text("waiting_for_citizen", "vi") == "đang chờ bạn bổ sung thông tin"
    assert messages.operator_error("already claimed") == "Không thực hiện được: Phản ánh này đã có người nhận."
    assert [b["title"] for b in messages.rating_buttons("en")] == ["1 – bad", "2", "3", "4", "5 – very good"]


def test_status_enum_is_the_stored_string():
    assert TicketStatus.NEW == "new" and str(TicketStatus.NEW) == "new" and f"{TicketStatus.CLOSED}" == "closed"
    assert "resolved" in TRANSITIONS["waiting_for_citizen"] and not TRANSITIONS["closed"]
    assert [s.value for s in TicketStatus if s.is_open] == ["new", "triaged", "assigned", "in_progress",
                                                            "waiting_for_citizen"]


def test_a_placeholder_may_be_named_text() -> None:
    # The complaint summary fills {text}; the language helper must not take it for its own argument.
    from procedure_kb.i18n import say

    assert say(("Nội dung: {text}", "What: {text}"), "en", text="a rude clerk") == "What: a rude clerk"


def test_every_channel_has_a_console_label() -> None:
    # A Zalo ticket once showed the raw word "zalo" in the console.
    from hotline.enums import Channel
    from hotline.tickets.messages import CHANNEL_LABELS, CHANNEL_SHORT

    assert {c.value for c in Channel} <= set(CHANNEL_LABELS) and {c.value for c in Channel} <= set(CHANNEL_SHORT)
