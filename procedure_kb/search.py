"""Search procedures with a citizen's own words.

Field-weighted BM25 (BM25F) with word bigrams (so "khai sinh" outranks records that merely
contain "khai" and "sinh") over the fields that carry citizens' words: the official name,
the phrasing bank's everyday names, life situations and English names/phrasings
(data/phrasings/), results, subjects and field. A synonym lexicon (data/synonyms.tsv) for
frequent everyday words; rapidfuzz to correct typos against the index vocabulary; English
filler words never count against a query's coverage; a small prior prefers the
commune/province variant unless the ministry one is asked for. The lexical and semantic short
lists are merged and ordered by a learned ranking (procedure_kb.ranking, fitted by
bench/fit_ranking.py on exactly the features `candidates` computes). Indexes are built once,
lazily, on first use.

Why about 670 lines: one ranking pipeline (index, query analysis, BM25F, typo correction, the
candidates' features for the learned ranking) whose constants only make sense read together.
"""

from __future__ import annotations

import gc
import html
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

import numpy as np
from rapidfuzz import fuzz, process

from procedure_kb.calibration import procedure_confidence
from procedure_kb.facets import NO_USUAL_CASE, asked_facets, facets_of, separating_facet
from procedure_kb.language import language_evidence
from procedure_kb.phrasings import phrasing_for
from procedure_kb.procedures import Procedure, load_procedures
from procedure_kb.ranking import FEATURES, probabilities
from procedure_kb.semantic import SemanticScores, question_scores
from procedure_kb.textnorm import fold

log = logging.getLogger(__name__)

__all__ = ["SearchHit", "SearchOutcome", "search_outcome", "search_procedures", "get_procedure", "analyze_query", "MAX_QUERY_CHARS"]

MAX_QUERY_CHARS = 300  # longer input is cut: a question never needs more, and it bounds latency
AMBIGUOUS_RATIO = 0.97  # runner-up within 3% of the best -> offer buttons instead of guessing
EXACT_NAME = 95  # query and best name agree this well (rapidfuzz) -> no doubt, whatever the runner-up
MIN_COVERAGE = 0.34  # share of the query's weight that must match something in the index
LIST_FLOOR = 0.1  # below this calibrated chance a result is not worth listing at all
SEMANTIC_FLOOR = 0.7  # cosines below this say nothing (the ranking's "sem" feature starts here)
CANDIDATES = 30  # each signal's short list; the learned ranking (procedure_kb.ranking) orders their union
# English filler words (data/english_filler.txt): dropped from English questions. Not imported
# from scikit-learn at run time: loading it beside the embedding engine's OpenMP runtime made
# every embedding 25 times slower.
ENGLISH_FILLER = frozenset(
    line.strip() for line in resources.files("procedure_kb").joinpath("data/english_filler.txt")
    .read_text("utf-8").splitlines() if line.strip() and not line.startswith("#")
)

# Field weights: the name and the bank's everyday names say what a procedure is; situations,
# English, results and field help. (field, weight, length normalisation b)
_FIELDS = (
    ("name", 3.0, 0.75), ("bank_vi", 2.2, 0.3), ("bank_sit", 1.0, 0.3), ("bank_en", 2.2, 0.3),
    ("results", 0.6, 0.75), ("domain", 0.4, 0.75),
)
_K1 = 1.2
_RANKED_FIELDS = ("name", "bank_vi", "bank_sit", "bank_en")  # each also a feature of the learned ranking
_LEVEL_PRIOR = {"commune": 1.0, "province": 0.99, "other": 0.97, "ministry": 0.95}
_CENTRAL_ASKED = 1.1  # the question names the central level: its variants gain this much
_MINISTRY_HINT = re.compile(r"\b(trung uong|cap bo|tw|bo cong an|central|ministry|national level)\b")
_CENTRAL_NAME = re.compile(r"cap trung uong|cap tw\b|\(cap bo\)|tai cuc |tai bo ")
_FOREIGN_HINT = re.compile(r"\b(nuoc ngoai|foreign|foreigner|viet kieu|yeu to nuoc ngoai|nguoi nuoc ngoai|bien gioi)\b")
_HTML = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]{0,200}>", re.I | re.S)
_NAME_NOISE = re.compile(r"\bthu tuc\b|\(.*?\)")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class HitFeatures:
    """What the calibration reads about the best hit (procedure_kb.calibration)."""

    coverage: float  # share of the query's weight the lexical index matched
    matched_weight: float
    matched_pairs: int
    exact: bool
    margin: float  # (best - runner-up) / best, ranking probabilities
    probability: float  # the ranking's probability for the best hit, among the candidates
    lexical: float  # the best hit's lexical score relative to the lexical best
    lexical_top: bool  # the lexical search alone ranks it first too
    semantic: float  # its cosine similarity (0 when the semantic signal was not used)
    semantic_margin: float
    semantic_used: bool
    semantic_agree: bool  # the semantic signal alone ranks it first too
    words: int


