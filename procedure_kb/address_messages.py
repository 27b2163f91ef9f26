"""What the assistant says about old → new addresses: every citizen-facing text, vi and en.

`Text` pairs (Vietnamese, English) with `{placeholders}`, read through `procedure_kb.i18n.say`.
The lookup (`procedure_kb.units`) returns data and a `Note` naming what it has to say; this
module words it, and the address form's questions and answer are worded here too.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from procedure_kb.i18n import Text, is_en, say

KIND: dict[str, Text] = {  # how an old unit went into the new one
    "whole": ("nhập toàn bộ", "merged whole"),
    "part": ("nhập một phần", "merged in part"),
    "renamed": ("đổi tên / đổi loại hình", "renamed / type changed"),
    "unchanged": ("giữ nguyên", "unchanged"),
}
KIND_VI = {k: v[0] for k, v in KIND.items()}
KIND_EN = {k: v[1] for k, v in KIND.items()}


class NoteKind(str, Enum):
    """What a lookup result has to tell the citizen (the catalogue key)."""

    RESOLVED = "resolved"  # found or split: worded from the result's own data
    NOT_FOUND = "not_found"
    NO_ADDRESS = "no_address"
    TOO_LONG = "too_long"
    SIMILAR_IN_DISTRICT = "similar_in_district"
    SAME_NAME_PROVINCES = "same_name_provinces"
    SAME_NAME_DISTRICTS = "same_name_districts"
    DISTRICTS_SHARE_NAME = "districts_share_name"
    WHICH_WARD = "which_ward"
    WHICH_DISTRICT = "which_district"
    SEVERAL_PROVINCES = "several_provinces"


NOT_FOUND: Text = (
    "Chưa tìm thấy địa chỉ này trong danh mục đơn vị hành chính trước 1/7/2025. "
    "Hãy ghi theo thứ tự: phường/xã, quận/huyện, tỉnh/thành phố (cũ), "
    "ví dụ: \"Phường Bến Nghé, Quận 1, TP Hồ Chí Minh\".",
    "This address was not found among the units that existed before 1 July 2025. "
    "Please write ward/commune, district, province (old names), e.g. \"Ben Nghe Ward, District 1, Ho Chi Minh City\".",
)
NOT_FOUND_HINT_CUT: Text = (" Hãy ghi", " Please write")  # the form keeps only the first sentence
WHY: dict[NoteKind, Text] = {
    NoteKind.NO_ADDRESS: ("Bạn chưa nhập địa chỉ.", "No address given."),
    NoteKind.TOO_LONG: ("Nội dung quá dài để là một địa chỉ.", "The text is too long to be an address."),
}
TEXTS: dict[NoteKind, Text] = {
    NoteKind.SIMILAR_IN_DISTRICT: ("Ở {district} có {count} đơn vị tên gần giống nhau. Bạn ở đơn vị nào?",
                                   "{district} had {count} units with similar names. Which one is yours?"),
    NoteKind.SAME_NAME_PROVINCES: ("Có {count} nơi tên \"{name}\". Bạn ở tỉnh/thành phố nào (trước 1/7/2025)?",
                                   "{count} places are called \"{name}\". Which province (before 1 July 2025)?"),
    NoteKind.SAME_NAME_DISTRICTS: ("Có {count} nơi tên \"{name}\" ở {province}. Bạn ở quận/huyện nào (cũ)?",
                                   "{count} places are called \"{name}\" in {province}. Which district (old)?"),
    NoteKind.DISTRICTS_SHARE_NAME: ("Có {count} quận/huyện cùng tên. Bạn ở tỉnh/thành phố nào (trước 1/7/2025)?",
                                    "{count} districts share this name. Which province (before 1 July 2025)?"),
    NoteKind.WHICH_WARD: ("Đã hiểu {district}, {province}. Bạn ở phường/xã/thị trấn nào?",
                          "Understood {district}, {province}. Which ward/commune?"),
    NoteKind.WHICH_DISTRICT: ("{fate} Để biết xã/phường mới, bạn ở quận/huyện/thị xã nào (cũ)?",
                              "{fate} For the new commune: which district (old)?"),
    NoteKind.SEVERAL_PROVINCES: ("{fate} Để biết xã/phường mới, bạn cho biết địa chỉ cũ đầy đủ (phường/xã, quận/huyện).",
                                 "{fate} For the new commune, give the full old address (ward, district)."),
}
PROVINCE_KEPT: Text = ("{old} vẫn giữ tên {old}.", "{old} keeps its name ({new}).")
PROVINCE_MOVED: Text = ("{old} nay thuộc {new}.", "{old} is now part of {new}.")
NOW_PART_OF: Text = ("{old} nay thuộc {now}, {province} ({kind}).", "{old} is now part of {now}, {province} ({kind}).")
RENAMED_SINCE: str = " (từ 1/7/2025 là {name})"  # Vietnamese only: the English names the new unit
SPLIT: Text = ("{old} đã được chia vào {count} đơn vị mới; đơn vị của bạn tùy theo đường, tổ dân phố/thôn nơi bạn ở:",
               "{old} was split between {count} new units; yours depends on your street or hamlet:")

# Where to go now (commune-level / province-level offices of a new ward)
COMMUNE_OFFICE: Text = ("Ủy ban nhân dân {name} hoặc Trung tâm Phục vụ hành chính công {kind} {bare}",
                        "People's Committee of {name} or its Public Administration Service Center")
PROVINCE_OFFICE: Text = ("Trung tâm Phục vụ hành chính công {province}", "Public Administration Service Center of {province}")
ONLINE_PORTAL = "Cổng Dịch vụ công quốc gia: https://dichvucong.gov.vn"

# ---------------------------------------------------------------- the address form

ASK_ADDRESS: Text = (
    "Bạn cho tôi địa chỉ cũ (trước 1/7/2025): phường/xã, quận/huyện, tỉnh/thành phố. "
    "Ví dụ: \"Phường Bến Nghé, Quận 1, TP HCM\". Nếu chỉ nhớ một phần, cứ ghi tỉnh/thành phố trước.",
    "Please give your old address (before 1 July 2025): ward/commune, district, province, "
    "e.g. \"Ben Nghe Ward, District 1, HCMC\". If you only remember part, start with the province.",
)
ASK_PROVINCE_OF: Text = TEXTS[NoteKind.SAME_NAME_PROVINCES]
ASK_DISTRICT: Text = ("{province}: bạn ở quận/huyện/thị xã/thành phố nào (cũ)?", "{province}: which district (old)?")
ASK_WARD: Text = ("{district}: bạn ở phường/xã/thị trấn nào (cũ)?", "{district}: which ward/commune (old)?")
TYPE_ITS_NAME: Text = (" Bạn gõ tên, ví dụ: ", " Type its name, e.g. ")
WHERE_TO_GO: Text = (
    "Nơi làm thủ tục: thủ tục cấp xã tại {commune}; thủ tục cấp tỉnh tại {province}; nộp trực tuyến tại dichvucong.gov.vn.",
    "Where to go now: commune-level procedures at the {commune}; province-level ones at the {province}; "
    "online at dichvucong.gov.vn.",
)
IF_UNSURE: Text = ("Nếu chưa rõ, bạn hỏi Ủy ban nhân dân một trong các xã/phường trên để được xác nhận.",
                   "If unsure, ask the People's Committee of any of these communes.")
# Resolution 190/2025/QH15 (19 Feb 2025) on handling matters arising from reorganising the
# state apparatus: papers issued before the reorganisation stay valid until they expire and
# nobody may be required to exchange them for that reason, unless a law says otherwise.
PAPERS: Text = (
    "Giấy tờ đã cấp ghi địa chỉ cũ (căn cước, giấy khai sinh, sổ đỏ, giấy phép kinh doanh…) còn thời hạn "
    "thì vẫn tiếp tục được sử dụng; bạn không phải làm thủ tục đổi chỉ vì sắp xếp đơn vị hành chính, "
    "trừ khi pháp luật có quy định khác (Nghị quyết 190/2025/QH15 của Quốc hội). Khi làm thủ tục mới, "
    "ghi địa chỉ theo đơn vị mới. Trường hợp cụ thể, hãy hỏi tổng đài {hotline}.",
    "Papers issued with your old address (ID card, birth certificate, land certificate, business licence…) "
    "stay valid until they expire; you do not have to exchange them just because of the reorganisation, "
    "unless a law says otherwise (National Assembly Resolution 190/2025/QH15). Use the new unit in new "
    "applications. For your specific case, ask the hotline {hotline}.",
)
ANOTHER_ADDRESS: tuple[Text, Text] = (("Tra địa chỉ khác", "Another address"),
                                      ("tra địa chỉ cũ khác", "look up another old address"))  # (title, payload)


# ---------------------------------------------------------------- where a ticket belongs (operators, Vietnamese)

PLACE_TOO_MANY = "Có quá nhiều nơi trùng tên; ghi thêm quận/huyện hoặc tỉnh/thành phố."
PLACE_SAME_NEW_NAME = "Có {count} xã/phường mới tên như vậy; chọn đúng nơi."
PLACE_SPLIT = "Địa bàn cũ này nay thuộc nhiều xã/phường mới (tùy đường, tổ dân phố); chọn đúng nơi."
PLACE_NOT_FOUND = "Không tìm thấy xã/phường này."
PLACE_LOOKUP_FAILED = "Không tra được địa bàn lúc này."


# ---------------------------------------------------------------- wording a lookup result


def province_fate(fate: dict[str, Any], lang: str) -> str:
    """"Tỉnh Bắc Kạn nay thuộc Tỉnh Thái Nguyên." from {old, new_vi, new_en}."""
    kept = fate["new_vi"] == fate["old"]
    return say(PROVINCE_KEPT if kept else PROVINCE_MOVED, lang, old=fate["old"],
               new=fate["new_en"] if is_en(lang) else fate["new_vi"])


def resolved_text(old: dict[str, Any], entries: list[dict[str, Any]], lang: str) -> str:
    """The answer for a found or split old unit, from the lookup's data."""
    old_text = ", ".join(old[k]["name"] for k in ("ward", "district", "province") if old.get(k))
    en = is_en(lang)
    if len(entries) == 1:
        e = entries[0]
        if en:
            now, province = e["name_en"] or e["name"], e["province_en"] or e["province"]
        else:
            now = e["current_name"] + (RENAMED_SINCE.format(name=e["name"]) if e["current_name"] != e["name"] else "")
            province = e["province"]
        return say(NOW_PART_OF, lang, old=old_text, now=now, province=province, kind=say(KIND[e["kind"]], lang))
    lines = [say(SPLIT, lang, old=old_text, count=len(entries))]
    for e in entries:
        if en:
            lines.append(f"• {e['name_en'] or e['name']}, {e['province_en'] or e['province']} ({KIND_EN[e['kind']]})")
        else:
            lines.append(f"• {e['current_name']}, {e['province']}" + (f" — {e['note']}" if e["note"] else ""))
    return "\n".join(lines)


def note_text(kind: NoteKind, values: dict[str, Any], lang: str) -> str:
    """Word a lookup's note (everything but RESOLVED, which `resolved_text` words)."""
    if kind in (NoteKind.NOT_FOUND, *WHY):
        why = say(WHY[kind], lang) + " " if kind in WHY else ""
        return why + say(NOT_FOUND, lang)
    if "fates" in values:
        values = {**values, "fate": " ".join(province_fate(f, lang) for f in values["fates"])}
    return say(TEXTS[kind], lang, **values)
