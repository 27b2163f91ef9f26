"""Procedure records: parse the portal's raw glued tables into typed records, and load them.

The raw crawl (one JSON object per procedure, see ../shared/data/SOURCES.md) has table
cells glued with no separator, page chrome in the result section and ~2% of records whose
sections spill into a neighbour. `parse_record` turns one raw object into a `Procedure`
and says whether it parsed cleanly, needed a repair, or could not be parsed.
`load_procedures` reads the committed, already-parsed file (`data/procedures.jsonl.gz`).

Why about 600 lines: the portal record is one document; its table parsers, the repair pass and
the transition annotation share the section patterns, and splitting them would scatter those.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import asdict, dataclass, field
from enum import Enum
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

from procedure_kb.messages import submit_where_text

__all__ = [
    "Channel",
    "Document",
    "LegalBasis",
    "Result",
    "Procedure",
    "parse_record",
    "parse_channels",
    "parse_documents",
    "parse_legal_basis",
    "parse_results",
    "parse_steps",
    "annotate_transition",
    "load_procedures",
    "procedure_from_dict",
    "DATA_FILE",
]

DATA_FILE = "data/procedures.jsonl.gz"
NO_INFO = "Không có thông tin"

# ---------------------------------------------------------------- typed records


@dataclass
class Channel:
    """One way to submit: channel name, processing time (value + unit) and fee text."""

    channel: str  # "Trực tiếp" | "Trực tuyến" | "Dịch vụ bưu chính"
    time_value: float | None = None
    time_unit: str | None = None  # "Ngày làm việc" | "Ngày" | "Giờ" | ... ; None when the portal gave none
    time_note: str = ""  # a time given as words ("Không quy định")
    fee: str = ""
    description: str = ""


@dataclass
class Document:
    """One document of the dossier."""

    name: str
    template: str | None = None  # form file name published with the procedure
    originals: int = 0
    copies: int = 0
    group: str = ""  # sub-heading the document sits under ("Giấy tờ phải xuất trình", ...)


@dataclass
class LegalBasis:
    title: str
    number: str


@dataclass
class Result:
    name: str
    code: str = ""


@dataclass
class Procedure:
    code: str
    name: str
    decision: str = ""
    levels: list[str] = field(default_factory=list)  # "commune" | "province" | "ministry" | "other"
    level_text: str = ""
    kind: str = ""
    domain: str = ""  # lĩnh vực
    ministry: str = ""
    subjects: str = ""
    competent_body: str = ""
    implementing_body: str = ""
    address: str = ""
    steps: list[str] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    legal_basis: list[LegalBasis] = field(default_factory=list)
    conditions: str = ""
    results: list[Result] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    detail_url: str = ""
    data_taken: str = ""
    # Two-level transition annotations
    submit_where: str = ""  # Vietnamese; other languages: procedure_kb.presenter.submit_where
    online: bool = False
    abolished_mentions: list[str] = field(default_factory=list)
    # Parse report
    status: str = "clean"  # "clean" | "repaired" | "unparsed"
    repairs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- table parsers

_CHANNELS = "Trực tiếp|Trực tuyến|Dịch vụ bưu chính"
_UNITS = "Ngày làm việc|Ngày|Giờ|Tháng|Năm|Phút"
_FEE_HEAD = r"Miễn phí|Không có thông tin|[\d.,]+\s*(?:Việt Nam Đồng|VNĐ|Đồng|USD)|(?:Lệ phí|Phí)\s*:"
# A row starts with a channel immediately followed by a time cell and a fee cell; the
# fee lookahead keeps "trực tiếp" inside a description from starting a bogus row.
_ROW = re.compile(
    rf"(?P<ch>{_CHANNELS})"
    rf"(?:(?P<n>\d+(?:[.,]\d+)?)\s*(?P<u>{_UNITS})?|(?P<na>{NO_INFO})|(?P<tt>Không[^\d\n]{{0,60}}?))"
    rf"(?=(?:{_FEE_HEAD}))"
)
# Fallback when no row matches: a time written as a sentence ("Hệ thống … phản hồi tự động …").
_ROW_LENIENT = re.compile(
    rf"(?P<ch>{_CHANNELS})(?P<n>)(?P<u>)(?P<na>)(?P<tt>[^\n]{{1,240}}?\.)(?=(?:{_FEE_HEAD}))"
)
_FEE = re.compile(rf"^(?:Miễn phí|{NO_INFO}|[\d.,]+\s*(?:Việt Nam Đồng|VNĐ|Đồng|USD))")
_CACH_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"


def _split_unitless(number: str, rest: str) -> tuple[str, str]:
    """Split "1100 VNĐ(… 100.000 đồng …)" into time "1" and fee "100 VNĐ".

    When the portal gives a time with no unit, its digits glue onto a numeric fee. We
    take the split whose fee digits also appear in the fee's own description; failing
    that, keep the whole number as the fee and report no time.
    """
    digits = number.replace(",", "").replace(".", "")
    described = re.sub(r"[.,\s]", "", rest)
    for cut in range(1, min(4, len(digits))):
        fee_digits = digits[cut:]
        if fee_digits and not fee_digits.startswith("0") and fee_digits in described:
            return digits[:cut], fee_digits
    return "", number


def parse_channels(text: str) -> list[Channel]:
    """Parse the "Cách thức thực hiện" table into channels."""
    body = text.replace(_CACH_HEADER, "", 1) if text.startswith(_CACH_HEADER) else text
    rows = list(_ROW.finditer(body)) or list(_ROW_LENIENT.finditer(body))
    channels: list[Channel] = []
    for index, match in enumerate(rows):
        end = rows[index + 1].start() if index + 1 < len(rows) else len(body)
        cell = body[match.end() : end]
        number, unit = match["n"], match["u"]
        fee_match = _FEE.match(cell)
        fee = fee_match.group(0) if fee_match else ""
        description = cell[len(fee) :]
        if number and not unit and re.match(r"[\d.,]+\s*(?:Việt Nam Đồng|VNĐ|Đồng|USD)", cell):
            # "Trực tuyến1100 VNĐ": time and fee digits glued (no unit) - the regex gave
            # the time only the first digits; re-split using the fee text.
            whole = number + re.match(r"[\d.,]+", cell).group(0)
            number, fee_digits = _split_unitless(whole, description)
            fee = re.sub(r"^[\d.,]+", fee_digits, fee)
        if description.startswith("(") and ")" in description:
            # "Miễn phí(Lệ phí …)": the bracket belongs to the fee cell.
            depth = 0
            for pos, char in enumerate(description):
                depth += char == "("
                depth -= char == ")"
                if depth == 0:
                    fee = f"{fee} {description[: pos + 1]}".strip()
                    description = description[pos + 1 :]
                    break
        value: float | None = None
        if number:
            try:
                value = float(number.replace(",", "."))
            except ValueError:
                value = None
        channels.append(
            Channel(
                channel=match["ch"],
                time_value=value,
                time_unit=unit,
                time_note=match["tt"] or "",
                fee=_clean(re.sub(r"\(\((.*)\)\)$", r"(\1)", fee)),
                description=_clean(description.strip(" -")),
            )
        )
    return channels


_DOC_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
_QTY = re.compile(r"(?P<a>\d+) bản (?P<ak>chính|sao)(?:\s*,\s*(?P<b>\d+) bản (?P<bk>chính|sao))?")
_TEMPLATE_EXT = re.compile(r"\.(?:docx?|pdf|xlsx?|rtf|odt|zip|rar)$", re.IGNORECASE)


def _split_template(cell: str) -> tuple[str, str | None]:
    """Split "Tờ khai (Mẫu số 01/BĐS)01 BĐS.docx" into the name and the form file name.

    The file name is glued after the name; it starts after the name's last sentence mark.
    """
    ext = _TEMPLATE_EXT.search(cell)
    if not ext:
        return cell, None
    head = cell[: ext.start()]
    cut = max(head.rfind(mark) for mark in (".", ";", ")", ":"))
    if cut <= 0:
        return cell, None
    return cell[: cut + 1], cell[cut + 1 :].strip() or None


def parse_documents(text: str) -> list[Document]:
    """Parse the "Thành phần hồ sơ" table (possibly several groups) into documents."""
    documents: list[Document] = []
    text = text or ""
    if _DOC_HEADER not in text:
        return documents
    pieces = text.split(_DOC_HEADER)
    group = _clean(pieces[0].strip(" -:*"))
    for piece in pieces[1:]:
        last = 0
        matches = list(_QTY.finditer(piece))
        for match in matches:
            name = piece[last : match.start()]
            last = match.end()
            if not name.strip():
                continue
            name, template = _split_template(name.strip())
            counts = {"chính": 0, "sao": 0}
            counts[match["ak"]] += int(match["a"])
            if match["b"]:
                counts[match["bk"]] += int(match["b"])
            documents.append(
                Document(
                    name=_clean(name.strip(" ;,-+")),
                    template=template,
                    originals=counts["chính"],
                    copies=counts["sao"],
                    group=group,
                )
            )
        # Whatever follows the last quantity is the heading of the next group.
        group = _clean(piece[last:].strip(" -:*")) if matches else group
    return documents


_LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
_LOWER = "a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
# Number suffixes: QH13, NĐ-CP, TT-BTC, QĐ-TTg. A suffix never runs into the next row's
# title, which starts with a capital followed by lower case ("…TT-BTCThông tư").
_SUFFIX = rf"(?:UBTVQH\d{{2}}|QH\d{{2}}|[A-ZĐ]{{1,8}}(?:-(?:TTg|[A-ZĐ]+(?:\d{{2}}(?![\d/]))?))+(?![{_LOWER}])|[A-ZĐ]{{2,8}}(?![{_LOWER}]))"
_NUMBER = re.compile(rf"(\d{{1,8}})/((?:19|20)\d{{2}}/)?({_SUFFIX})")


def _row_number_start(match: re.Match[str]) -> tuple[int, str]:
    """Where a number really starts: "năm 201102/2011/QH13" glues the title's year on."""
    digits, start = match.group(1), match.start()
    if len(digits) > 4:
        keep = 4 if re.match(r"(19|20)\d\d", digits) else len(digits) - 4
        return start + keep, digits[keep:]
    return start, digits


