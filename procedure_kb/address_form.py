"""The old → new address conversation, as pure functions: what a turn understood, what to ask
next, and the answer. The Rasa form (`actions/address.py`) only reads its slots into a
`FormState`, calls these, and sends what they return.

The form keeps three slots with old unit codes (province, district, ward). Every turn the
citizen's own words are parsed by `procedure_kb.units`; whatever is understood fills the
slots, so a full address answers at once and a partial one asks only what is missing, one
question at a time, with buttons when the choices are few.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from procedure_kb import address_messages as M
from procedure_kb import units
from procedure_kb.i18n import say

SLOTS = ("addr_province", "addr_district", "addr_ward")
CANDIDATES = "addr_candidates"  # old ward codes still in play after an ambiguous answer
ISLAND = "district:"  # ward slot value for an island district that had no wards
MAX_BUTTONS = 10


@dataclass(frozen=True)
class FormState:
    """What the form knows so far (slot values)."""

    province: str | None = None
    district: str | None = None
    ward: str | None = None
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """A question to send, with a button per option (no buttons when there are too many)."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def _ward(code: str) -> units.OldUnit | None:
    return units.old_unit(code, "ward")


def _slots_from_result(res: units.AddressResult) -> dict[str, Any]:
    """Slot values for what a lookup understood (codes, or the island marker)."""
    old = res.matched_old or {}
    values: dict[str, Any] = {}
    if old.get("province"):
        values["addr_province"] = old["province"]["code"]
    if old.get("district"):
        values["addr_district"] = old["district"]["code"]
    if res.new_wards:
        values["addr_ward"] = old["ward"]["code"] if old.get("ward") else ISLAND + old["district"]["code"]
    if res.status == "ambiguous":
        cands = [c for c in res.candidates if c.get("ward")]
        values[CANDIDATES] = [c["ward"]["code"] for c in cands]
        provinces = {c["province"]["code"] for c in res.candidates}
        # (several provinces named: candidates without a district, which once crashed this turn)
        districts = {c["district"]["code"] for c in res.candidates if c.get("district")}
        if len(provinces) == 1:
            values["addr_province"] = provinces.pop()
        if len(districts) == 1:
            values["addr_district"] = districts.pop()
    return values


def understand(state: FormState, text: str, entities: dict[str, str]) -> dict[str, Any]:
    """Slot updates from the latest message (its words and its button entities), given `state`."""
    # Buttons send codes: /inform_address{"addr_ward": "26734"}
    ward = _ward(entities.get("addr_ward") or "")
    if ward:
        return {"addr_province": ward.province, "addr_district": ward.district, "addr_ward": ward.code, CANDIDATES: None}
    district = units.old_unit(entities.get("addr_district"), "district")
    if district:
        res = units.lookup_old_district(district.code)
        return _narrow(state, {**_slots_from_result(res), "addr_province": district.province})
    province = units.old_unit(entities.get("addr_province"), "province")
    if province:
        return _narrow(state, {"addr_province": province.code})
    # After "which province/district?" about earlier candidates, "Thái Bình" is that answer,
    # not a new search for a ward called Thái Bình.
    if state.candidates and not state.province:
        found = units.find_old_units(text, "province")
        if len(found) == 1:
            return _narrow(state, {"addr_province": found[0]["code"]})
    # An answer to the question just asked is read within what is already known.
    if state.district and not state.ward:
        found = units.find_old_units(text, "ward", state.district)
        if len(found) == 1:
            return {"addr_ward": found[0]["code"], CANDIDATES: None}
    if state.province and not state.district:
        found = units.find_old_units(text, "district", state.province)
        if len(found) == 1:
            res = units.lookup_old_district(found[0]["code"])
            return _narrow(state, {**_slots_from_result(res), "addr_district": found[0]["code"]})
    values = _slots_from_result(units.lookup_address(text))
    return _narrow(state, values) if values else {}


