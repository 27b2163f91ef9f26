"""Facets that separate near-twin procedures, read from their official names.

"Cấp lại thẻ căn cước" and "Cấp đổi thẻ căn cước" differ in one facet (re-issue vs exchange),
"… cho người dưới 14 tuổi" and "… từ đủ 14 tuổi" in another. When the best candidates differ
in exactly such a facet and the citizen did not say, the assistant asks that one question;
when the question does say it ("bị mất", "con 10 tuổi", "người nước ngoài"), the search ranks
the fitting twin first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from procedure_kb.language import language_evidence
from procedure_kb.textnorm import fold, nfc, tokens

__all__ = ["Facets", "facets_of", "asked_facets", "separating_facet", "FACET_VALUES", "NO_USUAL_CASE"]

_ISSUE = (
    ("reissue", re.compile(r"\bcap lai\b|\bdang ky lai\b|\blam lai\b")),
    ("exchange", re.compile(r"\bcap doi\b|\bdoi\b(?! tuong)")),
    ("correction", re.compile(r"\bdieu chinh\b|\bdinh chinh\b|\bcai chinh\b|\bthay doi\b|\bbo sung\b")),
)
_UNDER_14 = re.compile(r"duoi 14 tuoi")
_FROM_14 = re.compile(r"tu du 14 tuoi|tu 14 tuoi")
_FOREIGN = re.compile(r"yeu to nuoc ngoai|nguoi nuoc ngoai|o nuoc ngoai|bien gioi|nuoc lang gieng")

# Words in a question that state a facet.
_ASK_REISSUE = re.compile(r"\b(mat|bi mat|that lac|hong|rach|chay|bi trom|moc tui|lost|stolen|damaged|broken|replace)\b")
_ASK_EXCHANGE = re.compile(r"\b(het han|doi|sai thong tin|doi thong tin|expired|expire|renew|exchange|wrong)\b")
_ASK_FIRST = re.compile(r"\b(lan dau|moi lam|chua co|chua tung|first time|never had|new)\b")
# An age, read in this order: the threshold said outright ("chưa đủ 14" is under 14 although it
# holds "đủ 14"), then a number of years or months, then words for a child or an adult ("my child
# is 15" is from 14: the number wins over "child").
_ASK_UNDER_14 = re.compile(r"\b(?:duoi|chua du|chua toi|chua den|chua tron|nho hon|under|below|younger than|less than) 14\b")
_ASK_FROM_14 = re.compile(r"\b(?:tu du|tu|du|tron|tren|qua|over|above|older than|at least) 14\b|"
                          r"\b14 (?:tuoi )?(?:tro len|or older|or over|and over|and older|plus)\b")
_AGE_NUMBER = re.compile(r"\b(?P<n>\d{1,3}) ?(?P<unit>thang|tuan|ngay|months?|weeks?|days?)?[ -]?"
                         r"(?:tuoi|years?[ -]old|yrs?[ -]old|yo)\b|\b(?P<t>\d{1,2})t\b|"
                         r"\b(?:aged?|age of|tuoi|is|am|are|turned|turning|nam nay|da|duoc) (?P<said>\d{1,2})\b(?! ?%)")
_ASK_CHILD = re.compile(r"\b(?:tre em|tre nho|tre so sinh|em be|so sinh|cho be|con nho|con be|be nha|dua be|"
                        r"babies|baby|child|children|childs|kids?|toddlers?|infants?|newborns?|minors?)\b")
_ASK_ADULT = re.compile(r"\b(?:adults?|grown ups?|nguoi lon|nguoi truong thanh)\b")
_ASK_FOREIGN = re.compile(r"\b(nuoc ngoai|nguoi nuoc ngoai|viet kieu|ngoai quoc|foreign|foreigner|abroad|overseas|"
                          r"dai loan|han quoc|trung quoc|nhat ban|hoa ky|nuoc my|ben my|nuoc uc|ben uc|nuoc lao|"
                          r"ben lao|campuchia|taiwan|korea|china|japan|america|usa|australia|france|germany|laos|"
                          r"cambodia|bien gioi)\b")
# The asker says everyone involved is a Vietnamese citizen (and names no foreign party above):
# the twin "with a foreign element" / "for foreigners" is not theirs.
_ASK_VIETNAMESE = re.compile(r"\b(i m vietnamese|i am vietnamese|we re vietnamese|we are vietnamese|we are both vietnamese|"
                             r"both vietnamese|vietnamese citizens?|vietnamese nationals?|toi la cong dan viet nam|"
                             r"toi la nguoi viet nam)\b")
_OTHER_NATIONALITY = re.compile(r"\b(korean|chinese|japanese|american|australian|french|german|british|canadian|"
                                r"taiwanese|thai|laotian|cambodian|russian|indian|singaporean|filipino)\b")
# Someone of another nationality is involved ("I'm French", "người Hàn"): a foreign element. The
# English words count only in English text (folded Vietnamese "thai" is thai sản, nước thải, Thái
# Bình), the Vietnamese ones only as written, capitalised and not the start of a place name
# ("người Nhật", not "người nhặt được" nor "người Mỹ Tho").
_EN_NATIONALITY = re.compile(
    r"\b(korean|chinese|japanese|american|australian|french|german|british|scottish|irish|canadian|"
    r"taiwanese|thai|laotian|cambodian|russian|ukrainian|polish|czech|indian|pakistani|bangladeshi|"
    r"singaporean|malaysian|indonesian|filipino|dutch|belgian|swiss|austrian|italian|spanish|portuguese|"
    r"swedish|norwegian|danish|finnish|new zealander|brazilian|mexican|nigerian|south african|"
    r"us citizen|uk citizen|expat|expats|expatriate)\b")
_VI_NATIONALITY = re.compile(r"\b[Nn]gười (?:Mỹ|Pháp|Đức|Úc|Nhật|Hàn|Trung Quốc|Đài Loan|Canada|Nga|Singapore)\b"
                             r"(?! [A-ZÀ-ỸĐ])")


@dataclass(frozen=True)
class Facets:
    issue: str  # "first" | "reissue" | "exchange" | "correction"
    age: str  # "" | "under14" | "from14"
    foreign: bool


@lru_cache(maxsize=4096)  # official names repeat: every question's candidates are read
def facets_of(name: str) -> Facets:
    folded = fold(name)
    issue = next((kind for kind, pattern in _ISSUE if pattern.search(folded)), "first")
    age = "under14" if _UNDER_14.search(folded) else "from14" if _FROM_14.search(folded) else ""
    return Facets(issue=issue, age=age, foreign=bool(_FOREIGN.search(folded)))


def _asked_age(folded: str) -> str:
    """ "under14" | "from14" | "" for the age a (folded) question states."""
    if _ASK_UNDER_14.search(folded):
        return "under14"
    if _ASK_FROM_14.search(folded):
        return "from14"
    number = _AGE_NUMBER.search(folded)
    if number:
        if number["unit"]:  # months, weeks or days old
            return "under14"
        years = int(number["n"] or number["t"] or number["said"])
        return "under14" if years < 14 else "from14"
    if _ASK_CHILD.search(folded):
        return "under14"
    return "from14" if _ASK_ADULT.search(folded) else ""


def asked_facets(question: str) -> dict[str, object]:
    """Facets the question states: {"issue": "reissue", "age": "under14", "foreign": True}."""
    folded = fold(question)
    asked: dict[str, object] = {}
    if _ASK_REISSUE.search(folded):
        asked["issue"] = "reissue"
    elif _ASK_EXCHANGE.search(folded):
        asked["issue"] = "exchange"
    elif _ASK_FIRST.search(folded):
        asked["issue"] = "first"
    age = _asked_age(folded)
    if age:
        asked["age"] = age
    if (_ASK_FOREIGN.search(folded) or _VI_NATIONALITY.search(nfc(question))
            or (language_evidence(question) == "en" and _EN_NATIONALITY.search(folded))):
        asked["foreign"] = True
    elif _ASK_VIETNAMESE.search(" ".join(tokens(question))) and not _OTHER_NATIONALITY.search(folded):
        asked["foreign"] = False
    return asked


def contradicts(found: Facets, asked: dict[str, object]) -> bool:
    """The procedure (its facets `found`) is not the case the question states (age only where it has one)."""
    return any(getattr(found, facet) != value for facet, value in asked.items()
               if not (facet == "age" and not getattr(found, facet)))


# facet -> value -> (Vietnamese label, English label) for the separating question's buttons
FACET_VALUES: dict[str, dict[object, tuple[str, str]]] = {
    "issue": {
        "first": ("Làm lần đầu", "First time"),
        "reissue": ("Bị mất, hỏng — làm lại", "Lost or damaged — replace it"),
        "exchange": ("Đổi (hết hạn, sai hoặc thay đổi thông tin)", "Exchange (expired, wrong or changed details)"),
        "correction": ("Sửa, điều chỉnh thông tin", "Correct or change details"),
    },
    "age": {
        "under14": ("Cho người dưới 14 tuổi", "For someone under 14"),
        "from14": ("Cho người từ đủ 14 tuổi", "For someone 14 or older"),
    },
    "foreign": {
        True: ("Có người nước ngoài / ở nước ngoài", "A foreigner or someone abroad is involved"),
        False: ("Chỉ công dân Việt Nam ở trong nước", "Only Vietnamese citizens in Vietnam"),
    },
}


# Facets without a usual case: most questions mean a first issue and no foreign party when they do
# not say, but "làm căn cước cho con" is as likely for a 15-year-old as for a baby. When such a
# facet separates the best procedure from a twin, a stated value picks the twin (search) and an
# unstated one is asked, however sure the ranking is (answers).
NO_USUAL_CASE = frozenset({"age"})


def separating_facet(names: list[str]) -> tuple[str, list[object]] | None:
    """The one facet whose values differ among these procedures (None if none or several do)."""
    found = [facets_of(name) for name in names]
    differing = [facet for facet in ("issue", "age", "foreign")
                 if len({getattr(f, facet) for f in found}) > 1 and all(getattr(f, facet) != "" for f in found)]
    if len(differing) != 1:
        return None
    facet = differing[0]
    return facet, [getattr(f, facet) for f in found]
