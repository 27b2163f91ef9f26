"""Build the committed administrative-unit data from ``../shared/data/admin_units``.

The official conversion table (Decision 19/2025/QĐ-TTg and the Standing Committee
resolutions, as republished by zindont/vn-address-kit) is the authority for every
old -> new edge. Other sources only supply what the table lacks (clean old names, unit
types, English names, "formed from" text) or settle its few defects; every repair is
listed in the import report so nobody has to trust it blindly.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from procedure_kb.textnorm import nfc, normalize_tone_placement

OFFICIAL = "dvhc_2025_conversion_official.csv"
ZINDONT = "zindont_vn-address-kit"
THANG = "thanglequoc_vietnamese-provinces-database"
DVHCVN = "dvhcvn_20250701"

# Rows of the official table whose old_ward_code belongs to another ward (the name is right,
# the code was copied from the row above). The right codes come from dvhcvn (GSO codes) and
# are confirmed by the ward's district; without this the three wards would be invisible.
CODE_FIXES = {
    ("00553", "Xã Đặng Xá"): "00556",
    ("01615", "Xã Mỹ Hưng"): "01651",
    ("02485", "Xã Phú Thịnh"): "02482",
}

# Kind of change, from the table's free-text note (first matching rule wins).
_KIND_RULES = [
    ("phần còn lại", "part"),
    ("từ một phần", "part"),
    ("một phần", "part"),
    ("đổi tên", "renamed"),
    ("đổi loại hình", "renamed"),
    ("giữ nguyên", "unchanged"),
    ("toàn bộ", "whole"),
]


def clean(text: str) -> str:
    """NFC, modern tone placement, single spaces: how every stored name is written."""
    text = normalize_tone_placement(nfc(text or ""))
    return " ".join(text.replace("\u00a0", " ").split())


def fix_prefix(name: str) -> str:
    """Capitalise the unit type ("xã Vạn Phú" -> "Xã Vạn Phú", "Thị Xã" -> "Thị xã")."""
    name = clean(name)
    typos = {"Thi trấn": "Thị trấn", "Xa": "Xã"}
    for prefix in ("Thị trấn", "Thi trấn", "Thị xã", "Thành phố", "Phường", "Xã", "Xa", "Quận", "Huyện", "Tỉnh", "Đặc khu"):
        if name.lower().startswith(prefix.lower() + " "):
            return typos.get(prefix, prefix) + name[len(prefix):]
    return name


def change_kind(note: str) -> str:
    low = clean(note).lower().replace("nhâp", "nhập")
    for needle, kind in _KIND_RULES:
        if needle in low:
            return kind
    return "whole"


def _read_json(path: Path):
    return json.loads(path.read_text("utf-8"))


def build(source: Path) -> tuple[dict, list[str]]:
    """Return (data, report lines) built from the shared source folder."""
    report: list[str] = []
    rows = list(csv.DictReader((source / OFFICIAL).open(encoding="utf-8")))
    report.append(f"official table: {len(rows)} edges")

    legacy_wards = {w["code"]: w for w in _read_json(source / ZINDONT / "legacy-wards.json")}
    legacy_districts = {d["code"]: d for d in _read_json(source / ZINDONT / "legacy-districts.json")}
    legacy_provinces = {p["code"]: p for p in _read_json(source / ZINDONT / "legacy-provinces.json")}

    # --- repairs to the table ------------------------------------------------------------
    for row in rows:
        key = (row["old_ward_code"], clean(row["old_ward"]))
        if key in CODE_FIXES:
            row["old_ward_code"] = CODE_FIXES[key]
            report.append(f"fix: {key[1]} ({row['old_district']}) carried code {key[0]}; GSO code {row['old_ward_code']} used")
        # Huyện Cồn Cỏ (471) is in old Quảng Trị (45): the row says 44 (Quảng Bình's code)
        # but names "Quảng Trị", and every other 46x/47x district of Quảng Trị is under 45.
        if row["old_district_code"] == "471" and row["old_province_code"] == "44":
            row["old_province_code"] = "45"
            report.append("fix: Huyện Cồn Cỏ listed under province code 44 with name 'Quảng Trị'; moved to 45 (Tỉnh Quảng Trị)")

    # --- new units: names from the official table, types/English from thanglequoc v3.0.2 ----
    v3 = _read_json(source / THANG / "full_json_vn_units_v3.0.2_20250701.json")
    v4 = _read_json(source / THANG / "full_json_vn_units_HEAD_v4.2.0.json")
    v3_wards = {w["Code"]: w for p in v3 for w in p["Wards"]}
    v4_wards = {w["Code"]: w for p in v4 for w in p["Wards"]}
    v3_prov = {p["Code"]: p for p in v3}
    # thanglequoc writes Xã Ba Chẽ (Quảng Ninh) as 06978; the official table says 06970.
    for book in (v3_wards, v4_wards):
        if "06978" in book and "06970" not in book:
            book["06970"] = book.pop("06978")
    report.append("fix: Xã Ba Chẽ is 06978 in thanglequoc, 06970 in the official table: 06970 kept, 06978 accepted as an alias")

    new_provinces: dict[str, dict] = {}
    new_wards: dict[str, dict] = {}
    name_votes: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        pc = row["new_province_code"]
        new_provinces.setdefault(pc, {"code": pc, "name": clean(row["new_province"])})
        name_votes[row["new_ward_code"]][fix_prefix(row["new_ward"])] += 1
        new_wards.setdefault(row["new_ward_code"], {"code": row["new_ward_code"], "province_code": pc})
    for code, votes in name_votes.items():
        names = list(votes)
        if len(names) > 1:
            report.append(f"new ward {code} written {len(names)} ways {names}: kept {votes.most_common(1)[0][0]}")
        new_wards[code]["name"] = votes.most_common(1)[0][0]
    for pc, prov in new_provinces.items():
        prov["name_en"] = v3_prov.get(pc, {}).get("FullNameEn", "")
    type_changes = []
    for code, ward in new_wards.items():
        src = v3_wards.get(code)
        if src is None:
            report.append(f"new ward {code} {ward['name']} missing from thanglequoc v3.0.2")
            continue
        ward["name_en"] = src["FullNameEn"]
        later = v4_wards.get(code)
        if later and fix_prefix(later["FullName"]).replace("’", "'") != ward["name"].replace("’", "'"):
            # Resolution 30/2026/QH16 (per thanglequoc v4.2.0) turned some Đồng Nai communes
            # into wards. The code and the 1 July 2025 name stay the contract; the later name
            # is kept beside it so the assistant can say what the unit is called today.
            ward["current_name"] = fix_prefix(later["FullName"])
            ward["current_name_en"] = later["FullNameEn"]
            type_changes.append(f"{code} {ward['name']} -> {ward['current_name']}")
    report.append(f"later type changes (thanglequoc v4.2.0 vs v3.0.2, Đồng Nai 2026): {len(type_changes)}: " + "; ".join(type_changes))
    tone_fixed = sum(1 for w in v4_wards.values() if clean(w["FullName"]) != unicodedata.normalize("NFC", w["FullName"]))
    report.append(f"old-style tone marks in thanglequoc v4.2.0 normalised: {tone_fixed} ward names")

    formed = {}
    for item in _read_json(source / THANG / "sapnhap_bando_donvi_tinhthanh.json"):
        code = "06970" if item["ma"] == "06978" else item["ma"]
        if code in new_wards and item.get("truocsapnhap"):
            formed[code] = clean(item["truocsapnhap"])
    report.append(f"'formed from' text for {len(formed)} of {len(new_wards)} new wards")

    # --- old units -------------------------------------------------------------------------
    old_provinces: dict[str, str] = {}
    for pc, p in legacy_provinces.items():
        old_provinces[pc] = clean(p["nameWithType"])
    old_districts: dict[str, list] = {}
    for row in rows:
        dc = row["old_district_code"]
        d = legacy_districts.get(dc)
        name = fix_prefix(d["nameWithType"] if d else row["old_district"])
        old_districts.setdefault(dc, [name, row["old_province_code"]])
    old_wards: dict[str, list] = {}
    renamed_old = 0
    edges = []
    for row in rows:
        wc, raw_name = row["old_ward_code"], fix_prefix(row["old_ward"])
        if not wc and raw_name:
            # "Khu vực bãi bồi ven biển do huyện Kim Sơn quản lý": an area, not a ward; give
            # it a stable synthetic code so it can be looked up like one.
            wc = "D" + row["old_district_code"]
        if wc:
            lw = legacy_wards.get(wc)
            name = raw_name
            if lw and raw_name.lower() in (clean(lw["nameWithType"]).lower(), clean(lw["name"]).lower()):
                name = fix_prefix(lw["nameWithType"])
            if not re.match(r"(Xã|Phường|Thị trấn|Khu vực) ", name):
                # 'Xuân Quang 3', 'Xuân Phước': the table dropped the type; GSO lists them as communes.
                name = "Xã " + raw_name
            if name != clean(row["old_ward"]):
                renamed_old += 1
            old_wards.setdefault(wc, [name, row["old_district_code"]])
        edges.append([wc, row["old_district_code"], row["new_ward_code"], change_kind(row["note"]), clean(row["note"])])
    report.append(f"old ward names tidied (type word case, missing type, spacing): {renamed_old} rows")
    # Names of wards merged before 2025 (zindont formerNames): old papers still carry them.
    former: dict[str, list[str]] = {}
    for wc, (name, _) in old_wards.items():
        lw = legacy_wards.get(wc) or {}
        names = [clean(f["name"]) for f in lw.get("formerNames") or [] if clean(f["name"]).lower() != name.lower()]
        if names:
            former[wc] = sorted(set(names))
    report.append(f"former names kept as aliases: {sum(map(len, former.values()))} on {len(former)} wards")
    report.append(
        f"result: {len(new_provinces)} new provinces, {len(new_wards)} new wards, {len(old_provinces)} old provinces, "
        f"{len(old_districts)} old districts, {sum(1 for c in old_wards if not c.startswith('D'))} old wards "
        f"(+{sum(1 for c in old_wards if c.startswith('D'))} unnumbered area), "
        f"{sum(1 for e in edges if not e[0])} district-only edges (island districts), {len(edges)} edges"
    )
    report.append("kinds: " + ", ".join(f"{k} {n}" for k, n in Counter(e[3] for e in edges).most_common()))

    data = {
        "meta": {
            "source": "official conversion table (Decision 19/2025/QĐ-TTg; 34 NQ-UBTVQH15) via zindont/vn-address-kit faa205f6; "
            "thanglequoc/vietnamese-provinces-database v3.0.2+v4.2.0; dvhcvn dd94887c; sapnhap.bando.com.vn",
            "state": "2025-07-01",
        },
        "new_provinces": sorted([p["code"], p["name"], p["name_en"]] for p in new_provinces.values()),
        "new_wards": sorted(
            [w["code"], w["name"], w.get("name_en", ""), w["province_code"], w.get("current_name", ""), formed.get(w["code"], "")]
            for w in new_wards.values()
        ),
        "old_provinces": sorted([c, n] for c, n in old_provinces.items()),
        "old_districts": sorted([c, n, p] for c, (n, p) in old_districts.items()),
        "old_wards": sorted([c, n, d, former.get(c, [])] for c, (n, d) in old_wards.items()),
        "edges": edges,
    }
    return data, report


def write(data: dict, target: Path) -> int:
    """Write gzip JSON deterministically (no timestamp) so rebuilding gives the same bytes."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with target.open("wb") as fh:
        with gzip.GzipFile(filename="", fileobj=fh, mode="wb", mtime=0, compresslevel=9) as gz:
            gz.write(raw)
    return target.stat().st_size
