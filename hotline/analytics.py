"""Analytics of conversations: one row of facts per citizen message, and what went unanswered.

Rasa's events (from the RabbitMQ event stream in the cluster, or read from the tracker store:
`hotline/analytics_consumer.py`) are folded into `conversation_turns`, one row per user
message (keyed by Rasa's message id, so an event delivered twice changes nothing):

- when, channel, intent and confidence, the first action that answered, language;
- the answer kind and the entry given: from the `answer_kind` / `answer_ref` slots when the
  knowledge-base actions set them ("faq", "procedure", "choices", "clarify", "not_known"),
  otherwise derived from what happened (fallback actions, the "/choose_procedure" buttons of
  three choices, the "/human_handoff" button offered when nothing matched, a procedure code
  set, a hand-off);
- the outcome, and whether it counts as unanswered (`UNANSWERED`): fallbacks, not found, out
  of scope, three choices the citizen did not pick (decided by their next message), hand-offs;
- the citizen's text, masked (`mask_personal_data`), kept only for unanswered turns: what an
  operator needs to see what to cover next. Answered turns keep no text. Senders are hashed.

`unanswered_report` builds the console's weekly report "Câu hỏi chưa trả lời được".

Longer than 400 lines because the folding rules and the report read the same outcome table:
splitting them would put one definition of "unanswered" in two places.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Boolean, Column, Float, Index, Integer, String, Text, case, func, select, update
from sqlalchemy.orm import Session

from hotline.db import Base
from hotline.dbtypes import UTCDateTime
from hotline.enums import CHAT_CHANNELS
from hotline.lookup_limits import sender_key
from hotline.masking import mask_personal_data
from hotline.workcalendar import VN_TZ

MAX_TEXT = 300  # characters of a citizen's message kept for an unanswered turn
CHANNEL_PREFIXES = tuple(c.value for c in CHAT_CHANNELS)

# Actions that do not answer anything: the turn's "action" is the first one not in here.
BOOKKEEPING_ACTIONS = {
    "action_listen", "action_session_start", "action_unlikely_intent", "action_extract_slots",
    "action_restart", "action_back", "action_deactivate_loop", "action_deactivate_form",
}
FALLBACK_ACTIONS = {"action_default_fallback", "utter_default", "action_two_stage_fallback"}
HANDOFF_ACTIONS = {"action_human_handoff"}
OUT_OF_SCOPE_ACTIONS = {"utter_out_of_scope"}
CHOICE_INTENT = "choose_procedure"

# When several things happen in one turn, the strongest says what the turn was.
KIND_STRENGTH = {None: 0, "other": 0, "faq": 1, "procedure": 1, "clarify": 2, "choices": 3,
                 "out_of_scope": 4, "fallback": 5, "not_known": 6}
OUTCOME_OF_KIND = {"not_known": "not_found", "fallback": "fallback", "out_of_scope": "out_of_scope",
                   "choices": "choices_open", "clarify": "clarify"}
UNANSWERED = ("fallback", "not_found", "out_of_scope", "choices_open", "choices_not_picked", "handoff")
REASON_LABELS = {
    "fallback": "Trợ lý không hiểu câu hỏi",
    "not_found": "Không tìm thấy thủ tục / câu trả lời",
    "out_of_scope": "Ngoài phạm vi hỗ trợ",
    "choices_not_picked": "Đưa 3 lựa chọn, công dân không chọn",
    "handoff": "Chuyển tổng đài viên",
}
# The same reasons, short enough for a chart's label column.
REASON_SHORT = {
    REASON_LABELS["fallback"]: "Không hiểu",
    REASON_LABELS["not_found"]: "Không tìm thấy",
    REASON_LABELS["out_of_scope"]: "Ngoài phạm vi",
    REASON_LABELS["choices_not_picked"]: "3 lựa chọn, không chọn",
    REASON_LABELS["handoff"]: "Chuyển tổng đài viên",
}


class ConversationTurn(Base):
    """Facts of one citizen message and the assistant's answer to it."""

    __tablename__ = "conversation_turns"

    id = Column(Integer, primary_key=True)
    message_id = Column(String(64), nullable=False, unique=True)
    sender_key = Column(String(64), nullable=False)     # sha256 of the sender id, never the id
    ts = Column(Float, nullable=False)                  # Rasa's event time (epoch seconds), for ordering
    at = Column(UTCDateTime, nullable=False)
    channel = Column(String(16), nullable=False)
    language = Column(String(8), nullable=True)
    intent = Column(String(64), nullable=True)
    confidence = Column(Float, nullable=True)
    action = Column(String(64), nullable=True)
    answer_kind = Column(String(16), nullable=True)
    kind_from_slot = Column(Boolean, nullable=False, default=False)
    answer_ref = Column(String(64), nullable=True)       # FAQ id or procedure code given
    handoff = Column(Boolean, nullable=False, default=False)
    outcome = Column(String(24), nullable=False, default="answered")
    complete = Column(Boolean, nullable=False, default=False)  # the assistant went back to listening
    text_masked = Column(Text, nullable=True)           # only while unanswered (or not yet decided)
    phrase_key = Column(String(200), nullable=True)     # folded words, to group the same question

    __table_args__ = (
        Index("ix_conversation_turns_sender_ts", "sender_key", "ts"),
        Index("ix_conversation_turns_at_outcome", "at", "outcome"),
    )


