"""Triage rules: priority, SLA and queue of a new ticket from its kind, content and place.

Plain functions, no database: the rules are easy to read, test and change. Text is matched
accent-folded and lower-cased, so "do sáp nhập", "do sap nhap" and "do sat nhap" match alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hotline.enums import TicketKind
from procedure_kb.textnorm import fold

KINDS = tuple(kind.value for kind in TicketKind)

HIGH, NORMAL, LOW = 1, 2, 3
PRIORITY_NAMES = {HIGH: "high", NORMAL: "normal", LOW: "low"}

# Office hours until an operator must answer, by kind (normal priority).
BASE_SLA_HOURS = {
    TicketKind.COMPLAINT: 16.0,            # 2 working days
    TicketKind.FEEDBACK: 40.0,             # 5 working days
    TicketKind.QUESTION_FOR_PERSON: 8.0,   # 1 working day: the citizen asked for a human
    TicketKind.OVERDUE_DOSSIER: 8.0,
    TicketKind.TECHNICAL_FAULT: 8.0,
}
HIGH_SLA_HOURS = 4.0
BASE_PRIORITY = {
    TicketKind.COMPLAINT: NORMAL,
    TicketKind.FEEDBACK: LOW,
    TicketKind.QUESTION_FOR_PERSON: NORMAL,
    TicketKind.OVERDUE_DOSSIER: HIGH,      # the legal deadline has already passed
    TicketKind.TECHNICAL_FAULT: NORMAL,
}

_REFUSAL = re.compile(
    r"\b(tu choi|khong (tiep )?nhan|khong cho nop|tra (lai )?ho so|bat nop lai|khong giai quyet"
    r"|refus\w*|reject\w*|turned away|would not accept|won'?t accept)\b"
)
_REORGANISATION = re.compile(
    r"\b(sap nhap|sat nhap|sap xep (lai )?(don vi|dia gioi|bo may)|to chuc lai|bo cap huyen|khong con huyen"
    r"|chuyen doi (dia gioi|don vi)|dia gioi hanh chinh|chinh quyen 2 cap|chinh quyen hai cap|doi ten xa"
    r"|reorgani[sz]\w*|merg\w*|restructur\w*|district (was )?abolish\w*)\b"
)
_EXTRA_PAYMENT = re.compile(r"\b(boi duong|tien ngoai|phi ngoai|hoi lo|lot tay|phong bi|bribe\w*|extra fee)\b")
_URGENT = re.compile(r"\b(khan cap|rat gap|cap cuu|het han hom nay|urgent\w*|emergency)\b")


@dataclass(frozen=True)
class Triage:
    """The outcome of the rules for one ticket."""

    priority: int
    sla_hours: float
    queue: str
    reasons: tuple[str, ...] = field(default_factory=tuple)


def route(province_code: str | None, commune_code: str | None) -> str:
    """The queue a ticket goes to: its new commune, else its province, else the shared pool."""
    if commune_code:
        return f"commune:{commune_code}"
    if province_code:
        return f"province:{province_code}"
    return "unrouted"


def triage(kind: str, description: str, province_code: str | None = None,
           commune_code: str | None = None) -> Triage:
    """Apply the rules; unknown kinds are treated as complaints."""
    if kind not in KINDS:
        kind = TicketKind.COMPLAINT
    text = fold(description or "")
    priority = BASE_PRIORITY[kind]
    reasons: list[str] = []
    if kind == TicketKind.OVERDUE_DOSSIER:
        reasons.append("overdue_dossier")
    if _REFUSAL.search(text) and _REORGANISATION.search(text):
        # Refusing a dossier because of the reorganisation is forbidden by the Government.
        priority = HIGH
        reasons.append("refused_due_to_reorganisation")
    if _EXTRA_PAYMENT.search(text):
        priority = HIGH
        reasons.append("extra_payment_demanded")
    if _URGENT.search(text) and priority > HIGH:
        priority -= 1
        reasons.append("marked_urgent")
    hours = BASE_SLA_HOURS[kind]
    if priority == HIGH:
        hours = min(hours, HIGH_SLA_HOURS)
    return Triage(priority=priority, sla_hours=hours, queue=route(province_code, commune_code),
                  reasons=tuple(reasons))
