"""Fit the router's calibration on the tuning sets and print it.

The tuning sets are the development set and the blind batches already spent (TUNING_BATCHES:
once fitted on, a batch is reported as "tuned"); the newest blind batch is never read here —
it is what bench/kb_search.py reports as the headline. For every tuning message (procedure questions, reform questions and messages that must
get no answer) it records the features of the best procedure hit and of the best FAQ entry,
and whether each is a right answer. The ranking those features come from is fitted without the
message's own set (bench/fit_ranking.py, leave-one-set-out): the shipped ranking was fitted on
these sets, so its chances there are surer than on new questions, and a calibration read off them
answered new questions too eagerly (docs/decisions.md, round 11). Two logistic regressions (scikit-learn, which ships with
Rasa) turn features into probabilities; SURE is the lowest threshold whose confident answers
are right at least 96.5% of the time, 95% in every style and 96% on each of the two newest
batches (SURE_FAQ too, in a run without --procedures-only), with each set held out in turn
(round 13: shuffled folds put one writer's questions on both sides and read surer than new sets);
OFFER keeps most no-answer messages out of the choices. Paste the printed block into
procedure_kb/calibration.py (`--write` does it).

    .venv/bin/python bench/calibrate.py [--write] [--reuse]

`--reuse` fits on the features the last run collected (in /tmp) when they came from the same sets
and the same feature names, to try thresholds or models without searching every message again.
"""

from __future__ import annotations

import csv
import dataclasses
import pickle
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from procedure_kb import answers  # noqa: E402
from procedure_kb.evaluation import TUNING_BATCHES, labels  # noqa: E402

DEV = ROOT / "tests" / "data" / "dev"
BLIND = ROOT / "tests" / "data" / "blind"
PRECISION_TARGET = 0.965
STYLE_FLOOR = 0.95  # ... and in every style (English and life situations are the weakest)
# ... and on each of the newest tuning batches held out: written furthest from the bank, they read
# like the next new batch, which older sets overrate by 2-3 points (docs/decisions.md, round 16).
NEWEST, NEWEST_FLOOR = 2, 0.96


def _tsv(path: Path):
    return csv.DictReader(open(path, encoding="utf-8"), delimiter="\t")


def rows():
    """(set, style, question, right codes, right FAQ ids); the no-answer messages come last
    (OFFER reads them), under the set and style "none"."""
    sets = [("dev", DEV / "dev_")] + [(b, BLIND / f"{b}_") for b in TUNING_BATCHES]
    for name, prefix in sets:
        for row in _tsv(Path(f"{prefix}procedures.tsv")):
            yield name, row["style"], row["question"], set(labels(row["codes"])), set()
    for name, prefix in sets:
        for row in _tsv(Path(f"{prefix}reform.tsv")):
            yield name, row["style"], row["question"], set(), set(labels(row["faq_ids"]))
    for row in _tsv(DEV / "dev_none.tsv"):
        yield "none", "none", row["question"], set(), set()


