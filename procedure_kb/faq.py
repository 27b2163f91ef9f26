"""Transition FAQ: questions about the 2025 reorganisation itself, kept as data and searched.

Entries live in data/transition_faq.yml (question variants in Vietnamese with and without
diacritics and in English, the answer, its legal basis by name and number, the date it was
last checked). `search_faq` matches a citizen's words against every variant; `render_answer`
gives the text the assistant sends, citing the legal basis and, where the entry is not
settled by a legal basis here, telling the citizen to confirm with the hotline.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from rapidfuzz import fuzz

from procedure_kb import messages as M
from procedure_kb.i18n import is_en, say
from procedure_kb.textnorm import fold

__all__ = ["FaqEntry", "FaqHit", "load_faq", "search_faq", "faq_scores", "render_answer"]

QUESTION_GROUPS = ("vi", "plain", "teen", "en", "situation")
_WORD = re.compile(r"[a-z0-9]+")
# Words every reform question shares; they must not make two unrelated questions look alike.
_COMMON = frozenset("sau sap nhap co khong thi la gi the nao bao nhieu o dau toi the i my a is".split())


def _features(folded: str) -> frozenset[str]:
    """Content words plus word pairs ("so_do", "can_cuoc": Vietnamese words are two syllables)."""
    words = folded.split()
    pairs = {f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)}
    return frozenset((set(words) - _COMMON) | pairs)


@dataclass(frozen=True)
class LegalRef:
    title: str
    number: str


@dataclass(frozen=True)
class FaqEntry:
    id: str
    questions: tuple[str, ...]  # all variants, as written
    answer_vi: str
    answer_en: str
    legal_basis: tuple[LegalRef, ...]
    confirm_with_hotline: bool
    last_checked: str
    follow_up: str = ""  # "complaint": after the answer, offer to file a complaint
    groups: tuple[str, ...] = ()  # the QUESTION_GROUPS name of each variant in `questions`


@dataclass(frozen=True)
class FaqHit:
    entry: FaqEntry
    score: float  # 0..100


@lru_cache(maxsize=1)
def load_faq() -> tuple[FaqEntry, ...]:
    """All FAQ entries from the package data (read once)."""
    raw = resources.files("procedure_kb").joinpath("data/transition_faq.yml").read_text("utf-8")
    data = yaml.safe_load(raw)
    bases = {key: LegalRef(**value) for key, value in data["legal_bases"].items()}
    entries = []
    for item in data["entries"]:
        grouped = [(group, q) for group in QUESTION_GROUPS for q in item["questions"].get(group, [])]
        questions = tuple(q for _, q in grouped)
        entries.append(
            FaqEntry(
                id=item["id"],
                questions=questions,
                answer_vi=item["answer"]["vi"].strip(),
                answer_en=item["answer"]["en"].strip(),
                legal_basis=tuple(bases[key] for key in item.get("legal_basis") or []),
                confirm_with_hotline=bool(item.get("confirm_with_hotline")) or not item.get("legal_basis"),
                last_checked=str(item["last_checked"]),
                follow_up=str(item.get("follow_up") or ""),
                groups=tuple(group for group, _ in grouped),
            )
        )
    return tuple(entries)


@lru_cache(maxsize=1)
def _variants() -> tuple[tuple[tuple[int, str, frozenset[str]], ...], dict[str, float]]:
    """(entry index, folded variant, content words) for every variant, and word weights."""
    out = []
    for index, entry in enumerate(load_faq()):
        for question in entry.questions:
            folded = " ".join(_WORD.findall(fold(question)))
            out.append((index, folded, _features(folded)))
    entries_with: dict[str, set[int]] = {}
    for index, _, words in out:
        for word in words:
            entries_with.setdefault(word, set()).add(index)
    n = len(load_faq())
    weights = {word: math.log(1 + n / len(ids)) for word, ids in entries_with.items()}
    return tuple(out), weights


def search_faq(query: str, top: int = 3) -> list[FaqHit]:
    """FAQ entries answering `query`, best first, as the question router ranks and rates them
    (lexical variants and the semantic signal, rated beside the best procedure; score = calibrated
    chance x 100); [] when none is worth offering or the router would say "not known"."""
    from procedure_kb.answers import (  # the router builds on this module
        FAQ_LIST_FLOOR,
        assess,
        offers_anything,
    )

    if not isinstance(query, str) or not query.strip():
        return []
    found = assess(query)  # an entry's chance depends on how well the question names a procedure
    if not offers_anything(found):
        return []
    return [FaqHit(c.entry, round(c.confidence * 100, 1)) for c in found.faqs[:top] if c.confidence >= FAQ_LIST_FLOOR]


def faq_scores(query: str) -> dict[int, float]:
    """Lexical score (0..100) of every entry sharing a content word with `query`.

    Score: how much of the query's (weighted) content words a variant shares, blended with
    rapidfuzz similarity of the whole question.
    """
    if not isinstance(query, str):
        return {}
    folded = " ".join(_WORD.findall(fold(query[:500])))
    if not folded:
        return {}
    variants, weights = _variants()
    features = _features(folded)
    words = {f for f in features if "_" not in f}
    pairs = features - words
    # Unknown words count too (as rare words), so off-topic questions score low.
    unknown = math.log(1 + len(load_faq()))
    total = sum(weights.get(w, unknown) for w in words)
    if not total:
        return {}
    best: dict[int, float] = {}
    for index, variant, variant_features in variants:
        shared = words & variant_features
        if not shared:
            continue  # nothing but filler words in common
        coverage = sum(weights[w] for w in shared) / total
        pair_bonus = 20 * len(pairs & variant_features) / max(1, len(pairs))
        # token_sort, not token_set: a short query inside a long variant is not a near-copy of it
        score = 50 * coverage + 0.3 * fuzz.token_sort_ratio(folded, variant) + pair_bonus
        if score > best.get(index, 0.0):
            best[index] = score
    return best


def faq_entry(entry_id: str) -> FaqEntry | None:
    """The FAQ entry with this id (as a button sends it), or None."""
    return next((e for e in load_faq() if e.id == entry_id), None) if entry_id else None


def render_answer(entry: FaqEntry, lang: str, hotline: str) -> str:
    """The reply text: answer, legal basis by name and number, check date, hotline caveat."""
    text = (entry.answer_en if is_en(lang) else entry.answer_vi).replace("{hotline}", hotline)
    lines = [text]
    if entry.legal_basis:
        refs = "; ".join(say(M.FAQ_REF, lang, title=ref.title, number=ref.number) for ref in entry.legal_basis)
        lines.append(say(M.FAQ_LEGAL_BASIS, lang, refs=refs))
    if entry.confirm_with_hotline:
        lines.append(say(M.FAQ_CONFIRM, lang, hotline=hotline))
    lines.append(say(M.FAQ_CHECKED, lang, date=entry.last_checked if is_en(lang) else _vi_date(entry.last_checked)))
    return "\n".join(lines)


def _vi_date(iso: str) -> str:
    parts = iso.split("-")
    return f"{parts[2]}/{parts[1]}/{parts[0]}" if len(parts) == 3 else iso