@dataclass(frozen=True)
class SearchHit:
    code: str
    name: str
    level: str  # the portal's level text, e.g. "Cấp xã" or "Cấp bộ, Cấp tỉnh"
    score: float
    confidence: float  # 0..1: estimated chance that this is what was asked (calibrated)
    ambiguous: bool  # True when the best results are too close to pick one
    detail_url: str = ""
    features: HitFeatures | None = None  # for the best hit only


# ---------------------------------------------------------------- lexicons


def _read_lines(name: str) -> list[str]:
    raw = resources.files("procedure_kb").joinpath(f"data/{name}").read_text("utf-8")
    return [line for line in raw.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def _synonyms() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Folded phrase -> folded expansion, longest phrase first."""
    pairs = []
    for line in _read_lines("synonyms.tsv"):
        phrase, _, expansion = line.partition("\t")
        phrase = " ".join(_WORD.findall(fold(phrase)))
        keep = expansion.startswith("+")  # "+…": keep the phrase too (the portal also uses it)
        expansion = expansion.lstrip("+")
        if expansion.strip() == "-":  # "-" deletes the phrase ("mất bao lâu" is not "lost")
            pairs.append((phrase, ""))
            continue
        expansion = " ".join(_WORD.findall(fold(expansion)))
        if keep:
            expansion = f"{phrase} {expansion}"
        if phrase and expansion:
            pairs.append((phrase, expansion))
    pairs.sort(key=lambda p: -len(p[0]))
    return tuple((re.compile(rf"\b{re.escape(p)}\b"), e) for p, e in pairs)


@lru_cache(maxsize=1)
def _stopwords() -> tuple[re.Pattern[str] | None, frozenset[str]]:
    """Stop phrases (one regex, longest first) and single stop words, all folded."""
    phrases: set[str] = set()
    words: set[str] = set()
    for line in _read_lines("query_stopwords.txt"):
        folded = " ".join(_WORD.findall(fold(line)))
        (phrases if " " in folded else words).add(folded)
    ordered = sorted(phrases, key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, ordered)) + r")\b") if ordered else None
    return pattern, frozenset(words)


# ---------------------------------------------------------------- index


def english_stem(word: str) -> str:
    """A light English stemmer ("registering", "registered", "registers" -> "register";
    "married" -> "marry"), for the bank's English field and English questions only."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + repl
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def _phrases(texts, english: bool = False) -> list[list[str]]:
    if english:
        return [[english_stem(w) for w in _WORD.findall(fold(text)) if w not in ENGLISH_FILLER] for text in texts]
    return [_WORD.findall(fold(text)) for text in texts]


def _doc_fields(proc: Procedure) -> dict[str, list[list[str]]]:
    """Each field as a list of phrases (bigrams never cross from one phrase to the next)."""
    bank = phrasing_for(proc.code)
    return {
        "name": _phrases([proc.name]),
        "bank_vi": _phrases(bank.names_vi if bank else ()),
        "bank_sit": _phrases(bank.situations if bank else ()),
        "bank_en": _phrases(bank.all_en() if bank else (), english=True),
        "results": _phrases(r.name for r in proc.results[:3]),
        "domain": _phrases([proc.domain]),
    }


def _terms(words: list[str]) -> list[str]:
    """Unigrams plus adjacent bigrams ("khai_sinh"): Vietnamese words are two syllables."""
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]


