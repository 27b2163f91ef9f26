"""Fit the search's learned ranking (procedure_kb/ranking.py) and measure it by leave-one-set-out.

Reads the development set, the spent blind batches (TUNING_BATCHES) and the old tuned query set
tests/data/kb_queries.tsv (short, name-like queries such as "dang ky khai sinh", which the
question sets hardly have) — never a batch that is still blind. For every procedure question the search's own code path (search.candidates) gives
the short list and its features; a conditional logit (softmax over each question's candidates,
L2-regularised, on standardised features) is fitted with scipy's L-BFGS. Before fitting on all
sets it holds each set out in turn and prints top-1 / top-3 per style on the held-out set, for
the learned ranking and for the hand-set fusion it replaces (lexical + 5 x semantic, times the
facet fit) — numbers on sets the weights did not see, though the sets themselves are "tuned".

    .venv/bin/python bench/fit_ranking.py            # print the CV table and the weights block
    .venv/bin/python bench/fit_ranking.py --write    # ... and write the block into ranking.py
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from procedure_kb.evaluation import STYLES, TUNING_BATCHES, Question, question_set  # noqa: E402
from procedure_kb.ranking import FEATURES  # noqa: E402
from procedure_kb.search import _index, candidates  # noqa: E402

L2 = 1.0
RANKING = ROOT / "procedure_kb" / "ranking.py"
KB_QUERIES = ROOT / "tests" / "data" / "kb_queries.tsv"


def _kb_queries() -> list[Question]:
    """The query set's rows (style, query, codes) as questions; its extra styles count under ALL only."""
    rows = [line.split("\t") for line in KB_QUERIES.read_text("utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return [Question(f"kb{n}", style, query, frozenset(codes.split(",")), "procedure")
            for n, (style, query, codes) in enumerate(rows)]


def collect():
    """[(set name, style, features, right mask)] for every procedure question of the tuning sets."""
    sets = [("dev", question_set(ROOT / "tests/data/dev", "dev_")[0]), ("kb_queries", _kb_queries())]
    sets += [(b, question_set(ROOT / "tests/data/blind", f"{b}_")[0]) for b in TUNING_BATCHES]
    index = _index()
    out = []
    for name, questions in sets:
        for q in questions:
            found = candidates(q.text)
            if found is None:
                out.append((name, q.style, np.zeros((0, len(FEATURES))), np.zeros(0, bool)))
                continue
            right = np.array([index.procedures[d].code in q.answers for d in found.ids.tolist()])
            out.append((name, q.style, found.features, right))
    return out


def fit(rows) -> np.ndarray:
    """Weights (in the features' own units) maximising the chance of a right candidate."""
    usable = [(x, y) for _, _, x, y in rows if y.any() and len(y) > 1]
    stacked = np.vstack([x for x, _ in usable])
    mean, scale = stacked.mean(0), stacked.std(0)
    scale[scale == 0] = 1.0
    groups = [((x - mean) / scale, y) for x, y in usable]

    def loss(w):
        total, grad = L2 * 0.5 * w @ w, L2 * w
        for x, y in groups:
            z = x @ w
            z = z - z.max()
            p = np.exp(z)
            p /= p.sum()
            right = p[y].sum()
            total -= np.log(max(right, 1e-300))
            # d(-log Σ_right p)/dw = E_p[x] - E_{p | right}[x]
            grad += p @ x - (p[y] / right) @ x[y]
        return total, grad

    result = minimize(loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B")
    return result.x / scale  # the bias shift cancels inside a softmax


def _hand(x: np.ndarray) -> np.ndarray:
    column = {name: x[:, i] for i, name in enumerate(FEATURES)}
    return (column["lex"] + 5.0 * column["sem"]) * np.exp(column["facet"])


def _ranks(rows, score):
    tally = collections.defaultdict(lambda: [0, 0, 0])
    for _, style, x, y in rows:
        t = tally[style]
        t[0] += 1
        if len(y):
            order = np.argsort(-score(x), kind="stable")
            t[1] += bool(y[order[0]])
            t[2] += bool(y[order[:3]].any())
    return tally


def cross_validate(rows) -> None:
    names = sorted({r[0] for r in rows}, key=lambda n: (n != "dev", len(n), n))
    learned, hand = collections.defaultdict(lambda: [0, 0, 0]), collections.defaultdict(lambda: [0, 0, 0])
    for held in names:
        w = fit([r for r in rows if r[0] != held])
        test = [r for r in rows if r[0] == held]
        for target, tally in ((learned, _ranks(test, lambda x, w=w: x @ w)), (hand, _ranks(test, _hand))):
            for style, t in tally.items():
                target[style] = [a + b for a, b in zip(target[style], t, strict=True)]
    print(f"leave-one-set-out over {', '.join(names)} ({len(rows)} procedure questions)")
    print(f"{'style':<12} {'n':>5} {'hand top1':>10} {'top3':>6} {'learned top1':>13} {'top3':>6}")
    for style in [*STYLES, "ALL"]:
        if style == "ALL":
            h = [sum(v[i] for v in hand.values()) for i in range(3)]
            lt = [sum(v[i] for v in learned.values()) for i in range(3)]
        elif style in hand:
            h, lt = hand[style], learned[style]
        else:
            continue
        print(f"{style:<12} {h[0]:>5} {h[1] / h[0]:>10.3f} {h[2] / h[0]:>6.3f} {lt[1] / lt[0]:>13.3f} {lt[2] / lt[0]:>6.3f}")


def block(w: np.ndarray) -> str:
    weights = ", ".join(f'"{name}": {value:.4g}' for name, value in zip(FEATURES, w, strict=True))
    return (f"# --- fitted by bench/fit_ranking.py on tests/data/dev + kb_queries.tsv + {', '.join(TUNING_BATCHES)} ---\n"
            f"WEIGHTS = {{{weights}}}\n# --- end of fitted weights ---")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the fitted block into procedure_kb/ranking.py")
    parser.add_argument("--no-cv", action="store_true", help="skip the leave-one-set-out table")
    args = parser.parse_args()
    rows = collect()
    if not args.no_cv:
        cross_validate(rows)
    text = block(fit(rows))
    print(text)
    if args.write:
        source = RANKING.read_text("utf-8")
        pattern = re.compile(r"# --- fitted by bench/fit_ranking.py.*?# --- end of fitted weights ---", re.S)
        RANKING.write_text(pattern.sub(lambda _: text, source, count=1), "utf-8")
        print(f"written to {RANKING.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
