"""A citizen's view of a procedure's documents: what everyone brings, what only some cases need, notes.

The portal lists documents in source order, with exceptional cases ("Trường hợp trẻ em bị bỏ
rơi…"), remarks for staff and headings ("… các giấy tờ sau:") mixed in. `document_view` sorts
them into three classes, keeping the source order within each, and drops nothing:

- required: documents every applicant brings (forms, giấy chứng sinh, ID paper…);
- conditional: only if a case applies ("Trường hợp…", "Nếu…", or a document under such a heading);
- notes: remarks, instructions to staff, headings and exemptions — not documents to count.

Computed from the loaded record's fields, so the committed data file is unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from procedure_kb.procedures import Document, Procedure

__all__ = ["DocItem", "DocumentView", "document_view", "classify"]

REQUIRED, CONDITIONAL, NOTE = "required", "conditional", "note"

# Enumerators the portal leaves in front of items and headings: "(iv) ", "a) ", "(1.3) ", "- ", "+ ", "*".
_ENUM = re.compile(r"^(?:\s*(?:\(?[ivx]+\)|\(?[a-zđ]\)|\(?\d+(?:\.\d+)*\)|\d+(?:\.\d+)*\.|[-+*•–]|\())+\s*", re.I)
_CONDITION_START = re.compile(r"^(?:trường hợp|trong trường hợp|nếu|đối với|riêng|khi|ngoài ra)\b", re.I)
# A condition inside the name ("Văn bản ủy quyền … trong trường hợp ủy quyền…"); "trừ trường hợp" is an
# exception to a required paper, so it does not count.
_CONDITION_INSIDE = re.compile(r"\b(?:trong trường hợp|đối với trường hợp|\(đối với|\(trường hợp|\(nếu có\))", re.I)
_NOTE_START = re.compile(r"^(?:lưu ý|ghi chú|chú ý)\b", re.I)
# Duties of the office, not something the citizen brings.
_STAFF = re.compile(r"^(?:người tiếp nhận|người ủy quyền|người được ủy quyền|cơ quan|cán bộ|công chức|bộ phận|người có yêu cầu|cá nhân có quyền)", re.I)
_DUTY = re.compile(r"\b(?:có trách nhiệm|chịu trách nhiệm)\b", re.I)
# "… thì không phải nộp bản giấy", "chỉ cần cung cấp số định danh": says what you need NOT bring.
_EXEMPTION = re.compile(r"\b(?:không phải|không cần|chỉ cần|được miễn|miễn nộp)\b", re.I)
# Forms are needed by everyone; an inline "(nếu … nộp trực tiếp)" only says which channel the form is for.
_FORM = re.compile(r"^(?:tờ khai|phiếu|đơn|giấy đề nghị|mẫu|bản khai|đề nghị|bản đề nghị)\b", re.I)
# Headings that only title the list; any other heading names a case (when the record has several).
_GENERIC = re.compile(r"^(?:(?:các )?giấy tờ(?: (?:phải|cần))?|thành phần(?: hồ sơ)?|hồ sơ (?:gồm|bao gồm)|bao gồm|gồm)\b", re.I)
_SAME_FORM = 35  # a form repeated under another case starts with the same words; shown once among required


@dataclass(frozen=True)
class DocItem:
    """One portal row, classified; `condition` is the case heading it sits under, when there is one."""

    doc: Document
    kind: str  # REQUIRED | CONDITIONAL | NOTE
    condition: str = ""


@dataclass
class DocumentView:
    required: list[DocItem] = field(default_factory=list)
    conditional: list[DocItem] = field(default_factory=list)
    notes: list[DocItem] = field(default_factory=list)

    @property
    def documents(self) -> list[DocItem]:
        """The papers to bring, numbered in this order: required first, then case-only ones."""
        return self.required + self.conditional

    @property
    def items(self) -> list[DocItem]:
        """Everything, documents then notes: what paging walks through."""
        return self.documents + self.notes


def _bare(text: str) -> str:
    return _ENUM.sub("", " ".join(text.split())).strip()


def _cases(proc: Procedure) -> set[str]:
    """Headings that name a case: "Trường hợp ủy quyền…" always; other titles when the record has several
    ("Đăng ký thường trú vào chỗ ở do thuê…", "… tại cơ sở tôn giáo…"): the citizen is in one of them."""
    titles = {d.group for d in proc.documents
              if _bare(d.group) and not _GENERIC.match(_bare(d.group)) and not _NOTE_START.match(_bare(d.group))}
    return {t for t in titles if len(titles) > 1 or _CONDITION_START.match(_bare(t))}


def classify(doc: Document, counted: bool, case: str = "") -> DocItem:
    """Class of one row. `counted`: the record gives copy counts, so a row with none is not a paper;
    `case`: the row's heading when it names a case."""
    name = _bare(doc.name)
    group = _bare(doc.group)
    has_count = bool(doc.originals or doc.copies)
    if (_NOTE_START.match(group) or _NOTE_START.match(name) or name.rstrip(" .").endswith(":")
            or (_STAFF.match(name) and (not has_count or _DUTY.search(name)))):
        return DocItem(doc, NOTE)
    if counted and not has_count and not _FORM.match(name):
        # Rows without a count are the portal's explanations; keep the ones that ask for a paper.
        if _EXEMPTION.search(name) or not (_CONDITION_START.match(name) or _CONDITION_INSIDE.search(name)):
            return DocItem(doc, NOTE)
    # A form under a case title ("Tờ khai CT01") is still filled in by everyone; under "Trường hợp…" it is not.
    if case and not (_FORM.match(name) and not _CONDITION_START.match(_bare(case))):
        return DocItem(doc, CONDITIONAL, case)
    if _CONDITION_START.match(name) or (not _FORM.match(name) and _CONDITION_INSIDE.search(name)):
        return DocItem(doc, CONDITIONAL)
    return DocItem(doc, REQUIRED)


def document_view(proc: Procedure) -> DocumentView:
    """The record's documents in three classes, each in the portal's order."""
    counted = any(d.originals or d.copies for d in proc.documents)
    cases = _cases(proc)
    view = DocumentView()
    forms: set[str] = set()
    for doc in proc.documents:
        case = doc.group if doc.group in cases else ""
        item = classify(doc, counted, case)
        if item.kind == REQUIRED and case:
            key = _bare(doc.name).lower()[:_SAME_FORM]
            if key in forms:  # the same form again under another case: listed with that case
                item = DocItem(doc, CONDITIONAL, case)
            forms.add(key)
        {REQUIRED: view.required, CONDITIONAL: view.conditional, NOTE: view.notes}[item.kind].append(item)
    return view