def _field_terms(phrases: list[list[str]]) -> list[str]:
    return [term for words in phrases for term in _terms(words)]


@dataclass
class _Index:
    procedures: tuple[Procedure, ...]
    postings: dict[str, tuple[np.ndarray, np.ndarray]]
    field_postings: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]  # per _RANKED_FIELDS: idf x saturated tf
    idf: dict[str, float]
    vocab: list[str]  # unigrams, for typo correction
    prior: np.ndarray
    central: np.ndarray  # bool: ministry-only or "at central level" variant
    foreign: np.ndarray  # bool: "có yếu tố nước ngoài"/border variant
    names: list[str]
    by_code: dict[str, Procedure]
    followers: dict[str, list[str]]  # word -> words seen right after it (for typo context)
    vocab_by_initial: dict[str, list[str]]


def _saturated(docs: dict[int, float], idf: float) -> tuple[np.ndarray, np.ndarray]:
    ids = np.fromiter(docs.keys(), dtype=np.int32, count=len(docs))
    tf = np.fromiter(docs.values(), dtype=np.float32, count=len(docs))
    return ids, (idf * tf * (_K1 + 1) / (tf + _K1)).astype(np.float32)


@lru_cache(maxsize=1)
def _index() -> _Index:
    procs = load_procedures()
    n = len(procs)
    fields = [{f: _field_terms(phrases) for f, phrases in _doc_fields(p).items()} for p in procs]
    avg = {f: max(1.0, sum(len(d[f]) for d in fields) / max(n, 1)) for f, _, _ in _FIELDS}
    weighted: dict[str, dict[int, float]] = {}
    per_field: dict[str, dict[str, dict[int, float]]] = {f: {} for f in _RANKED_FIELDS}
    for doc_id, doc in enumerate(fields):
        for fname, weight, b in _FIELDS:
            terms = doc[fname]
            norm = 1 - b + b * len(terms) / avg[fname]
            for term in terms:
                bucket = weighted.setdefault(term, {})
                bucket[doc_id] = bucket.get(doc_id, 0.0) + weight / norm
                if fname in per_field:
                    own = per_field[fname].setdefault(term, {})
                    own[doc_id] = own.get(doc_id, 0.0) + 1.0 / norm
    postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    idf: dict[str, float] = {}
    for term, docs in weighted.items():
        df = len(docs)
        idf[term] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        ids = np.fromiter(docs.keys(), dtype=np.int32, count=df)
        tf = np.fromiter(docs.values(), dtype=np.float32, count=df)
        postings[term] = (ids, (idf[term] * tf * (_K1 + 1) / (tf + _K1)).astype(np.float32))
    field_postings = {fname: {term: _saturated(docs, idf[term]) for term, docs in terms.items()}
                      for fname, terms in per_field.items()}
    prior = np.ones(n, dtype=np.float32)
    central = np.zeros(n, dtype=bool)
    foreign = np.zeros(n, dtype=bool)
    for i, proc in enumerate(procs):
        best = max((_LEVEL_PRIOR.get(level, 0.97) for level in proc.levels), default=0.97)
        folded = fold(proc.name)
        central[i] = proc.levels == ["ministry"] or bool(_CENTRAL_NAME.search(folded))
        foreign[i] = "nuoc ngoai" in folded or "bien gioi" in folded
        prior[i] = best * (0.97 if central[i] else 1.0)
        if re.search(r"cap huyen|cap quan", folded):
            prior[i] *= 0.98  # the same procedure under its post-reform name comes first
        if "Công dân Việt Nam" in proc.subjects:
            prior[i] *= 1.02  # citizens are who ask; on a tie their variant wins
    vocab = sorted(t for t in weighted if "_" not in t and len(t) >= 2)
    # The records and indexes live for the whole process: move them out of the cyclic
    # GC's reach, or every full collection walks ~1M objects (a 5 ms stall mid-query).
    gc.collect()
    gc.freeze()
    by_initial: dict[str, list[str]] = {}
    for word in vocab:
        by_initial.setdefault(word[0], []).append(word)
    followers: dict[str, list[str]] = {}
    for term in weighted:
        if "_" in term:
            first, second = term.split("_", 1)
            followers.setdefault(first, []).append(second)
    return _Index(
        procedures=procs,
        postings=postings,
        field_postings=field_postings,
        idf=idf,
        vocab=vocab,
        prior=prior,
        central=central,
        foreign=foreign,
        names=[" ".join(_NAME_NOISE.sub(" ", fold(p.name)).split()) for p in procs],
        by_code={p.code: p for p in procs},
        followers=followers,
        vocab_by_initial=by_initial,
    )


