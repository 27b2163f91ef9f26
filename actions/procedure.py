"""Procedures and the reform: actions that read the message, ask the question router, render.

`action_answer_question` answers every message that is a question rather than a form step
(ask_procedure, ask_transition_faq, nlu_fallback, out_of_scope, choices tapped): it calls
`procedure_kb.answers.answer_question` and renders the Answer with `procedure_kb.presenter`
— a card, an FAQ answer, a separating question, up to three choices, or "not known" with the
hotline. The procedure discussed is kept in `procedure_code`, so "cần giấy tờ gì?", "mất bao
lâu?", "lệ phí bao nhiêu?", "các bước?" and "xem thêm" (`action_procedure_detail`) answer
about it, long parts paged. `answer_kind`/`answer_ref` record what was answered (analytics).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_intent, reply_language, settings, user_text
from procedure_kb.answers import AnswerKind, answer_question, warm_up
from procedure_kb.documents import document_view
from procedure_kb.faq import load_faq
from procedure_kb.presenter import (
    _DETAIL_WORDS,
    CODE_SLOT,
    DOCS_IN_CARD,
    EXAMPLES_EN,
    EXAMPLES_VI,
    MIN_CONFIDENCE,
    PAGE_SLOT,
    PART_SLOT,
    card_buttons,
    detail_kind,
    faq_message,
    fee,
    no_match_buttons,
    not_known_message,
    part_page,
    processing_time,
    question_message,
    render_card,
    source_line,
)
from procedure_kb.procedures import Procedure
from procedure_kb.search import get_procedure, search_procedures

# A daemon thread so the action server starts listening at once; a few seconds of work.
threading.Thread(target=warm_up, name="procedure-kb-warm-up", daemon=True).start()

KIND_SLOT, REF_SLOT = "answer_kind", "answer_ref"


def _hotline(tracker: Tracker) -> str:
    return tracker.get_slot("hotline_phone") or settings().hotline_phone


def _chosen_code(tracker: Tracker) -> str | None:
    for entity in (tracker.latest_message or {}).get("entities", []):
        if entity.get("entity") == CODE_SLOT and entity.get("value"):
            return str(entity["value"])
    return None


def _procedure_in_words(text: str) -> Procedure | None:
    """A procedure named in a follow-up ("lệ phí làm hộ chiếu?"), when clearly named."""
    rest = " ".join(_DETAIL_WORDS.sub(" ", text).split())
    if len(rest.split()) < 2:
        return None
    hits = search_procedures(rest, top=3)
    if hits and not hits[0].ambiguous and hits[0].confidence >= MIN_CONFIDENCE:
        return get_procedure(hits[0].code)
    return None


def _chosen_faq(tracker: Tracker):
    for entity in (tracker.latest_message or {}).get("entities", []):
        if entity.get("entity") == "faq_id" and entity.get("value"):
            return next((e for e in load_faq() if e.id == entity["value"]), None)
    return None


class ActionAnswerQuestion(Action):
    """Every question: the router decides, this action renders."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        lang = reply_language(tracker)
        hotline = _hotline(tracker)
        code = _chosen_code(tracker)
        if code and get_procedure(code):
            return self._card(dispatcher, get_procedure(code), lang)
        entry = _chosen_faq(tracker)
        if entry is not None:
            dispatcher.utter_message(**faq_message(entry, lang, hotline))
            return [SlotSet(KIND_SLOT, AnswerKind.FAQ.value), SlotSet(REF_SLOT, entry.id)]
        text = user_text(tracker)
        intent = latest_intent(tracker)
        answer = answer_question(text)
        current = get_procedure(tracker.get_slot(CODE_SLOT) or "")
        if answer.kind not in (AnswerKind.PROCEDURE, AnswerKind.FAQ) and current is not None and detail_kind("", text):
            # "cần giấy tờ gì?" classified as a question: it is about the procedure just discussed.
            return await ActionProcedureDetail().run(dispatcher, tracker, domain)
        if answer.kind is AnswerKind.PROCEDURE:
            return self._card(dispatcher, get_procedure(answer.ref), lang)
        if answer.kind is AnswerKind.FAQ:
            entry = next(e for e in load_faq() if e.id == answer.ref)
            dispatcher.utter_message(**faq_message(entry, lang, hotline))
        elif answer.kind in (AnswerKind.CLARIFY, AnswerKind.CHOICES):
            dispatcher.utter_message(**question_message(answer, lang))
        elif intent == "nlu_fallback" and not (tracker.latest_message or {}).get("gated_intent"):
            dispatcher.utter_message(response="utter_default")
        elif intent == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
        else:
            gated = (tracker.latest_message or {}).get("gated_intent") or ""
            dispatcher.utter_message(**not_known_message(intent, text, lang, hotline, gated))
        return [SlotSet(KIND_SLOT, answer.kind.value), SlotSet(REF_SLOT, answer.ref or None)]

    @staticmethod
    def _card(dispatcher: CollectingDispatcher, proc: Procedure | None, lang: str) -> list[dict[str, Any]]:
        if proc is None:
            return []
        dispatcher.utter_message(text=render_card(proc, lang), buttons=card_buttons(lang))
        view = document_view(proc)
        shown = min(DOCS_IN_CARD, len(view.documents))
        more = shown if len(view.items) > shown else None  # "xem thêm" continues after the card's documents
        return [SlotSet(CODE_SLOT, proc.code), SlotSet(PART_SLOT, "documents" if more else None),
                SlotSet(PAGE_SLOT, more), SlotSet(KIND_SLOT, AnswerKind.PROCEDURE.value), SlotSet(REF_SLOT, proc.code)]


class ActionProcedureDetail(Action):
    """ask_documents / ask_fee / ask_processing_time / ask_steps / ask_more about the current procedure."""

    def name(self) -> str:
        return "action_procedure_detail"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        lang = reply_language(tracker)
        en = lang == "en"
        text = user_text(tracker)
        intent = detail_kind(((tracker.latest_message or {}).get("intent") or {}).get("name") or "", text) or "ask_documents"
        named = _procedure_in_words(text)
        proc = named or get_procedure(tracker.get_slot(CODE_SLOT) or "")
        if proc is None:
            dispatcher.utter_message(
                text=("Which procedure are you asking about? For example: " + ", ".join(EXAMPLES_EN))
                if en else ("Bạn hỏi về thủ tục nào ạ? Ví dụ: " + ", ".join(EXAMPLES_VI)),
                buttons=no_match_buttons(lang)[:3],
            )
            return []
        events: list[dict[str, Any]] = [SlotSet(CODE_SLOT, proc.code)]
        if intent == "ask_fee":
            dispatcher.utter_message(text=f"{proc.name}\n{'Fee' if en else 'Lệ phí'}: {fee(proc, lang)}\n{source_line(proc, lang)}")
            return events
        if intent == "ask_processing_time":
            dispatcher.utter_message(
                text=f"{proc.name}\n{'Processing time' if en else 'Thời hạn giải quyết'}: {processing_time(proc, lang)}\n{source_line(proc, lang)}"
            )
            return events
        if intent == "ask_more" and not named:
            part = tracker.get_slot(PART_SLOT) or "documents"
            start = int(tracker.get_slot(PAGE_SLOT) or 0)
        else:
            part = "steps" if intent == "ask_steps" or re.search(r"bước|buoc|step|trình tự|trinh tu", text, re.I) else "documents"
            start = 0
        page, nxt = part_page(proc, part, start, lang)
        dispatcher.utter_message(text=page)
        return events + [SlotSet(PART_SLOT, part if nxt is not None else None), SlotSet(PAGE_SLOT, nxt)]
