"""One question router: how to answer a citizen's question, whatever the assistant guessed it was.

`answer_question(text)` searches the reform FAQ and the procedures together and decides:

- FAQ        — a reform answer (with its legal basis; some entries then offer a complaint);
- PROCEDURE  — one procedure card, only when the calibrated confidence is at least SURE;
- CLARIFY    — the best candidates are near-twins (first issue / re-issue / exchange, age,
               foreign element): ask the one question that separates them, as buttons;
- CHOICES    — not sure: up to three candidates (procedures and/or FAQ entries) as buttons;
- NOT_KNOWN  — nothing close enough: say so and offer the hotline or a person.

Confidences come from procedure_kb.calibration (fitted on the development set and the spent
blind batches, never on the current blind ones). A reform question never gets a procedure that
merely shares a word such as "sáp nhập" (a company merger): company-event procedures need
business words in the question.
Pure: no I/O beyond the package's data; the actions render the Answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import lru_cache

import numpy as np

from procedure_kb.calibration import (
    OFFER,
    SURE,
    SURE_FAQ,
    faq_confidence,
    faq_features,
    procedure_confidence,
    procedure_features,
)
from procedure_kb.facets import (
    FACET_VALUES,
    NO_USUAL_CASE,
    asked_facets,
    contradicts,
    facets_of,
    separating_facet,
)
from procedure_kb.faq import FaqEntry, faq_scores, load_faq
from procedure_kb.search import SEMANTIC_FLOOR, SearchHit, search_outcome
from procedure_kb.semantic import question_scores
from procedure_kb.textnorm import fold, tokens

__all__ = ["AnswerKind", "Choice", "Answer", "answer_question", "FaqCandidate", "faq_candidates"]


class AnswerKind(str, Enum):
    FAQ = "faq"
    PROCEDURE = "procedure"
    CLARIFY = "clarify"
    CHOICES = "choices"
    NOT_KNOWN = "not_known"


@dataclass(frozen=True)
class Choice:
    """A button: a procedure (by code) or an FAQ entry (by id), with its label."""

    kind: str  # "procedure" | "faq"
    ref: str
    title_vi: str
    title_en: str


@dataclass(frozen=True)
class Answer:
    kind: AnswerKind
    ref: str = ""  # procedure code or FAQ id for PROCEDURE / FAQ
    choices: tuple[Choice, ...] = ()
    facet: str = ""  # CLARIFY: which facet the buttons separate ("issue", "age", "foreign")
    facet_values: tuple[object, ...] = ()  # CLARIFY: the facet's value behind each procedure button
    confidence: float = 0.0  # internal only: never shown to citizens
    follow_up: str = ""  # FAQ: "complaint" when the answer should offer to file one
    candidates: tuple[str, ...] = field(default=())  # internal: what was considered, best first
    failed: bool = False  # NOT_KNOWN because the procedure search broke (logged), not for want of a match


@dataclass(frozen=True)
class FaqCandidate:
    entry: FaqEntry
    confidence: float
    features: dict | None = None  # for the best candidate: what the calibration read


FAQ_BUTTON_FLOOR = OFFER / 4  # an FAQ entry below this chance gets no button (lower: docs/decisions.md, round 6)
FAQ_LIST_FLOOR = 0.1  # below this calibrated chance an FAQ entry is not listed (search_faq, the CLI)
FAQ_SEMANTIC_WEIGHT = 3.0  # like the procedures' fusion, on the FAQ's own scale (lexical score 0..1)
# Words that make a message about the reorganisation itself, matched on the folded words joined
# by single spaces ("1/7" -> "1 7", "two-tier" -> "two tier"). The English list says in English
# what the Vietnamese one says: a foreigner's "now that districts are gone" is the same question.
_REFORM_VI = (
    r"sap nhap|sap xep|bo huyen|bo cap huyen|cap huyen|khong con huyen|khong con quan|huyen cu|tinh cu|"
    r"xa cu|phuong cu|hai cap|2 cap|tinh moi|xa moi|phuong moi|dia chi cu|dia danh cu|truoc 1 7|sau 1 7|"
    r"tu 1 7|ngay 1 7|1 7 2025|ho khau|vneid|dac khu|34 tinh|63 tinh|(?:quan|thi xa|thi tran|ten|noi o|que) cu|con gia tri|con hieu luc|con dung duoc|con xai|"
    r"con su dung|chinh quyen|uy ban nhan dan huyen|uy ban huyen|cong an huyen|phong tu phap huyen|giai the|xoa so|nhap tinh|"
    r"nhap vao tinh|nhap xa|nhap vao xa|doi ten (?:xa|phuong|tinh|huyen)"
)
_UNIT = (r"(?:provinces?|cit(?:y|ies)|communes?|wards?|districts?|towns?|hamlets?|villages?|hometowns?|"
         r"localit(?:y|ies)|administrative units?)")
_REFORM_EN = (
    r"merger|merged|merging|amalgamat\w*|reorgani[sz]\w*|restructur\w*|abolish\w*|abolition|"
    r"district level|district office|district police|"
    r"no (?:more )?districts?|without districts?|"
    r"districts? (?:are |is |were |was |have been |has been )?(?:gone|abolished|removed|scrapped|no longer)|"
    r"no longer exists?|new (?:province|commune|ward)s?|july 2025|"
    r"1 july|july 1|34 provinces|63 provinces|still valid|local government|"
    # Reviewed against the Vietnamese list and the FAQ's English answers (2026-12-01): the same
    # things said in other English words, each tied to a unit so company or land events stay out.
    rf"merges? (?:\w+ ){{0,3}}{_UNIT}|{_UNIT} (?:\w+ ){{0,3}}merges?|"
    rf"{_UNIT} (?:(?:was|were|is|are|has been|have been|had been|got|being|will be|to be) )?"
    r"(?:renamed|combined|consolidated|absorbed|dissolved|disbanded|eliminated|scrapped|erased|redrawn|reorgani[sz]ed|restructured)|"
    rf"(?:renaming|dissolution|elimination|consolidation|rearrang\w*|redrawing|merg\w*) (?:of )?(?:the )?(?:\w+ )?{_UNIT}|"
    r"(?:old|previous|former) (?:address(?:es)?|place names?|administrative units?|districts?|provinces?|communes?|wards?|"
    rf"names? of (?:my |the |our )?{_UNIT})|"
    rf"new names? (?:of|for) (?:my |the |our |this )?{_UNIT}|new place names?|new administrative (?:units?|names?|map|boundar\w*)|"
    r"new address format|place names?|address(?:es)? conversion|conversion table|convert\w* (?:my |the |our |an )?(?:old )?address\w*|"
    r"(?:after|since|before|due to|because of) the (?:administrative )?(?:mergers?|reforms?|changes?(?! of)|changeover|transition|"
    r"reorgani[sz]ation|restructuring|reshuffle|new system|new structure)|"
    r"administrative (?:reforms?|reorgani[sz]\w*|restructur\w*|mergers?|overhaul|shake ?up|reshuffle|changes?(?! of)|map|units?|"
    r"divisions?|levels?|tiers?)|(?:administration|government) (?:reforms?|overhaul|reshuffle)|reshuffl\w*|redistrict\w*|"
    r"streamlin\w* (?:of )?(?:the )?(?:state |government |administrative )?(?:apparatus|government|administration|bureaucracy)|"
    r"(?:two|2|three|3) (?:levels?|tiers?)|(?:administrative|provincial|province|commune|district|ward) (?:boundar\w*|borders?)|"
    r"redraw\w* (?:the )?(?:map|boundar\w*|borders?)|july 1st|1st (?:of )?july|first of july|0?1 0?7 2025|0?7 0?1 2025|"
    r"3 ?321 (?:communes?|wards?|commune level)|(?:34|63) (?:provincial|cities and provinces|provinces and cities)|63 to 34|"
    r"special (?:administrative )?zones?|"
    r"district (?:people s |peoples |people )?(?:committee|council|pc)|district (?:justice|judicial) (?:office|division|department|section)|"
    r"district (?:\w+ ){1,2}(?:office|department|division|bureau|police)|district (?:authorit\w*|government|administration|chairman|chair|hall)|"
    r"family (?:registration )?book|household (?:registration )?(?:book|booklet|register)|residence books?|"
    r"still (?:usable|in effect|accepted|be used)|remains? valid|no longer valid|valid any ?(?:more|longer)|(?:can|may) i still use|"
    r"(?:don t|doesn t|do not|does not|didn t) exist any ?(?:more|longer)|ceased? to exist"
)
_REFORM = re.compile(rf"\b(?:{_REFORM_VI}|{_REFORM_EN})\b")
# Company events share words with the reform ("sáp nhập", "hợp nhất", "chia, tách"): such a
# procedure is only a candidate when the question speaks of a business. "Chuyển đổi" counts only
# for an organisation's conversion: crops, land use and certificates are converted too.
_COMPANY_EVENT = re.compile(r"sap nhap|hop nhat|chia, tach|chia tach|"
                            r"chuyen doi(?: \w+){0,6} (?:loai hinh|cong ty|doanh nghiep|hop tac xa|to hop tac|van phong)")
_BUSINESS = re.compile(r"\b(cong ty|doanh nghiep|hop tac xa|htx|tnhh|co phan|chi nhanh|company|enterprise|"
                       r"cooperative|business|firm|corporation)\b")


def speaks_of_reform(text: str) -> bool:
    """The message uses the reorganisation's own words (merger, old district, two levels…)."""
    return bool(_REFORM.search(" ".join(tokens(text))))


