"""Old address -> new commune: the `address_form` and its answer.

The form keeps three slots with old unit codes (province, district, ward). Every turn the
citizen's own words are parsed by `procedure_kb.units`; whatever is understood fills the
slots, so a full address answers at once and a partial one asks only what is missing,
one question at a time, with buttons when the choices are few. Plain text + buttons, so
the same replies work on Telegram and the web widget.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import pick, user_text
from procedure_kb import units

FORM = "address_form"
SLOTS = ("addr_province", "addr_district", "addr_ward")
CANDIDATES = "addr_candidates"  # old ward codes still in play after an ambiguous answer
ISLAND = "district:"  # ward slot value for an island district that had no wards
MAX_BUTTONS = 10
# Intents that, inside the form, are an answer to its question even when nothing was understood.
ANSWER_INTENTS = {"inform_address", "ask_new_address", "nlu_fallback", None}

# Resolution 190/2025/QH15 (19 Feb 2025) on handling matters arising from reorganising the
# state apparatus: papers issued before the reorganisation stay valid until they expire and
# nobody may be required to exchange them for that reason, unless a law says otherwise.
PAPERS_VI = (
    "Giấy tờ đã cấp ghi địa chỉ cũ (căn cước, giấy khai sinh, sổ đỏ, giấy phép kinh doanh…) còn thời hạn "
    "thì vẫn tiếp tục được sử dụng; bạn không phải làm thủ tục đổi chỉ vì sắp xếp đơn vị hành chính, "
    "trừ khi pháp luật có quy định khác (Nghị quyết 190/2025/QH15 của Quốc hội). Khi làm thủ tục mới, "
    "ghi địa chỉ theo đơn vị mới. Trường hợp cụ thể, hãy hỏi tổng đài {hotline}."
)
PAPERS_EN = (
    "Papers issued with your old address (ID card, birth certificate, land certificate, business licence…) "
    "stay valid until they expire; you do not have to exchange them just because of the reorganisation, "
    "unless a law says otherwise (National Assembly Resolution 190/2025/QH15). Use the new unit in new "
    "applications. For your specific case, ask the hotline {hotline}."
)


def _parent_codes(ward: str) -> tuple[str, str]:
    u = units.data()
    district = u.old_wards[ward][1]
    return u.old_districts[district][1], district


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
        districts = {c["district"]["code"] for c in res.candidates}
        if len(provinces) == 1:
            values["addr_province"] = provinces.pop()
        if len(districts) == 1:
            values["addr_district"] = districts.pop()
    return values


def understand(tracker: Tracker) -> dict[str, Any]:
    """Slot updates from the latest message, given what the form already knows."""
    entities = {e.get("entity"): e.get("value") for e in (tracker.latest_message or {}).get("entities") or []
                if isinstance(e, dict) and isinstance(e.get("value"), str)}
    u = units.data()
    # Buttons send codes: /inform_address{"addr_ward": "26734"}
    code = entities.get("addr_ward")
    if code in u.old_wards:
        province, district = _parent_codes(code)
        return {"addr_province": province, "addr_district": district, "addr_ward": code, CANDIDATES: None}
    code = entities.get("addr_district")
    if code in u.old_districts:
        res = units.lookup_old_district(code)
        return _narrow_candidates(tracker, {**_slots_from_result(res), "addr_province": u.old_districts[code][1]})
    code = entities.get("addr_province")
    if code in u.old_provinces:
        return _narrow_candidates(tracker, {"addr_province": code})

    text = user_text(tracker)
    province, district = tracker.get_slot("addr_province"), tracker.get_slot("addr_district")
    # After "which province/district?" about earlier candidates, "Thái Bình" is that answer,
    # not a new search for a ward called Thái Bình.
    if tracker.get_slot(CANDIDATES) and not province:
        found = units.find_old_units(text, "province")
        if len(found) == 1:
            return _narrow_candidates(tracker, {"addr_province": found[0]["code"]})
    # An answer to the question just asked is read within what is already known.
    if district and not tracker.get_slot("addr_ward"):
        found = units.find_old_units(text, "ward", district)
        if len(found) == 1:
            return {"addr_ward": found[0]["code"], CANDIDATES: None}
    if province and not district:
        found = units.find_old_units(text, "district", province)
        if len(found) == 1:
            res = units.lookup_old_district(found[0]["code"])
            return _narrow_candidates(tracker, {**_slots_from_result(res), "addr_district": found[0]["code"]})
    values = _slots_from_result(units.lookup_address(text))
    return _narrow_candidates(tracker, values) if values else {}


def _narrow_candidates(tracker: Tracker, values: dict[str, Any]) -> dict[str, Any]:
    """After "which province?", keep the earlier candidates that lie there; one left = done."""
    cands = values.get(CANDIDATES) or tracker.get_slot(CANDIDATES) or []
    if not cands or values.get("addr_ward"):
        return values
    u = units.data()
    keep = [w for w in cands if w in u.old_wards
            and (not values.get("addr_province") or _parent_codes(w)[0] == values["addr_province"])
            and (not values.get("addr_district") or _parent_codes(w)[1] == values["addr_district"])]
    if len(keep) == 1:
        province, district = _parent_codes(keep[0])
        return {"addr_province": province, "addr_district": district, "addr_ward": keep[0], CANDIDATES: None}
    if keep:
        values[CANDIDATES] = keep
        districts = {_parent_codes(w)[1] for w in keep}
        if len(districts) == 1:
            values["addr_district"] = districts.pop()
    return values


class ValidateAddressForm(FormValidationAction):
    """Fills the three slots from whatever the citizen wrote this turn."""

    def name(self) -> str:
        return "validate_address_form"

    async def extract_addr_province(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict[str, Any]) -> dict[str, Any]:
        requested = tracker.get_slot("requested_slot")
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if requested in SLOTS and intent not in ANSWER_INTENTS:
            # Another request ("hỗ trợ tiền điện cho hộ nghèo" is not Thị trấn Tiên Điền):
            # let its own rule answer it; the form asks again afterwards.
            return {}
        values = understand(tracker)
        if requested not in SLOTS:
            return values
        if not values:
            res = units.lookup_address(user_text(tracker))
            hint_vi = res.message.split(" Hãy ghi")[0] if res.status == "not_found" else res.message
            dispatcher.utter_message(text=pick(tracker, hint_vi, res.message_en.split(" Please write")[0]))
        if not any(slot in values for slot in SLOTS):
            # Rasa drops out of the form unless a required slot was set this turn; setting the
            # asked slot to what it already holds keeps the form asking.
            values[requested] = tracker.get_slot(requested)
        return values


    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict[str, Any]) -> list[EventType]:
        # The SDK only passes on required slots; the candidates must survive to the next turn.
        events = await super().get_validation_events(dispatcher, tracker, domain)
        pending = tracker.slots_to_validate()
        if CANDIDATES in pending:
            events.append(SlotSet(CANDIDATES, pending[CANDIDATES]))
        return events


def _buttons(options: list[dict[str, str]], slot: str) -> list[dict[str, str]]:
    return [{"title": o["name"], "payload": f'/inform_address{{"{slot}":"{o["code"]}"}}'} for o in options]


def _ask_choice(dispatcher, tracker: Tracker, question: str, options: list[dict[str, str]], slot: str) -> None:
    """Ask `question` with a button per option, or, when there are too many, name a few to type."""
    buttons = _buttons(options, slot) if len(options) <= MAX_BUTTONS else []
    if not buttons:
        question += pick(tracker, " Bạn gõ tên, ví dụ: ", " Type its name, e.g. ") + ", ".join(
            o["name"] for o in options[:3])
    dispatcher.utter_message(text=question, buttons=buttons)


class AskProvince(Action):
    def name(self) -> str:
        return "action_ask_addr_province"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        u = units.data()
        cands = [w for w in tracker.get_slot(CANDIDATES) or [] if w in u.old_wards]
        if cands:
            provinces = sorted({_parent_codes(w)[0] for w in cands})
            options = [{"code": p, "name": u.old_provinces[p]} for p in provinces]
            name = u.old_wards[cands[0]][0]
            text = pick(tracker, f"Có {len(cands)} nơi tên \"{name}\". Bạn ở tỉnh/thành phố nào (trước 1/7/2025)?",
                        f"{len(cands)} places are called \"{name}\". Which province (before 1 July 2025)?")
            buttons = _buttons(options, "addr_province") if len(options) <= MAX_BUTTONS else []
            if not buttons:
                text += "\n" + ", ".join(o["name"] for o in options)
            dispatcher.utter_message(text=text, buttons=buttons)
            return []
        dispatcher.utter_message(text=pick(
            tracker,
            "Bạn cho tôi địa chỉ cũ (trước 1/7/2025): phường/xã, quận/huyện, tỉnh/thành phố. "
            "Ví dụ: \"Phường Bến Nghé, Quận 1, TP HCM\". Nếu chỉ nhớ một phần, cứ ghi tỉnh/thành phố trước.",
            "Please give your old address (before 1 July 2025): ward/commune, district, province, "
            "e.g. \"Ben Nghe Ward, District 1, HCMC\". If you only remember part, start with the province."))
        return []


class AskDistrict(Action):
    def name(self) -> str:
        return "action_ask_addr_district"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        u = units.data()
        province = tracker.get_slot("addr_province")
        cands = [w for w in tracker.get_slot(CANDIDATES) or [] if w in u.old_wards]
        if cands:
            options = [{"code": d, "name": u.old_districts[d][0]} for d in sorted({_parent_codes(w)[1] for w in cands})]
        else:
            options = units.old_districts(province)
        pname = u.old_provinces.get(province, "")
        _ask_choice(dispatcher, tracker, pick(tracker, f"{pname}: bạn ở quận/huyện/thị xã/thành phố nào (cũ)?",
                                              f"{pname}: which district (old)?"), options, "addr_district")
        return []


class AskWard(Action):
    def name(self) -> str:
        return "action_ask_addr_ward"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        u = units.data()
        district = tracker.get_slot("addr_district")
        cands = [w for w in tracker.get_slot(CANDIDATES) or [] if w in u.old_wards]
        options = [{"code": w, "name": u.old_wards[w][0]} for w in cands] if cands else units.old_wards(district)
        dname = u.old_districts.get(district, ("", ""))[0]
        _ask_choice(dispatcher, tracker, pick(tracker, f"{dname}: bạn ở phường/xã/thị trấn nào (cũ)?",
                                              f"{dname}: which ward/commune (old)?"), options, "addr_ward")
        return []


def answer_text(tracker: Tracker, ward_slot: str) -> str:
    """The full answer: new unit, kind of change, where to go, what it means for papers."""
    res = (units.lookup_old_district(ward_slot[len(ISLAND):]) if ward_slot.startswith(ISLAND)
           else units.lookup_old_ward(ward_slot))
    en = pick(tracker, "vi", "en") == "en"
    lines = [res.message_en if en else res.message]
    for ward in res.new_wards[:1] if len(res.new_wards) == 1 else []:
        where = units.where_to_go(ward["code"])
        if en:
            lines.append(f"Where to go now: commune-level procedures at the {where['commune_level_en']}; "
                         f"province-level ones at the {where['province_level_en']}; online at dichvucong.gov.vn.")
        else:
            lines.append(f"Nơi làm thủ tục: thủ tục cấp xã tại {where['commune_level']}; thủ tục cấp tỉnh tại "
                         f"{where['province_level']}; nộp trực tuyến tại dichvucong.gov.vn.")
    if len(res.new_wards) > 1:
        lines.append("If unsure, ask the People's Committee of any of these communes." if en else
                     "Nếu chưa rõ, bạn hỏi Ủy ban nhân dân một trong các xã/phường trên để được xác nhận.")
    hotline = tracker.get_slot("hotline_phone") or "1800 1096"
    lines.append((PAPERS_EN if en else PAPERS_VI).format(hotline=hotline))
    return "\n\n".join(lines)


class ActionAnswerNewAddress(Action):
    """Submit of the form: answer, then clear the slots for the next address."""

    def name(self) -> str:
        return "action_answer_new_address"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        ward = tracker.get_slot("addr_ward")
        if ward:
            dispatcher.utter_message(text=answer_text(tracker, ward), buttons=[
                {"title": pick(tracker, "Tra địa chỉ khác", "Another address"),
                 "payload": pick(tracker, "tra địa chỉ cũ khác", "look up another old address")},
            ])
        return [SlotSet(s, None) for s in (*SLOTS, CANDIDATES)]
