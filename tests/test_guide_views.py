"""How the volunteer guide shapes knowledge-base records, without a server."""

from __future__ import annotations

from hotline.web.guide import address_view, channel_rows, document_groups, search_results
from procedure_kb.procedures import Channel, Document, Procedure


def test_ways_with_the_same_time_and_fee_share_a_row():
    proc = Procedure(code="x", name="x", channels=[
        Channel("Trực tiếp", 5, "Ngày làm việc", fee="Miễn phí"),
        Channel("Trực tuyến", 5, "Ngày làm việc", fee="Miễn phí"),
        Channel("Dịch vụ bưu chính", None, None, time_note="Không quy định", fee="10.000 Đồng"),
        Channel("Trực tiếp", 1.5, None),
    ])
    assert channel_rows(proc) == [
        {"channel": "Trực tiếp, trực tuyến", "time": "5 ngày làm việc", "fee": "Miễn phí"},
        {"channel": "Dịch vụ bưu chính", "time": "Không quy định", "fee": "10.000 Đồng"},
        {"channel": "Trực tiếp", "time": "1,5 (chưa ghi đơn vị)", "fee": "Không có thông tin"},
    ]


def test_documents_grouped_with_counts_and_remarks_apart():
    proc = Procedure(code="x", name="x", documents=[
        Document("Tờ khai", template="TK1.docx", originals=1, group="Giấy tờ phải nộp"),
        Document("Trường hợp ủy quyền thì có văn bản ủy quyền", group="Giấy tờ phải nộp"),
        Document("Bản sao giấy khai sinh", originals=1, copies=2, group="Giấy tờ phải nộp"),
        Document("Cá nhân có quyền chọn nơi nộp", group="Lưu ý"),
    ])
    submit, remarks = document_groups(proc)
    assert submit["heading"] == "Giấy tờ phải nộp" and not submit["remarks"]
    assert [(d["name"], d["counts"], d["note"]) for d in submit["items"]] == [
        ("Tờ khai", "1 bản chính", False),
        ("Trường hợp ủy quyền thì có văn bản ủy quyền", "", True),
        ("Bản sao giấy khai sinh", "1 bản chính, 2 bản sao", False),
    ]
    assert remarks["remarks"]


def test_search_is_accent_insensitive_and_tolerates_nonsense():
    assert search_results("đăng ký khai sinh")[0]["code"] == search_results("dang ky khai sinh")[0]["code"]
    assert search_results("")[:1] == []
    assert isinstance(search_results("\x00<script>" * 100), list)


def test_address_view_names_the_offices():
    view = address_view("phuong Ben Nghe, quan 1, TP HCM")
    [ward] = view["wards"]
    assert ward["name"] == "Phường Sài Gòn"
    assert "Trung tâm Phục vụ hành chính công" in ward["offices"]["province_level"]
    assert address_view("") == {}
    assert address_view("zzzz")["wards"] == []


def test_ambiguous_addresses_become_next_steps():
    first = address_view("phuong 1")
    assert first["result"].status == "ambiguous" and len(first["options"]) > 5
    quang_tri = next(o for o in first["options"] if o["name"] == "Tỉnh Quảng Trị")
    second = address_view(quang_tri["query"])
    assert second["options"], second["result"].status         # which old town of Quảng Trị
    found = address_view(second["options"][0]["query"])
    assert found["wards"] and not found["options"]
    district = address_view("quan 1 tp hcm")                   # a district: which ward of it
    assert district["options"][0]["query"].endswith(", Quận 1, Thành phố Hồ Chí Minh")


def test_every_sheet_is_planned_to_fit_one_page():
    from hotline.web.guide import PRINT_LINES, _fixed_lines, _item_lines, procedure_view
    from procedure_kb.procedures import load_procedures

    for proc in load_procedures():
        view = procedure_view(proc)
        lists, plan = view["checklist"], view["print_plan"]
        printed = [i for key in ("required", "conditional") for i in lists[key] if not i["print_hidden"]]
        cut = any(r["fee_print"] for r in view["channels"]) or plan["results"] is not None
        lines = _fixed_lines(proc, view["channels"], lists, shortened=cut) + sum(
            _item_lines(i, len(i["print_short"]) if i["print_short"] else None) for i in printed)
        lines += bool(plan["shortened"]) + bool(plan["left_out"])
        assert lines <= PRINT_LINES + 1, (proc.code, lines)
        assert plan["left_out"] == sum(i["print_hidden"] for i in lists["conditional"])
    long_one = procedure_view(next(p for p in load_procedures() if p.code == "1.011441"))
    assert long_one["print_plan"]["left_out"] > 50             # 110 case-only documents: most stay on screen
    assert long_one["print_plan"]["shortened"]
    birth = procedure_view(next(p for p in load_procedures() if p.code == "1.001193"))
    assert not birth["print_plan"]["shortened"] and not birth["print_plan"]["left_out"]   # printed in full
