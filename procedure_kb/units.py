"""Administrative units before and after 1 July 2025, and the old address -> new ward lookup.

Data: ``procedure_kb/data/admin_units.json.gz`` (built by ``python -m procedure_kb
import-units``), loaded once on first use. Old units are 63 provinces / 696 districts /
10,035 wards; new units are 34 provinces / 3,321 communes (xã, phường, đặc khu).
Every public function takes plain strings and never raises on bad input.

Why about 450 lines: the lookup's decisions (resolved / ambiguous / incomplete / not found) and
the small browse API forms and buttons use share the private result builders; the tables live
in `units_data`, the reading of names in `units_match`, the wording in `address_messages`.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field
from typing import Any

from procedure_kb.address_messages import (
    COMMUNE_OFFICE,
    KIND_EN,
    KIND_VI,
    ONLINE_PORTAL,
    PROVINCE_OFFICE,
    NoteKind,
    note_text,
    resolved_text,
)
from procedure_kb.address_parse import (
    fold_address,
    tokenize,
)
from procedure_kb.i18n import say
from procedure_kb.units_data import MAX_INPUT_CHARS, Units, _bare, data
from procedure_kb.units_match import _Match, _matches, _score_districts, _score_wards, _tie_break

__all__ = [
    "AddressResult",
    "OldUnit",
    "old_unit",
    "KIND_VI",
    "KIND_EN",
    "lookup_address",
    "lookup_old_ward",
    "lookup_old_district",
    "reverse_lookup",
    "where_to_go",
    "old_provinces",
    "old_districts",
    "old_wards",
    "find_old_units",
    "data",
]


# ---------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------


@dataclass
class AddressResult:
    """What the lookup understood and where it leads. `status` tells the caller what to do:

    found       one old unit, one new ward;
    split       one old unit that went into several new wards (depends on the street);
    ambiguous   several old units match; ask `ask` ("province"/"district") from `options`;
    incomplete  only a province or district understood; ask `ask` from `options`;
    not_found   nothing understood; `message` says how to write the address.

    The result is data: `note` (and `note_values`) name what it has to tell the citizen, and
    `message`/`message_en` word it from the catalogue `procedure_kb.address_messages`.
    """

    query: str
    status: str
    matched_old: dict[str, Any] = field(default_factory=dict)
    new_wards: list[dict[str, Any]] = field(default_factory=list)
    change: str = ""
    depends_on_street: bool = False
    candidates: list[dict[str, Any]] = field(default_factory=list)
    ask: str = ""
    options: list[dict[str, str]] = field(default_factory=list)
    note: NoteKind = NoteKind.NOT_FOUND
    note_values: dict[str, Any] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return bool(self.new_wards)

    def text(self, lang: str) -> str:
        """What to tell the citizen, in `lang`."""
        if self.note is NoteKind.RESOLVED:
            return resolved_text(self.matched_old, self.new_wards, lang)
        return note_text(self.note, self.note_values, lang)

    @property
    def message(self) -> str:
        return self.text("vi")

    @property
    def message_en(self) -> str:
        return self.text("en")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        del out["note"], out["note_values"]
        return {**out, "message": self.message, "message_en": self.message_en}


def _unit(code: str, name: str) -> dict[str, str]:
    return {"code": code, "name": name}


def _old_triple(u: Units, ward: str | None, district: str) -> dict[str, Any]:
    dname, prov = u.old_districts[district]
    return {
        "ward": _unit(ward, u.old_wards[ward][0]) if ward else None,
        "district": _unit(district, dname),
        "province": _unit(prov, u.old_provinces[prov]),
    }


def _new_ward_entry(u: Units, code: str, kind: str, note: str) -> dict[str, Any]:
    w = u.new_wards[code]
    pname, pname_en = u.new_provinces[w["province_code"]]
    return {
        "code": code,
        "name": w["name"],
        "province_code": w["province_code"],
        "province": pname,
        "name_en": w["name_en"],
        "province_en": pname_en,
        "current_name": w["current_name"] or w["name"],
        "kind": kind,
        "part": note if kind == "part" else "",
        "note": note,
    }


def _overall_change(edges: list[tuple[str, str, str]]) -> str:
    if len(edges) > 1:
        return "split"
    return {"whole": "merged_whole", "part": "merged_part"}.get(edges[0][1], edges[0][1])


def _resolved(query: str, u: Units, ward: str | None, district: str) -> AddressResult:
    edges = u.edges_by_old_ward[ward] if ward else u.edges_by_district[district]
    old = _old_triple(u, ward, district)
    entries = [_new_ward_entry(u, c, k, n) for c, k, n in edges]
    return AddressResult(
        query=query,
        status="split" if len(entries) > 1 else "found",
        matched_old=old,
        new_wards=entries,
        change=_overall_change(edges),
        depends_on_street=len(entries) > 1,
        note=NoteKind.RESOLVED,
    )


def _not_found(query: str, why: NoteKind = NoteKind.NOT_FOUND) -> AddressResult:
    return AddressResult(query=query, status="not_found", note=why)


def _ambiguous(query: str, u: Units, wards: list[tuple[str, str]]) -> AddressResult:
    """Several old wards fit: list them and pick the one question that separates them."""
    cands = [_old_triple(u, w, d) for w, d in wards]
    provinces = {c["province"]["code"] for c in cands}
    if len({c["district"]["code"] for c in cands}) == 1:
        ask = "ward"
        options = [_unit(c["ward"]["code"], c["ward"]["name"]) for c in cands]
        note, values = NoteKind.SIMILAR_IN_DISTRICT, {"district": cands[0]["district"]["name"], "count": len(cands)}
    elif len(provinces) > 1:
        ask = "province"
        options = [_unit(p, u.old_provinces[p]) for p in sorted(provinces)]
        note, values = NoteKind.SAME_NAME_PROVINCES, {"count": len(cands), "name": cands[0]["ward"]["name"]}
    else:
        ask = "district"
        options = [_unit(c["district"]["code"], c["district"]["name"]) for c in cands]
        note, values = NoteKind.SAME_NAME_DISTRICTS, {"count": len(cands), "name": cands[0]["ward"]["name"],
                                                      "province": cands[0]["province"]["name"]}
    return AddressResult(query=query, status="ambiguous", matched_old={}, candidates=cands, ask=ask,
                         options=options, note=note, note_values=values)


def _incomplete(query: str, u: Units, district: str | None, province: str | None) -> AddressResult:
    if district:
        old = _old_triple(u, None, district)
        options = [_unit(w, u.old_wards[w][0]) for w in u.wards_by_district.get(district, [])]
        return AddressResult(query=query, status="incomplete", matched_old=old, ask="ward", options=options,
                             note=NoteKind.WHICH_WARD,
                             note_values={"district": old["district"]["name"], "province": old["province"]["name"]})
    assert province is not None
    old = {"ward": None, "district": None, "province": _unit(province, u.old_provinces[province])}
    options = [_unit(d, u.old_districts[d][0]) for d in u.districts_by_province.get(province, [])]
    # "Tỉnh Hà Giang nhập vào tỉnh nào?": the province-level answer is known already.
    return AddressResult(query=query, status="incomplete", matched_old=old, ask="district", options=options,
                         note=NoteKind.WHICH_DISTRICT, note_values={"fates": [_province_fate(u, province)]})


def _province_fate(u: Units, province: str) -> dict[str, str]:
    """Which new province(s) an old province went into: {old, new_vi, new_en} (names, comma-joined)."""
    news = sorted({u.new_wards[c]["province_code"] for w in _wards_of_province(u, province)
                   for c, _, _ in u.edges_by_old_ward.get(w, [])}
                  | {u.new_wards[c]["province_code"] for d in u.districts_by_province.get(province, [])
                     for c, _, _ in u.edges_by_district.get(d, [])})
    return {"old": u.old_provinces[province],
            "new_vi": ", ".join(u.new_provinces[c][0] for c in news),
            "new_en": ", ".join(u.new_provinces[c][1] or u.new_provinces[c][0] for c in news)}


def _wards_of_province(u: Units, province: str) -> list[str]:
    return [w for d in u.districts_by_province.get(province, []) for w in u.wards_by_district.get(d, [])]


def lookup_address(text: Any) -> AddressResult:
    """Resolve a free-form pre-reform address to the new ward(s); never raises."""
    query = text if isinstance(text, str) else ""
    if not query.strip():
        return _not_found(query, NoteKind.NO_ADDRESS)
    if len(query) > MAX_INPUT_CHARS:
        return _not_found(query[:80], NoteKind.TOO_LONG)
    u = data()
    toks = tokenize(query)
    matches = _matches(u, toks)
    wards = _score_wards(u, matches)
    districts = _score_districts(u, matches)
    # A ward that explains less of the text than a district does is a coincidence
    # ("Huyện Lý Sơn, Quảng Ngãi" is not "Xã Quảng Ngãi" of Lâm Đồng).
    # A district the citizen named with its type ("Quận 3") outranks a ward found elsewhere
    # ("Phường 7" of other districts, when Quận 3 had no Phường 7 any more).
    typed_districts = {m.code for m in matches if m.level == "district" and m.typed}
    if typed_districts:
        wards = [w for w in wards if w[2] in typed_districts]
    if wards and wards[0][0] >= 3.0 and (not districts or wards[0][0] >= districts[0][0]):
        best = wards[0][0]
        top = [(w, d) for s, w, d in wards if s == best]
        if len(top) > 1:
            top = _tie_break(u, query, matches, top)
        if len(top) == 1:
            return _resolved(query, u, top[0][0], top[0][1])
        return _ambiguous(query, u, top)
    if districts:
        best = districts[0][0]
        top = [d for s, d in districts if s == best]
        if len(top) == 1:
            d = top[0]
            fuzzy = _fuzzy_ward(u, query, d, matches)
            if fuzzy:
                return _resolved(query, u, fuzzy, d)
            if d in u.edges_by_district and not u.wards_by_district.get(d):
                return _resolved(query, u, None, d)  # island district without wards
            return _incomplete(query, u, d, None)
        provinces = sorted({u.old_districts[d][1] for d in top})
        cands = [_old_triple(u, None, d) for d in top]
        res = AddressResult(query=query, status="ambiguous", candidates=cands,
                            ask="province" if len(provinces) > 1 else "district")
        res.options = ([_unit(p, u.old_provinces[p]) for p in provinces] if len(provinces) > 1
                       else [_unit(d, u.old_districts[d][0]) for d in top])
        res.note, res.note_values = NoteKind.DISTRICTS_SHARE_NAME, {"count": len(top)}
        return res
    provinces = sorted({m.code for m in matches if m.level == "province" and not m.single} |
                       {m.code for m in matches if m.level == "province" and m.single and len(toks) <= 3})
    if len(provinces) == 1:
        return _incomplete(query, u, None, provinces[0])
    if len(provinces) > 1:
        return _several_provinces(query, u, provinces)
    return _not_found(query)


def _several_provinces(query: str, u: Units, provinces: list[str]) -> AddressResult:
    """"Long An giờ thuộc tỉnh Tây Ninh à?": say where each named province went, ask which one."""
    return AddressResult(
        query=query, status="ambiguous", ask="province",
        candidates=[{"ward": None, "district": None, "province": _unit(p, u.old_provinces[p])} for p in provinces],
        options=[_unit(p, u.old_provinces[p]) for p in provinces],
        note=NoteKind.SEVERAL_PROVINCES, note_values={"fates": [_province_fate(u, p) for p in provinces]},
    )


def _fuzzy_ward(u: Units, query: str, district: str, matches: list[_Match]) -> str | None:
    """A misspelt ward in a known district ("P. Ben Ngh, Q1"): closest name in that district only."""
    try:
        from rapidfuzz import fuzz, process
    except ImportError:  # optional: the exact lookup works without it
        return None
    choices = {w: _bare(u.old_wards[w][0]) for w in u.wards_by_district.get(district, [])}
    if not choices:
        return None
    for part in fold_address(query).split(","):
        words = " ".join(t for t, _ in tokenize(part))
        for prefix in ("phuong ", "xa ", "thi tran "):
            if words.startswith(prefix):
                hit = process.extractOne(words[len(prefix):], choices, scorer=fuzz.ratio, score_cutoff=80)
                if hit:
                    return hit[2]
    return None


# ---------------------------------------------------------------------------------------
# Direct lookups for forms and buttons
# ---------------------------------------------------------------------------------------


def lookup_old_ward(code: str) -> AddressResult:
    """Resolve an old ward by its code (as chosen from a button)."""
    u = data()
    if not isinstance(code, str) or code not in u.old_wards:
        return _not_found(str(code)[:80])
    return _resolved(u.old_wards[code][0], u, code, u.old_wards[code][1])


def lookup_old_district(code: str) -> AddressResult:
    """An old district chosen from a button: the island districts resolve, others ask the ward."""
    u = data()
    if not isinstance(code, str) or code not in u.old_districts:
        return _not_found(str(code)[:80])
    if code in u.edges_by_district and not u.wards_by_district.get(code):
        return _resolved(u.old_districts[code][0], u, None, code)
    return _incomplete(u.old_districts[code][0], u, code, None)


@dataclass(frozen=True)
class OldUnit:
    """A unit as it was before 1 July 2025, with the codes of the units above it."""

    code: str
    name: str
    level: str  # "province" | "district" | "ward"
    district: str = ""  # the district's code (wards only)
    province: str = ""  # the province's code (districts and wards)


def old_unit(code: Any, level: str) -> OldUnit | None:
    """The old unit of `level` with this code, or None."""
    u = data()
    if not isinstance(code, str):
        return None
    if level == "ward" and code in u.old_wards:
        name, district = u.old_wards[code]
        return OldUnit(code, name, level, district, u.old_districts[district][1])
    if level == "district" and code in u.old_districts:
        name, province = u.old_districts[code]
        return OldUnit(code, name, level, "", province)
    if level == "province" and code in u.old_provinces:
        return OldUnit(code, u.old_provinces[code], level)
    return None


def old_provinces() -> list[dict[str, str]]:
    """The 63 pre-reform provinces, by name."""
    u = data()
    return sorted((_unit(c, n) for c, n in u.old_provinces.items()), key=lambda x: fold_address(x["name"]))


def old_districts(province_code: str) -> list[dict[str, str]]:
    """Districts of an old province (empty for an unknown code)."""
    u = data()
    return [_unit(c, u.old_districts[c][0]) for c in u.districts_by_province.get(str(province_code), [])]


def old_wards(district_code: str) -> list[dict[str, str]]:
    """Wards of an old district (empty for an unknown code or an island district)."""
    u = data()
    return [_unit(c, u.old_wards[c][0]) for c in u.wards_by_district.get(str(district_code), [])]


@functools.lru_cache(maxsize=1)
def _old_bare_names() -> frozenset[str]:
    u = data()
    names = list(u.old_provinces.values()) + [n for n, _ in u.old_districts.values()] + [n for n, _ in u.old_wards.values()]
    return frozenset(_bare(n) for n in names)


def is_old_unit_name(text: Any) -> bool:
    """True when the whole text is the name of an old province, district or ward
    ("Thái Bình", "Phường Trần Hưng Đạo", "p tran hung dao"): a form's answer, whatever else it resembles."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_INPUT_CHARS:
        return False
    return _bare(text) in _old_bare_names()


