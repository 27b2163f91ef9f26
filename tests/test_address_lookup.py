"""Old address -> new ward, on addresses written the way citizens write them.

Expected values come from the official conversion table (Decision 19/2025/QĐ-TTg and the
Standing Committee resolutions); each case says which old ward must be understood and which
new ward code(s) it went into.
"""

from __future__ import annotations

import pytest

from procedure_kb import lookup_address as package_lookup
from procedure_kb.units import lookup_address

SAI_GON = {"26740"}  # Phường Sài Gòn, TP Hồ Chí Minh

# (address as typed, old ward understood, new ward codes)
FOUND = [
    # full names
    ("Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh", "Phường Bến Nghé", SAI_GON),
    ("Phường Tân Định, Quận 1", "Phường Tân Định", {"26737"}),
    ("Phường 1, Quận 3, TP HCM", "Phường 1", {"27154"}),
    ("Phường Võ Thị Sáu, Quận 3", "Phường Võ Thị Sáu", {"27139"}),
    ("Phường Thảo Điền, Thành phố Thủ Đức, TP.HCM", "Phường Thảo Điền", {"27094"}),
    ("Xã Bình Hưng, Huyện Bình Chánh, TP. Hồ Chí Minh", "Xã Bình Hưng", {"27619"}),
    ("Phường Hàng Bạc, Quận Hoàn Kiếm, Thành phố Hà Nội", "Phường Hàng Bạc", {"00070"}),
    ("Thị trấn Yên Viên, Huyện Gia Lâm, Hà Nội", "Thị trấn Yên Viên", {"00541"}),
    ("Xã Yên Viên, Gia Lâm, Hà Nội", "Xã Yên Viên", {"00541"}),
    ("Phường Thạch Thang, Q. Hải Châu, TP Đà Nẵng", "Phường Thạch Thang", {"20242"}),
    ("Phường Minh An, TP. Hội An, Tỉnh Quảng Nam", "Phường Minh An", {"20410"}),
    ("Phường Vĩnh Ninh, TP Huế, Thừa Thiên Huế", "Phường Vĩnh Ninh", {"19789"}),
    ("Phường Đúc, Quận Thuận Hóa, TP Huế", "Phường Đúc", {"19789"}),
    ("Phường Lộc Thọ, TP Nha Trang, Khánh Hòa", "Phường Lộc Thọ", {"22366"}),
    ("Xã Vĩnh Phương, TP. Nha Trang, Khánh Hòa", "Xã Vĩnh Phương", {"22333"}),
    ("Phường 1, TP. Vũng Tàu, Bà Rịa - Vũng Tàu", "Phường 1", {"26506"}),
    ("Phường Hồng Gai, TP Hạ Long, Quảng Ninh", "Phường Hồng Gai", {"06685"}),
    ("Phường Xuân Khánh, Quận Ninh Kiều, Cần Thơ", "Phường Xuân Khánh", {"31135"}),
    ("Phường Phú Cường, Thành phố Thủ Dầu Một, Bình Dương", "Phường Phú Cường", {"25747"}),
    ("Xã Lộc Ninh, Thành phố Đồng Hới, Quảng Bình", "Xã Lộc Ninh", {"18859"}),
    ("Phường Trần Phú, TP Quảng Ngãi", "Phường Trần Phú", {"21028"}),
    ("Xã Thổ Châu, Huyện Phú Quốc, Kiên Giang", "Xã Thổ Châu", {"31105"}),
    ("Thị trấn Mường Tè, Huyện Mường Tè, Lai Châu", "Thị trấn Mường Tè", {"03433"}),
    ("Phường Sa Pa, Thị xã Sa Pa, Lào Cai", "Phường Sa Pa", {"03006"}),
    # renamed / type changed
    ("Xã Krông Na, Huyện Buôn Đôn, Đắk Lắk", "Xã Krông Na", {"24235"}),
    ("Xã Bà Gia, Huyện Đạ Huoai, Lâm Đồng", "Xã Bà Gia", {"25114"}),
    # abbreviations
    ("P. Bến Nghé, Q.1, TP.HCM", "Phường Bến Nghé", SAI_GON),
    ("P.15, Q.Tân Bình, TPHCM", "Phường 15", {"27004", "27007"}),
    ("F12 Q.Gò Vấp", "Phường 12", {"26882"}),
    ("P. Hàng Bạc, Q. Hoàn Kiếm, HN", "Phường Hàng Bạc", {"00070"}),
    ("TT. Ba Chẽ, H. Ba Chẽ, Quảng Ninh", "Thị trấn Ba Chẽ", {"06970"}),
    ("Thị trấn Củ Chi, H. Củ Chi, TP HCM", "Thị trấn Củ Chi", {"27496"}),
    ("P.Thắng Tam, TP Vũng Tàu, BRVT", "Phường Thắng Tam", {"26506"}),
    ("X. Vĩnh Phương, TP. Nha Trang, Khánh Hòa", "Xã Vĩnh Phương", {"22333"}),
    # without diacritics / lower case / no commas
    ("phuong ben nghe quan 1 tphcm", "Phường Bến Nghé", SAI_GON),
    ("phuong hang bai quan hoan kiem ha noi", "Phường Hàng Bài", {"00082"}),
    ("phuong tran hung dao, thanh pho thai binh", "Phường Trần Hưng Đạo", {"12452"}),
    ("xa krong na huyen buon don dak lak", "Xã Krông Na", {"24235"}),
    ("PHUONG THAO DIEN, TP THU DUC, TP HCM", "Phường Thảo Điền", {"27094"}),
    # old tone placement (as on old stamps and in some data sets)
    ("phường Lộc Thọ, thành phố Nha Trang, tỉnh Khánh Hoà", "Phường Lộc Thọ", {"22366"}),
    ("Phường Tân Hoà, TP Hoà Bình, Hoà Bình", "Phường Tân Hòa", {"04792"}),
    ("Xã Thuỷ An, Thị xã Đông Triều, Quảng Ninh", "Phường Thủy An", {"07093"}),
    # house number and street in front
    ("12 Lê Lợi, P. Bến Thành, Q1, Tp.HCM", "Phường Bến Thành", {"26743"}),
    ("Số 45 đường Nguyễn Huệ, phường Bến Nghé, quận 1, Sài Gòn", "Phường Bến Nghé", SAI_GON),
    ("25 ngõ 102 Trường Chinh, P. Phương Mai, Q. Đống Đa, Hà Nội", "Phường Phương Mai", {"00229", "00292"}),
    ("Thôn Hòa Bình, Xã Krông Na, Huyện Buôn Đôn, Đắk Lắk", "Xã Krông Na", {"24235"}),
    # English
    ("Ben Nghe Ward, District 1, HCMC", "Phường Bến Nghé", SAI_GON),
    ("Ward 15, Tan Binh District, Ho Chi Minh City", "Phường 15", {"27004", "27007"}),
    # no province, the rest unambiguous
    ("Bến Nghé", "Phường Bến Nghé", SAI_GON),
    ("Phường Dịch Vọng Hậu, Quận Cầu Giấy", "Phường Dịch Vọng Hậu", {"00160", "00166"}),
    # names that begin like a unit type, or contain one
    ("Phường Phương Liên - Trung Tự, Quận Đống Đa, Hà Nội", "Phường Phương Liên - Trung Tự", {"00226", "00229"}),
    ("Xã Xà Hồ, Huyện Trạm Tấu, Yên Bái", "Xã Xà Hồ", None),
    ("P. Phúc Xá, Q. Ba Đình, HN", "Phường Phúc Xá", None),
    # codes repaired at import
    ("Xã Đặng Xá, Huyện Gia Lâm, TP Hà Nội", "Xã Đặng Xá", {"00541", "00562"}),
    ("Xã Mỹ Hưng, Huyện Quảng Hòa, Cao Bằng", "Xã Mỹ Hưng", {"01648"}),
    ("Xã Xuân Quang 3, Huyện Đồng Xuân, Phú Yên", "Xã Xuân Quang 3", {"22111"}),
    ("Khu vực bãi bồi ven biển, Huyện Kim Sơn, Ninh Bình", "Khu vực bãi bồi ven biển do huyện Kim Sơn quản lý", {"14698"}),
]

