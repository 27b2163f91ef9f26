"""Reverse lookup, where to go, step-by-step narrowing for forms, the CLI contract and the import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from procedure_kb import units
from procedure_kb.units_cli import DEFAULT_SOURCE, DEFAULT_TARGET

ROOT = Path(__file__).resolve().parents[1]


def test_reverse_lists_the_old_units_that_formed_a_new_ward():
    found = units.reverse_lookup("Phường Sài Gòn", "TP Hồ Chí Minh")
    assert len(found) == 1 and found[0]["code"] == "26740"
    olds = {o["ward"]["name"] for o in found[0]["formed_from"]}
    assert {"Phường Bến Nghé", "Phường Đa Kao", "Phường Nguyễn Thái Bình"} <= olds
    assert all(o["district"]["name"] == "Quận 1" for o in found[0]["formed_from"])


def test_reverse_accepts_unaccented_name_and_code_and_today_names():
    assert units.reverse_lookup("phuong sai gon")[0]["code"] == "26740"
    assert units.reverse_lookup("26740")[0]["name"] == "Phường Sài Gòn"
    assert units.reverse_lookup("Phường Long Thành")[0]["code"] == "26368"  # 2026 name


def test_reverse_island_and_unknown():
    con_dao = units.reverse_lookup("Đặc khu Côn Đảo")[0]
    assert con_dao["formed_from"][0]["district"]["name"] == "Huyện Côn Đảo"
    assert units.reverse_lookup("asdf") == [] and units.reverse_lookup("x" * 5000) == []


def test_where_to_go_names_the_commune_and_province_offices():
    where = units.where_to_go("26740")
    assert "Ủy ban nhân dân Phường Sài Gòn" in where["commune_level"]
    assert "Trung tâm Phục vụ hành chính công phường Sài Gòn" in where["commune_level"]
    assert where["province_level"] == "Trung tâm Phục vụ hành chính công Thành phố Hồ Chí Minh"
    assert units.where_to_go("nope") == {}


def test_form_narrows_province_then_district_then_ward():
    provinces = units.old_provinces()
    assert len(provinces) == 63
    hcm = next(p for p in provinces if p["name"] == "Thành phố Hồ Chí Minh")
    q1 = next(d for d in units.old_districts(hcm["code"]) if d["name"] == "Quận 1")
    ben_nghe = next(w for w in units.old_wards(q1["code"]) if w["name"] == "Phường Bến Nghé")
    assert units.lookup_old_ward(ben_nghe["code"]).new_wards[0]["name"] == "Phường Sài Gòn"
    assert units.old_districts("zz") == [] and units.old_wards("zz") == []


def test_find_old_units_understands_free_text_answers_within_the_parent():
    assert units.find_old_units("tp hcm", "province")[0]["code"] == "79"
    assert units.find_old_units("Q1", "district", "79")[0]["name"] == "Quận 1"
    assert units.find_old_units("ben nghe", "ward", "760")[0]["name"] == "Phường Bến Nghé"
    assert units.find_old_units("Ben Nghee", "ward", "760")[0]["name"] == "Phường Bến Nghé"  # typo
    assert units.find_old_units("asdf", "ward", "760") == []


def test_island_district_from_a_button_resolves_without_asking_a_ward():
    res = units.lookup_old_district("755")
    assert res.status == "found" and res.new_wards[0]["name"] == "Đặc khu Côn Đảo"
    assert units.lookup_old_district("760").ask == "ward"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "procedure_kb", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_cli_address_json_contract():
    proc = _cli("address", "P. Bến Nghé, Q.1, TP.HCM", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    ward = out["new_wards"][0]
    assert (ward["code"], ward["name"], ward["province_code"], ward["province"]) == (
        "26740", "Phường Sài Gòn", "79", "Thành phố Hồ Chí Minh")
    assert out["matched_old"]["ward"]["name"] == "Phường Bến Nghé"
    assert out["matched_old"]["district"]["name"] == "Quận 1"


def test_cli_address_not_found_is_valid_json_with_empty_new_wards():
    proc = _cli("address", "asdf", "--json")
    out = json.loads(proc.stdout)
    assert out["new_wards"] == [] and out["status"] == "not_found" and out["message"]


def test_import_rebuilds_the_committed_data_byte_for_byte(tmp_path):
    if not (DEFAULT_SOURCE / "dvhc_2025_conversion_official.csv").exists():
        pytest.skip("shared source data not available")
    target = tmp_path / "units.json.gz"
    proc = _cli("import-units", "--out", str(target))
    assert proc.returncode == 0, proc.stderr
    assert "Ba Chẽ" in proc.stdout and "Đồng Nai" in proc.stdout
    assert target.read_bytes() == DEFAULT_TARGET.read_bytes()
