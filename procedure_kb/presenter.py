"""How procedure and reform answers look: cards, pages, buttons and the router's answers.

Pure functions of (procedure or Answer, language) that word everything from the catalogue
`procedure_kb.messages`; used by the Rasa actions and the volunteer guide, and the same wording
serves every channel (the widget, Telegram, Zalo and the terminal chat get the same messages;
the Telegram/Zalo formatters only change markup). Vietnamese first, English when the citizen
writes English (`procedure_kb.i18n`). Every procedure answer cites its source and data date.
"""

from __future__ import annotations

from dataclasses import dataclass

from procedure_kb import messages as M
from procedure_kb.answers import Answer, AnswerKind, Choice
from procedure_kb.documents import CONDITIONAL, NOTE, DocItem, document_view
from procedure_kb.faq import FaqEntry, render_answer
from procedure_kb.followup import MIN_CONFIDENCE, Detail, Part, detail_kind, part_asked
from procedure_kb.i18n import is_en, say
from procedure_kb.procedures import Channel, Procedure, data_meta, submit_place
from procedure_kb.timing import stated_unit

__all__ = [
    "CODE_SLOT", "PART_SLOT", "PAGE_SLOT", "DOCS_IN_CARD", "EXAMPLES_EN", "EXAMPLES_VI", "MIN_CONFIDENCE",
    "Page", "card_buttons", "card_page_state", "choices_buttons", "detail_kind", "detail_reply", "faq_message",
    "fee", "no_match_buttons", "not_known_message", "part_page", "processing_time", "question_message",
    "render_card", "source_line", "submit_where", "time_text", "which_procedure_message",
]

CODE_SLOT = "procedure_code"
PART_SLOT = "procedure_part"  # a `Part` value: the part being paged
PAGE_SLOT = "procedure_page"  # index of the next item of that part to show
DOCS_IN_CARD = 3
DOCS_PER_PAGE = 6
STEPS_PER_PAGE = 4
MAX_ITEM = 280  # characters of one document/step before it is cut (the portal text is long)
EXAMPLES_VI, EXAMPLES_EN = M.EXAMPLES_VI, M.EXAMPLES_EN


# ---------------------------------------------------------------- formatting (pure)


def _cut(text: str, limit: int = MAX_ITEM) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def data_date() -> str:
    """When the data was taken, as recorded by the import (the crawl year)."""
    return str(data_meta().get("data_taken") or "2026")


def level_label(proc: Procedure, lang: str) -> str:
    parts = [p.strip() for p in proc.level_text.split(",") if p.strip()]
    return ", ".join(M.LEVEL_EN.get(p, p) for p in parts) if is_en(lang) else proc.level_text


def submit_where(proc: Procedure, lang: str) -> str:
    """Where a citizen submits now (Decree 118/2025 one-stop rules), in `lang`."""
    place, body = submit_place(proc)
    return M.submit_where_text(place.value, body, proc.online, lang)


def time_text(channel: Channel, lang: str, proc: Procedure | None = None) -> str:
    """"5 ngày làm việc"; a bare number gets its unit only when the record's own text states it."""
    if channel.time_value is None:
        return channel.time_note or say(M.NOT_STATED, lang)
    unit = channel.time_unit or (stated_unit(proc, channel) if proc else None)
    if unit:
        text = _unit(unit, channel.time_value, lang)
        if not channel.time_unit:  # say where the unit came from: the portal's time cell has none
            text += say(M.UNIT_FROM_DESCRIPTION, lang)
        return text
    return say(M.NO_UNIT, lang, value=f"{channel.time_value:g}")


def _unit(unit: str, value: float, lang: str) -> str:
    if not is_en(lang):
        return f"{value:g} {unit.lower()}"
    english = M.UNIT_EN.get(unit, unit)
    return f"{value:g} {english[:-1] if value == 1 and english.endswith('s') else english}"