def _narrow(state: FormState, values: dict[str, Any]) -> dict[str, Any]:
    """After "which province?", keep the earlier candidates that lie there; one left = done."""
    cands = values.get(CANDIDATES) or list(state.candidates)
    if not cands or values.get("addr_ward"):
        return values
    wards = [w for w in map(_ward, cands) if w is not None]
    keep = [w for w in wards if (not values.get("addr_province") or w.province == values["addr_province"])
            and (not values.get("addr_district") or w.district == values["addr_district"])]
    if len(keep) == 1:
        return {"addr_province": keep[0].province, "addr_district": keep[0].district, "addr_ward": keep[0].code,
                CANDIDATES: None}
    if keep:
        values[CANDIDATES] = [w.code for w in keep]
        districts = {w.district for w in keep}
        if len(districts) == 1:
            values["addr_district"] = districts.pop()
    return values


def not_understood(text: str, lang: str) -> str:
    """What to say when a turn's words gave nothing: the lookup's own hint, without the how-to."""
    res = units.lookup_address(text)
    message = res.text(lang)
    return message.split(say(M.NOT_FOUND_HINT_CUT, lang))[0] if res.status == "not_found" else message


def _buttons(options: list[dict[str, str]], slot: str) -> list[dict[str, str]]:
    return [{"title": o["name"], "payload": f'/inform_address{{"{slot}":"{o["code"]}"}}'} for o in options]


def _choice(question: str, options: list[dict[str, str]], slot: str, lang: str) -> Question:
    """`question` with a button per option, or, when there are too many, a few names to type."""
    if options and len(options) <= MAX_BUTTONS:
        return Question(question, _buttons(options, slot))
    return Question(question + say(M.TYPE_ITS_NAME, lang) + ", ".join(o["name"] for o in options[:3]))


def _candidates(state: FormState) -> list[units.OldUnit]:
    return [w for w in map(_ward, state.candidates) if w is not None]


def ask_province(state: FormState, lang: str) -> Question:
    """The first question, or "which province?" among same-named candidates."""
    cands = _candidates(state)
    if not cands:
        return Question(say(M.ASK_ADDRESS, lang))
    options = [{"code": p, "name": units.old_unit(p, "province").name} for p in sorted({w.province for w in cands})]
    text = say(M.ASK_PROVINCE_OF, lang, count=len(cands), name=cands[0].name)
    if options and len(options) <= MAX_BUTTONS:
        return Question(text, _buttons(options, "addr_province"))
    return Question(text + "\n" + ", ".join(o["name"] for o in options))


def ask_district(state: FormState, lang: str) -> Question:
    cands = _candidates(state)
    if cands:
        options = [{"code": d, "name": units.old_unit(d, "district").name} for d in sorted({w.district for w in cands})]
    else:
        options = units.old_districts(state.province)
    province = units.old_unit(state.province, "province")
    return _choice(say(M.ASK_DISTRICT, lang, province=province.name if province else ""), options, "addr_district", lang)


def ask_ward(state: FormState, lang: str) -> Question:
    cands = _candidates(state)
    options = [{"code": w.code, "name": w.name} for w in cands] if cands else units.old_wards(state.district)
    district = units.old_unit(state.district, "district")
    return _choice(say(M.ASK_WARD, lang, district=district.name if district else ""), options, "addr_ward", lang)


def answer_text(ward_slot: str, lang: str, hotline: str) -> str:
    """The full answer: new unit, kind of change, where to go, what it means for papers."""
    res = (units.lookup_old_district(ward_slot[len(ISLAND):]) if ward_slot.startswith(ISLAND)
           else units.lookup_old_ward(ward_slot))
    lines = [res.text(lang)]
    if len(res.new_wards) == 1:
        where = units.where_to_go(res.new_wards[0]["code"])
        en = lang == "en"
        lines.append(say(M.WHERE_TO_GO, lang, commune=where["commune_level_en" if en else "commune_level"],
                         province=where["province_level_en" if en else "province_level"]))
    if len(res.new_wards) > 1:
        lines.append(say(M.IF_UNSURE, lang))
    lines.append(say(M.PAPERS, lang, hotline=hotline))
    return "\n\n".join(lines)


def another_address_button(lang: str) -> dict[str, str]:
    title, payload = M.ANOTHER_ADDRESS
    return {"title": say(title, lang), "payload": say(payload, lang)}