def find_old_units(text: Any, level: str, parent: str | None = None) -> list[dict[str, str]]:
    """Old units of `level` ("province"/"district"/"ward") named in `text`, within `parent` if given.

    For a form's free-text answer: exact name first, then a close spelling.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_INPUT_CHARS:
        return []
    parent = parent if isinstance(parent, str) else None
    u = data()
    if level == "province":
        pool = list(u.old_provinces)
        name_of = u.old_provinces.get
    elif level == "district":
        pool = u.districts_by_province.get(parent, []) if parent else list(u.old_districts)
        name_of = lambda c: u.old_districts[c][0]  # noqa: E731
    else:
        pool = u.wards_by_district.get(parent, []) if parent else list(u.old_wards)
        name_of = lambda c: u.old_wards[c][0]  # noqa: E731
    allowed = set(pool)
    hits = [m.code for m in _matches(u, tokenize(text)) if m.level == level and m.code in allowed]
    if not hits:
        bare = _bare(text)
        hits = [c for c in pool if _bare(name_of(c)) == bare]
    if not hits and parent:
        try:
            from rapidfuzz import fuzz, process

            best = process.extractOne(_bare(text), {c: _bare(name_of(c)) for c in pool}, scorer=fuzz.ratio, score_cutoff=80)
            hits = [best[2]] if best else []
        except ImportError:
            hits = []
    return [_unit(c, name_of(c)) for c in dict.fromkeys(hits)]


# ---------------------------------------------------------------------------------------
# Reverse lookup and where to go
# ---------------------------------------------------------------------------------------


def reverse_lookup(text: Any, province: str | None = None) -> list[dict[str, Any]]:
    """New ward(s) named `text` (optionally within a new province name/code) and the old units that formed each."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_INPUT_CHARS:
        return []
    u = data()
    codes = [text.strip()] if text.strip() in u.new_wards else list(u.new_index.get(_bare(text), []))
    if not codes:
        # "Phường Sài Gòn, TP Hồ Chí Minh": try the part before the first comma.
        head, _, tail = text.partition(",")
        codes = list(u.new_index.get(_bare(head), []))
        province = province or tail or None
    if isinstance(province, str) and province.strip():
        pc = province if province in u.new_provinces else u.new_province_index.get(_bare(province))
        if pc:
            codes = [c for c in codes if u.new_wards[c]["province_code"] == pc]
    out = []
    for c in codes:
        w = u.new_wards[c]
        formed = []
        for old_code, district, kind, note in u.edges_by_new.get(c, []):
            entry = _old_triple(u, old_code or None, district)
            entry.update(kind=kind, note=note)
            formed.append(entry)
        out.append({
            "code": c, "name": w["name"], "current_name": w["current_name"] or w["name"], "name_en": w["name_en"],
            "province_code": w["province_code"], "province": u.new_provinces[w["province_code"]][0],
            "formed_from": formed, "formed_from_text": w["formed_from"],
        })
    return out


def where_to_go(new_ward_code: str) -> dict[str, str]:
    """Which office handles procedures now, for a new ward: commune-level and province-level."""
    u = data()
    w = u.new_wards.get(str(new_ward_code))
    if w is None:
        return {}
    name = w["current_name"] or w["name"]
    kind, _, bare = name.partition(" ")
    province, province_en = u.new_provinces[w["province_code"]]
    return {
        "commune_level": say(COMMUNE_OFFICE, "vi", name=name, kind=kind.lower(), bare=bare),
        "province_level": say(PROVINCE_OFFICE, "vi", province=province),
        "online": ONLINE_PORTAL,
        "commune_level_en": say(COMMUNE_OFFICE, "en", name=w["name_en"] or name),
        "province_level_en": say(PROVINCE_OFFICE, "en", province=province_en or province),
    }