class AnalyticsCursor(Base):
    """How far the tracker-store scan has read (Rasa's `events.id`)."""

    __tablename__ = "analytics_cursors"

    name = Column(String(32), primary_key=True)
    position = Column(Integer, nullable=False, default=0)


# ------------------------------------------------------------------ from events to facts


def _channel(sender: str, input_channel: str | None) -> str:
    prefix, sep, rest = sender.partition(":")
    if sep and rest and prefix in CHANNEL_PREFIXES:
        return prefix
    return (input_channel or "rest")[:16]


def phrase_key(masked: str) -> str:
    """Folded words of a (masked) message: "Làm CCCD ở đâu?" and "lam cccd o dau" meet."""
    from procedure_kb.textnorm import tokens

    return " ".join(tokens(masked))[:200]


def _stronger(current: str | None, candidate: str) -> str:
    return candidate if KIND_STRENGTH.get(candidate, 1) > KIND_STRENGTH.get(current, 1) else current


def _outcome(turn: ConversationTurn) -> str:
    if turn.outcome in ("choices_picked", "choices_not_picked"):
        return turn.outcome  # decided by the citizen's next message
    if turn.handoff:
        return "handoff"
    # The NLU's "nlu_fallback" intent alone says nothing: a form takes free text (a complaint's
    # description) and action_procedure_fallback often finds the answer. What was said counts.
    return OUTCOME_OF_KIND.get(turn.answer_kind or "", "answered")


def _settle(turn: ConversationTurn) -> None:
    """Outcome from the facts so far; the text stays only while the turn may be unanswered."""
    turn.outcome = _outcome(turn)
    if turn.complete and turn.outcome not in UNANSWERED:
        turn.text_masked = None
        turn.phrase_key = None


def _new_turn(sender: str, event: dict) -> ConversationTurn:
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    text = parse.get("text_original") or event.get("text") or ""
    masked = mask_personal_data(" ".join(str(text).split()))[:MAX_TEXT]
    ts = float(event["timestamp"])
    key = sender_key(sender)
    message_id = str(event.get("message_id") or parse.get("message_id") or f"{key[:24]}:{ts:.6f}")[:64]
    confidence = intent.get("confidence")
    return ConversationTurn(
        message_id=message_id, sender_key=key, ts=ts, at=datetime.fromtimestamp(ts, timezone.utc),
        channel=_channel(sender, event.get("input_channel")), intent=(intent.get("name") or None) and intent["name"][:64],
        confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
        kind_from_slot=False, handoff=intent.get("name") == "human_handoff", outcome="answered",
        complete=False, text_masked=masked or None, phrase_key=phrase_key(masked) or None,
    )