def _grouped(proc: Procedure, lang: str, key) -> str:
    """"Trực tiếp, Trực tuyến: X; Dịch vụ bưu chính: Y" (one line when all channels agree)."""
    groups: dict[str, list[str]] = {}
    for channel in proc.channels:
        name = M.CHANNEL_EN.get(channel.channel, channel.channel) if is_en(lang) else channel.channel
        groups.setdefault(key(channel), []).append(name)
    if not groups:
        return say(M.NOT_STATED, lang)
    if len(groups) == 1:
        return next(iter(groups))
    return "; ".join(f"{', '.join(names)}: {value}" for value, names in groups.items())


def processing_time(proc: Procedure, lang: str) -> str:
    return _grouped(proc, lang, lambda c: time_text(c, lang, proc))


def fee(proc: Procedure, lang: str) -> str:
    def one(channel: Channel) -> str:
        text = channel.fee or say(M.NOT_STATED, lang)
        if is_en(lang) and text.startswith(M.FREE[0]):
            text = M.FREE[1] + text[len(M.FREE[0]):]
        if is_en(lang) and text.startswith(M.NO_INFO_VI):
            text = say(M.NOT_STATED, lang)
        return _cut(text, 220)

    return _grouped(proc, lang, one)


def _item_line(number: int, item: DocItem, lang: str, limit: int) -> str:
    doc = item.doc
    if item.kind == NOTE:  # a remark, not a paper: a bullet, never a number
        return f"• {_cut(doc.name, limit)}"
    copies = []
    if doc.originals:
        copies.append(say(M.ORIGINALS, lang, n=doc.originals))
    if doc.copies:
        copies.append(say(M.COPIES, lang, n=doc.copies))
    suffix = f" ({', '.join(copies)})" if copies else ""
    form = f" — {say(M.FORM, lang)}: {doc.template}" if doc.template else ""
    case = f" — {say(M.ONLY_IF, lang)}: {_cut(item.condition, 100)}" if item.condition else ""
    return f"{number}. {_cut(doc.name, limit)}{suffix}{form}{case}"


def document_lines(proc: Procedure, lang: str, start: int, count: int, limit: int = MAX_ITEM) -> list[str]:
    """Items start..start+count of the document view: required, then "only if" ones, then notes,
    with a sub-heading where a class begins on this page."""
    headings = {CONDITIONAL: say(M.HEADING_CONDITIONAL, lang), NOTE: say(M.HEADING_NOTES, lang)}
    lines, kind = [], None
    for number, item in enumerate(document_view(proc).items[start : start + count], start + 1):
        if item.kind != kind and item.kind in headings:
            lines.append(headings[item.kind])
        kind = item.kind
        lines.append(_item_line(number, item, lang, limit))
    return lines


def step_lines(proc: Procedure, start: int, count: int) -> list[str]:
    return [f"{n}. {_cut(step, 400)}" for n, step in enumerate(proc.steps[start : start + count], start + 1)]


def source_line(proc: Procedure, lang: str) -> str:
    return say(M.SOURCE, lang, date=data_date(), code=proc.code, url=proc.detail_url)


def transition_note(proc: Procedure, lang: str) -> str | None:
    """Explain old unit names in the official text instead of repeating them."""
    if not proc.abolished_mentions:
        return None
    return say(M.TRANSITION_NOTE, lang, names=", ".join(f'"{m}"' for m in proc.abolished_mentions[:3]))


def render_card(proc: Procedure, lang: str) -> str:
    """The compact answer card for one procedure."""
    view = document_view(proc)
    lines = [
        say(M.CARD_TITLE, lang, name=proc.name, code=proc.code, level=level_label(proc, lang)),
        say(M.WHERE_NOW, lang) + submit_where(proc, lang),
    ]
    if view.items:
        lines.append(_documents_heading(view, lang))
        shown = min(DOCS_IN_CARD, len(view.documents))
        lines += document_lines(proc, lang, 0, shown, limit=170)
        rest = _rest_text(len(view.required) - min(shown, len(view.required)),
                          len(view.conditional) - max(0, shown - len(view.required)), len(view.notes), lang)
        if rest:
            lines.append(rest)
    lines.append(say(M.PROCESSING_TIME, lang) + processing_time(proc, lang))
    lines.append(say(M.FEE, lang) + fee(proc, lang))
    if proc.online:
        lines.append(say(M.APPLY_ONLINE, lang) + proc.detail_url)
    if proc.legal_basis:
        refs = "; ".join(f"{_cut(x.title, 90)} ({x.number})" if x.title != x.number else x.number for x in proc.legal_basis[:3])
        lines.append(say(M.LEGAL_BASIS, lang) + refs)
    note = transition_note(proc, lang)
    if note:
        lines.append(note)
    if is_en(lang):
        lines.append(M.OFFICIAL_IN_VI)
    lines.append(source_line(proc, lang))
    return "\n".join(lines)