# ---------------------------------------------------------------- query analysis


def _clean_query(query: object) -> str:
    if not isinstance(query, str):
        return ""
    text = html.unescape(_HTML.sub(" ", query[: MAX_QUERY_CHARS * 4]))
    return text[:MAX_QUERY_CHARS]


@lru_cache(maxsize=4096)
def _correct(token: str) -> str:
    """Nearest index word for an unknown token ("sinhh" -> "sinh"), or the token."""
    index = _index()
    if token in index.idf or len(token) < 4 or token.isdigit():
        return token
    # Typos rarely hit the first letter; comparing only same-initial words keeps this fast.
    candidates = index.vocab_by_initial.get(token[0], ())
    found = process.extractOne(token, candidates, scorer=fuzz.ratio, score_cutoff=80)
    return found[0] if found else token


def _fix_in_context(words: list[str]) -> list[str]:
    """Fix real-word typos from their neighbour: "ho chiu" -> "ho chieu", "tam chu" -> "tam tru".

    Only when the pair is unknown to the index and a known pair is one letter or so away.
    """
    index = _index()
    out = list(words)
    for i in range(1, len(out)):
        prev, word = out[i - 1], out[i]
        if f"{prev}_{word}" in index.idf or len(word) < 3:
            continue
        if i + 1 < len(out) and f"{word}_{out[i + 1]}" in index.idf:
            continue
        followers = index.followers.get(prev)
        if not followers:
            continue
        found = process.extractOne(word, followers, scorer=fuzz.ratio, score_cutoff=66)
        # A short word is only swapped for one of the same length ("chu" -> "tru"): adding a
        # letter turns real words into others ("ông" -> "công").
        if found and found[0] != word and (len(word) > 3 or len(found[0]) == len(word)):
            out[i] = found[0]
    return out


@lru_cache(maxsize=2048)
def _analyze(query: str) -> tuple[tuple[str, ...], ...]:
    """Query -> segments of folded words (bigrams are only formed inside a segment)."""
    cleaned = _clean_query(query)
    folded = " ".join(_WORD.findall(fold(cleaned)))
    if not folded:
        return ()
    # English questions are matched on the bank's English phrasings word for word; their
    # filler words are dropped so they never count against the coverage.
    english = language_evidence(cleaned) == "en"
    # Fix typos first so the lexicon sees "kinh doanh" in "kinh doan"; words the lexicon
    # knows (English, teencode) are left alone.
    lexicon = _lexicon_words()
    if english:  # typo correction against a mostly Vietnamese vocabulary would mangle English words
        folded = " ".join(w for w in folded.split()[:60] if w not in ENGLISH_FILLER)
    else:
        folded = " ".join(w if w in lexicon else _correct(w) for w in folded.split()[:60])
    expansions: list[tuple[str, ...]] = []
    for pattern, expansion in _synonyms():
        if pattern.search(folded):
            if expansion:
                expansions.append(tuple(expansion.split()))
            if not english:
                folded = pattern.sub(" | ", folded)  # the phrase is replaced by its meaning
    stop_phrases, stop_words = _stopwords()
    if english:
        stop_words = stop_words | ENGLISH_FILLER
    if stop_phrases is not None:
        folded = stop_phrases.sub(" | ", folded)
    index = _index()
    segments: list[tuple[str, ...]] = []
    for chunk in folded.split("|"):
        words = [english_stem(w) for w in chunk.split()] if english else [_correct(w) for w in chunk.split()]
        kept = []
        for i, word in enumerate(words):
            if word in stop_words:
                # "minh" is "mình" (me) unless it pairs up, as in "chứng minh".
                left = i > 0 and f"{words[i - 1]}_{word}" in index.idf
                right = i + 1 < len(words) and f"{word}_{words[i + 1]}" in index.idf
                if not (left or right):
                    continue
            kept.append(word)
        if kept:
            segments.append(tuple(kept) if english else tuple(_fix_in_context(kept)))
    segments.extend(dict.fromkeys(expansions))  # the same meaning found twice counts once
    return tuple(segments)


