"""The administrative unit tables before and after 1 July 2025, and the name index the lookup uses.

Data: ``procedure_kb/data/admin_units.json.gz`` (built by ``python -m procedure_kb
import-units``), loaded once on first use. Old units are 63 provinces / 696 districts /
10,035 wards; new units are 34 provinces / 3,321 communes (xã, phường, đặc khu).
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from procedure_kb.address_parse import tokenize

MAX_INPUT_CHARS = 1000  # a real address is far shorter; longer text is not an address
_MAX_KEY_WORDS = 8

# Spellings of old provinces that are not their official name.
_PROVINCE_ALIASES = {
    "thua thien hue": "46",
    "hue": "46",
    "tp hue": "46",
    "dac lac": "66",
    "dak lac": "66",
    "dac nong": "67",
    "ba ria": "77",
}


@dataclass
class Units:
    """All unit tables plus the indexes the lookup needs (built once)."""

    new_provinces: dict[str, tuple[str, str]]
    new_wards: dict[str, dict[str, str]]
    old_provinces: dict[str, str]
    old_districts: dict[str, tuple[str, str]]
    old_wards: dict[str, tuple[str, str]]
    edges_by_old_ward: dict[str, list[tuple[str, str, str]]]
    edges_by_district: dict[str, list[tuple[str, str, str]]]  # district-only (island) edges
    edges_by_new: dict[str, list[tuple[str, str, str, str]]]
    wards_by_district: dict[str, list[str]]
    districts_by_province: dict[str, list[str]]
    new_wards_by_province: dict[str, list[str]]
    new_provinces_of_old_ward: dict[str, set[str]]
    index: dict[str, list[tuple[str, str]]]  # folded bare name -> [(level, code)]
    new_index: dict[str, list[str]]  # folded new-ward name -> codes
    new_province_index: dict[str, str]
    max_key_words: int = _MAX_KEY_WORDS


def _bare(name: str) -> str:
    """Folded name without its unit type ("Thị trấn Ba Chẽ" -> "ba che")."""
    folded = " ".join(tok for tok, _ in tokenize(name))
    for prefix in ("thanh pho ", "thi tran ", "thi xa ", "dac khu ", "phuong ", "xa ", "quan ", "huyen ", "tinh "):
        if folded.startswith(prefix):
            return folded[len(prefix):]
    return folded


def _build(raw: dict[str, Any]) -> Units:
    new_provinces = {c: (n, en) for c, n, en in raw["new_provinces"]}
    new_wards = {
        c: {"code": c, "name": n, "name_en": en, "province_code": p, "current_name": cur, "formed_from": ff}
        for c, n, en, p, cur, ff in raw["new_wards"]
    }
    old_provinces = {c: n for c, n in raw["old_provinces"]}
    old_districts = {c: (n, p) for c, n, p in raw["old_districts"]}
    old_wards = {c: (n, d) for c, n, d, _ in raw["old_wards"]}
    former = {c: names for c, _, _, names in raw["old_wards"] if names}
    by_old: dict[str, list] = defaultdict(list)
    by_district: dict[str, list] = defaultdict(list)
    by_new: dict[str, list] = defaultdict(list)
    new_prov_of: dict[str, set] = defaultdict(set)
    for old_code, district, new_code, kind, note in raw["edges"]:
        if old_code:
            by_old[old_code].append((new_code, kind, note))
            new_prov_of[old_code].add(new_wards[new_code]["province_code"])
        else:
            by_district[district].append((new_code, kind, note))
        by_new[new_code].append((old_code, district, kind, note))
    wards_by_district: dict[str, list] = defaultdict(list)
    for c, (_, d) in sorted(old_wards.items()):
        wards_by_district[d].append(c)
    districts_by_province: dict[str, list] = defaultdict(list)
    for c, (_, p) in sorted(old_districts.items()):
        districts_by_province[p].append(c)
    new_by_prov: dict[str, list] = defaultdict(list)
    for c, w in sorted(new_wards.items()):
        new_by_prov[w["province_code"]].append(c)

    index: dict[str, list] = defaultdict(list)
    for c, n in old_provinces.items():
        index[_bare(n)].append(("province", c))
    for alias, c in _PROVINCE_ALIASES.items():
        index[alias].append(("province", c))
    for c, (n, _) in old_districts.items():
        index[_bare(n)].append(("district", c))
    for c, (n, _) in old_wards.items():
        index[_bare(n)].append(("ward", c))
        for alias in former.get(c, ()):
            if (key := _bare(alias)) != _bare(n):
                index[key].append(("ward_alias", c))
        if c.startswith("D"):  # an unnumbered area named by a long phrase: its head is enough
            head = _bare(n).split(" do huyen ")[0]
            index[head].append(("ward", c))
            index[head.replace("khu vuc ", "", 1)].append(("ward", c))
    new_index: dict[str, list] = defaultdict(list)
    for c, w in new_wards.items():
        for name in {w["name"], w["current_name"]} - {""}:
            new_index[_bare(name)].append(c)
    new_province_index = {_bare(n): c for c, (n, _) in new_provinces.items()}
    longest = max(len(k.split()) for k in index)
    return Units(
        new_provinces, new_wards, old_provinces, old_districts, old_wards,
        dict(by_old), dict(by_district), dict(by_new), dict(wards_by_district),
        dict(districts_by_province), dict(new_by_prov), dict(new_prov_of), dict(index), dict(new_index),
        new_province_index, longest,
    )


@lru_cache(maxsize=1)
def data() -> Units:
    """The unit tables, loaded from the committed package data on first use."""
    blob = resources.files("procedure_kb").joinpath("data/admin_units.json.gz").read_bytes()
    return _build(json.loads(gzip.decompress(blob)))