def parse_legal_basis(text: str) -> list[LegalBasis]:
    """Parse the "Căn cứ pháp lý" table: rows of title glued to their number."""
    if not text or _LEGAL_HEADER not in text:
        return []
    body = text.split(_LEGAL_HEADER, 1)[1]
    items: list[LegalBasis] = []
    last = 0
    matches = list(_NUMBER.finditer(body))
    for position, match in enumerate(matches):
        start, digits = _row_number_start(match)
        end = match.end()
        number = f"{digits}/{match.group(2) or ''}{match.group(3)}"
        nxt = matches[position + 1] if position + 1 < len(matches) else None
        # A row's number ends the row. A number inside the title ("Luật 54/2014/QH13",
        # "Thông tư số 19/2021/TT-BTC ngày …") is followed by the row's own number: glued
        # right after it, or the same number again, or after "ngày/của …" in lower case
        # (rows are glued with no separator, so a row's number never precedes a space).
        if nxt is not None:
            same = _row_number_start(nxt)[1] == digits and nxt.group(2) == match.group(2)
            spaced = re.match(rf"[ ,;:]+[{_LOWER}\d]", body[end : end + 3]) is not None
            if nxt.start() == end or same or spaced:
                continue
        title = _clean(body[last:start])
        last = end
        items.append(LegalBasis(title=title or number, number=number))
    return items


