"""What a citizen sees of a procedure's documents: everyone's papers first, case-only ones marked, notes apart."""

from __future__ import annotations

import re

from hotline.web.guide import channel_rows, checklist
from procedure_kb.documents import document_view
from procedure_kb.presenter import part_page, render_card, time_text
from procedure_kb.procedures import Channel
from procedure_kb.search import get_procedure
from procedure_kb.timing import stated_unit

BIRTH = "1.001193"


def _numbered(text: str) -> list[str]:
    return re.findall(r"^\d+\. (.*)$", text, re.M)


def test_birth_registration_card_starts_with_the_papers_everyone_brings():
    card = render_card(get_procedure(BIRTH), "vi")
    first = _numbered(card)
    assert first[0].startswith(("Giấy chứng sinh", "Tờ khai"))
    assert any(line.startswith("Tờ khai đăng ký khai sinh") for line in first)
    assert any(line.startswith("Hộ chiếu/Thẻ căn cước") for line in first)  # the ID paper to show
    assert not any(line.startswith("Trường hợp") for line in first)
    assert "Hồ sơ cần có (4 giấy tờ; thêm 6 nếu thuộc trường hợp riêng):" in card
    assert 'ghi chú — gõ "xem thêm hồ sơ"' in card  # the rest is announced, not dropped


def test_birth_registration_in_english():
    card = render_card(get_procedure(BIRTH), "en")
    assert "Documents (4 for everyone; 6 only in special cases):" in card
    assert not _numbered(card)[0].startswith("Trường hợp")


def test_view_classes_keep_source_order_and_lose_nothing():
    proc = get_procedure(BIRTH)
    view = document_view(proc)
    assert len(view.items) == len(proc.documents)
    order = {id(d): i for i, d in enumerate(proc.documents)}
    for items in (view.required, view.conditional, view.notes):
        positions = [order[id(i.doc)] for i in items]
        assert positions == sorted(positions)
    assert all(i.doc.name.startswith(("Trường hợp", "Văn bản ủy quyền", "Giấy tờ có giá trị")) for i in view.conditional)
    notes = [i.doc.name for i in view.notes]
    assert all(d.group != "Lưu ý" for d in (i.doc for i in view.documents))
    assert any(n.startswith("Người tiếp nhận có trách nhiệm") for n in notes)        # staff instruction
    assert any(n.endswith("các giấy tờ sau:") for n in notes)                       # heading
    assert any(n.startswith("Đối với việc xác định họ") for n in notes)


def test_paging_reaches_conditional_documents_then_unnumbered_notes():
    proc = get_procedure(BIRTH)
    total = len(proc.documents)
    seen, start = [], 3
    while start is not None:
        page, start = part_page(proc, "documents", start, "vi")
        seen.append(page)
    text = "\n".join(seen)
    assert "Nếu thuộc trường hợp riêng (chỉ nộp khi đúng với bạn):" in text
    assert "Ghi chú (không phải giấy tờ cần nộp):" in text
    assert "• Người tiếp nhận có trách nhiệm" in text
    assert not re.search(r"^\d+\. Người tiếp nhận", text, re.M)  # notes are not numbered as documents
    assert f"/{total})" in seen[-1]


def test_case_headings_mark_documents_only_if():
    view = document_view(get_procedure("1.001612"))  # hộ kinh doanh: "Trường hợp ủy quyền…" section
    assert view.required[0].doc.name == "Giấy đề nghị đăng ký hộ kinh doanh"
    assert any(i.condition.startswith("Trường hợp ủy quyền") for i in view.conditional)
    residence = document_view(get_procedure("1.004222"))  # thường trú: one dossier per kind of home
    assert [i.doc.name[:33] for i in residence.required] == ["Tờ khai thay đổi thông tin cư trú"]
    assert all(i.condition for i in residence.conditional if not i.doc.name.startswith("Đối với"))


def test_id_card_forms_stay_required():
    view = document_view(get_procedure("1.014061"))
    assert len(view.required) == 3 and not view.conditional and not view.notes


def test_guide_checklist_puts_required_first_and_notes_apart():
    items = checklist(get_procedure(BIRTH))
    assert items["required"][0]["name"].startswith("Giấy chứng sinh")
    assert not any(d["name"].startswith("Trường hợp") for d in items["required"])
    assert any(d["name"].startswith("Người tiếp nhận") for d in items["notes"])


def test_unitless_time_is_said_helpfully_and_never_guessed():
    proc = get_procedure(BIRTH)  # "1" with no unit, and the steps state several different times
    channel = proc.channels[0]
    assert stated_unit(proc, channel) is None
    assert time_text(channel, "vi", proc) == "1 (Cổng DVC không ghi đơn vị — hỏi thêm tại nơi nộp)"
    assert time_text(channel, "en", proc) == "1 (the portal gives no unit — ask where you submit)"


def test_unit_taken_from_the_text_when_it_states_only_that_time():
    proc = get_procedure("1.004873")  # xác nhận tình trạng hôn nhân: "Trong thời hạn 03 ngày làm việc…"
    channel = proc.channels[0]
    assert channel.time_unit is None and stated_unit(proc, channel) == "Ngày làm việc"
    assert time_text(channel, "vi", proc) == "3 ngày làm việc (theo mô tả thủ tục)"
    assert time_text(channel, "en", proc) == "3 working days (per the procedure description)"
    assert channel_rows(proc)[0]["time"] == "3 ngày làm việc (theo mô tả thủ tục)"
    assert stated_unit(proc, Channel("Trực tiếp", 5, None)) is None  # a different number: not taken