def faq_candidates(text: str, top: int = 3, procedure=None, reform: bool | None = None) -> list[FaqCandidate]:
    """`procedure`: the best procedure hit's HitFeatures, which the FAQ calibration reads too;
    `reform`: `speaks_of_reform(text)` when the caller has it already."""
    entries = load_faq()
    lexical = faq_scores(text)
    found = question_scores(text)
    semantic = found.faq if found is not None else None
    candidates = set(lexical)
    if semantic is not None:
        candidates |= set(np.argsort(-semantic)[:5].tolist())
    if not candidates:
        return []
    reform = speaks_of_reform(text) if reform is None else reform

    def raw(i: int) -> float:  # a fixed ranking score; the calibration then rates the ranks
        cos = float(semantic[i]) if semantic is not None else 0.0
        return lexical.get(i, 0.0) / 100.0 + FAQ_SEMANTIC_WEIGHT * max(0.0, cos - SEMANTIC_FLOOR) / (1 - SEMANTIC_FLOOR)

    ranked = sorted(candidates, key=lambda i: -raw(i))[:top]
    closest = float(found.procedures.max()) if found is not None else None
    scored = []
    for rank, i in enumerate(ranked):
        cos = float(semantic[i]) if semantic is not None else None
        runner_up = raw(ranked[1]) if rank == 0 and len(ranked) > 1 else raw(ranked[0])
        margin = (raw(i) - runner_up) / raw(i) if raw(i) > 0 else 0.0
        features = faq_features(lexical.get(i, 0.0) / 100.0, cos, max(0.0, margin), reform, procedure, closest)
        scored.append(FaqCandidate(entries[i], faq_confidence(features) * (1.0 if rank == 0 else 0.5),
                                   features if rank == 0 else None))
    return scored