_RESULT_CODE = re.compile(r"Mã:\s*([A-Z0-9][A-Z0-9.\-]*\d)")
_CHROME = re.compile(r"Chọn cơ quan thực hiện.*$", re.S)
_KEYWORDS = re.compile(r"Từ khóa.*$", re.S)


def parse_results(text: str) -> list[Result]:
    """Parse "Kết quả thực hiện": result names with their codes; page chrome dropped."""
    text = _KEYWORDS.sub("", _CHROME.sub("", text or ""))
    results: list[Result] = []
    last = 0
    for match in _RESULT_CODE.finditer(text):
        name = _clean(text[last : match.start()])
        last = match.end()
        if name:
            results.append(Result(name=name, code=match.group(1)))
    tail = _clean(text[last:])
    if tail and tail != NO_INFO:
        results.append(Result(name=tail))
    return results


_STEP = re.compile(r"(?:^|\n)\s*(?:[-+*]\s*)?(?:[a-zđ]\)\s*)?(?=Bước\s*\d+\s*[:.)-]?)", re.IGNORECASE)


def parse_steps(text: str) -> list[str]:
    """Split "Trình tự thực hiện" into steps ("Bước 1 …"), else into its paragraphs/bullets."""
    text = (text or "").replace("\r", "")
    if not text.strip() or text.strip() == NO_INFO:
        return []
    parts = [p for p in _STEP.split(text) if p.strip()]
    if len(parts) <= 1:
        parts = [p for p in re.split(r"\n\s*(?=[-+•]\s|\d+[.)]\s)", text) if p.strip()]
    if len(parts) <= 1:
        parts = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return [_clean(p) for p in parts]


