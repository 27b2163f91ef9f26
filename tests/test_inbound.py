"""The one gate every inbound message passes (hotline.inbound), and log masking."""

from __future__ import annotations

import logging

from hotline.inbound import MAX_MESSAGE_CHARS, check_sender, clean_message, truncation_note
from hotline.logging_setup import MaskingFormatter


def test_unencodable_and_invisible_characters_are_removed_and_text_is_nfc() -> None:
    cleaned = clean_message("làm\ud800 căn\x00 cước\u202e cho con\u200b\x07 ")
    assert cleaned.text.encode("utf-8")  # encodable: no lone surrogate left
    assert cleaned.text == "làm\ufffd căn cước cho con"
    decomposed = "cu\u031bo\u031b\u0301c"  # "cước" typed with combining marks
    assert clean_message(decomposed).text == "cước"
    assert not cleaned.truncated


def test_long_text_is_cut_at_the_cap_and_says_so() -> None:
    long = "xin chào " * 30_000  # 270,000 characters
    cleaned = clean_message(long)
    assert len(cleaned.text) <= MAX_MESSAGE_CHARS and cleaned.truncated
    assert cleaned.original_length == len(long)
    assert "2.000" in truncation_note(False) and "2,000" in truncation_note(True)


def test_non_text_is_refused_and_blank_text_is_empty() -> None:
    assert clean_message(None) is None and clean_message(123) is None and clean_message({"a": 1}) is None
    assert clean_message(" \n\t\u200b ").text == ""


def test_sender_ids_and_reserved_prefixes() -> None:
    assert check_sender("me") is None and check_sender("3f2a-uuid_1") is None
    for bad in ("", "a b", "\ud800x", "x" * 200, None, 42, "<script>"):
        assert check_sender(bad) is not None
    # channel prefixes belong to their channels: refused on the public channel, required on the trusted one
    assert "reserved" in check_sender("web:abcdef12")
    assert "reserved" in check_sender("Telegram:1")
    assert check_sender("web:abcdef12", trusted=True) is None
    assert check_sender("me", trusted=True) is not None


def test_log_lines_mask_phone_and_id_numbers_in_tracebacks_too() -> None:
    formatter = MaskingFormatter()
    try:
        raise ValueError("citizen 0912345678 with ID 001203004567 failed")
    except ValueError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "lookup for %s", ("0987654321",), None)
        import sys

        record.exc_info = sys.exc_info()
    line = formatter.format(record)
    assert "0912345678" not in line and "001203004567" not in line and "0987654321" not in line
    assert "ValueError" in line and "091*****78" in line


def test_one_huge_log_line_is_cut() -> None:
    record = logging.LogRecord("t", logging.WARNING, __file__, 1, "x" * 100_000, None, None)
    assert len(MaskingFormatter().format(record)) < 5_000
