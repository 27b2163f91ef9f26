"""Follow-up questions about the procedure just discussed: which part is asked, and whether a
new procedure is named in the same breath ("lệ phí làm hộ chiếu?"). Pure functions of the text."""

from __future__ import annotations

import re
from enum import Enum

from procedure_kb.procedures import Procedure
from procedure_kb.search import get_procedure, search_procedures

MIN_CONFIDENCE = 0.35  # below this a search result is not trusted for a follow-up question


class Detail(str, Enum):
    """The part of a procedure a follow-up asks about (values are the intents' names)."""

    DOCUMENTS = "ask_documents"
    FEE = "ask_fee"
    TIME = "ask_processing_time"
    STEPS = "ask_steps"
    MORE = "ask_more"


class Part(str, Enum):
    """The long part being paged (kept in the `procedure_part` slot)."""

    DOCUMENTS = "documents"
    STEPS = "steps"


# A follow-up about a part of the current procedure, whatever the intent classifier said.
_ASK_FEE = re.compile(r"lệ phí|le phi|\bphí\b|\bphi\b|bao nhiêu tiền|bao nhieu tien|\bfees?\b|\bcost\b", re.I)
_ASK_TIME = re.compile(r"bao lâu|bao lau|mấy ngày|may ngay|thời (gian|hạn)|thoi (gian|han)|how long|\btime\b", re.I)
_ASK_STEPS = re.compile(r"các bước|cac buoc|\bbước\b|\bbuoc\b|trình tự|trinh tu|\bsteps?\b", re.I)
_ASK_DOCS = re.compile(r"giấy tờ|giay to|hồ sơ|ho so|\bdocuments?\b|\bpapers?\b|cần mang|can mang", re.I)
_ASK_MORE = re.compile(r"xem thêm|xem them|\btiếp\b|\btiep\b|\bmore\b", re.I)
_SAYS_STEPS = re.compile(r"bước|buoc|step|trình tự|trinh tu", re.I)
# Words that only say which part is asked; removed before looking for a procedure name.
_DETAIL_WORDS = re.compile(
    r"\b(cần|can|những|nhung|giấy tờ|giay to|hồ sơ|ho so|gì|gi|j|lệ phí|le phi|phí|phi|bao nhiêu|bao nhieu|bn|tiền|tien|"
    r"mất|mat|bao lâu|bao lau|mấy ngày|may ngay|thời gian|thoi gian|các bước|cac buoc|bước|buoc|trình tự|trinh tu|"
    r"xem thêm|xem them|tiếp|tiep|nữa|nua|how|long|much|fee|fees|cost|documents?|papers?|steps?|time|what|the|"
    r"do|i|need|is|it|take|more|for|of|thủ tục|thu tuc|làm|lam|này|nay|đó|do|vậy|vay|ạ|a|ko|không|khong)\b",
    re.IGNORECASE,
)


def detail_kind(intent: str, text: str) -> str | None:
    """Which part is asked: from the intent, else from the words (a `Detail` value, or None)."""
    if intent in {d.value for d in Detail}:
        return intent
    for kind, pattern in ((Detail.FEE, _ASK_FEE), (Detail.TIME, _ASK_TIME), (Detail.STEPS, _ASK_STEPS),
                          (Detail.MORE, _ASK_MORE), (Detail.DOCUMENTS, _ASK_DOCS)):
        if pattern.search(text):
            return kind.value
    return None


def part_asked(detail: str, text: str) -> Part:
    """For a fresh (not "more") question: the steps when asked for, else the documents."""
    return Part.STEPS if detail == Detail.STEPS.value or _SAYS_STEPS.search(text) else Part.DOCUMENTS


def procedure_in_words(text: str) -> Procedure | None:
    """A procedure named in a follow-up ("lệ phí làm hộ chiếu?"), when clearly named."""
    rest = " ".join(_DETAIL_WORDS.sub(" ", text).split())
    if len(rest.split()) < 2:
        return None
    hits = search_procedures(rest, top=3)
    # Named in words: a matched word pair or the name itself, not a semantic near-miss of filler
    # ("các bước thế nào" leaves "thế nào", which reads a little like any short phrase).
    named = hits and hits[0].features is not None and (hits[0].features.matched_pairs or hits[0].features.exact)
    if named and not hits[0].ambiguous and hits[0].confidence >= MIN_CONFIDENCE:
        return get_procedure(hits[0].code)
    return None
