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

import threading
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import entity, hotline, latest_intent, reply_language, user_text
from procedure_kb.answers import AnswerKind, answer_question, warm_up
from procedure_kb.faq import faq_entry
from procedure_kb.followup import Detail, detail_kind, procedure_in_words
from procedure_kb.presenter import (
    CODE_SLOT,
    PAGE_SLOT,
    PART_SLOT,
    card_buttons,
    card_page_state,
    detail_reply,
    faq_message,
    not_known_message,
    question_message,
    render_card,
    which_procedure_message,
)
from procedure_kb.procedures import Procedure
from procedure_kb.search import get_procedure

__all__ = ["ActionAnswerQuestion", "ActionProcedureDetail", "render_card"]

# A daemon thread so the action server starts listening at once; a few seconds of work.
threading.Thread(target=warm_up, name="procedure-kb-warm-up", daemon=True).start()

KIND_SLOT, REF_SLOT = "answer_kind", "answer_ref"


def _answered(kind: AnswerKind, ref: str | None) -> list[dict[str, Any]]:
    return [SlotSet(KIND_SLOT, kind.value), SlotSet(REF_SLOT, ref or None)]


class ActionAnswerQuestion(Action):
    """Every question: the router decides, the presenter words it."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        lang, text, intent = reply_language(tracker), user_text(tracker), latest_intent(tracker)
        chosen = get_procedure(entity(tracker, CODE_SLOT) or "")
        if chosen is not None:
            return self._card(dispatcher, chosen, lang)
        entry = faq_entry(entity(tracker, "faq_id") or "")
        if entry is not None:
            dispatcher.utter_message(**faq_message(entry, lang, hotline(tracker)))
            return _answered(AnswerKind.FAQ, entry.id)
        answer = answer_question(text, off_topic=intent == "out_of_scope")
        if (answer.kind not in (AnswerKind.PROCEDURE, AnswerKind.FAQ) and detail_kind("", text)
                and get_procedure(tracker.get_slot(CODE_SLOT) or "") is not None):
            # "cần giấy tờ gì?" classified as a question: it is about the procedure just discussed.
            return await ActionProcedureDetail().run(dispatcher, tracker, domain)
        if answer.kind is AnswerKind.PROCEDURE:
            return self._card(dispatcher, get_procedure(answer.ref), lang)
        gated = (tracker.latest_message or {}).get("gated_intent") or ""
        if answer.kind is AnswerKind.FAQ:
            dispatcher.utter_message(**faq_message(faq_entry(answer.ref), lang, hotline(tracker)))
        elif answer.kind in (AnswerKind.CLARIFY, AnswerKind.CHOICES):
            dispatcher.utter_message(**question_message(answer, lang))
        elif intent == "nlu_fallback" and not gated and not answer.failed:
            dispatcher.utter_message(response="utter_default")
        elif intent == "out_of_scope" and not answer.failed:
            dispatcher.utter_message(response="utter_out_of_scope")
        else:
            dispatcher.utter_message(**not_known_message(intent, text, lang, hotline(tracker), gated, answer.failed))
        return _answered(answer.kind, answer.ref)

    @staticmethod
    def _card(dispatcher: CollectingDispatcher, proc: Procedure | None, lang: str) -> list[dict[str, Any]]:
        if proc is None:
            return []
        dispatcher.utter_message(text=render_card(proc, lang), buttons=card_buttons(lang))
        part, more = card_page_state(proc)
        return [SlotSet(CODE_SLOT, proc.code), SlotSet(PART_SLOT, part), SlotSet(PAGE_SLOT, more),
                *_answered(AnswerKind.PROCEDURE, proc.code)]


class ActionProcedureDetail(Action):
    """ask_documents / ask_fee / ask_processing_time / ask_steps / ask_more about the current procedure."""

    def name(self) -> str:
        return "action_procedure_detail"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        lang, text = reply_language(tracker), user_text(tracker)
        detail = detail_kind(latest_intent(tracker), text) or Detail.DOCUMENTS.value
        named = procedure_in_words(text)
        proc = named or get_procedure(tracker.get_slot(CODE_SLOT) or "")
        if proc is None:
            dispatcher.utter_message(**which_procedure_message(lang))
            return []
        paging = (tracker.get_slot(PART_SLOT), int(tracker.get_slot(PAGE_SLOT) or 0))
        page = detail_reply(proc, detail, text, paging, lang, named=named is not None)
        dispatcher.utter_message(text=page.text)
        if detail in (Detail.FEE, Detail.TIME):
            return [SlotSet(CODE_SLOT, proc.code)]
        return [SlotSet(CODE_SLOT, proc.code), SlotSet(PART_SLOT, page.part), SlotSet(PAGE_SLOT, page.next_start)]