def _clean(text: str) -> str:
    """Collapse whitespace, keep line breaks between paragraphs."""
    lines = [" ".join(line.split()) for line in (text or "").replace("\r", "").split("\n")]
    out = "\n".join(line for line in lines if line)
    return out.strip()


# ---------------------------------------------------------------- transition annotations

_LEVELS = {"Cấp bộ": "ministry", "Cấp tỉnh": "province", "Cấp xã": "commune", "Cơ quan khác": "other"}
_ABOLISHED = re.compile(
    r"(?:Ủy ban nhân dân|UBND|Chủ tịch Ủy ban nhân dân|Phòng [^,.;\n]{1,40}?)\s+(?:cấp\s+)?(?:huyện|quận)"
    r"|cấp huyện|thị trấn|quận, huyện|huyện, quận",
    re.IGNORECASE,
)


class SubmitPlace(str, Enum):
    """Where a citizen submits a procedure now; `procedure_kb.messages` words each."""

    POLICE = "police"  # the police office the portal names
    BOTH_LEVELS = "both_levels"
    COMMUNE = "commune"
    PROVINCE = "province"
    BODY = "body"  # the body the portal names
    NONE = "none"


def submit_place(proc: Procedure) -> tuple[SubmitPlace, str]:
    """(place, the body the portal names) for `proc`, under Decree 118/2025/ND-CP one-stop rules.

    Commune-level procedures go to the commune-level Public Administration Service Center,
    province-level ones to the provincial one; police procedures keep the police office.
    """
    body = proc.implementing_body or proc.competent_body
    if "Công an" in body and "ministry" not in proc.levels:
        return SubmitPlace.POLICE, body
    if "commune" in proc.levels and "province" in proc.levels:
        return SubmitPlace.BOTH_LEVELS, body
    if "commune" in proc.levels:
        return SubmitPlace.COMMUNE, body
    if "province" in proc.levels:
        return SubmitPlace.PROVINCE, body
    return (SubmitPlace.BODY if body else SubmitPlace.NONE), body


def annotate_transition(proc: Procedure) -> None:
    """Fill where a citizen submits now (Vietnamese, as stored) and flag text still naming abolished units."""
    proc.online = any(c.channel == "Trực tuyến" for c in proc.channels)
    place, body = submit_place(proc)
    proc.submit_where = submit_where_text(place.value, body, proc.online, "vi")
    found: list[str] = []
    texts = [proc.name, proc.implementing_body, proc.competent_body, proc.address, proc.conditions]
    texts += proc.steps + [d.name for d in proc.documents]
    for text in texts:
        for match in _ABOLISHED.finditer(text or ""):
            phrase = " ".join(match.group(0).split())
            if phrase.lower() not in (f.lower() for f in found):
                found.append(phrase)
    proc.abolished_mentions = found


# ---------------------------------------------------------------- repair + parse

_SECTION_SIGNS = {
    "channels": _ROW,
    "documents": re.compile(re.escape(_DOC_HEADER)),
    "legal": re.compile(re.escape(_LEGAL_HEADER)),
    "results": re.compile(r"Từ khóa(?:Không có thông tin|.{0,300}?)Mô tả|Mã: KQ\.|Chọn cơ quan thực hiện", re.S),
}