def held_out_rankings() -> dict[str, np.ndarray]:
    """Set name -> the ranking's weights fitted on every other set (bench/fit_ranking.py)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import fit_ranking

    ranked = fit_ranking.collect()
    return {name: fit_ranking.fit([r for r in ranked if r[0] != name]) for name in sorted({r[0] for r in ranked})}


def collect():
    """Features and right/wrong of the best procedure and FAQ entry for every tuning message; a
    procedure question is searched with the ranking fitted without its own set."""
    from procedure_kb import ranking

    held_out = held_out_rankings()
    shipped = ranking._VECTOR
    proc_x, proc_y, faq_x, faq_y = [], [], [], []
    try:
        for name, _style, text, codes, faq_ids in rows():
            # Only procedure questions trained the ranking: reform and no-answer messages are new to it.
            ranking._VECTOR = held_out[name] if codes and name in held_out else shipped
            found = answers.assess(text)
            proc_x.append(found.procedure_features)
            proc_y.append(int(bool(found.hits) and found.hits[0].code in codes))
            faq_x.append(found.faq_features)
            faq_y.append(int(bool(found.faqs) and found.faqs[0].entry.id in faq_ids))
    finally:
        ranking._VECTOR = shipped
    return proc_x, proc_y, faq_x, faq_y


def matrix(feature_dicts, names):
    return np.array([[d[name] if d else 0.0 for name in names] for d in feature_dicts], dtype=float)


def _model(x, y):
    """Logistic regression on standardised features, returned as weights on the raw ones."""
    from sklearn.linear_model import LogisticRegression  # after the embeddings: see procedure_kb/semantic.py

    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    model = LogisticRegression(C=1.0, max_iter=5000).fit((x - mean) / std, y)
    coef = model.coef_[0] / std
    return float(model.intercept_[0] - (coef * mean).sum()), coef


def _predict(bias, coef, x):
    return 1.0 / (1.0 + np.exp(-(bias + x @ coef)))


def fit(x, y, names):
    bias, coef = _model(x, y)
    weights = {"bias": round(bias, 3)}
    weights.update({name: round(float(w), 3) for name, w in zip(names, coef, strict=True)})
    return weights


def cross_validated(x, y, names, present, groups):
    """Out-of-fold probabilities (0 where there was no candidate at all), each set held out in
    turn: questions of one set share a writer and a style, so shuffled folds (which put the same
    writer on both sides) read about two points surer than new questions turned out (round 13)."""
    from sklearn.model_selection import LeaveOneGroupOut

    probs = np.zeros(len(y))
    for train, test in LeaveOneGroupOut().split(x, y, groups):
        bias, coef = _model(x[train], y[train])
        probs[test] = _predict(bias, coef, x[test])
    probs[~present] = 0.0
    return probs


def _collected() -> tuple:
    """The tuning messages' features; `--reuse` takes the last run's only when it read the same
    sets and the same features (an old cache would fit weights without the new ones)."""
    from procedure_kb import ranking, semantic
    from procedure_kb.calibration import faq_features, procedure_features
    from procedure_kb.search import HitFeatures

    cache = Path("/tmp/calibrate_features.pkl")
    nothing = HitFeatures(*[0] * len(dataclasses.fields(HitFeatures)))
    # The features depend on the ranking and the phrases too: a new feature or phrase collects again.
    key = ("held-out ranking", TUNING_BATCHES, tuple(faq_features(0.0, 0.0, 0.0, False)), tuple(procedure_features(nothing)),
           ranking.FEATURES, semantic.data_key(*semantic.corpus()[::2]))
    if "--reuse" in sys.argv and cache.exists():
        saved = pickle.loads(cache.read_bytes())
        if isinstance(saved, dict) and saved.get("key") == key:
            return saved["data"]
        print("(the cached features are from other sets or features: collecting again)")
    data = collect()
    cache.write_bytes(pickle.dumps({"key": key, "data": data}))
    return data


def main() -> int:
    proc_x, proc_y, faq_x, faq_y = _collected()
    groups, styles = (np.array(column) for column in zip(*((name, style) for name, style, *_ in rows()), strict=True))
    keep_faq = "--procedures-only" in sys.argv  # keep the FAQ model, SURE_FAQ and OFFER (docs/decisions.md, rounds 12-13)
    p_names = list(next(d for d in proc_x if d).keys())
    f_names = list(next(d for d in faq_x if d).keys())
    px, py = matrix(proc_x, p_names), np.array(proc_y)
    fx, fy = matrix(faq_x, f_names), np.array(faq_y)
    p_cv = cross_validated(px, py, p_names, np.array([d is not None for d in proc_x]), groups)
    f_cv = cross_validated(fx, fy, f_names, np.array([d is not None for d in faq_x]), groups)
    if keep_faq:  # the kept FAQ model decides which side answers
        from procedure_kb.calibration import faq_confidence

        f_cv = np.array([faq_confidence(d) if d else 0.0 for d in faq_x])
    # The router answers with whichever side is more probable, without choices when that side's
    # probability reaches its own threshold; each threshold is the lowest whose answers are right
    # at least PRECISION_TARGET of the time (so all confident answers together are too).
    best = np.maximum(p_cv, f_cv)
    faq_side = f_cv >= p_cv
    side_p = np.where(faq_side, f_cv, p_cv)
    right = np.where(faq_side, fy, py)

    newest = [groups == name for name in TUNING_BATCHES[len(TUNING_BATCHES) - NEWEST:]]

    def precise(chosen) -> bool:
        """Right often enough overall, in every style with at least ten answers and on each of
        the newest batches."""
        by_style = [chosen & (styles == s) for s in set(styles[chosen])]
        return (chosen.sum() >= 10 and right[chosen].mean() >= PRECISION_TARGET
                and all(right[m].mean() >= STYLE_FLOOR for m in by_style if m.sum() >= 10)
                and all(right[chosen & m].mean() >= NEWEST_FLOOR for m in newest if (chosen & m).sum() >= 10))

    def lowest(side) -> float:
        for threshold in np.arange(0.30, 0.99, 0.01):
            if precise(side & (side_p >= threshold)):
                return round(float(threshold), 2)
        return 0.99

    sure_proc, sure_faq = lowest(~faq_side), lowest(faq_side)
    sure = sure_proc
    chosen = np.where(faq_side, side_p >= sure_faq, side_p >= sure_proc)
    n_none = sum(1 for _ in _tsv(DEV / "dev_none.tsv"))
    none_best = best[-n_none:]
    # Buttons are offered down to the level where half the no-answer messages would still get some:
    # the router only sees questions (the classifier sends chit-chat and requests elsewhere), and a
    # right answer among three buttons is worth more than "I do not know".
    offer = round(float(np.quantile(none_best, 0.5)), 2)
    header = f"# --- fitted by bench/calibrate.py on tests/data/dev + {', '.join(TUNING_BATCHES)} (see its output in bench/RESULTS.md) ---"
    faq_weights, faq_sure, faq_offer = fit(fx, fy, f_names), sure_faq, offer
    if keep_faq:
        from procedure_kb import calibration

        faq_weights, faq_sure, faq_offer = calibration.FAQ_WEIGHTS, calibration.SURE_FAQ, calibration.OFFER
        header += "\n# (--procedures-only: FAQ_WEIGHTS, SURE_FAQ and OFFER kept as they were, docs/decisions.md round 12)"
    text = "\n".join([
        header,
        f"PROCEDURE_WEIGHTS = {fit(px, py, p_names)}",
        f"FAQ_WEIGHTS = {faq_weights}",
        f"SURE = {sure}  # answer a procedure without choices at or above this probability",
        f"SURE_FAQ = {faq_sure}  # answer from the FAQ without choices at or above this probability",
        f"OFFER = {faq_offer}  # below this nothing is offered: \"not known\" + the hotline",
        "# --- end of fitted constants ---",
    ])
    print(text)
    if "--write" in sys.argv:
        target = ROOT / "procedure_kb" / "calibration.py"
        pattern = re.compile(r"# --- fitted by bench/calibrate.py.*?# --- end of fitted constants ---", re.S)
        target.write_text(pattern.sub(lambda _: text, target.read_text("utf-8"), count=1), "utf-8")
        print(f"written to {target.relative_to(ROOT)}")
    questions = len(best) - n_none
    offered = ((best[:questions] >= offer) & (best[:questions] < sure)).sum()
    print(f"(cross-validated on the tuning sets: {int(chosen.sum())} of {len(best)} messages answered without choices, "
          f"precision {right[chosen].mean():.3f}; {int(offered)} of {questions} questions get choices; "
          f"no-answer messages above OFFER: {(none_best >= offer).mean():.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
