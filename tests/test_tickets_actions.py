"""Plain helpers of the ticket actions (no servers)."""

from rasa_sdk import Tracker

from actions.tickets import field_to_change, parse_reference, resolve_place
from hotline import places


def test_reference_answers():
    assert parse_reference("không")["complaint_ref"] == "none"
    assert parse_reference("ko")["complaint_ref"] == "none"
    both = parse_reference("thủ tục 1.000894, hồ sơ H29.22-250801-0007")
    assert both["complaint_procedure_code"] == "1.000894"
    assert both["complaint_dossier_code"] == "H29.22-250801-0007"
    assert parse_reference("'; DROP TABLE tickets; --")["complaint_dossier_code"] is None


def test_place_from_a_new_ward_name_or_an_old_address():
    new = resolve_place("phường Sài Gòn")
    assert (new["complaint_commune_name"], new["complaint_province_code"]) == ("Phường Sài Gòn", "79")
    old = resolve_place("phường Bến Nghé, quận 1, TP HCM")
    assert old["complaint_commune_name"] == "Phường Sài Gòn"
    unknown = resolve_place("😀 chỗ nào đó")
    assert unknown["complaint_commune_code"] is None and unknown["complaint_commune_name"] == "😀 chỗ nào đó"


def test_place_from_an_office_name_and_choices_when_several_fit():
    office = resolve_place("bộ phận một cửa UBND phường Sài Gòn")
    assert (office["complaint_commune_code"], office["complaint_commune_name"]) == ("26740", "Phường Sài Gòn")
    several = places.resolve("xã Tân Phú")
    assert several.status == "choose" and len(several.choices) > 2
    assert {c["province"] for c in several.choices} >= {"Tỉnh Đồng Nai", "Thành phố Hồ Chí Minh"}
    assert places.resolve("").status == "empty" and places.resolve("phường 1").status == "not_found"
    assert places.ward("26740")["name"] == "Phường Sài Gòn" and places.ward("x' OR 1=1") is None


def test_which_answer_to_change_from_words():
    def tracker(text, entities=()):
        return Tracker("s", {}, {"text": text, "entities": list(entities)}, [], False, None, {}, "")

    assert field_to_change(tracker("/change_complaint", [{"entity": "complaint_field", "value": "when"}])) == "when"
    assert field_to_change(tracker("sửa số điện thoại")) == "contact"
    assert field_to_change(tracker("sửa nội dung")) == "text"
    assert field_to_change(tracker("đổi thời điểm")) == "when"
    assert field_to_change(tracker("sửa mã hồ sơ")) == "ref"
    assert field_to_change(tracker("sửa nơi xảy ra")) == "place"
    assert field_to_change(tracker("sửa lại")) is None