def _repair(raw: dict[str, str]) -> list[str]:
    """Move spilled text back to the section it belongs to; return what was done.

    Each rule matches a spill seen in the real data (see tests/test_procedure_parser.py).
    """
    repairs: list[str] = []
    cach = raw.get("cach_thuc_thuc_hien", "")
    legal = raw.get("can_cu_phap_ly", "")
    docs = raw.get("thanh_phan_ho_so", "")
    cond = raw.get("yeu_cau_dieu_kien", "")
    result = raw.get("ket_qua_xu_ly", "")

    # 1. The tail of the channels table spilled into the legal section (legal header lost
    #    or pushed later): give the leading part back to the channels.
    if legal and not legal.startswith(_LEGAL_HEADER) and legal.strip() != NO_INFO and (
        _ROW.search(legal) or cach.rstrip().endswith("(")
    ):
        head, sep, tail = legal.partition(_LEGAL_HEADER)
        raw["cach_thuc_thuc_hien"] = cach + head
        raw["can_cu_phap_ly"] = (sep + tail) if sep else ""
        repairs.append("channels tail moved out of legal basis")
        legal = raw["can_cu_phap_ly"]
        cach = raw["cach_thuc_thuc_hien"]

    # 2. The next section ("Cơ quan thực hiện…") glued onto the legal table.
    if "Cơ quan thực hiện" in legal:
        raw["can_cu_phap_ly"] = legal.split("Cơ quan thực hiện", 1)[0]
        repairs.append("next section cut from legal basis")

    # 3. Channels rows (and a "Thành phần hồ sơ" heading) in front of the documents table.
    if docs and not docs.lstrip("-").startswith(_DOC_HEADER) and _ROW.search(docs.split(_DOC_HEADER)[0]):
        head, sep, tail = docs.partition("Thành phần hồ sơ")
        if not sep:
            head, sep, tail = docs.partition(_DOC_HEADER)
            tail = sep + tail
        raw["cach_thuc_thuc_hien"] = cach + head
        raw["thanh_phan_ho_so"] = tail
        repairs.append("channels rows moved out of documents")

    # 4. The result section (name, keywords, page chrome) landed in the conditions field.
    if not result.strip() and _SECTION_SIGNS["results"].search(cond):
        raw["ket_qua_xu_ly"] = cond
        raw["yeu_cau_dieu_kien"] = ""
        repairs.append("result moved out of conditions")
    elif _SECTION_SIGNS["results"].search(cond) and "Từ khóa" in cond:
        raw["yeu_cau_dieu_kien"] = _KEYWORDS.sub("", _CHROME.sub("", cond))
        repairs.append("page chrome cut from conditions")

    # 5. Related procedures glued into the competent body.
    body = raw.get("co_quan_co_tham_quyen", "")
    if "Tên thủ tục" in body:
        head, _, tail = body.partition("Tên thủ tục")
        raw["co_quan_co_tham_quyen"] = head
        raw["thu_tuc_lien_quan"] = "#Tên thủ tục" + tail
        repairs.append("related procedures moved out of competent body")

    # 6. The address field holding a copy of the steps.
    address = raw.get("dia_chi_tiep_nhan", "")
    if address and re.match(r"\s*Bước\s*1", address):
        raw["dia_chi_tiep_nhan"] = ""
        repairs.append("steps copy dropped from address")

    # 7. Over-long implementing body that is really step text.
    impl = raw.get("co_quan_thuc_hien", "")
    if len(impl) > 300 and ("\n" in impl or "chứng thực" in impl.lower()):
        raw["co_quan_thuc_hien"] = ""
        repairs.append("step text dropped from implementing body")
    return repairs


def _related(text: str) -> list[str]:
    if not text or text.strip() == NO_INFO:
        return []
    names = re.findall(r"#Tên thủ tục\d+(.*?)(?=#\d+Tên thủ tục|#Tên thủ tục|$)", text, re.S)
    return [_clean(n) for n in names if _clean(n)]


