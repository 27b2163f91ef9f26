"""How procedure and reform answers look: cards, pages, buttons and the router's answers.

Pure functions of (procedure or Answer, language); used by the Rasa actions, and the same
wording serves every channel (the widget, Telegram, Zalo and the terminal chat get the same
messages; the Telegram/Zalo formatters only change markup). Vietnamese first, English when
the citizen writes English. Every procedure answer cites its source and data date.
"""

from __future__ import annotations

import re

from procedure_kb.answers import Answer, AnswerKind, Choice
from procedure_kb.documents import CONDITIONAL, NOTE, DocItem, document_view
from procedure_kb.faq import FaqEntry, render_answer
from procedure_kb.procedures import Channel, Procedure, data_meta
from procedure_kb.timing import stated_unit

CODE_SLOT = "procedure_code"
PART_SLOT = "procedure_part"  # "documents" | "steps": the part being paged
PAGE_SLOT = "procedure_page"  # index of the next item of that part to show
DOCS_IN_CARD = 3
DOCS_PER_PAGE = 6
STEPS_PER_PAGE = 4
MAX_ITEM = 280  # characters of one document/step before it is cut (the portal text is long)
MIN_CONFIDENCE = 0.35  # below this a search result is not trusted for a follow-up question
FALLBACK_CONFIDENCE = 0.5  # when NLU gave up, answer only if the search is this sure
FALLBACK_FAQ_SCORE = 80.0

EXAMPLES_VI = ("đăng ký khai sinh", "cấp lại thẻ căn cước", "đăng ký hộ kinh doanh")
EXAMPLES_EN = ("register a birth", "replace a lost ID card", "register a household business")

_LEVEL_EN = {"Cấp bộ": "ministry", "Cấp tỉnh": "province", "Cấp xã": "commune", "Cơ quan khác": "other body"}
_UNIT_EN = {"Ngày làm việc": "working days", "Ngày": "days", "Giờ": "hours", "Tháng": "months", "Năm": "years", "Phút": "minutes"}
_CHANNEL_EN = {"Trực tiếp": "in person", "Trực tuyến": "online", "Dịch vụ bưu chính": "by post"}
# A follow-up about a part of the current procedure, whatever the intent classifier said.
_ASK_FEE = re.compile(r"lệ phí|le phi|\bphí\b|\bphi\b|bao nhiêu tiền|bao nhieu tien|\bfees?\b|\bcost\b", re.I)
_ASK_TIME = re.compile(r"bao lâu|bao lau|mấy ngày|may ngay|thời (gian|hạn)|thoi (gian|han)|how long|\btime\b", re.I)
_ASK_STEPS = re.compile(r"các bước|cac buoc|\bbước\b|\bbuoc\b|trình tự|trinh tu|\bsteps?\b", re.I)
_ASK_DOCS = re.compile(r"giấy tờ|giay to|hồ sơ|ho so|\bdocuments?\b|\bpapers?\b|cần mang|can mang", re.I)
_ASK_MORE = re.compile(r"xem thêm|xem them|\btiếp\b|\btiep\b|\bmore\b", re.I)
_DETAIL_INTENTS = {"ask_documents", "ask_fee", "ask_processing_time", "ask_steps", "ask_more"}


def detail_kind(intent: str, text: str) -> str | None:
    """Which part is asked: from the intent, else from the words."""
    if intent in _DETAIL_INTENTS:
        return intent
    for kind, pattern in (("ask_fee", _ASK_FEE), ("ask_processing_time", _ASK_TIME), ("ask_steps", _ASK_STEPS),
                          ("ask_more", _ASK_MORE), ("ask_documents", _ASK_DOCS)):
        if pattern.search(text):
            return kind
    return None


# Words that only say which part is asked; removed before looking for a procedure name.
_DETAIL_WORDS = re.compile(
    r"\b(cần|can|những|nhung|giấy tờ|giay to|hồ sơ|ho so|gì|gi|j|lệ phí|le phi|phí|phi|bao nhiêu|bao nhieu|bn|tiền|tien|"
    r"mất|mat|bao lâu|bao lau|mấy ngày|may ngay|thời gian|thoi gian|các bước|cac buoc|bước|buoc|trình tự|trinh tu|"
    r"xem thêm|xem them|tiếp|tiep|nữa|nua|how|long|much|fee|fees|cost|documents?|papers?|steps?|time|what|the|"
    r"do|i|need|is|it|take|more|for|of|thủ tục|thu tuc|làm|lam|này|nay|đó|do|vậy|vay|ạ|a|ko|không|khong)\b",
    re.IGNORECASE,
)


