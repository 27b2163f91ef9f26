"""Put the diacritics back on Vietnamese typed without them, for the semantic signal only.

The embedding model reads "lam lai can cuoc" poorly (docs/decisions.md, rounds 4 and 5), so
text typed without diacritics had no semantic signal at all. Here a syllable bigram model,
counted from the package's own Vietnamese text (procedure records, phrasing bank, reform FAQ),
picks for each plain syllable the accented form that fits its neighbours best (Viterbi over the
forms seen in that text): "lam lai can cuoc" -> "làm lại căn cước". Syllables already written
with diacritics stay as written; words the text never uses (codes, English) stay as typed.
The lexical search never reads the result: it folds diacritics away anyway. procedure_kb.semantic
asks for it only for text wholly without diacritics (restoring mixed text measured no better,
docs/decisions.md, round 10).
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from procedure_kb.textnorm import fold_accents, nfc, normalize, normalize_tone_placement

__all__ = ["restore", "plain_share"]

_WORD = re.compile(r"\w+", re.UNICODE)
_CLAUSE = re.compile(r"[^\w\s]+")  # punctuation ends a run of syllables: no bigram across it
# A Vietnamese syllable, typed without diacritics: onset, vowels, coda. Keeps English words and
# codes ("passport", "hs2025") out of the model, so they are never "restored" or counted as Vietnamese.
_SYLLABLE = re.compile(r"(?:ngh|ch|gh|gi|kh|ng|nh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
                       r"[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")
_MU = 20.0  # Dirichlet smoothing: how many observations the unigram estimate weighs in a bigram one
_UNSEEN = math.exp(-20.0)  # the probability of a word the text never uses


@dataclass(frozen=True)
class _Model:
    forms: dict[str, tuple[str, ...]]  # plain syllable -> its accented forms seen in the text
    probability: dict[str, float]  # P(form)
    bigram: Counter  # (form, form) -> count
    count: Counter  # form -> count


def _texts():
    from procedure_kb.faq import load_faq
    from procedure_kb.phrasings import load_phrasings
    from procedure_kb.procedures import load_procedures

    for proc in load_procedures():
        yield proc.name
        yield proc.conditions
        yield from proc.steps
        yield from (d.name for d in proc.documents)
        yield from (r.name for r in proc.results)
    for entry in load_phrasings().values():
        yield from entry.names_vi
        yield from entry.situations
        yield from (s for s in entry.semantic_only if not s.isascii())
    for item in load_faq():
        yield from (q for q in item.questions if not q.isascii())
        yield item.answer_vi


_BUILDING = threading.Lock()  # the warm-up thread and a first request must not build it twice


def _model() -> _Model:
    with _BUILDING:
        return _build()


@lru_cache(maxsize=1)
def _build() -> _Model:
    raw: Counter = Counter()
    raw_pairs: Counter = Counter()
    for text in _texts():
        for clause in _CLAUSE.split(nfc(text or "").lower()):
            words = _WORD.findall(clause)
            raw.update(words)
            raw_pairs.update(zip(words, words[1:], strict=False))
    # Tone placement ("hoà" -> "hòa") per distinct word, not per text: 2.5 s less to build.
    canonical = {w: normalize_tone_placement(w) for w in raw if w.isalpha()}
    count: Counter = Counter()
    for word, n in raw.items():
        if word in canonical:
            count[canonical[word]] += n
    bigram: Counter = Counter()
    for (first, second), n in raw_pairs.items():
        if first in canonical and second in canonical:
            bigram[canonical[first], canonical[second]] += n
    forms: dict[str, list[str]] = {}
    for word, _ in count.most_common():
        plain = fold_accents(word)
        if _SYLLABLE.fullmatch(plain):
            forms.setdefault(plain, []).append(word)
    total = sum(count.values())
    probability = {w: c / total for w, c in count.items()}
    return _Model({k: tuple(v) for k, v in forms.items()}, probability, bigram, count)


def _transition(model: _Model, prev: str, word: str) -> float:
    """log P(word | prev), the bigram estimate smoothed towards the unigram one."""
    p_uni = model.probability.get(word, _UNSEEN)
    return math.log((model.bigram.get((prev, word), 0) + _MU * p_uni) / (model.count.get(prev, 0) + _MU))


def _restore_run(model: _Model, words: list[str]) -> list[str]:
    """Viterbi over one run of syllables; a word without options is kept as typed."""
    lattice = [model.forms.get(w, (w,)) if w == fold_accents(w) else (w,) for w in words]
    best = {form: math.log(model.probability.get(form, _UNSEEN)) for form in lattice[0]}
    back: list[dict[str, str]] = []  # per position, each form's best predecessor
    for options in lattice[1:]:
        step, pointers = {}, {}
        for form in options:
            prev, score = max(((p, s + _transition(model, p, form)) for p, s in best.items()), key=lambda item: item[1])
            step[form], pointers[form] = score, prev
        best = step
        back.append(pointers)
    form = max(best.items(), key=lambda item: item[1])[0]
    path = [form]
    for pointers in reversed(back):
        form = pointers[form]
        path.append(form)
    return path[::-1]


@lru_cache(maxsize=256)  # the router asks for the same question's scores from both sides
def restore(text: str) -> str:
    """`text` normalised (lowercase, abbreviations expanded) with its plain syllables accented;
    clauses (split at punctuation) come back joined by ", "."""
    model = _model()
    out = []
    for clause in _CLAUSE.split(normalize(text or "")):
        words = _WORD.findall(clause)
        if words:
            out.append(" ".join(_restore_run(model, words)))
    return ", ".join(out)


def plain_share(text: str) -> float:
    """Share of the words that are Vietnamese syllables the model knows, abbreviations expanded
    ("cccd" -> "căn cước công dân"); near 0 for English or codes."""
    model = _model()
    words = _WORD.findall(normalize(text or ""))
    return sum(fold_accents(w) in model.forms for w in words) / len(words) if words else 0.0