def analyze_query(query: str) -> list[str]:
    """The folded, expanded, typo-corrected words the index is searched with."""
    return [w for segment in _analyze(query) for w in segment][:40]


def _guessed(query_words: list[str], query: str) -> set[str]:
    """Words that exist only because typo correction guessed them."""
    original = set(_WORD.findall(fold(_clean_query(query))))
    return {w for w in query_words if w not in original and w not in _synonym_words()}


@lru_cache(maxsize=1)
def _lexicon_words() -> frozenset[str]:
    """Words of the synonym phrases and stop list: never "corrected" into index words."""
    words = {w for pattern, _ in _synonyms() for w in _WORD.findall(pattern.pattern.replace("\\b", " ").replace("\\", ""))}
    return frozenset(words | _stopwords()[1] | {w for p in _read_lines("query_stopwords.txt") for w in _WORD.findall(fold(p))})


@lru_cache(maxsize=1)
def _synonym_words() -> frozenset[str]:
    return frozenset(w for _, e in _synonyms() for w in e.split())


# ---------------------------------------------------------------- search


@dataclass(frozen=True)
class SearchOutcome:
    """The hits, best first, or `failed` when the search itself broke (an index or data bug,
    logged with its traceback): the caller says so and offers the hotline instead of "no match"."""

    hits: list[SearchHit]
    failed: bool = False


def search_outcome(query: str, top: int = 5, search=None,
                   leave_out: Callable[[str], bool] | None = None) -> SearchOutcome:
    """Best matching procedures for `query`, best first, telling "nothing matches" from "broken".

    Every signal: the lexical BM25F search and, for questions with diacritics or in English,
    the semantic signal (procedure_kb.semantic), fused by score. `search` replaces that fused
    search (tests give a broken one). `leave_out(name)`: procedures that cannot be meant here,
    dropped before the ranking, so the best remaining one is described for the calibration.
    """
    if not isinstance(query, str) or top <= 0:
        return SearchOutcome([])
    try:
        return SearchOutcome(search(query, top) if search else _fused(query, top, leave_out))
    except Exception:  # noqa: BLE001 - any bug in the index must not crash a conversation: logged, reported
        log.exception("procedure search failed for a query of %d characters", len(query))
        return SearchOutcome([], failed=True)


def search_procedures(query: str, top: int = 5) -> list[SearchHit]:
    """Best matching procedures for `query`, best first; [] when nothing really matches.

    A failure is logged with its traceback and also gives []; callers that must tell the citizen
    (the question router, the guide, the CLI) use `search_outcome`.
    """
    return search_outcome(query, top).hits


@dataclass(frozen=True)
class _Lexical:
    ranked: list[tuple[float, int]]  # (score, doc id), best first
    coverage: float
    matched_weight: float
    matched_pairs: int
    exact: bool  # the query is (almost) the top record's name
    terms: tuple[str, ...] = ()  # the query's unigrams and bigrams
    total_weight: float = 0.0  # idf of the query's unigrams
    folded_query: str = ""