def _documents_heading(view, lang: str) -> str:
    """"Hồ sơ cần có (4 giấy tờ; thêm 6 nếu thuộc trường hợp riêng):" — counts documents, not notes."""
    required, conditional = len(view.required), len(view.conditional)
    parts = [say(M.DOCS_REQUIRED, lang, n=required)] if required else []
    if conditional:
        parts.append(say(M.DOCS_CONDITIONAL, lang, n=conditional, more=M.DOCS_MORE_VI if required else ""))
    return say(M.DOCS_HEADING, lang, parts="; ".join(parts) or say(M.DOCS_NONE, lang))


def _rest_text(required: int, conditional: int, notes: int, lang: str) -> str:
    """What "xem thêm hồ sơ" still shows, so nothing is hidden without saying so."""
    parts = [say(M.REST_REQUIRED, lang, n=required)] if required else []
    parts += [say(M.REST_CONDITIONAL, lang, n=conditional)] if conditional else []
    parts += [say(M.REST_NOTES, lang, n=notes)] if notes else []
    return say(M.REST, lang, parts=", ".join(parts)) if parts else ""


def card_buttons(lang: str) -> list[dict[str, str]]:
    return [{"title": say(title, lang), "payload": payload} for title, payload in M.CARD_BUTTONS]


def card_page_state(proc: Procedure) -> tuple[str | None, int | None]:
    """(part, next start) after a card: "xem thêm" continues after the card's documents."""
    view = document_view(proc)
    shown = min(DOCS_IN_CARD, len(view.documents))
    more = shown if len(view.items) > shown else None
    return (Part.DOCUMENTS.value if more else None), more


def no_match_text(text: str, lang: str, hotline: str) -> str:
    examples = ", ".join(f'"{e}"' for e in (EXAMPLES_EN if is_en(lang) else EXAMPLES_VI))
    return say(M.NO_MATCH, lang, shown=_cut(text, 80), examples=examples, hotline=hotline)


def no_match_buttons(lang: str) -> list[dict[str, str]]:
    examples = EXAMPLES_EN if is_en(lang) else EXAMPLES_VI
    buttons = [{"title": e, "payload": e} for e in examples]
    buttons.append({"title": say(M.TALK_TO_PERSON, lang), "payload": "/human_handoff"})
    return buttons


def which_procedure_message(lang: str) -> dict:
    """A follow-up with no procedure discussed yet: ask which one, with examples."""
    examples = ", ".join(EXAMPLES_EN if is_en(lang) else EXAMPLES_VI)
    return {"text": say(M.WHICH_PROCEDURE, lang, examples=examples), "buttons": no_match_buttons(lang)[:3]}


def part_page(proc: Procedure, part: str, start: int, lang: str) -> tuple[str, int | None]:
    """One page of a long part; returns the text and the next start (None when done)."""
    if part == Part.STEPS:
        items, size = proc.steps, STEPS_PER_PAGE
        title, empty = say(M.STEPS_TITLE, lang, name=proc.name), say(M.NO_STEPS, lang)
        lines = step_lines(proc, start, size)
    else:
        items, size = document_view(proc).items, DOCS_PER_PAGE
        title, empty = say(M.DOCS_TITLE, lang, name=proc.name), say(M.NO_DOCS, lang)
        lines = document_lines(proc, lang, start, size)
    if not items:
        return empty, None
    if start >= len(items):
        return say(M.ALL_SHOWN, lang), None
    nxt = start + size if start + size < len(items) else None
    page = [f"{title} ({start + 1}–{min(start + size, len(items))}/{len(items)})"] + lines
    if nxt is not None:
        page.append(say(M.TYPE_MORE, lang))
    page.append(source_line(proc, lang))
    return "\n".join(page), nxt


