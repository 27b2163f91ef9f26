"""The chat intake's pure core: what the citizen's free-text answers mean, as typed results.

No Rasa, no database: the complaint form, the ticket check and the rating actions read slots,
call these functions, and turn the results into slots and replies (actions/tickets.py).
Answers are matched accent-folded, so "khong", "không" and "ko" read alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotline import places
from hotline.enums import StrEnum
from hotline.tickets.codes import normalize_phone
from procedure_kb.textnorm import fold

NOT_GIVEN = "—"  # an optional answer the citizen skipped, as the summary shows it
MAX_WHEN = 120
MAX_PLACE = 200
MAX_REF = 120
PROCEDURE_CODE = re.compile(r"\b\d\.\d{6}\b")  # a national procedure code, 1.000894
_DOSSIER_CODE = re.compile(r"\b(?=[A-Za-z0-9.\-/]*\d)[A-Za-z0-9][A-Za-z0-9.\-/]{5,40}\b")
# "I don't know / none / skip": an answer to an optional question, never a cancel.
_NONE_WORDS = {"khong", "khong co", "ko", "k", "chua co", "khong biet", "no", "none", "nope", "skip", "bo qua",
               "khong nho", "don't know", "dont know", "n/a", "khong nho ro", "not sure", "i don't remember",
               "i dont remember", "don't remember"}
_YES = re.compile(r"^(co|dong y|ok|oke|yes|y|u|vang|da|duoc|chac chan|sure)\b")
_NO = re.compile(r"^(khong|ko|k|no|nope|thoi|khong dong y)\b")
_RATING = re.compile(r"(?<!\d)([1-5])(?!\d)")
STOP_MAX_WORDS = 6  # longer messages are answers even if the NLU hears "stop" in them
DETAILED_WORDS = 10  # a first message this long already describes the complaint


class Field(StrEnum):
    """An answer of the complaint draft the citizen may change from the summary."""

    TEXT = "text"
    WHEN = "when"
    PLACE = "place"
    REF = "ref"
    CONTACT = "contact"


# Typed requests ("sửa số điện thoại"): the first field whose words appear, checked in this order.
_CHANGE_WORDS = (
    (Field.CONTACT, re.compile(r"\b(lien he|dien thoai|sdt|so dt|goi dien|phone|contact|call)\b")),
    (Field.TEXT, re.compile(r"\b(noi dung|mo ta|su viec|viec gi|description|what happened|details?)\b")),
    (Field.WHEN, re.compile(r"\b(thoi gian|thoi diem|khi nao|ngay|luc nao|when|date|time|day)\b")),
    (Field.REF, re.compile(r"\b(thu tuc|ho so|ma|procedure|dossier|code|reference)\b")),
    (Field.PLACE, re.compile(r"\b(noi|dia ban|co quan|xa|phuong|dia chi|o dau|place|office|where|ward|commune)\b")),
)


def _folded(text: str | None) -> str:
    return fold(text or "").strip(" .!")


def is_none_answer(text: str | None) -> bool:
    """"không", "không nhớ", "skip"…: no answer to an optional question."""
    return _folded(text) in _NONE_WORDS


def wants_to_stop(intent: str, text: str) -> bool:
    """The citizen said "hủy"/"cancel". Only short messages count, and never a skip answer."""
    return intent == "stop" and len(text.split()) <= STOP_MAX_WORDS and not is_none_answer(text)


def yes_no(text: str, intent: str = "") -> bool | None:
    """Yes/no from the words first (short answers are unambiguous), then from the intent."""
    folded = fold(text).strip()
    if _NO.match(folded):
        return False
    if _YES.match(folded):
        return True
    return {"affirm": True, "deny": False}.get(intent)


def description(text: str | None, limit: int) -> str | None:
    """The complaint's description, or None when it says too little (under 5 letters or digits)."""
    text = str(text or "").replace("\x00", "").strip()
    if len(re.sub(r"\W", "", text)) < 5:
        return None
    return text[:limit]