def _signal(turn: ConversationTurn, event: dict) -> None:
    """Fold one event that followed the citizen's message into its turn."""
    kind = event.get("event")
    if kind == "action":
        name = str(event.get("name") or "")
        if name == "action_listen":
            turn.complete = True
        elif name not in BOOKKEEPING_ACTIONS and turn.action is None:
            turn.action = name[:64]
        if name in HANDOFF_ACTIONS:
            turn.handoff = True
        derived = ("fallback" if name in FALLBACK_ACTIONS else
                   "out_of_scope" if name in OUT_OF_SCOPE_ACTIONS else None)
        if derived and not turn.kind_from_slot:
            turn.answer_kind = _stronger(turn.answer_kind, derived)
    elif kind == "slot":
        name, value = event.get("name"), event.get("value")
        if value in (None, ""):
            return
        if name == "answer_kind":
            turn.answer_kind, turn.kind_from_slot = str(value)[:16], True
        elif name == "answer_ref":
            turn.answer_ref = str(value)[:64]
        elif name == "language":
            turn.language = str(value)[:8]
        elif name == "procedure_code" and not turn.kind_from_slot:
            turn.answer_kind = _stronger(turn.answer_kind, "procedure")
            turn.answer_ref = turn.answer_ref or str(value)[:64]
    elif kind == "bot" and not turn.kind_from_slot:
        metadata = event.get("metadata") or {}
        payloads = [str(b.get("payload") or "") for b in ((event.get("data") or {}).get("buttons") or [])
                    if isinstance(b, dict)]
        if metadata.get("utter_action") == "utter_default":
            turn.answer_kind = _stronger(turn.answer_kind, "fallback")
        if any(p.startswith(f"/{CHOICE_INTENT}") for p in payloads):
            turn.answer_kind = _stronger(turn.answer_kind, "choices")
        if "/human_handoff" in payloads:  # offered only when nothing matched (actions/procedure.py)
            turn.answer_kind = _stronger(turn.answer_kind, "not_known")
    else:
        return
    _settle(turn)


def _resolve_choices(previous: ConversationTurn, following: ConversationTurn) -> None:
    """Three choices were offered: did the citizen's next message pick one?"""
    if previous.outcome != "choices_open":
        return
    previous.outcome = "choices_picked" if following.intent == CHOICE_INTENT else "choices_not_picked"
    if previous.outcome == "choices_picked":
        previous.text_masked = previous.phrase_key = None


def _apply_sender(session: Session, sender: str, events: list[dict]) -> int:
    key = sender_key(sender)
    first = events[0]["timestamp"]
    anchor = session.execute(select(func.max(ConversationTurn.ts)).where(
        ConversationTurn.sender_key == key, ConversationTurn.ts <= first)).scalar()
    turns = list(session.execute(
        select(ConversationTurn).where(ConversationTurn.sender_key == key,
                                       ConversationTurn.ts >= (anchor if anchor is not None else first))
        .order_by(ConversationTurn.ts)).scalars())
    added = 0
    for event in events:
        if event.get("event") == "user":
            turn = _new_turn(sender, event)
            if any(t.message_id == turn.message_id for t in turns) or session.execute(
                    select(ConversationTurn.id).where(ConversationTurn.message_id == turn.message_id)).first():
                continue  # delivered twice (a redelivered batch, or the stream and the scan both saw it)
            earlier = [t for t in turns if t.ts < turn.ts]
            if earlier:
                _resolve_choices(earlier[-1], turn)
            session.add(turn)
            turns.append(turn)
            turns.sort(key=lambda t: t.ts)
            added += 1
            continue
        owner = None
        for turn in turns:
            if turn.ts <= event["timestamp"]:
                owner = turn
        if owner is not None:
            _signal(owner, event)
    return added


