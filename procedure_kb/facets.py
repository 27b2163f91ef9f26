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

from procedure_kb.language import language_evidence
from procedure_kb.textnorm import fold, nfc, tokens

__all__ = ["Facets", "facets_of", "asked_facets", "separating_facet", "FACET_VALUES"]

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
_ASK_UNDER_14 = re.compile(r"\b(duoi 14|([1-9]|1[0-3]) tuoi|tre em|tre nho|em be|so sinh|cho be|con nho|baby|child|kid|toddler)\b")
_ASK_FROM_14 = re.compile(r"\b(tu 14|du 14|(1[4-9]|[2-9]\d) tuoi|adult|nguoi lon)\b")
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


def facets_of(name: str) -> Facets:
    folded = fold(name)
    issue = next((kind for kind, pattern in _ISSUE if pattern.search(folded)), "first")
    age = "under14" if _UNDER_14.search(folded) else "from14" if _FROM_14.search(folded) else ""
    return Facets(issue=issue, age=age, foreign=bool(_FOREIGN.search(folded)))


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
    if _ASK_UNDER_14.search(folded):
        asked["age"] = "under14"
    elif _ASK_FROM_14.search(folded):
        asked["age"] = "from14"
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


def separating_facet(names: list[str]) -> tuple[str, list[object]] | None:
    """The one facet whose values differ among these procedures (None if none or several do)."""
    found = [facets_of(name) for name in names]
    differing = [facet for facet in ("issue", "age", "foreign")
                 if len({getattr(f, facet) for f in found}) > 1 and all(getattr(f, facet) != "" for f in found)]
    if len(differing) != 1:
        return None
    facet = differing[0]
    return facet, [getattr(f, facet) for f in found]