# Island districts that had no wards: the district itself is the old unit.
ISLANDS = [
    ("Huyện Côn Đảo, Bà Rịa - Vũng Tàu", "Huyện Côn Đảo", "26732", "79"),
    ("Huyện Bạch Long Vĩ, Hải Phòng", "Huyện Bạch Long Vĩ", "11948", "31"),
    ("huyen ly son quang ngai", "Huyện Lý Sơn", "21548", "51"),
    ("H. Cồn Cỏ, Quảng Trị", "Huyện Cồn Cỏ", "19742", "44"),
    ("Huyện Hoàng Sa, TP Đà Nẵng", "Huyện Hoàng Sa", "20333", "48"),
]


@pytest.mark.parametrize("text,old_ward,new_codes", FOUND, ids=[c[0][:40] for c in FOUND])
def test_real_addresses_resolve(text, old_ward, new_codes):
    res = lookup_address(text)
    assert res.status in ("found", "split"), res.message
    assert res.matched_old["ward"]["name"] == old_ward
    if new_codes is not None:
        assert {w["code"] for w in res.new_wards} == new_codes
    assert all(w["province"] and w["province_code"] for w in res.new_wards)
    assert res.message  # a sentence the assistant can send as it is


@pytest.mark.parametrize("text,district,new_code,province_code", ISLANDS)
def test_island_districts_without_wards(text, district, new_code, province_code):
    res = lookup_address(text)
    assert res.status == "found"
    assert res.matched_old["district"]["name"] == district and res.matched_old["ward"] is None
    assert [(w["code"], w["province_code"]) for w in res.new_wards] == [(new_code, province_code)]
    assert res.new_wards[0]["name"].startswith("Đặc khu")