def _valid(event: object) -> bool:
    return (isinstance(event, dict) and isinstance(event.get("sender_id"), str) and event["sender_id"]
            and isinstance(event.get("timestamp"), (int, float)) and isinstance(event.get("event"), str))


def apply_events(session: Session, events: Iterable[dict]) -> int:
    """Fold Rasa events (each with its `sender_id`) into turns; returns how many turns were new.

    Events may come in any order between senders; each sender's are taken in time order. Applying
    the same events twice changes nothing.
    """
    by_sender: dict[str, list[dict]] = {}
    for event in events:
        if _valid(event):
            by_sender.setdefault(event["sender_id"], []).append(event)
    added = 0
    for sender, own in by_sender.items():
        own.sort(key=lambda e: e["timestamp"])
        added += _apply_sender(session, sender, own)
        session.flush()
    return added


def parse_event(body: bytes | str) -> dict | None:
    """One message of the event stream as a dict, or None when it is not a Rasa event."""
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return event if _valid(event) else None


def forget_text_before(session: Session, cutoff: datetime) -> int:
    """Retention: drop the masked text (and its folded words) of turns older than `cutoff`; the
    counts stay."""
    return session.execute(
        update(ConversationTurn).where(ConversationTurn.at < cutoff, ConversationTurn.text_masked.is_not(None))
        .values(text_masked=None, phrase_key=None)
    ).rowcount


# ------------------------------------------------------------------ the weekly report


def parse_week(week: str) -> tuple[datetime, datetime, str]:
    """'2026-W48' -> (Monday 00:00, next Monday 00:00) in Vietnam time and a Vietnamese label."""
    match = re.fullmatch(r"(\d{4})-W(\d{1,2})", (week or "").strip().upper())
    if not match:
        raise ValueError("week must look like 2026-W48")
    year, number = int(match.group(1)), int(match.group(2))
    if not 2000 <= year <= 2100:
        raise ValueError("year out of range")
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(f"{year} has no week {number}") from None
    start = datetime(monday.year, monday.month, monday.day, tzinfo=VN_TZ)
    sunday = monday + timedelta(days=6)
    label = f"Tuần {number}/{year} ({monday:%d/%m} – {sunday:%d/%m/%Y})"
    return start, start + timedelta(days=7), label


def week_of(moment: datetime) -> str:
    year, week, _ = moment.astimezone(VN_TZ).isocalendar()
    return f"{year}-W{week:02d}"


def current_week(now: datetime | None = None) -> str:
    return week_of(now or datetime.now(timezone.utc))


@dataclass
class Phrasing:
    example: str       # masked, as a citizen wrote it
    count: int
    reason: str        # the most frequent reason
    channels: str


@dataclass
class UnansweredReport:
    week: str
    label: str
    turns: int = 0
    unanswered: int = 0
    by_reason: list[tuple[str, int]] = field(default_factory=list)
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    top: list[Phrasing] = field(default_factory=list)
    trend: list[tuple[str, int, int]] = field(default_factory=list)  # (week, unanswered, turns)

    @property
    def share(self) -> float | None:
        return round(100.0 * self.unanswered / self.turns, 1) if self.turns else None


def _counted_reason(outcome: str) -> str:
    # Three choices left open count as not picked: the citizen has not picked one.
    return "choices_not_picked" if outcome == "choices_open" else outcome


def _week_counts(session: Session, start: datetime, end: datetime) -> tuple[int, int]:
    """(turns, unanswered turns) between start and end, counted by the database."""
    unanswered = case((ConversationTurn.outcome.in_(UNANSWERED), 1), else_=0)
    total, missed = session.execute(
        select(func.count(), func.coalesce(func.sum(unanswered), 0))
        .where(ConversationTurn.at >= start, ConversationTurn.at < end)
    ).one()
    return int(total), int(missed)


