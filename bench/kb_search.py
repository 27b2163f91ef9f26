"""Question answering benchmark: blind sets first, then the tuned ones, a BM25 baseline, latency.

Headline: the BLIND sets in tests/data/blind/ (written by helpers who never saw the lexicon,
the phrasing bank, the FAQ variants, the NLU data or the other sets; never used to fix a miss).
Then, labelled "tuned": the development set (thresholds and fusion weights were chosen on it)
and the old query set tests/data/kb_queries.tsv (the synonym lexicon was written against it).
Per style: search top-1/top-3 (every signal on), and what the question router does —
answered right without choices, offered among buttons, wrong without choices, "not known",
and the precision of answers given without choices. Baseline: rank_bm25's BM25Okapi over each
record's folded name, results and field. Latency: search and router per query, caches cleared.

    .venv/bin/python bench/kb_search.py [--batches batch17] [--skip-tuned]
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

search_mod = importlib.import_module("procedure_kb.search")
from procedure_kb.answers import answer_question  # noqa: E402
from procedure_kb.evaluation import KEPT_BLIND, TUNING_BATCHES, Question, question_set, score, table  # noqa: E402
from procedure_kb.procedures import load_procedures  # noqa: E402
from procedure_kb.semantic import describe, semantic_index  # noqa: E402
from procedure_kb.textnorm import fold_accents, nfc  # noqa: E402

DATA = ROOT / "tests" / "data"


def tuned_query_set() -> list[Question]:
    rows = []
    for n, line in enumerate((DATA / "kb_queries.tsv").read_text("utf-8").splitlines()):
        if line.strip() and not line.startswith("#"):
            style, query, codes = line.split("\t")
            style = {"abbreviated": "teencode", "misspelled": "unaccented"}.get(style, style)
            rows.append(Question(f"q{n}", style, query, frozenset(codes.split(",")), "procedure"))
    return rows


def plain(text: str) -> list[str]:
    """Baseline tokens: NFC, lowercase, accents folded; nothing else."""
    return fold_accents(nfc(text).lower()).replace(",", " ").replace("(", " ").replace(")", " ").split()


class Baseline:
    def __init__(self) -> None:
        self.procs = load_procedures()
        corpus = [plain(f"{p.name} {' '.join(r.name for r in p.results[:3])} {p.domain}") for p in self.procs]
        self.bm25 = BM25Okapi(corpus)

    def top(self, query: str, k: int = 3) -> list[str]:
        scores = self.bm25.get_scores(plain(query))
        return [self.procs[i].code for i in np.argsort(-scores)[:k] if scores[i] > 0]


def baseline_line(baseline: Baseline, questions: list[Question]) -> str:
    t1 = t3 = 0
    for q in questions:
        found = baseline.top(q.text)
        t1 += bool(found) and found[0] in q.answers
        t3 += bool(q.answers & set(found))
    n = len(questions)
    return f"bm25 baseline  {n:>4} {t1 / n:>6.3f} {t3 / n:>6.3f}"


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def cold() -> None:
    """Forget every per-query cache, so each timed query pays its full cost."""
    search_mod._analyze.cache_clear()
    search_mod._correct.cache_clear()
    index = semantic_index()
    if index is not None:
        index._scores.cache_clear()


def latency(questions: list[Question]) -> str:
    search, router = [], []
    for q in questions:
        cold()
        start = time.perf_counter()
        search_mod.search_procedures(q.text, top=3)
        search.append((time.perf_counter() - start) * 1000)
        cold()
        start = time.perf_counter()
        answer_question(q.text)
        router.append((time.perf_counter() - start) * 1000)
    return (f"search per query: p50 {statistics.median(search):.1f} ms, p99 {percentile(search, 0.99):.1f} ms | "
            f"router (search + FAQ, every signal): p50 {statistics.median(router):.1f} ms, "
            f"p99 {percentile(router, 0.99):.1f} ms  ({len(questions)} queries)")


def main() -> int:
    parser = argparse.ArgumentParser(description="blind sets first, then the tuned ones, a BM25 baseline, latency")
    parser.add_argument("--batches", default="", help="only these blind batches, comma-separated (e.g. batch17); "
                        "KEPT_BLIND (the next round's decision set) runs only when named here")
    parser.add_argument("--skip-tuned", action="store_true", help="no tuned sets (batches, dev, kb_queries)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    answer_question("khởi động")  # load data, build indexes, load the semantic cache
    print(f"python {platform.python_version()}, {len(load_procedures())} records; load {time.perf_counter() - t0:.1f} s; "
          f"semantic signal: {describe()}")
    baseline = Baseline()
    batches = sorted(path.name.removesuffix("_procedures.tsv") for path in (DATA / "blind").glob("batch*_procedures.tsv"))
    if args.batches:
        batches = [b for b in batches if b in args.batches.split(",")]
    else:
        batches = [b for b in batches if b not in KEPT_BLIND]
    if args.skip_tuned:
        batches = [b for b in batches if b not in TUNING_BATCHES]
    # The blind batches first (the headline), then the spent ones the calibration was fitted on.
    for batch in sorted(batches, key=lambda b: b in TUNING_BATCHES):
        label = "TUNED (the ranking and the calibration were fitted on it)" if batch in TUNING_BATCHES else "BLIND"
        procedures, reform = question_set(DATA / "blind", f"{batch}_")
        print(f"\n=== {label} {batch}: procedure questions ===")
        print(table(score(procedures), "style"))
        print(baseline_line(baseline, procedures))
        print(f"=== {label} {batch}: reform questions ===")
        print(table(score(reform, search=False), "style", with_search=False))
    if not args.skip_tuned:
        dev_procedures, dev_reform = question_set(DATA / "dev", "dev_")
        print("\n=== TUNED: development set (weights and thresholds were chosen on it) ===")
        print(table(score(dev_procedures), "procedures"))
        print(table(score(dev_reform, search=False), "reform", with_search=False))
        tuned = tuned_query_set()
        print("\n=== TUNED: tests/data/kb_queries.tsv (the synonym lexicon was written against it) ===")
        print(table(score(tuned), "style"))
        print(baseline_line(baseline, tuned))
    print()
    procedures, _ = question_set(DATA / "blind", "batch1_")
    print(latency(procedures))
    print(f"load average during the run: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