def parse_record(raw: dict[str, Any], data_taken: str = "") -> Procedure:
    """Parse one raw portal record into a `Procedure` with its parse status."""
    raw = {k: (v if isinstance(v, str) else "") for k, v in raw.items()}
    repairs = _repair(raw)
    level_text = raw.get("cap_thuc_hien", "")
    levels = [_LEVELS[p.strip()] for p in level_text.split(",") if p.strip() in _LEVELS]
    conditions = _clean(raw.get("yeu_cau_dieu_kien", ""))
    proc = Procedure(
        code=raw.get("ma_thu_tuc", "").strip(),
        name=_clean(raw.get("ten_thu_tuc", "")),
        decision=raw.get("so_quyet_dinh", "").strip(),
        levels=levels,
        level_text=level_text,
        kind=raw.get("loai_thu_tuc", ""),
        domain=raw.get("linh_vuc", ""),
        ministry=raw.get("bo_nganh_folder", ""),
        subjects=raw.get("doi_tuong_thuc_hien", ""),
        competent_body=_clean(raw.get("co_quan_co_tham_quyen", "")),
        implementing_body=_clean(raw.get("co_quan_thuc_hien", "")),
        address=_clean(raw.get("dia_chi_tiep_nhan", "")),
        steps=parse_steps(raw.get("trinh_tu_thuc_hien", "")),
        channels=parse_channels(raw.get("cach_thuc_thuc_hien", "")),
        documents=parse_documents(raw.get("thanh_phan_ho_so", "")),
        legal_basis=parse_legal_basis(raw.get("can_cu_phap_ly", "")),
        conditions="" if conditions == NO_INFO else conditions,
        results=parse_results(raw.get("ket_qua_xu_ly", "")),
        related=_related(raw.get("thu_tuc_lien_quan", "")),
        detail_url=raw.get("detail_url", ""),
        data_taken=data_taken,
        repairs=repairs,
    )
    annotate_transition(proc)
    problems = _problems(proc, raw)
    if problems:
        proc.status = "unparsed"
        proc.repairs = repairs + [f"unresolved: {p}" for p in problems]
    else:
        proc.status = "repaired" if repairs else "clean"
    return proc


def _problems(proc: Procedure, raw: dict[str, str]) -> list[str]:
    """What still looks wrong after parsing (a record with any is reported unparsed)."""
    problems = []
    if not proc.code or not proc.name:
        problems.append("no code or name")
    if not proc.channels:
        problems.append("no submission channel")
    docs_raw = raw.get("thanh_phan_ho_so", "")
    if _DOC_HEADER in docs_raw and not proc.documents:
        problems.append("documents table not parsed")
    legal_raw = raw.get("can_cu_phap_ly", "")
    if _LEGAL_HEADER in legal_raw and not proc.legal_basis:
        problems.append("legal table not parsed")
    for field_name, sign in (("documents", _DOC_HEADER), ("legal", _LEGAL_HEADER)):
        if sign in raw.get("cach_thuc_thuc_hien", ""):
            problems.append(f"{field_name} table inside channels")
    if any("Chọn cơ quan thực hiện" in r.name for r in proc.results):
        problems.append("page chrome in result")
    return problems


# ---------------------------------------------------------------- load committed data


def procedure_from_dict(data: dict[str, Any]) -> Procedure:
    """Rebuild a `Procedure` from its `to_dict()` form."""
    data = dict(data)
    data["channels"] = [Channel(**c) for c in data.get("channels", [])]
    data["documents"] = [Document(**d) for d in data.get("documents", [])]
    data["legal_basis"] = [LegalBasis(**x) for x in data.get("legal_basis", [])]
    data["results"] = [Result(**x) for x in data.get("results", [])]
    known = Procedure.__dataclass_fields__
    return Procedure(**{k: v for k, v in data.items() if k in known})


def read_raw(path: str) -> Iterable[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def write_procedures(procedures: list[Procedure], path: str, meta: dict[str, Any]) -> None:
    """Write the committed data file: a header line (meta) then one record per line."""
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as handle:
        handle.write(json.dumps({"_meta": meta}, ensure_ascii=False, separators=(",", ":")) + "\n")
        for proc in procedures:
            data = {k: v for k, v in proc.to_dict().items() if v not in ("", [], None)}
            handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, Any], tuple[Procedure, ...]]:
    meta: dict[str, Any] = {}
    items: list[Procedure] = []
    ref = resources.files("procedure_kb").joinpath(DATA_FILE)
    with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        for line in handle:
            data = json.loads(line)
            if "_meta" in data:
                meta = data["_meta"]
                continue
            items.append(procedure_from_dict(data))
    return meta, tuple(items)


def load_procedures() -> tuple[Procedure, ...]:
    """All committed procedures (parsed once, cached)."""
    return _load()[1]


def data_meta() -> dict[str, Any]:
    """Provenance of the committed data (source, crawl date, parse report)."""
    return dict(_load()[0])
