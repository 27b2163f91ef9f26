"""Dossier states and the kinds of result a lookup or a provincial fetch can have (one definition each).

`str` enums, like `hotline.enums.Channel`: they compare equal to the strings stored in rows and
sent in JSON, so the tables and the API keep plain values.
"""

from __future__ import annotations

from hotline.enums import StrEnum


class DossierStatus(StrEnum):
    """Where a dossier stands in the provincial one-stop system."""

    RECEIVED = "received"
    IN_PROCESSING = "in_processing"
    NEEDS_DOCUMENTS = "needs_additional_documents"
    TRANSFERRED = "transferred"
    COMPLETED = "completed"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


STATUSES = tuple(DossierStatus)
# Nothing more is owed to the citizen.
FINISHED = frozenset({DossierStatus.COMPLETED, DossierStatus.RETURNED, DossierStatus.WITHDRAWN})
OPEN = tuple(s for s in STATUSES if s not in FINISHED)
# The deadline runs only while the agency holds the dossier: waiting for the citizen's extra
# documents stops the clock, and the agency sets a new appointment date when they arrive.
CLOCK_RUNNING = (DossierStatus.RECEIVED, DossierStatus.IN_PROCESSING, DossierStatus.TRANSFERRED)


class LookupOutcomeKind(StrEnum):
    """What a citizen's verified lookup (code + last 4 phone digits) came to."""

    FOUND = "found"
    NO_MATCH = "no_match"  # unknown code or wrong digits: deliberately the same answer
    BAD_CODE = "bad_code"
    BAD_DIGITS = "bad_digits"
    LIMITED = "rate_limited"


class FetchKind(StrEnum):
    """What the provincial dossier API answered for one code."""

    FOUND = "found"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"  # timeout, refusal, 5xx, malformed answer: never raised to callers
    BAD_CODE = "bad_code"