@lru_cache(maxsize=4096)  # asked for every candidate of every question: ~4 ms a question unmemoised
def _company_event(name: str) -> bool:
    return bool(_COMPANY_EVENT.search(fold(name)))


def _implausible(text: str):
    """Company-event procedures cannot be meant by a question that names no business (the
    reform's "sáp nhập" is not a company merger): the search leaves them out before ranking."""
    return None if _BUSINESS.search(fold(text)) else _company_event


def _real_evidence(hit: SearchHit) -> bool:
    """Scattered single words ("đẹp" in "hôm nay trời đẹp quá") are not worth buttons: a matched
    word pair, or a semantic match that is close, is. On five spent batches and the no-answer
    messages, 0.90 kept every right choice that 0.88 kept and gave buttons to two fewer
    no-answer messages (round 12, when the refit ranking put a 0.884 match first for weather talk)."""
    f = hit.features
    return f is not None and (f.matched_pairs > 0 or f.semantic >= 0.90)


def _names_procedure(hits: list[SearchHit]) -> bool:
    """The best procedure's fields hold every word of the question, and at least one word pair."""
    f = hits[0].features if hits else None
    return f is not None and f.coverage >= 0.99 and f.matched_pairs > 0


def _procedure_choice(hit: SearchHit) -> Choice:
    return Choice("procedure", hit.code, f"{hit.name} ({hit.level})", f"{hit.name} ({hit.level})")


