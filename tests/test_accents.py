"""Diacritics put back on Vietnamese typed without them (procedure_kb.accents), so that the
semantic signal can read such questions."""

import re

import pytest

from procedure_kb.accents import plain_share, restore
from procedure_kb.textnorm import fold_accents, tokens


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("lam lai can cuoc bi mat o dau", "làm lại căn cước bị mất ở đâu"),
        ("dang ky khai sinh cho con", "đăng ký khai sinh cho con"),
        ("xin giay xac nhan tinh trang hon nhan", "xin giấy xác nhận tình trạng hôn nhân"),
        ("Nop ho so o dau", "nộp hồ sơ ở đâu"),
    ],
)
def test_plain_questions_get_their_diacritics_back(typed, meant):
    assert restore(typed) == meant


def test_teencode_is_expanded_and_accented():
    assert restore("ko dc cap cccd") == "không được cấp căn cước công dân"


def test_words_already_accented_or_unknown_stay_as_typed():
    # "khai" alone could be "khai" or "khái": the written form wins; codes and English stay.
    assert restore("khái niệm ABC123 visa") == "khái niệm abc123 visa"
    assert restore("Tôi muốn dang ky tam tru") == "tôi muốn đăng ký tạm trú"


def test_punctuation_separates_clauses():
    assert restore("mat so do, lam lai o dau?") == "mất sổ đỏ, làm lại ở đâu"


@pytest.mark.parametrize("text", ["", "   ", "???", "\x00\ufffd", "<script>alert(1)</script>", "a" * 10_000,
                                  "lam " * 2_000])
def test_bad_input_gives_text_not_an_error(text):
    out = restore(text)
    assert isinstance(out, str)
    assert re.findall(r"\w+", fold_accents(out)) == tokens(text)  # only diacritics change, never the words


def test_plain_share_tells_vietnamese_from_english():
    assert plain_share("lam lai can cuoc o dau") == 1.0
    assert plain_share("Where can I renew my passport please") < 0.6
    assert plain_share("HS-2025-000123 xyz") < 0.6
    assert plain_share("") == 0.0


def test_a_question_typed_without_diacritics_reaches_the_semantic_signal():
    from conftest import IN_CI

    from procedure_kb.search import search_procedures
    from procedure_kb.semantic import question_scores, semantic_index

    if semantic_index() is None and not IN_CI:
        pytest.skip("semantic cache not built (make embeddings)")
    found = question_scores("vo toi vua sinh em be o benh vien tinh")
    assert found is not None and found.restored
    assert question_scores("How do I register my newborn?").restored is False
    assert question_scores("HS-2025-000123") is None  # a code is not Vietnamese: no signal, no guess
    # A life situation that names no procedure, typed without diacritics: the birth is registered.
    codes = [h.code for h in search_procedures("vo toi vua sinh em be o benh vien tinh, can lam giay to gi cho chau", top=3)]
    assert {"1.001193", "2.000986", "2.001023"} & set(codes), codes
