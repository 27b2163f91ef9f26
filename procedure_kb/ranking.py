"""The learned ranking of the search's candidates (a conditional logit over each question's short list).

The search gathers candidates from both signals (the lexical top 30 and the semantic top 30),
describes each with the numbers below and ranks them by a softmax over `WEIGHTS · features`:
the chance, among the candidates, that each one is what was asked. Hand-set fusion weights
could not trade the signals off per style (English and life situations lean on the semantic
signal, unaccented text is read with restored diacritics); a model fitted on thousands of
labelled questions can.

The weights are fitted by `bench/fit_ranking.py` on the development set and the spent blind
batches (procedure_kb.evaluation.TUNING_BATCHES), which prints the block below together with
leave-one-set-out numbers (docs/decisions.md, round 7). Every feature is 0 where its signal was
not asked (e.g. semantic features for a dossier code or text of unknown words).
"""

from __future__ import annotations

import numpy as np

__all__ = ["FEATURES", "WEIGHTS", "probabilities"]

# What each candidate is described by (search.candidates computes them):
FEATURES = (
    "lex",  # lexical BM25F score (with the name-closeness rerank) relative to the lexical best; 0 if not listed
    "unused_lex",  # the same when the semantic signal was not asked (it then carries the whole decision)
    "close",  # rapidfuzz closeness of the question's words to the official name (0..1)
    "name_cover",  # share of the official name's words that the question says (a short name said whole)
    "exact_name",  # 1 when the question is (almost) this official name, word for word
    "prior",  # log of the level prior (commune/province before ministry, post-reform names first)
    "facet",  # log of the facet fit (first issue / re-issue, age, foreign element the question names)
    "f_name",  # per field: saturated, idf-weighted share of the question's words found in that field
    "f_bank_vi",
    "f_bank_sit",
    "f_bank_en",
    "sem",  # best phrase's cosine above 0.7, scaled to 0..1
    "sem_gap",  # the best cosine of any procedure minus this one's
    "sem_mean",  # mean cosine over the procedure's phrases (a whole bank that fits, not one phrase)
    "sem_soft",  # soft maximum over its phrases relative to the best phrase of all (several close phrases)
    "en_sem",  # sem again for English questions (English leans on it more)
    "ra_sem",  # sem again for text typed without diacritics, read with them restored (procedure_kb.accents)
    "ra_gap",  # sem_gap again for such text
)

# --- fitted by bench/fit_ranking.py on tests/data/dev + kb_queries.tsv + batch1, batch2, batch3, batch4, batch5, batch6, batch7, batch8, batch9, batch10, batch11, batch12, batch13, batch14, batch15, batch16, batch17, batch18, batch19, batch20, batch21, batch22, batch23, batch24, batch25, batch26, batch27, batch28, batch29 ---
WEIGHTS = {"lex": 3.828, "unused_lex": 35.32, "close": -5.034, "name_cover": 0.7507, "exact_name": 5.597, "prior": 8.886, "facet": 2.908, "f_name": 0.6299, "f_bank_vi": 2.258, "f_bank_sit": 1.421, "f_bank_en": 2.122, "sem": 7.554, "sem_gap": -20.76, "sem_mean": 50.32, "sem_soft": 151.7, "en_sem": -13.14, "ra_sem": -0.8352, "ra_gap": 28.64}
# --- end of fitted weights ---

_VECTOR = np.array([WEIGHTS[name] for name in FEATURES], dtype=np.float64)


def probabilities(features: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Softmax over the candidates (rows of `features`, columns in FEATURES order)."""
    z = features @ (_VECTOR if weights is None else weights)
    z = np.exp(z - z.max())
    return z / z.sum()