@dataclass(frozen=True)
class Page:
    """A follow-up's reply and where paging stands afterwards (part None = nothing more)."""

    text: str
    part: str | None = None
    next_start: int | None = None


def detail_reply(proc: Procedure, detail: str, text: str, paging: tuple[str | None, int], lang: str,
                 named: bool = False) -> Page:
    """The answer to "lệ phí?", "mất bao lâu?", "các bước?", "xem thêm" about `proc`.

    `paging` is the (part, next start) the conversation holds; `named` says the citizen named a
    procedure in this message, so "more" starts afresh.
    """
    if detail == Detail.FEE:
        return Page(say(M.FEE_LINE, lang, name=proc.name, fee=fee(proc, lang), source=source_line(proc, lang)))
    if detail == Detail.TIME:
        return Page(say(M.TIME_LINE, lang, name=proc.name, time=processing_time(proc, lang),
                        source=source_line(proc, lang)))
    if detail == Detail.MORE and not named:
        part, start = paging[0] or Part.DOCUMENTS.value, paging[1]
    else:
        part, start = part_asked(detail, text).value, 0
    page, nxt = part_page(proc, part, start, lang)
    return Page(page, part if nxt is not None else None, nxt)


# ---------------------------------------------------------------- the router's answers


def _button(title: str, payload: str) -> dict[str, str]:
    return {"title": _cut(title, 80), "payload": payload}


def choice_payload(choice: Choice) -> str:
    if choice.kind == "faq":
        return f'/choose_faq{{"faq_id":"{choice.ref}"}}'
    return f'/choose_procedure{{"{CODE_SLOT}":"{choice.ref}"}}'


def choices_buttons(choices: tuple[Choice, ...] | list[Choice], lang: str) -> list[dict[str, str]]:
    return [_button(c.title_en if is_en(lang) else c.title_vi, choice_payload(c)) for c in choices]


def faq_message(entry: FaqEntry, lang: str, hotline: str) -> dict:
    """The FAQ answer; entries about refusals and demands offer a complaint and a person."""
    message: dict = {"text": render_answer(entry, lang, hotline)}
    if entry.follow_up == "complaint":
        complaint, payload = M.FORM_OFFERS["file_complaint"]
        message["buttons"] = [_button(say(complaint, lang), payload), _button(say(M.TALK_TO_PERSON, lang), "/human_handoff")]
    return message


def not_known_message(intent: str, text: str, lang: str, hotline: str, gated_from: str = "",
                      failed: bool = False) -> dict:
    """Nothing close enough: say so, give the hotline, offer a person (and the form held back).

    `failed`: the search itself broke; say that rather than "no match", so the citizen calls.
    """
    if failed:
        message = {"text": say(M.SEARCH_FAILED, lang, hotline=hotline),
                   "buttons": [_button(say(M.TALK_TO_PERSON, lang), "/human_handoff")]}
    elif intent == "ask_transition_faq":
        message = {"text": say(M.FAQ_NOT_KNOWN, lang, hotline=hotline),
                   "buttons": [_button(say(M.TALK_TO_PERSON, lang), "/human_handoff")]}
    else:
        message = {"text": no_match_text(text, lang, hotline), "buttons": no_match_buttons(lang)}
    if gated_from in M.FORM_OFFERS:
        title, payload = M.FORM_OFFERS[gated_from]
        message["buttons"].insert(0, _button(say(title, lang), payload))
    return message


def _clarify_text(answer: Answer, lang: str) -> str:
    if answer.facet != "issue":
        return say(M.CLARIFY[answer.facet], lang)
    cases = [say(M.ISSUE_CASES[value], lang) for value in answer.facet_values]
    listed = ", ".join(cases[:-1]) + say(M.ISSUE_OR, lang) + cases[-1]
    return say(M.ISSUE_QUESTION, lang, cases=listed)


def question_message(answer: Answer, lang: str) -> dict:
    """CHOICES and CLARIFY: one line (the separating question names only the cases offered) and the buttons."""
    text = _clarify_text(answer, lang) if answer.kind is AnswerKind.CLARIFY else say(M.CHOICES, lang)
    return {"text": text, "buttons": choices_buttons(answer.choices, lang)}
