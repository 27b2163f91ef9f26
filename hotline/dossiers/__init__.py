"""Dossiers (hồ sơ): a citizen's application file, its status, deadline and status pushes.

One package per capability (the Netflix/dispatch shape):

- `enums`     statuses, lookup outcome kinds, provincial fetch kinds (one definition each)
- `models`    the tables and the record shape coming in from exports and the provincial API
- `service`   operations taking a Session: status rules, upsert, subscriptions, the reader's view
- `codes`     validating and finding dossier codes
- `lookup`    the citizen's verified lookup (code + last 4 phone digits, rate limited)
- `importer`  the provincial export (CSV/JSON) and record parsing
- `connector` the provincial dossier API client
- `reports`   overdue lists and the monthly/quarterly overdue rate
- `messages`  every citizen-facing text, vi and en side by side
- `cli`       the `python -m hotline` sub-commands

The names below are re-exported so `from hotline.dossiers import get_by_code` keeps working;
the connector, importer and reports are imported from their modules (they pull in aiohttp,
csv parsing and SQL reports that most importers of this package do not need).
"""

from hotline.dossiers.enums import (
    CLOCK_RUNNING,
    FINISHED,
    OPEN,
    STATUSES,
    DossierStatus,
    FetchKind,
    LookupOutcomeKind,
)
from hotline.dossiers.messages import answer_text, explanation_text, status_change_text, status_label
from hotline.dossiers.models import (
    Dossier,
    DossierRecord,
    DossierStatusEvent,
    DossierSubscription,
    StatusUpdate,
)
from hotline.dossiers.service import (
    TRANSITIONS,
    DossierView,
    InvalidTransition,
    UpsertResult,
    change_status,
    check_transition,
    get_by_code,
    notify_subscribers,
    subscribe,
    upsert_dossier,
    view_of,
)

__all__ = [
    "CLOCK_RUNNING", "FINISHED", "OPEN", "STATUSES", "TRANSITIONS", "Dossier", "DossierRecord", "DossierStatus",
    "DossierStatusEvent", "DossierSubscription", "DossierView", "FetchKind", "InvalidTransition",
    "LookupOutcomeKind", "StatusUpdate", "UpsertResult", "answer_text", "change_status", "check_transition",
    "explanation_text", "get_by_code", "notify_subscribers", "status_change_text", "status_label", "subscribe",
    "upsert_dossier", "view_of",
]
