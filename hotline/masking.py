"""Personal data masking: the one definition every process, page and log uses.

Phones keep their first three and last two digits ("091*****78"), ID-card numbers their first
three and last one, enough for an officer to recognise a number, not to use it.
"""

from __future__ import annotations

import re

# Vietnamese mobile/landline numbers (0xxxxxxxxx, +84xxxxxxxxx) and 9/12-digit ID numbers.
_PHONE = re.compile(r"(?<!\d)(?:\+?84[\s.-]?|0)(\d{2,3})[\s.-]?\d{3}[\s.-]?(\d{3,4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<!\d)(\d{3})\d{3,6}(\d{3})(?!\d)")


def mask_personal_data(text: str) -> str:
    """Mask phone numbers and ID-card numbers inside free text."""
    text = _PHONE.sub(lambda m: "0" + m.group(1)[:2] + "*****" + m.group(2)[-2:], text)
    return _ID_NUMBER.sub(lambda m: m.group(1) + "******" + m.group(2)[-1:], text)


def phone_digits(phone: str | None) -> str:
    return re.sub(r"\D", "", phone or "")


def mask_phone(phone: str | None) -> str:
    """0912345678 -> 091*****78 (what every list, log, API answer and stored mask shows)."""
    digits = phone_digits(phone)
    if len(digits) < 9:
        return "*" * len(digits) or ""
    masked = mask_personal_data(digits)
    # A number the phone pattern does not recognise (a foreign one) is still cut the same way.
    return masked if masked != digits else digits[:3] + "*****" + digits[-2:]
