"""The transition FAQ answers reform questions in any style and never invents a legal basis."""

from __future__ import annotations

import re

import pytest

from procedure_kb.faq import load_faq, render_answer, search_faq
from procedure_kb.textnorm import fold

# Legal bases the FAQ may cite: checked by hand (see the header of data/transition_faq.yml and
# the comment above each entry that cites a basis added later).
KNOWN_BASES = {"72/2025/QH15", "202/2025/QH15", "190/2025/QH15", "118/2025/NĐ-CP", "26/2023/QH15", "19/2025/QĐ-TTg",
               "68/2020/QH14", "104/2022/NĐ-CP", "66.7/2025/NQ-CP", "159/TTg-CĐS", "69/2024/NĐ-CP",
               "53/2025/TT-BCA", "86/2024/TT-BTC", "31/2024/QH15", "151/2025/NĐ-CP", "45/2016/QĐ-TTg",
               "27/CT-TTg", "101/CĐ-TTg"}


def test_at_least_25_entries_each_with_all_variants_answer_and_check_date():
    entries = load_faq()
    assert len(entries) >= 25
    assert len({e.id for e in entries}) == len(entries)
    for entry in entries:
        accented = [q for q in entry.questions if q != fold(q) and re.search(r"[^\x00-\x7f]", q)]
        plain = [q for q in entry.questions if q == q.lower() and not re.search(r"[^\x00-\x7f]", q)]
        assert accented and plain, entry.id
        assert len(entry.questions) >= 4, entry.id  # vi + plain + en
        assert entry.answer_vi and entry.answer_en, entry.id
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry.last_checked), entry.id


def test_only_known_legal_bases_are_cited_and_uncited_answers_defer_to_the_hotline():
    for entry in load_faq():
        assert {ref.number for ref in entry.legal_basis} <= KNOWN_BASES, entry.id
        if not entry.legal_basis:
            assert entry.confirm_with_hotline, entry.id
        # An answer never quotes a legal number that is not in its own legal basis.
        cited = {ref.number for ref in entry.legal_basis}
        for number in re.findall(r"\d+/\d{4}/[A-ZĐ][A-Za-zĐ\-0-9]*", entry.answer_vi + entry.answer_en):
            assert number in cited, (entry.id, number)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("giờ bỏ huyện rồi thì nộp hồ sơ ở đâu", "where_to_submit_now"),
        ("where do I submit now that the district is gone", "where_to_submit_now"),
        ("căn cước ghi địa chỉ cũ có phải đổi không", "id_card_old_address_valid"),
        ("cccd cu con dung duoc ko", "id_card_old_address_valid"),
        ("do i need to change my ID card after the merger", "must_update_id_card"),
        ("giấy tờ cũ còn giá trị không", "other_papers_valid"),
        ("xã có được từ chối nhận hồ sơ vì sáp nhập không", "refuse_dossier_because_of_reform"),
        ("can they refuse my application because of the merger", "refuse_dossier_because_of_reform"),
        ("sau sáp nhập tỉnh có phải làm lại sổ đỏ không", "land_certificate_valid"),
        ("không còn cấp huyện thì việc của huyện ai làm", "district_tasks_who_now"),
        ("chinh quyen hai cap la gi", "what_is_two_level_government"),
        ("so tong dai la bao nhieu", "hotline_number"),
        ("bao nhiêu tỉnh", "how_many_provinces"),
        ("what is a special zone", "what_is_special_zone"),
    ],
)
def test_questions_in_every_style_find_their_entry(question, expected):
    hits = search_faq(question)
    assert hits and hits[0].entry.id == expected


@pytest.mark.parametrize("question", ["", "hello", "thời tiết hôm nay thế nào", "😀" * 10, "<b>x</b>", None])
def test_unrelated_or_bad_input_finds_nothing(question):
    assert search_faq(question) == []


def test_rendered_answer_cites_basis_date_and_hotline():
    entry = next(e for e in load_faq() if e.id == "refuse_dossier_because_of_reform")
    text = render_answer(entry, "vi", hotline="1900 0000")
    assert "190/2025/QH15" in text and "118/2025/NĐ-CP" in text
    assert "1900 0000" in text and "{hotline}" not in text
    assert "kiểm tra ngày" in text
    english = render_answer(entry, "en", hotline="1900 0000")
    assert "Legal basis" in english and "No. 190/2025/QH15" in english


def test_answer_without_legal_basis_says_to_confirm_with_the_hotline():
    entry = next(e for e in load_faq() if e.id == "fees_changed")
    assert "xác nhận lại với tổng đài 1800 1096" in render_answer(entry, "vi", hotline="1800 1096")