def _lexical(query: str, k: int = 30) -> _Lexical | None:
    segments = _analyze(_clean_query(query))
    words = [w for segment in segments for w in segment]
    if not words:
        return None
    index = _index()
    guessed = _guessed(words, query)
    terms: dict[str, None] = {}
    for segment in segments:
        terms.update(dict.fromkeys(_terms(list(segment))))
    scores = np.zeros(len(index.procedures), dtype=np.float32)
    matched_weight = total_weight = 0.0
    matched_pairs = 0
    for term in terms:
        posting = index.postings.get(term)
        weight = index.idf.get(term, 4.0)
        if "_" not in term:
            total_weight += weight
        if posting is None:
            continue
        if "_" not in term:
            matched_weight += weight * (0.5 if term in guessed else 1.0)
        else:
            matched_pairs += 1  # a matched word pair: real evidence of a named procedure
        ids, values = posting
        scores[ids] += values
    coverage = matched_weight / total_weight if total_weight else 0.0
    folded_query = " ".join(dict.fromkeys(words))
    query_terms = (tuple(terms), total_weight, folded_query)
    if coverage < MIN_COVERAGE or not scores.any():
        return _Lexical([], coverage, matched_weight, matched_pairs, False, *query_terms)
    scores *= index.prior
    if _MINISTRY_HINT.search(folded_query):
        scores[index.central] *= _CENTRAL_ASKED
    if not _FOREIGN_HINT.search(folded_query):
        scores[index.foreign] *= 0.9
    k = min(len(scores), k)
    candidates = np.argpartition(-scores, k - 1)[:k]
    # Rerank the short list by how much of the query the whole name covers.
    best = float(scores[candidates].max())
    ranked = []
    for doc_id in candidates:
        base = float(scores[doc_id])
        if base <= 0:
            continue
        name = index.names[doc_id]
        ranked.append((base + 0.25 * best * _closeness(folded_query, name), int(doc_id)))
    ranked.sort(key=lambda item: (-item[0], index.procedures[item[1]].code))
    exact = bool(ranked) and fuzz.token_sort_ratio(folded_query, index.names[ranked[0][1]]) >= EXACT_NAME
    return _Lexical(ranked, coverage, matched_weight, matched_pairs, exact, *query_terms)


def _facet_fit(name: str, asked: dict[str, object]) -> float:
    """A little more for the twin the question describes, a little less for the others."""
    have = facets_of(name)
    factor = 1.0
    for facet, value in asked.items():
        mine = getattr(have, facet)
        if facet == "age" and not mine:
            continue
        factor *= 1.12 if mine == value else 0.88
    return factor


@dataclass(frozen=True)
class Candidates:
    """A question's short list from both signals, described for the learned ranking."""

    ids: np.ndarray  # doc ids
    features: np.ndarray  # one row per candidate, columns in ranking.FEATURES order
    lexical: _Lexical | None
    semantic: SemanticScores | None

    def without(self, leave_out: Callable[[str], bool]) -> Candidates | None:
        """The short list without the candidates whose official name `leave_out` rejects."""
        index = _index()
        keep = np.array([not leave_out(index.procedures[d].name) for d in self.ids.tolist()], dtype=bool)
        if keep.all():
            return self
        return replace(self, ids=self.ids[keep], features=self.features[keep]) if keep.any() else None


def _closeness(folded_query: str, name: str) -> float:
    return (fuzz.token_set_ratio(folded_query, name) + fuzz.token_sort_ratio(folded_query, name)) / 200.0


@lru_cache(maxsize=4096)
def _name_words(name: str) -> frozenset[str]:
    return frozenset(name.split())


def _name_cover(said: set[str], name: str) -> float:
    words = _name_words(name)
    return len(words & said) / len(words) if words else 0.0


