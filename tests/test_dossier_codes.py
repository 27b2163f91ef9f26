"""Dossier codes: the real formats are accepted as people type them; garbage is refused clearly."""

from __future__ import annotations

from datetime import date

import pytest

from hotline.dossiers.codes import check_code, find_code, make_code

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize("typed", [
    "000.00.31.H29-250715-0012",
    "000.00.31.h29-250715-0012",
    " 000.00.31.H29 - 250715 - 0012 ",
    "000.00.31.H29–250715–0012",          # typographic dashes from a word processor
    "０００.００.３１.Ｈ２９-２５０７１５-００１２",  # full-width digits from some phone keyboards
    "“000.00.31.H29-250715-0012”.",
])
def test_standard_code_is_normalised_however_it_is_typed(typed):
    result = check_code(typed, today=TODAY)
    assert result.ok, result
    assert result.code == "000.00.31.H29-250715-0012"
    assert result.agency == "000.00.31.H29"
    assert result.received_on == date(2025, 7, 15)


@pytest.mark.parametrize("code", [
    "000.21.26.H58-251015-0003",     # a ward of Ho Chi Minh City
    "000.00.00.G12-260105-000123",   # a ministry-level agency, six-digit sequence
    "H52.101.114-250801-0001",       # short hierarchical agency identifier
])
def test_other_real_formats_are_accepted(code):
    assert check_code(code, today=TODAY).ok


@pytest.mark.parametrize("typed,reason", [
    ("", "empty"), ("   ", "empty"), (None, "empty"),
    ("hello", "format"), ("🙂🙂🙂", "format"), ("<script>alert(1)</script>", "format"),
    ("' OR 1=1 --", "format"), ("000.00.31.H29", "format"), ("250715-0012", "format"),
    ("000.00.31.H29-250715-12", "format"), ("0000.00.31.H29-250715-0012", "format"),
    ("000.00.31.H29-251345-0012", "date"), ("000.00.31.H29-140101-0001", "date"),
    ("000.00.31.H29-301231-0001", "date"),  # a receipt date in the future
    ("0" * 5000, "too_long"),
])
def test_garbage_is_refused_with_a_reason_a_citizen_understands(typed, reason):
    result = check_code(typed, today=TODAY)
    assert not result.ok and result.reason == reason
    assert "000.00.31.H29-250715-0012" in check_code("x").message("vi")
    assert result.message("en") and result.message("vi") != result.message("en")


def test_code_is_found_inside_a_message():
    assert find_code("cho mình hỏi hồ sơ 000.00.31.h29 - 250715 - 0012 đến đâu rồi") == "000.00.31.H29-250715-0012"
    assert find_code("hồ sơ của tôi đến đâu rồi") is None
    assert find_code("x" * 10000) is None


def test_make_code_round_trips():
    code = make_code("000.31.25.H29", date(2025, 9, 3), 7)
    assert code == "000.31.25.H29-250903-0007"
    assert check_code(code, today=TODAY).code == code