def when(text: str | None) -> str:
    """When it happened, in the citizen's words (NOT_GIVEN when skipped)."""
    text = str(text or "").strip()
    return NOT_GIVEN if is_none_answer(text) else text[:MAX_WHEN]


@dataclass(frozen=True)
class Reference:
    """The procedure or dossier the complaint is about; `text` None when the citizen had none."""

    text: str | None = None
    procedure_code: str | None = None
    dossier_code: str | None = None


def reference(text: str | None) -> Reference:
    """Procedure code (1.000894) and/or dossier code from the answer, or no reference."""
    text = text or ""
    if is_none_answer(text) or not _folded(text):
        return Reference()
    procedure = PROCEDURE_CODE.search(text)
    dossier = _DOSSIER_CODE.search(PROCEDURE_CODE.sub(" ", text))
    return Reference(text=text[:MAX_REF], procedure_code=procedure.group(0) if procedure else None,
                     dossier_code=dossier.group(0) if dossier else None)


@dataclass(frozen=True)
class Commune:
    """The new commune (and province) a ticket belongs to; only the typed name when unknown."""

    code: str | None = None
    name: str | None = None
    province_code: str | None = None
    province_name: str | None = None


def commune(text: str) -> Commune:
    """New commune/province from what the citizen typed: an office or new ward name, else an old address."""
    found = places.resolve(text)
    if found.status == "found" and found.ward:
        ward = found.ward
        return Commune(ward["code"], ward["name"], ward["province_code"], ward["province"])
    return Commune(name=text[:128])


@dataclass(frozen=True)
class PlaceAnswer:
    """Where it happened: as the summary shows it, the office in the citizen's words, the commune."""

    shown: str
    office: str | None
    commune: Commune


def place(text: str | None) -> PlaceAnswer:
    """The answer to "where did it happen?" (looks the commune up: call it off the event loop)."""
    text = str(text or "").strip()
    if is_none_answer(text):
        return PlaceAnswer(NOT_GIVEN, None, Commune())
    found = commune(text)
    shown = found.name or text
    if found.province_name:
        shown = f"{shown}, {found.province_name}"
    # The citizen's own words name the office ("bộ phận một cửa UBND phường …"); keep them
    # unless they were just the commune's name.
    office = None if fold(text) == fold(found.name or "") else text[:MAX_PLACE]
    if office is not None and found.code:
        shown = f"{text} ({shown})"
    return PlaceAnswer(shown, office, found)


@dataclass(frozen=True)
class PhoneAnswer:
    """A phone number to call back (normalised), a refusal, or neither (ask again)."""

    phone: str | None = None
    declined: bool = False


def phone(text: str) -> PhoneAnswer:
    number = normalize_phone(text)
    if number is None and _NO.match(fold(text).strip()):
        return PhoneAnswer(declined=True)
    return PhoneAnswer(phone=number)


def field_from_words(text: str) -> Field | None:
    """Which answer a typed request ("sửa số điện thoại") wants to change."""
    folded = fold(text)
    return next((name for name, words in _CHANGE_WORDS if words.search(folded)), None)


def phone_last4(text: str) -> str | None:
    """The last 4 digits of a phone number the citizen typed, or None (ask again)."""
    digits = re.sub(r"\D", "", text)
    return digits[-4:] if len(digits) >= 4 else None


def rating(text: str) -> int | None:
    """A 1–5 rating in the citizen's message."""
    match = _RATING.search(text)
    return int(match.group(1)) if match else None


def handoff_question(lines: list[dict[str, str]], latest: str) -> tuple[str, list[str]]:
    """The question for a person (the citizen's last message) and up to 3 substantial earlier ones."""
    asked = [line["text"] for line in lines if line["who"] == "citizen"]
    question = asked[-1] if asked else latest
    earlier = [text for text in asked[:-1] if len(text.split()) > 2][-3:]
    return question, earlier