def _faq_choice(candidate: FaqCandidate) -> Choice:
    first_vi = next(iter(candidate.entry.questions), candidate.entry.id)
    first_en = next((q for q in candidate.entry.questions if q.isascii() and " " in q and q[:1].isupper()), first_vi)
    return Choice("faq", candidate.entry.id, first_vi, first_en)


# Level remarks only: other brackets tell different procedures apart ("(một tỉnh)" / "(nhiều tỉnh)").
_LEVEL_REMARK = re.compile(r"\([^)]*\bcap (?:tinh|xa|huyen|trung uong|bo)\b[^)]*\)|\bthu tuc\b|"
                           r"\b(?:thuc hien )?tai (?:cong an )?cap (?:tinh|xa|huyen|trung uong|bo)\b")


def _same_procedure(first: str, second: str) -> bool:
    """The same procedure at two levels: the names agree once level remarks are set aside."""
    def bare(name: str) -> str:
        return " ".join(_LEVEL_REMARK.sub(" ", fold(name)).split())
    return bare(first) == bare(second)


def _clarify(hits: list[SearchHit], text: str) -> Answer | None:
    """Near-twins among the best candidates: the one question that separates them (never one the
    question already answered: twins that contradict what it states are left out)."""
    asked = asked_facets(text)
    if not hits or contradicts(facets_of(hits[0].name), asked):
        return None  # the best candidate is not a case the question allows: no twin question about others
    twins = [h for h in hits[:4] if not contradicts(facets_of(h.name), asked)]
    if len(twins) < 2:
        return None
    found = separating_facet([h.name for h in twins])
    if found is None:
        return None
    facet, values = found
    choices, seen, names = [], [], {}
    for hit, value in zip(twins, values, strict=False):
        if value not in FACET_VALUES[facet]:
            continue
        if value in seen:
            if not _same_procedure(names[value], hit.name):
                return None  # two different procedures share a case: the buttons could not tell them apart
            continue  # the same case at another level: the best-ranked (commune first) stands for it
        seen.append(value)
        names[value] = hit.name
        vi, en = FACET_VALUES[facet][value]
        choices.append(Choice("procedure", hit.code, vi, en))
    if len(choices) < 2:
        return None
    return Answer(AnswerKind.CLARIFY, choices=tuple(choices), facet=facet, facet_values=tuple(seen),
                  confidence=hits[0].confidence,
                  candidates=tuple(h.code for h in hits))


def _unstated_twin(hits: list[SearchHit], text: str) -> bool:
    """A twin of the best procedure among the candidates differs from it in a facet without a usual
    case (facets.NO_USUAL_CASE) that the question does not state."""
    asked = asked_facets(text)
    for hit in hits[1:4]:
        found = separating_facet([hits[0].name, hit.name])
        if found is not None and found[0] in NO_USUAL_CASE and found[0] not in asked:
            return True
    return False


@dataclass(frozen=True)
class Assessment:
    """Both sides of a question, with the calibrated chance that each side's best is right."""

    hits: list[SearchHit]
    faqs: list[FaqCandidate]
    p_proc: float
    p_faq: float
    procedure_features: dict | None  # what the calibration read (bench/calibrate.py fits on these)
    faq_features: dict | None
    failed: bool = False  # the procedure search broke (logged); see search_outcome
    reform: bool = False  # the message uses the reform's own words


def assess(text: str) -> Assessment:
    outcome = search_outcome(text, top=5, leave_out=_implausible(text))
    hits = outcome.hits
    best = hits[0].features if hits else None
    reform = speaks_of_reform(text)
    faqs = faq_candidates(text, procedure=best, reform=reform)
    faq_lexical = faqs[0].features["lexical"] if faqs and faqs[0].features else 0.0
    faq_semantic = faqs[0].features["semantic"] if faqs and faqs[0].features else 0.0
    p_features = procedure_features(best, reform, faq_lexical, faq_semantic) if best else None
    p_proc = procedure_confidence(best, reform, faq_lexical, faq_semantic) if best else 0.0
    p_faq = faqs[0].confidence if faqs else 0.0
    return Assessment(hits, faqs, p_proc, p_faq, p_features, faqs[0].features if faqs else None, outcome.failed,
                      reform)


