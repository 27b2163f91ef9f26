"""Reading an old address: which unit names a citizen's text mentions, and how strongly.

The first half of `procedure_kb.units.lookup_address`: every name of the index found in the
text (with the type word written before it), then scores for wards and districts and the tie
breaks between equally good wards. Pure functions over the unit tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from procedure_kb.address_parse import after_street_word, fold_address, preceding_type, type_word_size
from procedure_kb.textnorm import nfc, normalize_tone_placement
from procedure_kb.units_data import Units, _bare


@dataclass
class _Match:
    start: int
    end: int
    level: str
    code: str
    typed: bool
    single: bool  # one bare word: too weak on its own
    type_word: str = ""  # the folded type word written before it ("thi tran")
    alias: bool = False  # matched a name the ward had before an earlier merge
    drop: bool = False


def _matches(u: Units, toks: list[tuple[str, int]]) -> list[_Match]:
    words = [t for t, _ in toks]
    found: list[_Match] = []
    for i in range(len(words)):
        if after_street_word(words, i) and preceding_type(words, i) is None:
            continue
        levels = preceding_type(words, i)
        for size in range(1, min(u.max_key_words, len(words) - i) + 1):
            if toks[i + size - 1][1] != toks[i][1]:
                break  # a name never spans a comma
            key = " ".join(words[i:i + size])
            for level, code in u.index.get(key, ()):
                alias = level == "ward_alias"
                level = "ward" if alias else level
                if levels is not None and level not in levels:
                    continue  # "Huyện Ba Chẽ" is not "Thị trấn Ba Chẽ"
                if levels is None and key.replace(" ", "").isdigit():
                    continue  # "5" alone is a house number, "Phường 5" is a ward
                found.append(_Match(i, i + size, level, code, levels is not None, size == 1 and levels is None,
                                    " ".join(words[i - type_word_size(words, i):i]), alias))
    # A type word that introduces a name is not part of another name: in "Phường Đúc" the
    # "Phường" is not the start of "Phượng Dực". When two typed readings collide, the type
    # word of the later one wins unless it lies wholly inside the earlier name: "P. Tân Hòa
    # TP. Hòa Bình" is not "Tân Hòa Thành", but "Xã Phương Đông" and "P. Phúc Xá Q. Ba Đình" stand.
    typed = [(m, m.start - type_word_size(words, m.start)) for m in found if m.typed]
    for b, ts in typed:
        for a, _ in typed:
            if a is b or not (a.start < b.start and ts < a.end):
                continue
            if a.start <= ts and b.start <= a.end:
                b.drop = True
            else:
                a.drop = True
    consumed: set[int] = set()
    for b, ts in typed:
        if not b.drop:
            consumed.update(range(ts, b.start))
    found = [m for m in found if not m.drop and not consumed.intersection(range(m.start, m.end))]
    # An untyped name that is exactly a province's name is the province ("Thái Bình sáp nhập
    # với Hưng Yên"), not the commune or town of that name somewhere else.
    province_spans = {(m.start, m.end) for m in found if m.level == "province"}
    found = [m for m in found if m.level == "province" or m.typed or (m.start, m.end) not in province_spans]
    # A name inside a longer one is not a separate mention ("Chí Minh" in "Hồ Chí Minh"),
    # unless the longer one crosses a third name ("Tân Phú | Đồng Nai" vs "Tân Phú Đông").
    crossing = {id(o) for o in found for p in found if o.start < p.start < o.end < p.end or p.start < o.start < p.end < o.end}
    return [m for m in found if not any(
        o.start <= m.start and m.end <= o.end and (o.end - o.start) > (m.end - m.start)
        and (o.typed or not m.typed) and id(o) not in crossing
        for o in found
    )]


def _overlap(a: _Match, b: _Match) -> bool:
    return a.start < b.end and b.start < a.end


def _score_wards(u: Units, matches: list[_Match]) -> list[tuple[float, str, str]]:
    """(score, ward code, district code) for every ward mention, with its district/province support."""
    districts = [m for m in matches if m.level == "district"]
    provinces = [m for m in matches if m.level == "province"]
    scored: dict[str, float] = {}
    for m in matches:
        if m.level != "ward":
            continue
        district = u.old_wards[m.code][1]
        province = u.old_districts[district][1]
        score = (2.0 if m.single else 3.0) + (1.0 if m.typed else 0.0) - (0.5 if m.alias else 0.0)
        score += max((2.0 + d.typed for d in districts if d.code == district and not _overlap(d, m)), default=0.0)
        score += max((2.0 for p in provinces if p.code == province and not _overlap(p, m)), default=0.0)
        # Few people write the old province; some write the new one.
        if not any(p.code == province for p in provinces):
            new_provs = u.new_provinces_of_old_ward.get(m.code, set())
            if any(_new_province_mentioned(u, p, new_provs) and not _overlap(p, m) for p in provinces):
                score += 1.0
        scored[m.code] = max(scored.get(m.code, 0.0), score)
    return sorted(((s, c, u.old_wards[c][1]) for c, s in scored.items()), key=lambda x: (-x[0], x[1]))


def _new_province_mentioned(u: Units, m: _Match, new_provs: set[str]) -> bool:
    name = _bare(u.old_provinces[m.code])
    return u.new_province_index.get(name) in new_provs


def _score_districts(u: Units, matches: list[_Match]) -> list[tuple[float, str]]:
    provinces = [m for m in matches if m.level == "province"]
    scored: dict[str, float] = {}
    for m in matches:
        if m.level != "district":
            continue
        prov = u.old_districts[m.code][1]
        score = (1.5 if m.single else 2.0) + m.typed
        score += max((2.0 for p in provinces if p.code == prov and not _overlap(p, m)), default=0.0)
        # "Thị xã Sơn Tây" (Hà Nội) rather than "Huyện Sơn Tây" (Quảng Ngãi).
        score += 0.5 * bool(m.type_word and fold_address(u.old_districts[m.code][0]).startswith(m.type_word + " "))
        scored[m.code] = max(scored.get(m.code, 0.0), score)
    return sorted(((s, c) for c, s in scored.items()), key=lambda x: (-x[0], x[1]))


def _tie_break(u: Units, query: str, matches: list[_Match], top: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Same folded name in one place ("TT Yên Viên" / "Xã Yên Viên", "Sa Pa" / "Sa Pả"):
    the type word and the diacritics the citizen wrote decide, when they do."""
    typed = {m.code: m.type_word for m in matches if m.level == "ward" and m.typed}
    accented = normalize_tone_placement(nfc(query)).lower()
    has_marks = accented != fold_address(query)  # unaccented text cannot tell "Sa Pa" from "Sa Pả"

    def bonus(ward: str) -> int:
        name = u.old_wards[ward][0]
        kind = _ward_type(name)
        bare = name[len(kind):].strip().lower() if kind else name.lower()
        # With its type word when one was written: "phường sa pa" is not in "phường sa pả, thị xã sa pa".
        written = f"{kind.lower()} {bare}" if ward in typed else bare
        return (typed.get(ward) == fold_address(kind)) + (has_marks and written in accented)

    scores = {w: bonus(w) for w, _ in top}
    best = max(scores.values())
    return [(w, d) for w, d in top if scores[w] == best]


def _ward_type(name: str) -> str:
    for kind in ("Thị trấn", "Phường", "Xã", "Đặc khu"):
        if name.startswith(kind + " "):
            return kind
    return ""