# ---------------------------------------------------------------- formatting (pure)


def _cut(text: str, limit: int = MAX_ITEM) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _en(lang: str) -> bool:
    return lang == "en"


def data_date() -> str:
    """When the data was taken, as recorded by the import (the crawl year)."""
    return str(data_meta().get("data_taken") or "2026")


def level_label(proc: Procedure, lang: str) -> str:
    parts = [p.strip() for p in proc.level_text.split(",") if p.strip()]
    return ", ".join(_LEVEL_EN.get(p, p) for p in parts) if _en(lang) else proc.level_text


def time_text(channel: Channel, lang: str, proc: Procedure | None = None) -> str:
    """"5 ngày làm việc"; a bare number gets its unit only when the record's own text states it."""
    if channel.time_value is None:
        if channel.time_note:
            return channel.time_note
        return "not stated" if _en(lang) else "không ghi"
    value = f"{channel.time_value:g}"
    unit = channel.time_unit or (stated_unit(proc, channel) if proc else None)
    if unit:
        text = _unit(unit, channel.time_value, lang)
        if not channel.time_unit:  # say where the unit came from: the portal's time cell has none
            text += " (per the procedure description)" if _en(lang) else " (theo mô tả thủ tục)"
        return text
    if _en(lang):
        return f"{value} (the portal gives no unit — ask where you submit)"
    return f"{value} (Cổng DVC không ghi đơn vị — hỏi thêm tại nơi nộp)"


def _unit(unit: str, value: float, lang: str) -> str:
    if not _en(lang):
        return f"{value:g} {unit.lower()}"
    english = _UNIT_EN.get(unit, unit)
    return f"{value:g} {english[:-1] if value == 1 and english.endswith('s') else english}"


def _grouped(proc: Procedure, lang: str, key) -> str:
    """"Trực tiếp, Trực tuyến: X; Dịch vụ bưu chính: Y" (one line when all channels agree)."""
    groups: dict[str, list[str]] = {}
    for channel in proc.channels:
        name = _CHANNEL_EN.get(channel.channel, channel.channel) if _en(lang) else channel.channel
        groups.setdefault(key(channel), []).append(name)
    if not groups:
        return "not stated" if _en(lang) else "không ghi"
    if len(groups) == 1:
        return next(iter(groups))
    return "; ".join(f"{', '.join(names)}: {value}" for value, names in groups.items())


def processing_time(proc: Procedure, lang: str) -> str:
    return _grouped(proc, lang, lambda c: time_text(c, lang, proc))


def fee(proc: Procedure, lang: str) -> str:
    def one(channel: Channel) -> str:
        text = channel.fee or ("not stated" if _en(lang) else "không ghi")
        if _en(lang) and text.startswith("Miễn phí"):
            text = "Free" + text[len("Miễn phí") :]
        if _en(lang) and text.startswith("Không có thông tin"):
            text = "not stated"
        return _cut(text, 220)

    return _grouped(proc, lang, one)


def _item_line(number: int, item: DocItem, lang: str, limit: int) -> str:
    doc, en = item.doc, _en(lang)
    if item.kind == NOTE:  # a remark, not a paper: a bullet, never a number
        return f"• {_cut(doc.name, limit)}"
    copies = []
    if doc.originals:
        copies.append(f"{doc.originals} original" if en else f"{doc.originals} bản chính")
    if doc.copies:
        copies.append(f"{doc.copies} copy" if en else f"{doc.copies} bản sao")
    suffix = f" ({', '.join(copies)})" if copies else ""
    form = f" — {'form' if en else 'mẫu'}: {doc.template}" if doc.template else ""
    case = f" — {'only if' if en else 'nếu'}: {_cut(item.condition, 100)}" if item.condition else ""
    return f"{number}. {_cut(doc.name, limit)}{suffix}{form}{case}"