def offers_anything(found: Assessment) -> bool:
    """The router gives something other than "not known": a side is likely enough, or the best
    procedure has real evidence behind it."""
    return max(found.p_proc, found.p_faq) >= OFFER or (bool(found.hits) and _real_evidence(found.hits[0]))


def answer_question(text: str, off_topic: bool = False) -> Answer:
    """How to answer `text` (already cleaned at the edge): see the module docstring.

    `off_topic`: the intent classifier took the message for something we do not handle ("kết quả
    xổ số hôm nay"). The search may still match its words with confidence; when the two disagree
    the assistant is not sure, so it offers at most, never one card or one FAQ answer."""
    if not isinstance(text, str) or not text.strip():
        return Answer(AnswerKind.NOT_KNOWN)
    found = assess(text)
    hits, faqs, p_proc, p_faq = found.hits, found.faqs, found.p_proc, found.p_faq
    considered = tuple([h.code for h in hits] + [f.entry.id for f in faqs])
    reform = found.reform
    # The likelier side answers outright when its calibrated chance reaches its own threshold, as
    # bench/calibrate.py counts it. The FAQ's model reads how well the question names a procedure
    # (round 8 dropped a hand-written gate in front of it, docs/decisions.md).
    # ... unless the question fully names a procedure and says nothing of the reform ("cccd").
    if p_faq >= SURE_FAQ and p_faq >= p_proc and not off_topic and (reform or not _names_procedure(hits)):
        entry = faqs[0].entry
        return Answer(AnswerKind.FAQ, ref=entry.id, confidence=p_faq, follow_up=entry.follow_up, candidates=considered)
    if p_proc >= SURE and p_proc > p_faq and not off_topic:
        clarify = _clarify(hits, text) if _unstated_twin(hits, text) else None
        if clarify is not None:
            return clarify
        return Answer(AnswerKind.PROCEDURE, ref=hits[0].code, confidence=p_proc, candidates=considered)
    evidence = bool(hits) and _real_evidence(hits[0])
    if evidence and (p_proc >= p_faq or not reform):
        clarify = _clarify(hits, text)  # near-twins and no word about the reform: ask which case
        if clarify is not None:
            if faqs and faqs[0].confidence >= FAQ_BUTTON_FLOOR:  # ... or perhaps the reform question after all
                clarify = replace(clarify, choices=clarify.choices + (_faq_choice(faqs[0]),))
            return clarify
    # Buttons: the best procedures (scaled by their score against the best) and FAQ entries; the
    # best of each side keeps a place, so a reform question is not crowded out by procedures.
    # Not sure means "here are three": the runners-up stay however far below the best they rank
    # (a floor at half of OFFER left the right one out for ~1 in 100 questions, round 9).
    top_score = hits[0].score if hits else 1.0
    procedures = [(max(p_proc, OFFER) * h.score / top_score, _procedure_choice(h)) for h in hits[:3] if evidence]
    answers = [(f.confidence, _faq_choice(f)) for f in faqs[:2] if f.confidence >= FAQ_BUTTON_FLOOR]
    # The more likely side takes the third place: the FAQ's second entry, rated at half its chance,
    # would otherwise lose it to a third procedure on a question that is more likely about the reform.
    likelier, other = (answers, procedures) if p_faq >= p_proc else (procedures, answers)
    options = likelier[:2] + other[:1]
    options += sorted(likelier[2:] + other[1:], key=lambda item: -item[0])[: 3 - len(options)]
    options.sort(key=lambda item: -item[0])
    if options and offers_anything(found):
        return Answer(AnswerKind.CHOICES, choices=tuple(c for _, c in options), confidence=max(p_proc, p_faq),
                      candidates=considered)
    return Answer(AnswerKind.NOT_KNOWN, confidence=max(p_proc, p_faq), candidates=considered, failed=found.failed)


def warm_up() -> None:
    """Load the records, the bank, the FAQ and the semantic cache now, not on a citizen's first question."""
    answer_question("đăng ký khai sinh cho con")
    answer_question("giấy tờ cũ còn giá trị không")
    answer_question("dang ky tam tru o dau")  # loads the diacritics restorer (procedure_kb.accents)
