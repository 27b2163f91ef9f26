"""The importer turns the portal's glued tables into usable records (real records as fixtures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procedure_kb.procedures import (
    Procedure,
    annotate_transition,
    data_meta,
    load_procedures,
    parse_channels,
    parse_documents,
    parse_legal_basis,
    parse_record,
    parse_results,
)

SAMPLES = Path(__file__).parent / "data" / "procedure_raw_samples.jsonl"


@pytest.fixture(scope="module")
def parsed() -> dict[str, Procedure]:
    records = [json.loads(line) for line in SAMPLES.read_text("utf-8").splitlines() if line.strip()]
    return {r["ma_thu_tuc"]: parse_record(r, data_taken="2026") for r in records}


def test_glued_channel_table_is_split_into_channels_with_time_and_fee():
    text = "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến1Miễn phí(Không thu)Trực tiếp5 Ngày làm việc50,000 VNĐ(50.000 đồng/lần)Nộp trực tiếp tại Trung tâm"
    online, direct = parse_channels(text)
    assert (online.channel, online.time_value, online.time_unit) == ("Trực tuyến", 1.0, None)
    assert online.fee.startswith("Miễn phí")
    assert (direct.channel, direct.time_value, direct.time_unit) == ("Trực tiếp", 5.0, "Ngày làm việc")
    assert direct.fee.startswith("50,000 VNĐ") and direct.description == "Nộp trực tiếp tại Trung tâm"


def test_channel_word_inside_a_description_does_not_start_a_new_channel():
    text = "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp7 NgàyMiễn phíTrực tiếp tại Công an cấp xã"
    channels = parse_channels(text)
    assert len(channels) == 1
    assert channels[0].description == "Trực tiếp tại Công an cấp xã"


def test_time_without_unit_glued_to_a_numeric_fee_is_split_using_the_fee_text(parsed):
    channel = parsed["2.002009"].channels[0]
    assert channel.time_value == 1.0
    assert channel.fee.startswith("100 VNĐ")


def test_time_given_in_words_is_kept(parsed):
    assert parsed["1.007689"].channels[0].time_note.startswith("Không phải trả kết quả")


def test_documents_have_name_form_and_copies(parsed):
    docs = parsed["1.007689"].documents
    assert docs[0].name.startswith("Tờ khai thuế đối với hoạt động cho thuê bất động sản")
    assert docs[0].template == "01 BĐS.docx"
    assert (docs[0].originals, docs[0].copies) == (1, 1)
    assert len(parsed["1.000178"].documents) == 8


def test_documents_keep_their_group_heading():
    text = "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai1 bản chínhGiấy tờ phải xuất trình:Tên giấy tờMẫu đơn, tờ khaiSố lượngHộ chiếu1 bản chính"
    docs = parse_documents(text)
    assert [(d.name, d.group) for d in docs] == [("Tờ khai", "Giấy tờ phải nộp"), ("Hộ chiếu", "Giấy tờ phải xuất trình")]


def test_legal_basis_rows_split_title_from_number():
    text = "Tên văn bản pháp lýMã văn bảnLuật 54/2014/QH1354/2014/QH13Luật Khiếu nại  năm 201102/2011/QH13Thông tư số 19/2021/TT-BTC ngày 18/3/2021 của Bộ Tài chính19/2021/TT-BTC"
    assert [(x.title, x.number) for x in parse_legal_basis(text)] == [
        ("Luật 54/2014/QH13", "54/2014/QH13"),
        ("Luật Khiếu nại năm 2011", "02/2011/QH13"),
        ("Thông tư số 19/2021/TT-BTC ngày 18/3/2021 của Bộ Tài chính", "19/2021/TT-BTC"),
    ]


def test_result_drops_page_chrome():
    text = "Giấy khai sinhMã: KQ.G15.000031Từ khóaKhông có thông tinMô tảKhông có thông tinChọn cơ quan thực hiệnTỉnh/ Thành phố-- Chọn --Nộp hồ sơ"
    assert [(r.name, r.code) for r in parse_results(text)] == [("Giấy khai sinh", "KQ.G15.000031")]


def test_no_sample_keeps_page_chrome_anywhere(parsed):
    for proc in parsed.values():
        blob = json.dumps(proc.to_dict(), ensure_ascii=False)
        assert "Chọn cơ quan thực hiện" not in blob, proc.code


def test_channels_tail_spilled_into_legal_basis_is_repaired(parsed):
    proc = parsed["3.000337"]
    assert proc.status == "repaired"
    assert [c.channel for c in proc.channels] == ["Trực tuyến", "Dịch vụ bưu chính", "Trực tiếp"]
    assert proc.legal_basis == []  # the spill was fee text, not legal rows


def test_result_spilled_into_conditions_is_repaired(parsed):
    proc = parsed["1.000916"]
    assert proc.status == "repaired"
    assert proc.conditions == ""


def test_next_section_glued_onto_legal_basis_is_cut(parsed):
    proc = parsed["1.003867"]
    assert proc.status == "repaired"
    assert all("Cơ quan thực hiện" not in x.title for x in proc.legal_basis)


def test_related_procedures_glued_into_competent_body_are_moved(parsed):
    proc = parsed["1.011470"]
    assert "Tên thủ tục" not in proc.competent_body


def test_commune_procedure_says_where_to_submit_now(parsed):
    proc = parsed["1.001193"]
    assert proc.levels == ["commune"]
    assert "cấp xã" in proc.submit_where and "dichvucong.gov.vn" in proc.submit_where
    assert proc.detail_url.startswith("https://dichvucong.gov.vn/")


def test_text_naming_abolished_units_is_flagged():
    proc = Procedure(code="x", name="Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp huyện)", levels=["commune"],
                     steps=["Nộp hồ sơ tại Ủy ban nhân dân huyện hoặc thị trấn"])
    annotate_transition(proc)
    lowered = [m.lower() for m in proc.abolished_mentions]
    assert "cấp huyện" in lowered and "thị trấn" in lowered
    assert any("ủy ban nhân dân huyện" in m for m in lowered)


def test_committed_data_covers_every_procedure_with_source_and_date():
    procedures = load_procedures()
    assert len(procedures) == 2642
    assert len({p.code for p in procedures}) == 2642
    assert all(p.detail_url.startswith("https://dichvucong.gov.vn/") and p.data_taken for p in procedures)
    report = data_meta()["report"]
    assert (report["clean"] + report["repaired"]) / report["total"] >= 0.98


def test_committed_data_has_no_page_chrome_in_results():
    for proc in load_procedures():
        assert not any("Chọn cơ quan thực hiện" in r.name for r in proc.results), proc.code


def test_time_written_as_a_sentence_still_gives_channels():
    text = ("Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếpHệ thống phản hồi tự động qua phương thức điện tử."
            "Không có thông tinTại Trung tâm phục vụ hành chính công cấp tỉnh, xãTrực tuyếnHệ thống phản hồi tự động."
            "Không có thông tinQua Cổng dịch vụ công Quốc gia")
    direct, online = parse_channels(text)
    assert (direct.channel, online.channel) == ("Trực tiếp", "Trực tuyến")
    assert direct.time_note.startswith("Hệ thống phản hồi") and direct.description.startswith("Tại Trung tâm")