def document_lines(proc: Procedure, lang: str, start: int, count: int, limit: int = MAX_ITEM) -> list[str]:
    """Items start..start+count of the document view: required, then "only if" ones, then notes,
    with a sub-heading where a class begins on this page."""
    en = _en(lang)
    headings = {
        CONDITIONAL: "Only if your case applies:" if en else "Nếu thuộc trường hợp riêng (chỉ nộp khi đúng với bạn):",
        NOTE: "Notes (not documents to bring):" if en else "Ghi chú (không phải giấy tờ cần nộp):",
    }
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
    if _en(lang):
        return f"Data as of {data_date()}, source: National Public Service Portal, code {proc.code}: {proc.detail_url}"
    return f"Dữ liệu năm {data_date()}, nguồn: Cổng Dịch vụ công quốc gia, mã {proc.code}: {proc.detail_url}"


def transition_note(proc: Procedure, lang: str) -> str | None:
    """Explain old unit names in the official text instead of repeating them."""
    if not proc.abolished_mentions:
        return None
    names = ", ".join(f'"{m}"' for m in proc.abolished_mentions[:3])
    if _en(lang):
        return (f"Note: the official text still says {names}. Since 1 July 2025 there is no district level and "
                "no towns (thị trấn); read these as the commune or province body that handles it now (above).")
    return (f"Lưu ý: văn bản gốc còn ghi {names}. Từ 1/7/2025 không còn cấp huyện và thị trấn; "
            "hãy hiểu là cơ quan cấp xã hoặc cấp tỉnh đang giải quyết (nơi nộp ở trên).")


def render_card(proc: Procedure, lang: str) -> str:
    """The compact answer card for one procedure."""
    en = _en(lang)
    view = document_view(proc)
    lines = [
        f"{proc.name} ({'code' if en else 'mã'} {proc.code}) — {level_label(proc, lang)}",
        ("Where to submit now: " if en else "Nơi nộp hiện nay: ") + (proc.submit_where_en if en else proc.submit_where),
    ]
    if view.items:
        lines.append(_documents_heading(view, lang))
        shown = min(DOCS_IN_CARD, len(view.documents))
        lines += document_lines(proc, lang, 0, shown, limit=170)
        rest = _rest_text(len(view.required) - min(shown, len(view.required)),
                          len(view.conditional) - max(0, shown - len(view.required)), len(view.notes), lang)
        if rest:
            lines.append(rest)
    lines.append(("Processing time: " if en else "Thời hạn giải quyết: ") + processing_time(proc, lang))
    lines.append(("Fee: " if en else "Lệ phí: ") + fee(proc, lang))
    if proc.online:
        lines.append(("Apply online: " if en else "Nộp trực tuyến: ") + proc.detail_url)
    if proc.legal_basis:
        refs = "; ".join(f"{_cut(x.title, 90)} ({x.number})" if x.title != x.number else x.number for x in proc.legal_basis[:3])
        lines.append(("Legal basis: " if en else "Căn cứ pháp lý: ") + refs)
    note = transition_note(proc, lang)
    if note:
        lines.append(note)
    if en:
        lines.append("(Official text in Vietnamese.)")
    lines.append(source_line(proc, lang))
    return "\n".join(lines)


def _documents_heading(view, lang: str) -> str:
    """"Hồ sơ cần có (4 giấy tờ; thêm 6 nếu thuộc trường hợp riêng):" — counts documents, not notes."""
    required, conditional = len(view.required), len(view.conditional)
    if _en(lang):
        parts = [f"{required} for everyone"] if required else []
        parts += [f"{conditional} only in special cases"] if conditional else []
        return f"Documents ({'; '.join(parts) or 'none listed'}):"
    parts = [f"{required} giấy tờ"] if required else []
    parts += [f"{'thêm ' if required else ''}{conditional} nếu thuộc trường hợp riêng"] if conditional else []
    return f"Hồ sơ cần có ({'; '.join(parts) or 'Cổng DVC không ghi giấy tờ'}):"