def candidates(query: str) -> Candidates | None:
    """Both signals' short lists and each candidate's features; None when neither found anything.
    (bench/fit_ranking.py fits the ranking on exactly these.)"""
    index = _index()
    lexical = _lexical(query, CANDIDATES)
    semantic = question_scores(query)
    lex_norm: dict[int, float] = {}
    if lexical and lexical.ranked:
        best = lexical.ranked[0][0]
        lex_norm = {doc_id: score / best for score, doc_id in lexical.ranked}
    chosen = dict.fromkeys(lex_norm)
    if semantic is not None:
        top = np.argpartition(-semantic.procedures, CANDIDATES)[:CANDIDATES]
        chosen.update(dict.fromkeys(sorted(top.tolist(), key=lambda d: -semantic.procedures[d])))
    if not chosen:
        return None
    ids = np.fromiter(chosen, dtype=np.int64, count=len(chosen))
    column = {name: np.zeros(len(ids)) for name in FEATURES}
    column["lex"] = np.array([lex_norm.get(d, 0.0) for d in ids.tolist()])
    prior = index.prior[ids]
    if lexical is not None and _MINISTRY_HINT.search(lexical.folded_query):
        prior = np.where(index.central[ids], prior * _CENTRAL_ASKED, prior)  # as the lexical scores do
    column["prior"] = np.log(prior)
    asked = asked_facets(query)
    if asked:
        column["facet"] = np.log([_facet_fit(index.procedures[d].name, asked) for d in ids.tolist()])
    if lexical is not None:
        column["close"] = np.array([_closeness(lexical.folded_query, index.names[d]) for d in ids.tolist()])
        said = set(lexical.folded_query.split())
        column["name_cover"] = np.array([_name_cover(said, index.names[d]) for d in ids.tolist()])
        column["exact_name"] = np.array([fuzz.token_sort_ratio(lexical.folded_query, index.names[d]) >= EXACT_NAME
                                         for d in ids.tolist()], dtype=np.float64)
        for fname in _RANKED_FIELDS:
            found = np.zeros(len(index.procedures), dtype=np.float32)
            for term in lexical.terms:
                posting = index.field_postings[fname].get(term)
                if posting is not None:
                    found[posting[0]] += posting[1]
            column[f"f_{fname}"] = found[ids] / max(lexical.total_weight, 1e-6)
    if semantic is None:
        column["unused_lex"] = column["lex"]
    else:
        cosine = semantic.procedures[ids].astype(np.float64)
        column["sem"] = np.maximum(0.0, cosine - SEMANTIC_FLOOR) / (1 - SEMANTIC_FLOOR)
        column["sem_gap"] = float(semantic.procedures.max()) - cosine
        column["sem_mean"] = semantic.procedure_mean[ids]
        column["sem_soft"] = semantic.procedure_soft[ids]
        if language_evidence(_clean_query(query)) == "en":
            column["en_sem"] = column["sem"]
        if semantic.restored:  # read from restored diacritics: the ranking weighs it on its own
            column["ra_sem"] = column["sem"]
            column["ra_gap"] = column["sem_gap"]
    features = np.column_stack([column[name] for name in FEATURES])
    return Candidates(ids, features, lexical, semantic)


def _level_asked(found: Candidates, chance: np.ndarray) -> np.ndarray:
    """A question that names the central level gets the central twin of the best candidate.

    Central variants have no phrasing bank (citizens do not file there), so the ranking keeps
    them below their commune twin even when the level is asked for; the level said outright
    decides, as a facet does."""
    index = _index()
    if found.lexical is None or not _MINISTRY_HINT.search(found.lexical.folded_query):
        return chance
    best = int(np.argmax(chance))
    if index.central[found.ids[best]]:
        return chance
    name = index.names[found.ids[best]]
    twins = [i for i, d in enumerate(found.ids.tolist()) if index.central[d] and index.names[d] == name]
    if not twins:
        return chance
    twin = max(twins, key=lambda i: chance[i])
    chance = chance.copy()
    chance[[best, twin]] = chance[[twin, best]]
    return chance