def unanswered_report(session: Session, week: str, top: int = 30, trend_weeks: int = 8) -> UnansweredReport:
    """What citizens asked in `week` that the assistant could not answer, most frequent first.

    Counting and grouping happen in the database (indexed on time and outcome), so a busy
    province's week costs a few queries, not a table scan in Python.
    """
    start, end, label = parse_week(week)
    report = UnansweredReport(week=week_of(start), label=label)
    report.turns, report.unanswered = _week_counts(session, start, end)
    missed = (ConversationTurn.at >= start, ConversationTurn.at < end, ConversationTurn.outcome.in_(UNANSWERED))
    reasons: Counter = Counter()
    for outcome, count in session.execute(
            select(ConversationTurn.outcome, func.count()).where(*missed).group_by(ConversationTurn.outcome)):
        reasons[_counted_reason(outcome)] += count
    report.by_reason = [(REASON_LABELS[r], reasons.get(r, 0)) for r in REASON_LABELS]
    report.by_channel = [tuple(row) for row in session.execute(
        select(ConversationTurn.channel, func.count()).where(*missed)
        .group_by(ConversationTurn.channel).order_by(func.count().desc()))]
    ranked = session.execute(
        select(ConversationTurn.phrase_key, func.count().label("n")).where(*missed, ConversationTurn.phrase_key.is_not(None))
        .group_by(ConversationTurn.phrase_key).order_by(func.count().desc(), ConversationTurn.phrase_key).limit(top)
    ).all()
    details: dict[str, list] = {}
    if ranked:
        for row in session.execute(
                select(ConversationTurn.phrase_key, ConversationTurn.outcome, ConversationTurn.channel,
                       ConversationTurn.text_masked)
                .where(*missed, ConversationTurn.phrase_key.in_([key for key, _n in ranked])).limit(50_000)):
            details.setdefault(row.phrase_key, []).append(row)
    for key, count in ranked:
        group = details.get(key, [])
        example = Counter(r.text_masked for r in group if r.text_masked).most_common(1)
        reason = Counter(_counted_reason(r.outcome) for r in group).most_common(1)
        report.top.append(Phrasing(example[0][0] if example else key, count,
                                   REASON_LABELS[reason[0][0]] if reason else "",
                                   ", ".join(sorted({r.channel for r in group}))))
    for n in range(trend_weeks - 1, 0, -1):
        week_start = start - timedelta(days=7 * n)
        total, missed_count = _week_counts(session, week_start, week_start + timedelta(days=7))
        report.trend.append((week_of(week_start), missed_count, total))
    report.trend.append((report.week, report.unanswered, report.turns))  # this week: counted above
    return report


def unanswered_csv(report: UnansweredReport) -> str:
    """The report as CSV (UTF-8 with BOM for Excel); texts are masked and formula-safe."""
    from hotline.reports import _SafeWriter

    out = io.StringIO()
    writer = _SafeWriter(out)
    writer.writerow(["Câu hỏi chưa trả lời được", report.label])
    writer.writerow(["Tổng số tin nhắn của công dân", report.turns])
    writer.writerow(["Chưa trả lời được", report.unanswered])
    writer.writerow(["Tỷ lệ (%)", "" if report.share is None else report.share])
    writer.writerow([])
    writer.writerow(["Lý do", "Số lượng"])
    writer.writerows(report.by_reason)
    writer.writerow([])
    writer.writerow(["Câu hỏi (đã che thông tin cá nhân)", "Số lần", "Lý do chính", "Kênh"])
    for phrasing in report.top:
        writer.writerow([phrasing.example, phrasing.count, phrasing.reason, phrasing.channels])
    writer.writerow([])
    writer.writerow(["Tuần", "Chưa trả lời được", "Tổng số tin nhắn"])
    writer.writerows(report.trend)
    return "\ufeff" + out.getvalue()

