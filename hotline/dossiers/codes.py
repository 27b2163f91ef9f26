"""Dossier codes as the provincial information systems issue them: validate and normalise.

The receipt slip of an administrative dossier carries a code built (Circular 01/2018/TT-VPCP
on the one-stop shop information systems) from the receiving agency's electronic identifier,
the receipt date and the day's sequence number:

    000.00.31.H29-250715-0012
    └── agency ──┘ └yymmdd┘ └seq┘

The agency identifier follows QCVN 102:2016/BTTTT: four dot-separated levels, the last one
a letter and two digits (H.. a province, G.. a ministry), e.g. ``000.00.31.H29``. Some
provincial systems print the shorter hierarchical form (``H52.101.114``), also accepted.
Citizens copy codes from paper, SMS or Zalo: lower case, spaces around the dashes,
typographic dashes and full-width digits are normalised before validation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from hotline.dossiers.messages import code_problem

MAX_INPUT = 200  # longer input is not a code typed by a person; refuse before any regex work

_AGENCY_STANDARD = r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}"
_AGENCY_SHORT = r"[A-Z]\d{2}(?:\.\d{1,3}){1,3}"
_CODE = re.compile(
    rf"(?P<agency>{_AGENCY_STANDARD}|{_AGENCY_SHORT})-(?P<date>\d{{6}})-(?P<seq>\d{{4,6}})"
)
_FULL = re.compile(rf"^{_CODE.pattern}$")
# In free text: same shape, tolerant spacing around separators, bounded by non-code characters.
_IN_TEXT = re.compile(
    r"(?<![\w.])(?:\d{3}\s*\.\s*\d{2}\s*\.\s*\d{2}\s*\.\s*[A-Za-z]\d{2}|[A-Za-z]\d{2}(?:\s*\.\s*\d{1,3}){1,3})"
    r"\s*[-–—‑]\s*\d{6}\s*[-–—‑]\s*\d{4,6}(?![\w])"
)
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−－_"), "-")


@dataclass(frozen=True)
class CodeCheck:
    """Result of validating one code: `code` is the normalised form when `ok`."""

    ok: bool
    code: str = ""
    reason: str = ""  # "empty" | "too_long" | "format" | "date" when not ok (texts: messages.py "code.*")
    agency: str = ""
    received_on: date | None = None

    def message(self, lang: str = "vi") -> str:
        """The citizen-facing explanation of why the code was refused."""
        return code_problem(self.reason, lang)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    text = re.sub(r"\s*([.\-])\s*", r"\1", text.strip())
    return text.strip(" \t\r\n\"'`“”‘’«»()[]{}<>:;,.!?").upper()


def _receipt_date(yymmdd: str) -> date | None:
    try:
        return date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    except ValueError:
        return None


def check_code(text: str | None, today: date | None = None) -> CodeCheck:
    """Validate and normalise a dossier code typed or pasted by a person."""
    if text is None or not str(text).strip():
        return CodeCheck(False, reason="empty")
    text = str(text)
    if len(text) > MAX_INPUT:
        return CodeCheck(False, reason="too_long")
    cleaned = _clean(text)
    match = _FULL.match(cleaned)
    if not match:
        return CodeCheck(False, reason="format")
    received = _receipt_date(match["date"])
    today = today or date.today()
    # Electronic one-stop systems began in 2015; a receipt date after tomorrow cannot exist.
    if received is None or received < date(2015, 1, 1) or received > today + timedelta(days=1):
        return CodeCheck(False, reason="date")
    return CodeCheck(True, code=cleaned, agency=match["agency"], received_on=received)


def normalise_code(text: str, today: date | None = None) -> str:
    """The normalised code, or ValueError with the citizen-facing reason."""
    result = check_code(text, today)
    if not result.ok:
        raise ValueError(result.message())
    return result.code


def find_code(text: str | None) -> str | None:
    """The first thing shaped like a dossier code inside a free-text message, normalised."""
    if not text or len(text) > 2000:
        return None
    match = _IN_TEXT.search(unicodedata.normalize("NFKC", text).translate(_DASHES))
    if not match:
        return None
    result = check_code(match.group(0))
    return result.code if result.ok else None


def make_code(agency: str, received_on: date, sequence: int) -> str:
    """Build a code the way the provincial systems do (demo data, simulator, tests)."""
    return f"{agency}-{received_on:%y%m%d}-{sequence:04d}"
