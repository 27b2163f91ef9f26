"""Where a ticket belongs: a new commune from what a citizen or operator typed.

Accepts a new commune's name ("phường Sài Gòn"), an office named after it ("UBND phường Sài
Gòn", "bộ phận một cửa xã Tân Phú") or an old address ("phường Bến Nghé, quận 1, TP HCM"), using
the knowledge base's old → new lookup (`procedure_kb.units`). When several new communes fit,
the caller lets a person choose.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from procedure_kb import address_messages as M

log = logging.getLogger(__name__)

MAX_CHOICES = 12
# "UBND phường Sài Gòn" -> "phường Sài Gòn": the commune named inside an office's name.
_UNIT_WORD = re.compile(r"\b(xã|phường|đặc khu|xa|phuong|dac khu|thị trấn|thi tran)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Place:
    """`found`: one new commune (`ward`); `choose`: several fit (`choices`); `not_found`; `empty`."""

    status: str
    ward: dict[str, str] | None = None
    choices: list[dict[str, str]] = field(default_factory=list)
    message: str = ""


def _ward(entry: dict) -> dict[str, str]:
    return {"code": entry["code"], "name": entry.get("current_name") or entry["name"],
            "province_code": entry["province_code"], "province": entry["province"]}


def ward(code: str) -> dict[str, str] | None:
    """The new commune with this code, or None."""
    from procedure_kb.units import reverse_lookup

    hits = reverse_lookup(str(code or "")[:16]) if code else []
    return _ward(hits[0]) if len(hits) == 1 and hits[0]["code"] == code else None


def _choose(wards: list[dict[str, str]], message: str) -> Place:
    unique = list({w["code"]: w for w in wards}.values())
    if len(unique) == 1:
        return Place("found", ward=unique[0])
    if len(unique) > MAX_CHOICES:
        return Place("not_found", message=M.PLACE_TOO_MANY)
    return Place("choose", choices=unique, message=message)


def resolve(text: str | None) -> Place:
    """The new commune `text` names or used to be, or the communes to choose from."""
    from procedure_kb.units import lookup_address, lookup_old_ward, reverse_lookup

    text = " ".join((text or "").split())[:200]
    if not text:
        return Place("empty")
    try:
        unit = _UNIT_WORD.search(text)
        named = text[unit.start():] if unit else text
        hits = reverse_lookup(named) or (reverse_lookup(text) if named != text else [])
        if hits:
            return _choose([_ward(h) for h in hits], M.PLACE_SAME_NEW_NAME.format(count=len(hits)))
        result = lookup_address(text)
        if result.new_wards:
            return _choose([_ward(w) for w in result.new_wards], M.PLACE_SPLIT)
        if result.status == "ambiguous" and result.ask in ("ward", "district"):
            wards = []
            for candidate in result.candidates[:MAX_CHOICES]:
                if candidate.get("ward"):
                    wards += [_ward(w) for w in lookup_old_ward(candidate["ward"]["code"]).new_wards]
            if wards:
                return _choose(wards, result.message)
        return Place("not_found", message=result.message or M.PLACE_NOT_FOUND)
    except Exception:  # noqa: BLE001 - routing help only: never block an intake; logged, and said to the operator
        log.exception("place lookup failed")
        return Place("not_found", message=M.PLACE_LOOKUP_FAILED)