def _case_asked(found: Candidates, chance: np.ndarray, asked: dict[str, object]) -> np.ndarray:
    """A question that states an age gets the twin of that age ("căn cước cho con 16 tuổi").

    The ranking weighs stated facets lightly (the words for lost or exchanged often mean something
    else); an age in years does not, and the twins of a facet without a usual case are equally
    common, so the stated value decides, as a level said outright does."""
    stated = {facet: value for facet, value in asked.items() if facet in NO_USUAL_CASE}
    if not stated:
        return chance
    index = _index()
    best = int(np.argmax(chance))
    name = index.procedures[found.ids[best]].name
    for facet, value in stated.items():
        if getattr(facets_of(name), facet) in ("", value):
            continue
        twins = [i for i, d in enumerate(found.ids.tolist())
                 if getattr(facets_of(index.procedures[d].name), facet) == value
                 and (separating_facet([name, index.procedures[d].name]) or ("",))[0] == facet]
        if twins:
            twin = max(twins, key=lambda i: chance[i])
            chance = chance.copy()
            chance[[best, twin]] = chance[[twin, best]]
            return chance
    return chance


def _fused(query: str, top: int, leave_out: Callable[[str], bool] | None = None) -> list[SearchHit]:
    index = _index()
    found = candidates(query)
    if found is not None and leave_out is not None:
        found = found.without(leave_out)
    if found is None:
        return []
    lexical, semantic = found.lexical, found.semantic
    chance = _case_asked(found, _level_asked(found, probabilities(found.features)), asked_facets(query))
    ranked = sorted(zip(chance.tolist(), found.ids.tolist(), strict=True),
                    key=lambda x: (-x[0], index.procedures[x[1]].code))
    best_id = ranked[0][1]
    top_score = ranked[0][0]
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    lexical_top = bool(lexical and lexical.ranked and lexical.ranked[0][1] == best_id)
    lex_norm = float(found.features[int(np.flatnonzero(found.ids == best_id)[0]), FEATURES.index("lex")])
    sem_sorted = np.sort(semantic.procedures[[d for _, d in ranked[:10]]])[::-1] if semantic is not None else None
    features = HitFeatures(
        coverage=lexical.coverage if lexical else 0.0,
        matched_weight=lexical.matched_weight if lexical else 0.0,
        matched_pairs=lexical.matched_pairs if lexical else 0,
        exact=bool(lexical and lexical.exact and lexical_top),
        margin=(top_score - runner_up) / top_score if top_score else 0.0,
        probability=top_score,
        lexical=lex_norm,
        lexical_top=lexical_top,
        semantic=float(semantic.procedures[best_id]) if semantic is not None else 0.0,
        semantic_margin=float(sem_sorted[0] - sem_sorted[1]) if sem_sorted is not None and len(sem_sorted) > 1 else 0.0,
        semantic_used=semantic is not None,
        semantic_agree=semantic is not None and int(np.argmax(semantic.procedures)) == best_id,
        words=len(_WORD.findall(fold(_clean_query(query)))),
    )
    confidence = procedure_confidence(features)
    if confidence < LIST_FLOOR or not (features.matched_pairs or features.semantic_used):
        # Words matched, but nothing a person would recognise as what they asked: scattered single
        # words ("drop table procedures") with neither a word pair nor the semantic signal behind
        # them. No question of the tuning sets has a best hit without either (round 6 check).
        return []
    hits = []
    for rank, (score, doc_id) in enumerate(ranked[:top]):
        proc = index.procedures[doc_id]
        relative = score / top_score
        hits.append(SearchHit(
            code=proc.code, name=proc.name, level=proc.level_text, score=round(score, 4),
            confidence=round(confidence if rank == 0 else confidence * 0.5 * relative, 3),
            ambiguous=not features.exact and relative >= AMBIGUOUS_RATIO and runner_up >= AMBIGUOUS_RATIO * top_score,
            detail_url=proc.detail_url, features=features if rank == 0 else None,
        ))
    return hits


def get_procedure(code: str) -> Procedure | None:
    """The procedure with national code `code` (e.g. "1.000894"), or None."""
    if not isinstance(code, str):
        return None
    return _index().by_code.get(code.strip())
