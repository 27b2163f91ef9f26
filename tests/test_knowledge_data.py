"""The knowledge data citizens' questions are answered from: bank, FAQ, generated NLU examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from procedure_kb.facets import asked_facets, facets_of, separating_facet
from procedure_kb.faq import QUESTION_GROUPS, load_faq
from procedure_kb.nlu_examples import OUTPUT, render
from procedure_kb.phrasings import check_bank, citizen_scope, load_phrasings

ROOT = Path(__file__).resolve().parent.parent


def test_the_bank_covers_every_procedure_a_person_does_with_no_problems():
    assert len(citizen_scope()) >= 1000
    assert check_bank() == []
    bank = load_phrasings()
    assert all(bank[code].names_vi and bank[code].name_en for code in citizen_scope())
    # the first pass and the additions both count: everyday words and life situations
    assert sum(len(e.situations) for e in bank.values()) >= 2200


def test_semantic_only_phrases_are_embedded_but_never_indexed_word_by_word():
    from procedure_kb.search import _doc_fields, get_procedure
    from procedure_kb.semantic import corpus

    bank = load_phrasings()
    assert sum(len(e.semantic_only) for e in bank.values()) >= 4000
    code, entry = next((c, e) for c, e in bank.items() if e.semantic_only and not e.situations)
    phrase = entry.semantic_only[0]
    assert phrase in corpus()[0]  # the semantic signal reads it
    indexed = _doc_fields(get_procedure(code))
    assert all(phrases == [] for field, phrases in indexed.items() if field.startswith("bank_sit"))
    assert phrase not in entry.all_vi() + entry.all_en()  # nor any lexical bank field


def test_reform_faq_has_40_entries_each_with_12_variants_in_five_styles():
    entries = load_faq()
    assert len(entries) >= 40
    for entry in entries:
        assert len(entry.questions) >= 12, entry.id
    assert QUESTION_GROUPS == ("vi", "plain", "teen", "en", "situation")
    household = next(e for e in entries if e.id == "household_book_abolished")
    assert "68/2020/QH14" in {ref.number for ref in household.legal_basis}


def test_generated_nlu_examples_are_current():
    assert (ROOT / OUTPUT).read_text("utf-8") == render(ROOT / "nlu_data"), (
        "run `python -m procedure_kb nlu-examples` after changing the bank or the FAQ")


def test_facets_separate_near_twins_and_questions_say_which():
    assert facets_of("Cấp lại thẻ căn cước").issue == "reissue"
    assert facets_of("Cấp đổi thẻ căn cước").issue == "exchange"
    assert facets_of("Cấp thẻ căn cước cho người dưới 14 tuổi").age == "under14"
    assert facets_of("Thủ tục đăng ký kết hôn có yếu tố nước ngoài").foreign
    assert separating_facet(["Cấp lại thẻ căn cước", "Cấp đổi thẻ căn cước"])[0] == "issue"
    assert separating_facet(["Cấp lại thẻ căn cước", "Cấp lại thẻ căn cước (thực hiện tại cấp tỉnh)"]) is None
    assert asked_facets("làm lại cccd bị mất") == {"issue": "reissue"}
    assert asked_facets("làm căn cước cho con 10 tuổi")["age"] == "under14"
    assert asked_facets("my ID card") == {}  # "my" is not the United States


@pytest.mark.parametrize("said, age", [
    # the threshold said outright, even where it holds the other side's words ("chưa đủ 14")
    ("làm căn cước cho con chưa đủ 14 tuổi", "under14"), ("children under 14", "under14"),
    ("thẻ căn cước từ đủ 14 tuổi trở lên", "from14"), ("ID card for someone over 14", "from14"),
    # a number of years or months, before any word for a child ("my child is 15" is from 14)
    ("my child is 15, how does she get an ID card", "from14"), ("con tôi 16 tuổi làm cccd", "from14"),
    ("my 8-year-old son needs an ID card", "under14"), ("my daughter is 10 years old", "under14"),
    ("bé 3 tháng tuổi làm căn cước", "under14"), ("I am 30 and lost my ID", "from14"),
    # words for a child, plurals included
    ("ID cards for my kids", "under14"), ("làm căn cước cho trẻ em", "under14"),
])
def test_the_age_a_question_states_is_read_numbers_first(said, age):
    assert asked_facets(said).get("age") == age


def test_no_age_is_read_where_none_is_stated():
    for said in ("làm cccd", "nộp thuế năm 2024", "đăng ký xe 150 phân khối", "I need an ID card"):
        assert "age" not in asked_facets(said), said


def test_a_question_that_says_everyone_is_vietnamese_is_not_about_a_foreign_element():
    assert asked_facets("My wife just gave birth in Da Nang. We are both Vietnamese.") == {"foreign": False}
    assert asked_facets("I'm a Vietnamese citizen and lost my passport") == {"issue": "reissue", "foreign": False}
    # a foreign party named, by nationality or by country, states the foreign element
    assert asked_facets("I'm Vietnamese and my husband is Korean") == {"foreign": True}
    assert asked_facets("I'm Vietnamese, my husband lives in Japan")["foreign"] is True


def test_a_foreign_nationality_in_the_question_states_a_foreign_element():
    for said in ("I'm French and the father of a child born in Hanoi", "I'm a US citizen engaged to a Vietnamese woman",
                 "My husband is Thai", "Tôi là người Hàn, muốn kết hôn với bạn gái ở Huế"):
        assert asked_facets(said).get("foreign") is True, said
    assert asked_facets("We are both Vietnamese citizens").get("foreign") is False
    # Folded Vietnamese shares letters with nationalities; none of these involves a foreigner.
    for said in ("chế độ thai sản cho lao động nữ", "xe máy bị phạt vì khí thải", "tôi ở Thái Bình muốn làm sổ đỏ",
                 "người nhặt được căn cước của tôi", "tôi là người Mỹ Tho, muốn đăng ký tạm trú ở Sài Gòn",
                 "I want to teach English at a centre in Hanoi, what licence do I need?"):
        assert "foreign" not in asked_facets(said), said