def test_package_entry_point_is_the_same_lookup():
    assert package_lookup("P. Bến Nghé, Q.1, TP.HCM").new_wards[0]["name"] == "Phường Sài Gòn"


def test_whole_merge_states_the_kind_and_the_new_province():
    res = lookup_address("Phường Bến Nghé, Quận 1, TP HCM")
    assert res.change == "merged_whole" and not res.depends_on_street
    assert res.new_wards[0]["kind"] == "whole"
    assert "Phường Sài Gòn" in res.message and "Thành phố Hồ Chí Minh" in res.message


def test_old_province_moved_into_another_new_province():
    res = lookup_address("Phường Phú Cường, Thủ Dầu Một, Bình Dương")
    assert res.matched_old["province"]["name"] == "Tỉnh Bình Dương"
    assert res.new_wards[0]["province"] == "Thành phố Hồ Chí Minh"


def test_renamed_unit_says_renamed():
    res = lookup_address("Xã Krông Na, Huyện Buôn Đôn, Đắk Lắk")
    assert res.change == "renamed" and res.new_wards[0]["name"] == "Xã Buôn Đôn"


def test_split_lists_every_part_and_depends_on_street():
    res = lookup_address("Xã Cổ Bi, Huyện Gia Lâm, Hà Nội")
    assert res.status == "split" and res.change == "split" and res.depends_on_street
    assert {w["name"] for w in res.new_wards} == {"Phường Phúc Lợi", "Xã Phù Đổng", "Xã Gia Lâm"}
    assert all(w["kind"] == "part" and w["part"] for w in res.new_wards)
    assert "tùy theo đường" in res.message


def test_split_keeps_what_the_table_says_about_each_part():
    res = lookup_address("Phường 15, Quận Tân Bình, TP Hồ Chí Minh")
    parts = {w["name"]: w["part"] for w in res.new_wards}
    assert parts["Phường Tân Sơn"] == "Đổi tên từ một phần Phường 15"


def test_new_province_written_instead_of_old_one_still_resolves():
    # Citizens who already know the new province write it with the old ward and district.
    res = lookup_address("Phường Phú Cường, TP Thủ Dầu Một, TP Hồ Chí Minh")
    assert res.status == "found" and res.matched_old["ward"]["name"] == "Phường Phú Cường"


def test_dong_nai_2026_type_change_shows_todays_name_keeping_the_official_one():
    res = lookup_address("Thị trấn Long Thành, Huyện Long Thành, Đồng Nai")
    ward = res.new_wards[0]
    assert ward["code"] == "26368" and ward["name"] == "Xã Long Thành"
    assert ward["current_name"] == "Phường Long Thành"
    assert "Phường Long Thành" in res.message


# ---- ambiguous: one question, with the options for buttons --------------------------------


def test_same_ward_name_in_many_provinces_asks_the_province():
    res = lookup_address("Phường Trần Hưng Đạo")
    assert res.status == "ambiguous" and res.ask == "province" and not res.new_wards
    names = {o["name"] for o in res.options}
    assert {"Thành phố Hà Nội", "Tỉnh Thái Bình"} <= names
    assert len(res.candidates) >= len(res.options) >= 2
    assert "tỉnh/thành phố" in res.message


def test_numbered_ward_without_district_asks():
    res = lookup_address("Phường 1")
    assert res.status == "ambiguous" and res.ask in ("province", "district") and res.options


def test_same_name_in_one_province_asks_the_district():
    res = lookup_address("Phường 1, TP Hồ Chí Minh")
    assert res.status == "ambiguous" and res.ask == "district"
    assert "Quận 3" in {o["name"] for o in res.options}


def test_unaccented_name_that_differs_only_by_accent_asks_the_ward():
    res = lookup_address("phuong sa pa, thi xa sa pa, lao cai")
    assert res.status == "ambiguous" and res.ask == "ward"
    assert {o["name"] for o in res.options} == {"Phường Sa Pa", "Phường Sa Pả"}