def _rest_text(required: int, conditional: int, notes: int, lang: str) -> str:
    """What "xem thêm hồ sơ" still shows, so nothing is hidden without saying so."""
    if _en(lang):
        parts = [f"{required} more for everyone"] if required else []
        parts += [f"{conditional} for special cases"] if conditional else []
        parts += [f"{notes} notes"] if notes else []
        return f"… {', '.join(parts)} — type \"more documents\"" if parts else ""
    parts = [f"{required} giấy tờ"] if required else []
    parts += [f"{conditional} giấy tờ nếu thuộc trường hợp riêng"] if conditional else []
    parts += [f"{notes} ghi chú"] if notes else []
    return f"… còn {', '.join(parts)} — gõ \"xem thêm hồ sơ\"" if parts else ""


def card_buttons(lang: str) -> list[dict[str, str]]:
    if _en(lang):
        pairs = [("Documents", "/ask_documents"), ("Steps", "/ask_steps"), ("Fee", "/ask_fee"), ("Time", "/ask_processing_time")]
    else:
        pairs = [("Hồ sơ", "/ask_documents"), ("Các bước", "/ask_steps"), ("Lệ phí", "/ask_fee"), ("Thời hạn", "/ask_processing_time")]
    return [{"title": t, "payload": p} for t, p in pairs]


def choice_buttons(hits) -> list[dict[str, str]]:
    return [
        {"title": _cut(f"{h.name} ({h.level})", 80), "payload": f'/choose_procedure{{"{CODE_SLOT}":"{h.code}"}}'}
        for h in hits[:3]
    ]


def no_match_text(text: str, lang: str, hotline: str) -> str:
    shown = _cut(text, 80)
    if _en(lang):
        examples = ", ".join(f'"{e}"' for e in EXAMPLES_EN)
        return (f"Sorry, I could not find a procedure matching \"{shown}\". Try naming what you want to do, "
                f"e.g. {examples}. Or call the hotline {hotline}.")
    examples = ", ".join(f'"{e}"' for e in EXAMPLES_VI)
    return (f"Xin lỗi, tôi chưa tìm thấy thủ tục phù hợp với \"{shown}\". Bạn thử nói rõ việc cần làm, "
            f"ví dụ: {examples}. Hoặc gọi tổng đài {hotline}.")


def no_match_buttons(lang: str) -> list[dict[str, str]]:
    examples = EXAMPLES_EN if _en(lang) else EXAMPLES_VI
    buttons = [{"title": e, "payload": e} for e in examples]
    buttons.append({"title": "Talk to a person" if _en(lang) else "Gặp tổng đài viên", "payload": "/human_handoff"})
    return buttons


def part_page(proc: Procedure, part: str, start: int, lang: str) -> tuple[str, int | None]:
    """One page of a long part; returns the text and the next start (None when done)."""
    en = _en(lang)
    if part == "steps":
        items, size = proc.steps, STEPS_PER_PAGE
        title = f"Steps — {proc.name}" if en else f"Các bước — {proc.name}"
        lines = step_lines(proc, start, size)
        empty = "The portal lists no steps for this procedure." if en else "Cổng DVC không ghi các bước cho thủ tục này."
    else:
        items, size = document_view(proc).items, DOCS_PER_PAGE
        title = f"Documents — {proc.name}" if en else f"Hồ sơ cần có — {proc.name}"
        lines = document_lines(proc, lang, start, size)
        empty = "The portal lists no documents for this procedure." if en else "Cổng DVC không ghi thành phần hồ sơ cho thủ tục này."
    if not items:
        return empty, None
    if start >= len(items):
        return ("That was all." if en else "Đã hết."), None
    nxt = start + size if start + size < len(items) else None
    page = [f"{title} ({start + 1}–{min(start + size, len(items))}/{len(items)})"] + lines
    if nxt is not None:
        page.append("Type \"more\" for the rest." if en else "Gõ \"xem thêm\" để xem tiếp.")
    page.append(source_line(proc, lang))
    return "\n".join(page), nxt


# ---------------------------------------------------------------- actions


# ---------------------------------------------------------------- the router's answers

