"""Calibrated confidence: the chance that the best procedure or FAQ entry is what was asked.

Two small logistic models over features the search already computes. Their weights were fitted
on the development set (tests/data/dev, never on the blind sets) by `bench/calibrate.py`, which
prints the constants below; the router (procedure_kb.answers) compares the two probabilities
and answers without choices only above SURE, which the same script chooses so that confident
answers are right at least 95% of the time on the development set (cross-validated).
"""

from __future__ import annotations

import math

__all__ = ["procedure_confidence", "faq_confidence", "procedure_features", "faq_features",
           "PROCEDURE_WEIGHTS", "FAQ_WEIGHTS", "SURE", "SURE_FAQ", "OFFER"]

# --- fitted by bench/calibrate.py on tests/data/dev (see its output in bench/RESULTS.md) ---
PROCEDURE_WEIGHTS = {'bias': -4.797, 'semantic_agree': 2.0, 'reform_words': -1.062, 'faq_lexical': -5.799, 'coverage': 4.371, 'strength': -3.328, 'pairs': 4.062, 'exact': 5.02, 'margin': 1.939, 'lexical_top': 1.89, 'semantic': 3.986, 'semantic_margin': 9.795, 'semantic_used': -4.248, 'long': 0.017}
FAQ_WEIGHTS = {'bias': -6.522, 'procedure_margin': -2.902, 'procedure_coverage': -0.889, 'procedure_pairs': -0.261, 'lexical': 11.285, 'semantic': 2.925, 'margin': 3.341, 'semantic_used': -1.329, 'reform_words': 1.246}
SURE = 0.88  # answer a procedure without choices at or above this probability
SURE_FAQ = 0.89  # answer from the FAQ without choices at or above this probability
OFFER = 0.2  # below this nothing is offered: "not known" + the hotline
# --- end of fitted constants ---


def _logistic(weights: dict[str, float], features: dict[str, float]) -> float:
    z = weights.get("bias", 0.0) + sum(weights.get(name, 0.0) * value for name, value in features.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def procedure_features(f, reform_words: bool = False, faq_lexical: float = 0.0) -> dict[str, float]:
    """Numbers the procedure model reads: a search hit's HitFeatures, and what the message says
    about the reform (a strong FAQ match or reform words make a procedure less likely)."""
    return {
        "semantic_agree": 1.0 if f.semantic_agree else 0.0,
        "reform_words": 1.0 if reform_words else 0.0,
        "faq_lexical": faq_lexical,
        "coverage": min(1.0, f.coverage),
        "strength": min(1.0, f.matched_weight / 7.0),
        "pairs": 1.0 if f.matched_pairs else 0.0,
        "exact": 1.0 if f.exact else 0.0,
        "margin": min(1.0, f.margin * 5),
        "lexical_top": 1.0 if f.lexical_top else 0.0,
        "semantic": f.semantic if f.semantic_used else 0.0,
        "semantic_margin": min(0.2, f.semantic_margin) if f.semantic_used else 0.0,
        "semantic_used": 1.0 if f.semantic_used else 0.0,
        "long": min(3.0, f.words / 10.0),
    }


def procedure_confidence(f, reform_words: bool = False, faq_lexical: float = 0.0) -> float:
    return _logistic(PROCEDURE_WEIGHTS, procedure_features(f, reform_words, faq_lexical))


def faq_features(lexical: float, semantic: float | None, margin: float, reform_words: bool,
                 procedure=None) -> dict[str, float]:
    """Numbers the FAQ model reads: lexical score (0..1), best cosine, ranking margin, reform words,
    and how well the question names a procedure (its words are procedure names: less likely a
    reform question, even when no single procedure stands out)."""
    used = semantic is not None
    return {
        "procedure_margin": min(1.0, procedure.margin * 5) if procedure else 0.0,
        "procedure_coverage": min(1.0, procedure.coverage) if procedure else 0.0,
        "procedure_pairs": 1.0 if procedure and procedure.matched_pairs else 0.0,
        "lexical": lexical,
        "semantic": semantic if used else 0.0,
        "margin": min(1.0, margin),
        "semantic_used": 1.0 if used else 0.0,
        "reform_words": 1.0 if reform_words else 0.0,
    }


def faq_confidence(features: dict[str, float]) -> float:
    return _logistic(FAQ_WEIGHTS, features)