def test_district_only_asks_the_ward_with_its_wards_as_options():
    res = lookup_address("Huyện Ba Chẽ, Quảng Ninh")
    assert res.status == "incomplete" and res.ask == "ward" and not res.new_wards
    assert res.matched_old["district"]["name"] == "Huyện Ba Chẽ"
    assert "Thị trấn Ba Chẽ" in {o["name"] for o in res.options}


def test_province_only_asks_the_district():
    res = lookup_address("Đà Nẵng")
    assert res.status == "incomplete" and res.ask == "district"
    assert "Quận Hải Châu" in {o["name"] for o in res.options}


def test_district_name_shared_by_provinces_asks_the_province():
    res = lookup_address("Huyện Châu Thành")
    assert res.status == "ambiguous" and res.ask == "province" and len(res.options) > 3


# ---- garbage: clear not-found with guidance, never an exception ---------------------------

GARBAGE = [
    "asdf",
    "",
    "   ",
    "x" * 5000,
    "Phường " * 900,
    "😀🙏🏠",
    "<script>alert('xss')</script>",
    "<b>hello</b><br/>",
    "'; DROP TABLE users; --",
    "1 OR 1=1",
    "12345",
    "hello how are you",
    "\x00\x01\x02",
]


@pytest.mark.parametrize("text", GARBAGE, ids=[repr(g[:20]) for g in GARBAGE])
def test_garbage_is_a_clear_not_found(text):
    res = lookup_address(text)
    assert res.status == "not_found" and res.new_wards == [] and res.candidates == []
    assert "phường/xã, quận/huyện, tỉnh/thành phố" in res.message
    assert res.message_en


@pytest.mark.parametrize("value", [None, 42, b"Phuong 1", ["Phường 1"]])
def test_non_text_input_never_raises(value):
    assert lookup_address(value).status == "not_found"


# ---- questions about whole provinces and older names ---------------------------------------


def test_province_question_gets_the_new_province_and_asks_the_district():
    res = lookup_address("tỉnh Hà Giang nhập vào tỉnh nào")
    assert res.status == "incomplete" and res.ask == "district"
    assert res.message.startswith("Tỉnh Hà Giang nay thuộc Tỉnh Tuyên Quang.")


def test_two_provinces_named_says_where_each_went():
    res = lookup_address("Long An giờ thuộc tỉnh Tây Ninh à")
    assert res.status == "ambiguous" and res.ask == "province"
    assert "Tỉnh Long An nay thuộc Tỉnh Tây Ninh." in res.message
    assert "Tỉnh Tây Ninh vẫn giữ tên Tỉnh Tây Ninh." in res.message
    assert {o["name"] for o in res.options} == {"Tỉnh Long An", "Tỉnh Tây Ninh"}


def test_a_typed_district_is_not_overridden_by_a_ward_elsewhere():
    # Quận 3 had no "Phường 7" left in 2025; do not answer with a Phường 7 of another district.
    res = lookup_address("Phường 7, Quận 3, TP Hồ Chí Minh")
    assert res.status == "incomplete" and res.matched_old["district"]["name"] == "Quận 3"
    assert not res.new_wards


def test_typed_town_picks_the_town_among_districts_of_that_name():
    res = lookup_address("thị xã Sơn Tây cũ giờ chia thành những phường nào")
    assert res.matched_old["district"]["name"] == "Thị xã Sơn Tây"
    assert res.matched_old["province"]["name"] == "Thành phố Hà Nội"


def test_name_from_an_earlier_merge_still_resolves():
    # Phường Nguyễn Trung Trực was merged into Phường Trúc Bạch before 2025.
    res = lookup_address("Phường Nguyễn Trung Trực, Ba Đình, Hà Nội")
    assert res.matched_old["ward"]["name"] == "Phường Trúc Bạch"
    assert [w["name"] for w in res.new_wards] == ["Phường Ba Đình"]


def test_a_procedure_question_is_not_an_address():
    for text in ("thủ tục đăng ký khai sinh cần giấy tờ gì", "how do I register a birth"):
        assert lookup_address(text).status == "not_found"


def test_a_bare_unit_name_is_recognised_as_an_address_answer() -> None:
    # Inside the address form, "Phường Trần Hưng Đạo" once looked like small talk to the classifier.
    from procedure_kb.units import is_old_unit_name

    assert is_old_unit_name("Phường Trần Hưng Đạo") and is_old_unit_name("p tran hung dao")
    assert is_old_unit_name("Thái Bình") and is_old_unit_name("Quận Hoàn Kiếm")
    assert not is_old_unit_name("hỗ trợ tiền điện cho hộ nghèo") and not is_old_unit_name("chào bạn")
    assert not is_old_unit_name("") and not is_old_unit_name(None) and not is_old_unit_name("x" * 10_000)
