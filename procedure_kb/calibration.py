"""Calibrated confidence: the chance that the best procedure or FAQ entry is what was asked.

Two small logistic models over features the search already computes. Their weights were fitted
by `bench/calibrate.py` on the development set and the spent blind batches
(`evaluation.TUNING_BATCHES`; the newer batches stay blind), which prints the constants below;
the router (procedure_kb.answers) compares the two probabilities and answers without choices
only above SURE / SURE_FAQ, which the same script chooses so that confident answers are right at
least 96.5% of the time, 95% in every style (round 13) and 96% on each of the two newest tuning
batches (round 16), with each set held out in turn.
"""

from __future__ import annotations

import math

__all__ = ["procedure_confidence", "faq_confidence", "procedure_features", "faq_features",
           "PROCEDURE_WEIGHTS", "FAQ_WEIGHTS", "SURE", "SURE_FAQ", "OFFER"]

# Round 16: the procedure model refit (`bench/calibrate.py --procedures-only`) on batches 1-29, on
# features read off a ranking that never saw each question; the FAQ model is round 9's: refits
# (round 12, and round 13's with two more features) answered English and uncovered reform
# questions wrongly more often (docs/decisions.md), so a full rerun prints other FAQ numbers.

# --- fitted by bench/calibrate.py on tests/data/dev + batch1, batch2, batch3, batch4, batch5, batch6, batch7, batch8, batch9, batch10, batch11, batch12, batch13, batch14, batch15, batch16, batch17, batch18, batch19, batch20, batch21, batch22, batch23, batch24, batch25, batch26, batch27, batch28, batch29 (see its output in bench/RESULTS.md) ---
# (--procedures-only: FAQ_WEIGHTS, SURE_FAQ and OFFER kept as they were, docs/decisions.md round 12)
PROCEDURE_WEIGHTS = {'bias': -19.308, 'semantic_agree': -0.051, 'reform_words': -1.558, 'faq_lexical': -5.272, 'faq_semantic': -27.453, 'coverage': 3.741, 'strength': 11.307, 'pairs': 1.352, 'exact': -0.032, 'margin': -0.891, 'probability': 5.246, 'lexical_top': 0.829, 'semantic': 41.526, 'semantic_margin': 7.502, 'semantic_used': -10.696, 'long': -0.05}
FAQ_WEIGHTS = {'bias': -6.615, 'procedure_margin': 2.314, 'procedure_coverage': -1.596, 'procedure_pairs': 0.052, 'procedure_semantic': 0.733, 'procedure_probability': -5.03, 'lexical': 10.996, 'semantic': 0.722, 'margin': 7.949, 'semantic_used': -10.929, 'reform_words': 1.546, 'semantic_gap': -0.712, 'semantic_squared': 15.131, 'lexical_x_semantic': -1.954, 'reform_x_semantic': -0.387}
SURE = 0.96  # answer a procedure without choices at or above this probability
SURE_FAQ = 0.89  # answer from the FAQ without choices at or above this probability
OFFER = 0.25  # below this nothing is offered: "not known" + the hotline
# --- end of fitted constants ---


def _logistic(weights: dict[str, float], features: dict[str, float]) -> float:
    z = weights.get("bias", 0.0) + sum(weights.get(name, 0.0) * value for name, value in features.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def procedure_features(f, reform_words: bool = False, faq_lexical: float = 0.0,
                       faq_semantic: float = 0.0) -> dict[str, float]:
    """Numbers the procedure model reads: a search hit's HitFeatures, and what the message says
    about the reform (a strong FAQ match, lexical or semantic, or reform words make a procedure
    less likely)."""
    return {
        "semantic_agree": 1.0 if f.semantic_agree else 0.0,
        "reform_words": 1.0 if reform_words else 0.0,
        "faq_lexical": faq_lexical,
        "faq_semantic": faq_semantic,
        "coverage": min(1.0, f.coverage),
        "strength": min(1.0, f.matched_weight / 7.0),
        "pairs": 1.0 if f.matched_pairs else 0.0,
        "exact": 1.0 if f.exact else 0.0,
        "margin": min(1.0, f.margin * 5),
        "probability": f.probability,  # the learned ranking's chance among its candidates
        "lexical_top": 1.0 if f.lexical_top else 0.0,
        "semantic": f.semantic if f.semantic_used else 0.0,
        "semantic_margin": min(0.2, f.semantic_margin) if f.semantic_used else 0.0,
        "semantic_used": 1.0 if f.semantic_used else 0.0,
        "long": min(3.0, f.words / 10.0),
    }


def procedure_confidence(f, reform_words: bool = False, faq_lexical: float = 0.0, faq_semantic: float = 0.0) -> float:
    return _logistic(PROCEDURE_WEIGHTS, procedure_features(f, reform_words, faq_lexical, faq_semantic))


def faq_features(lexical: float, semantic: float | None, margin: float, reform_words: bool,
                 procedure=None, closest_procedure: float | None = None) -> dict[str, float]:
    """Numbers the FAQ model reads: lexical score (0..1), best cosine, ranking margin, reform words,
    and how well the question names a procedure (its words are procedure names, or it reads like
    a procedure's phrases: less likely a reform question, even when no single procedure stands out).
    `closest_procedure`: the question's best cosine to any procedure phrase, listed or not."""
    used = semantic is not None
    cosine = max(0.0, semantic) if used else 0.0
    procedure_cosine = procedure.semantic if procedure and procedure.semantic_used else 0.0
    # The best hit's cosine is 0 when no procedure is listed ("hello"): the gap then read as "far
    # from every procedure", so the FAQ (round 10).
    closest = max(procedure_cosine, closest_procedure) if used and closest_procedure is not None else procedure_cosine
    return {
        "procedure_margin": min(1.0, procedure.margin * 5) if procedure else 0.0,
        "procedure_coverage": min(1.0, procedure.coverage) if procedure else 0.0,
        "procedure_pairs": 1.0 if procedure and procedure.matched_pairs else 0.0,
        "procedure_semantic": procedure_cosine,
        "procedure_probability": procedure.probability if procedure else 0.0,
        "lexical": lexical,
        "semantic": cosine,
        "margin": min(1.0, margin),
        "semantic_used": 1.0 if used else 0.0,
        "reform_words": 1.0 if reform_words else 0.0,
        # How much closer the question is to the FAQ than to any procedure's phrases, and where
        # the signals agree: a linear model cannot form these products itself (round 8).
        "semantic_gap": cosine - closest,
        "semantic_squared": cosine * cosine,
        "lexical_x_semantic": lexical * cosine,
        "reform_x_semantic": cosine if reform_words else 0.0,
    }


def faq_confidence(features: dict[str, float]) -> float:
    return _logistic(FAQ_WEIGHTS, features)
