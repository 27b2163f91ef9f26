"""Logging for the project's own processes, with personal data masked on the way out."""

from __future__ import annotations

import logging
import re

# Vietnamese mobile/landline numbers (0xxxxxxxxx, +84xxxxxxxxx) and 9/12-digit ID numbers.
_PHONE = re.compile(r"(?<!\d)(?:\+?84[\s.-]?|0)(\d{2,3})[\s.-]?\d{3}[\s.-]?(\d{3,4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<!\d)(\d{3})\d{3,6}(\d{3})(?!\d)")


def mask_personal_data(text: str) -> str:
    """Mask phone numbers and ID-card numbers, keeping only a few digits for recognition."""
    text = _PHONE.sub(lambda m: "0" + m.group(1)[:2] + "*****" + m.group(2)[-2:], text)
    return _ID_NUMBER.sub(lambda m: m.group(1) + "******" + m.group(2)[-1:], text)


class MaskingFilter(logging.Filter):
    """Rewrites each record's final message with personal data masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure_logging(level: str = "INFO") -> None:
    """Root logging to stderr with masking on every handler."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(MaskingFilter())
