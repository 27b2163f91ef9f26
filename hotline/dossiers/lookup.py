"""The citizen's dossier lookup: code + last 4 phone digits, one neutral answer, a rate limit.

Rules (issue #5):
- Only a matching code *and* matching last four digits of the applicant's phone shows the
  dossier. An unknown code and a known code with wrong digits get the same answer, so
  nobody can find out which codes exist.
- 5 failed tries per sender in an hour, and 10 per dossier code from all senders together
  (hotline.lookup_limits), then a pause until the oldest of them is an hour old. Failures
  live in the database so the limits hold across Rasa/action replicas. A success does not
  wipe the count: otherwise one's own dossier would reset the limit between guesses.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from hotline import lookup_limits
from hotline.dossiers.codes import check_code
from hotline.dossiers.enums import LookupOutcomeKind
from hotline.dossiers.service import DossierView, get_by_code, view_of
from hotline.lookup_limits import LookupKind
from hotline.workcalendar import now_vn, to_vn

MAX_FAILURES = lookup_limits.SENDER_LIMIT[LookupKind.DOSSIER]

# Short names for the kinds (one definition: hotline.dossiers.enums.LookupOutcomeKind).
FOUND, NO_MATCH, BAD_CODE = LookupOutcomeKind.FOUND, LookupOutcomeKind.NO_MATCH, LookupOutcomeKind.BAD_CODE
BAD_DIGITS, LIMITED = LookupOutcomeKind.BAD_DIGITS, LookupOutcomeKind.LIMITED


@dataclass(frozen=True)
class LookupOutcome:
    kind: LookupOutcomeKind
    view: DossierView | None = None
    code: str = ""
    retry_after_minutes: int = 0
    tries_left: int = MAX_FAILURES
    code_problem: str = ""  # CodeCheck.reason when kind == BAD_CODE (messages.code_problem words it)
    code_locked: bool = False  # LIMITED because of too many failures on this code (from anyone)


def clean_digits(text: str | None) -> str | None:
    """The four digits the citizen typed ("5678", "5 6 7 8", "５６７８"), or None."""
    if text is None or len(text) > 40:
        return None
    digits = re.sub(r"[\s.\-]", "", str(text))
    digits = "".join(str(int(ch)) if ch.isdigit() else ch for ch in digits)
    return digits if re.fullmatch(r"\d{4}", digits) else None


def pause_remaining(session: Session, sender: str, code: str = "", now: datetime | None = None) -> int:
    """Minutes this sender (or anyone, for this code) must still wait (0 = may try)."""
    return lookup_limits.check(session, LookupKind.DOSSIER, sender, code, now).minutes


def verify_and_lookup(
    session: Session, sender: str, code_text: str | None, digits_text: str | None, now: datetime | None = None
) -> LookupOutcome:
    """Check the code's format, the limits (per sender and per code), then code + digits together."""
    now = to_vn(now or now_vn())
    checked = check_code(code_text, today=now.date())
    if not checked.ok:
        return LookupOutcome(BAD_CODE, code_problem=checked.reason)
    digits = clean_digits(digits_text)
    if digits is None:
        return LookupOutcome(BAD_DIGITS, code=checked.code)
    pause = lookup_limits.check(session, LookupKind.DOSSIER, sender, checked.code, now)
    if pause.blocked:
        return LookupOutcome(LIMITED, code=checked.code, retry_after_minutes=pause.minutes, tries_left=0,
                             code_locked=pause.by_code)
    dossier = get_by_code(session, checked.code)
    # Compare against a dummy when the code is unknown so both paths do the same work.
    expected = dossier.phone_last4 if dossier is not None and dossier.phone_last4 else "\x00\x00\x00\x00"
    if dossier is not None and hmac.compare_digest(expected.encode(), digits.encode()):
        return LookupOutcome(FOUND, view=view_of(dossier, now), code=checked.code)
    pause = lookup_limits.record_failure(session, LookupKind.DOSSIER, sender, checked.code, now)
    if pause.blocked:
        return LookupOutcome(LIMITED, code=checked.code, retry_after_minutes=pause.minutes, tries_left=0,
                             code_locked=pause.by_code)
    return LookupOutcome(NO_MATCH, code=checked.code, tries_left=pause.tries_left)