TEXTS = {  # key -> (Vietnamese, English)
    "choices": ("Tôi chưa chắc bạn hỏi việc nào. Đây là những khả năng gần nhất — bạn chọn giúp:",
                "I am not sure which one you mean. These are the closest — please pick one:"),
    "clarify_issue": ("Bạn làm lần đầu, làm lại vì bị mất/hỏng, hay đổi (hết hạn, sai hoặc thay đổi thông tin)?",
                      "Is it the first time, a replacement (lost or damaged), or an exchange (expired, wrong or "
                      "changed details)?"),
    "clarify_age": ("Làm cho người dưới 14 tuổi hay từ đủ 14 tuổi trở lên?",
                    "Is it for someone under 14, or 14 and older?"),
    "clarify_foreign": ("Việc này có người nước ngoài hoặc người đang ở nước ngoài không?",
                        "Does this involve a foreigner or someone living abroad?"),
    "faq_not_known": ("Tôi chưa có câu trả lời đã được kiểm chứng cho câu hỏi này. Vui lòng hỏi tổng đài {hotline}; "
                      "tôi có thể cho biết nơi nộp hồ sơ của một thủ tục hiện nay, hoặc địa chỉ cũ nay thuộc "
                      "xã/phường nào.",
                      "I do not have a checked answer to that yet. Please ask the hotline {hotline}; I can tell you "
                      "where to submit a procedure now, or which new commune your old address is in."),
    "handoff": ("Gặp tổng đài viên", "Talk to a person"),
}
FORM_OFFERS = {  # an intent the gate held back -> its button, when the router has no answer
    "file_complaint": (("Gửi phản ánh", "Make a complaint"), "/file_complaint"),
    "give_feedback": (("Góp ý", "Give feedback"), "/give_feedback"),
    "check_dossier": (("Tra cứu hồ sơ", "Check a dossier"), "/check_dossier"),
    "check_ticket": (("Tra cứu phản ánh", "Check my complaint"), "/check_ticket"),
    "ask_new_address": (("Tra địa chỉ mới", "Find my new address"), "/ask_new_address"),
}


def text_for(key: str, lang: str, **values: str) -> str:
    vi, en = TEXTS[key]
    return (en if _en(lang) else vi).format(**values)


def _button(title: str, payload: str) -> dict[str, str]:
    return {"title": _cut(title, 80), "payload": payload}


def choice_payload(choice: Choice) -> str:
    if choice.kind == "faq":
        return f'/choose_faq{{"faq_id":"{choice.ref}"}}'
    return f'/choose_procedure{{"{CODE_SLOT}":"{choice.ref}"}}'


def choices_buttons(choices: tuple[Choice, ...] | list[Choice], lang: str) -> list[dict[str, str]]:
    return [_button(c.title_en if _en(lang) else c.title_vi, choice_payload(c)) for c in choices]


def faq_message(entry: FaqEntry, lang: str, hotline: str) -> dict:
    """The FAQ answer; entries about refusals and demands offer a complaint and a person."""
    message: dict = {"text": render_answer(entry, lang, hotline)}
    if entry.follow_up == "complaint":
        complaint, _ = FORM_OFFERS["file_complaint"]
        message["buttons"] = [_button(complaint[1] if _en(lang) else complaint[0], "/file_complaint"),
                              _button(text_for("handoff", lang), "/human_handoff")]
    return message


def not_known_message(intent: str, text: str, lang: str, hotline: str, gated_from: str = "") -> dict:
    """Nothing close enough: say so, give the hotline, offer a person (and the form held back)."""
    if intent == "ask_transition_faq":
        message = {"text": text_for("faq_not_known", lang, hotline=hotline),
                   "buttons": [_button(text_for("handoff", lang), "/human_handoff")]}
    else:
        message = {"text": no_match_text(text, lang, hotline), "buttons": no_match_buttons(lang)}
    if gated_from in FORM_OFFERS:
        (vi, en), payload = FORM_OFFERS[gated_from]
        message["buttons"].insert(0, _button(en if _en(lang) else vi, payload))
    return message


def question_message(answer: Answer, lang: str) -> dict:
    """CHOICES and CLARIFY: one line and the buttons."""
    key = f"clarify_{answer.facet}" if answer.kind is AnswerKind.CLARIFY else "choices"
    return {"text": text_for(key, lang), "buttons": choices_buttons(answer.choices, lang)}
