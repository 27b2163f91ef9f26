"""Ticket codes (PA-2026-000123) and phone numbers as citizens type them: pure functions."""

from __future__ import annotations

import re

from hotline.masking import mask_personal_data


def normalize_phone(raw: str | None) -> str | None:
    """Digits of a Vietnamese phone number as 0xxxxxxxxx, or None when it is not one."""
    if not raw:
        return None
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if len(digits) not in (10, 11) or not digits.startswith("0"):
        return None
    return digits


def format_code(year: int, number: int) -> str:
    return f"PA-{year}-{number:06d}"


def parse_code(text: str | None) -> str | None:
    """A well-formed ticket code from user input ("pa 2026 123", "PA-2026-000123"), else None."""
    if not text:
        return None
    match = re.search(r"\bPA[\s\-_./]*(\d{4})[\s\-_./]*(\d{1,9})\b", text.upper())
    if not match:
        return None
    return format_code(int(match.group(1)), int(match.group(2)))


def masked_transcript(transcript: list[dict] | None) -> list[dict]:
    """The conversation with phone and ID numbers masked: what everyone but the handling officer sees."""
    return [{**line, "text": mask_personal_data(str(line.get("text", "")))}
            for line in transcript or [] if isinstance(line, dict)]
