"""The Vietnamese normaliser: the same meaning typed in different ways compares equal."""

import unicodedata

import pytest

from procedure_kb.language import detect_language, language_evidence
from procedure_kb.textnorm import fold, normalize, normalize_tone_placement


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Thủ tục làm CCCD", "thu tuc lam can cuoc cong dan"),
        ("thu tuc lam cccd", "thu tuc lam can cuoc cong dan"),
        ("ko biet lam cmnd o dau", "khong biet lam chung minh nhan dan o dau"),
        ("Đăng ký khai sinh cho con", "dang ky khai sinh cho con"),
        ("dk khai sinh cho be", "dang ky khai sinh cho be"),
        ("nộp hs ở UBND phường nào đc ạ", "nop ho so o uy ban nhan dan phuong nao duoc a"),
        ("Hoà Bình, Thuỷ Nguyên", "hoa binh, thuy nguyen"),
        ("  nhiều    khoảng   trắng  ", "nhieu khoang trang"),
        ("", ""),
    ],
)
def test_fold_makes_styles_meet(typed: str, expected: str) -> None:
    assert fold(typed) == expected


def test_nfd_input_from_phones_equals_precomposed() -> None:
    precomposed = "Đăng ký thường trú ở phường Hòa Khánh"
    decomposed = unicodedata.normalize("NFD", precomposed)
    assert decomposed != precomposed
    assert normalize(decomposed) == normalize(precomposed)
    assert fold(decomposed) == fold(precomposed)


@pytest.mark.parametrize(
    "old_style, modern",
    [("hoà", "hòa"), ("Thuỷ", "Thủy"), ("khoẻ", "khỏe"), ("HOÀ", "HÒA"), ("Phú Hoà", "Phú Hòa")],
)
def test_old_tone_placement_becomes_modern(old_style: str, modern: str) -> None:
    assert normalize_tone_placement(old_style) == modern


@pytest.mark.parametrize("unchanged", ["hoàng", "quý", "khuỳnh", "thuở", "quỳnh"])
def test_closed_syllables_and_qu_keep_their_tone(unchanged: str) -> None:
    assert normalize_tone_placement(unchanged) == unchanged


def test_abbreviations_are_whole_words_only() -> None:
    # "k" alone is "không", but the k inside "kết hôn" must stay.
    assert normalize("k kết hôn dc") == "không kết hôn được"


@pytest.mark.parametrize(
    "text, language",
    [
        ("how do I register a birth?", "en"),
        ("I lost my ID card, what should I do", "en"),
        ("thủ tục đăng ký khai sinh", "vi"),
        ("thu tuc dang ky khai sinh o dau", "vi"),
        ("cho minh hoi lam cccd mat bao lau", "vi"),
        ("", "vi"),
        ("😀😀", "vi"),
    ],
)
def test_language_guess(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize("no_clue", ["000.31.25.H29-250903-0007", "4321", "PA-2026-000123", "👍", ""])
def test_codes_and_digits_give_no_language_evidence(no_clue: str) -> None:
    # The language slot must not flip to Vietnamese when an English speaker types a code.
    assert language_evidence(no_clue) is None
