"""Measuring question answering on labelled question sets (blind, development, tuned).

One loader for the sets' files and one scorer, used by bench/kb_search.py, bench/chat_blind.py
and tests/test_blind_questions.py, so every number means the same thing:

- top-1 / top-3: the search (every signal) puts a right procedure first / among three;
- answered: the router answers without choices, and right; wrong: without choices, and wrong;
- confident precision: answered / (answered + wrong);
- offered: a right candidate is among the router's buttons (choices or the separating question);
- not known: the router said it does not know.
Reform questions count the same way on FAQ entries; a question labelled `none` is right when
the router says it does not know.
"""

from __future__ import annotations

import collections
import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

STYLES = ("accented", "unaccented", "teencode", "english", "situation")
# Blind batches spent on tuning (bench/calibrate.py fits on them): reported as "tuned" from then on.
# Batches 1-9 were all spent by the end of round 5 (measured, then used for decisions); from round 6
# the calibration reads all of them. Batches 10 and 11 (round 6's decision set and headline) were
# reported and then spent in round 7, when the learned ranking (bench/fit_ranking.py) was fitted
# on batches 1-11. Batches 12 (round 7's decision set) and 13 (its round-end headline) were reported
# and then spent in round 8; batches 14 (round 8's decision set) and 15 (its headline) stayed blind,
# as did 16 (round 9's decision set) and 17 (its headline), reported in round 9 and not fitted on,
# and 18 and 19 (round 10's), reported in round 10 and not fitted on. In round 12 batches 14-19,
# reported in rounds 8-10, were spent: the ranking and the calibration were refit on batches 1-19.
# In round 13 batches 20-23, reported in rounds 11 and 12, were spent the same way (batches 1-23),
# and in round 14 batches 24 and 25, reported in round 13 (batches 1-25); in round 15 batches 26 and
# 27, reported in round 14, first decided the round's data changes and were then spent (batches 1-27);
# in round 16 batches 28 and 29, reported in round 15, the same way (batches 1-29).
TUNING_BATCHES = tuple(f"batch{n}" for n in range(1, 30))
# Written blind and kept: the benches skip them unless named. Each round's headline was written
# blind at the end of the round before and not run; its fresh batch was written blind at its start
# and committed before anything ran on it; both are run only at the round's end (e.g. batches 28
# and 29 for round 15). Batch 30 is round 16's headline, batch 31 its fresh batch; batch 32,
# written blind in round 16 and not run, is round 17's headline.
KEPT_BLIND = ("batch30", "batch31", "batch32")


@dataclass(frozen=True)
class Question:
    id: str
    style: str
    text: str
    answers: frozenset[str]  # acceptable procedure codes or FAQ ids; empty = "not known" is right
    kind: str  # "procedure" | "reform"


def load_questions(path: Path, kind: str) -> list[Question]:
    rows = csv.DictReader(path.open(encoding="utf-8"), delimiter="\t")
    column = "codes" if kind == "procedure" else "faq_ids"
    return [Question(r["id"], r["style"], r["question"], labels(r[column]), kind) for r in rows]


def labels(field: str) -> frozenset[str]:
    """Acceptable codes or FAQ ids of a row: comma-separated (batches 1-24) or space-separated
    (batch 25); "none" means no answer is right."""
    return frozenset(re.split(r"[,\s]+", field.strip())) - {"none", ""}


def question_set(folder: Path, prefix: str) -> tuple[list[Question], list[Question]]:
    """(procedure questions, reform questions) of a set like tests/data/blind/batch1_*."""
    return (load_questions(folder / f"{prefix}procedures.tsv", "procedure"),
            load_questions(folder / f"{prefix}reform.tsv", "reform"))


@dataclass
class Tally:
    n: int = 0
    top1: int = 0
    top3: int = 0
    answered: int = 0
    wrong: int = 0
    offered: int = 0
    not_known: int = 0
    misrouted: int = 0  # used by the chat bench: a form started instead of an answer

    @property
    def precision(self) -> float:
        given = self.answered + self.wrong
        return self.answered / given if given else 1.0

    def rate(self, name: str) -> float:
        return getattr(self, name) / self.n if self.n else 0.0

    def add(self, other: Tally) -> None:
        for name in ("n", "top1", "top3", "answered", "wrong", "offered", "not_known", "misrouted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Report:
    by_style: dict[str, Tally] = field(default_factory=lambda: collections.defaultdict(Tally))

    @property
    def total(self) -> Tally:
        total = Tally()
        for tally in self.by_style.values():
            total.add(tally)
        return total


def score(questions: list[Question], search=True) -> Report:
    """Search ranks and router outcomes for each question."""
    from procedure_kb.answers import AnswerKind, answer_question
    from procedure_kb.search import search_procedures

    report = Report()
    for q in questions:
        tally = report.by_style[q.style]
        tally.n += 1
        if search and q.kind == "procedure":
            found = [h.code for h in search_procedures(q.text, top=3)]
            tally.top1 += bool(found) and found[0] in q.answers
            tally.top3 += bool(q.answers & set(found))
        answer = answer_question(q.text)
        if answer.kind in (AnswerKind.PROCEDURE, AnswerKind.FAQ):
            if answer.ref in q.answers:
                tally.answered += 1
            else:
                tally.wrong += 1
        elif answer.kind is AnswerKind.NOT_KNOWN:
            tally.not_known += 1
            if not q.answers:
                tally.answered += 1  # "I do not know" is the right answer here
        elif q.answers & {c.ref for c in answer.choices}:
            tally.offered += 1
    return report


def table(report: Report, title: str, with_search: bool = True) -> str:
    """A fixed-width table of a report, per style and overall."""
    head = f"{title:<14} {'n':>4}" + (f" {'top1':>6} {'top3':>6}" if with_search else "") + \
        f" {'answered':>9} {'offered':>8} {'wrong':>6} {'unknown':>8} {'precision':>9}"
    lines = [head, "-" * len(head)]
    rows = [(style, report.by_style[style]) for style in STYLES if style in report.by_style]
    for name, tally in rows + [("ALL", report.total)]:
        line = f"{name:<14} {tally.n:>4}"
        if with_search:
            line += f" {tally.rate('top1'):>6.3f} {tally.rate('top3'):>6.3f}"
        line += (f" {tally.rate('answered'):>9.3f} {tally.rate('offered'):>8.3f} {tally.rate('wrong'):>6.3f}"
                 f" {tally.rate('not_known'):>8.3f} {tally.precision:>9.3f}")
        lines.append(line)
    return "\n".join(lines)


# What a reform answer itself tells the citizen to type, and the form that typing starts.
# Read from the answers' own English text (`forms_advised`), never from the questions.
FORM_INSTRUCTIONS = {'"make a complaint"': "complaint_form", '"check my dossier"': "dossier_form",
                     "type your old address": "address_form"}


def forms_advised(faq_ids) -> set[str]:
    """The forms that the reform answers `faq_ids` tell the citizen to start."""
    from procedure_kb.faq import load_faq

    answers = [e.answer_en.lower() for e in load_faq() if e.id in set(faq_ids)]
    return {form for phrase, form in FORM_INSTRUCTIONS.items() for text in answers if phrase.lower() in text}


def form_of_turn(tracker: dict) -> str | None:
    """The form a message started: still active at the end of its turn, or started and completed
    within it (an old address named in full is looked up at once by the address form)."""
    active = (tracker.get("active_loop") or {}).get("name")
    if active:
        return active
    events = tracker.get("events") or []
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    return next((e["name"] for e in events[last_user + 1:] if e.get("event") == "active_loop" and e.get("name")), None)


def chat_outcome(question: Question, replies: list[dict], active_loop: str | None) -> str:
    """What the citizen got over the chat: answered | offered | guided | misrouted | missed | wrong.

    `replies`: the assistant's messages for the question; `active_loop`: the form the message
    started (`form_of_turn`). A form that started on a question is a misroute, unless
    the right reform answer itself tells the citizen to start that very form ("guided": "how do
    I check my dossier?" starting the dossier form).
    """
    import re

    from procedure_kb.faq import load_faq

    if active_loop:
        if question.kind != "procedure" and active_loop in forms_advised(question.answers):
            return "guided"
        return "misrouted"
    texts = "\n".join(r.get("text") or "" for r in replies)
    payloads = " ".join(b.get("payload", "") for r in replies for b in r.get("buttons") or [])
    card = re.search(r"\((?:mã|code) (\d\.\d{6})\)", texts)
    if question.kind == "procedure":
        if card:
            return "answered" if card.group(1) in question.answers else "wrong"
        offered = set(re.findall(r'"procedure_code":"([\d.]+)"', payloads))
    else:
        def opening(answer: str) -> str:  # the answer's first words, before any placeholder
            return answer.split("{", 1)[0][:60]

        answered = {e.id for e in load_faq() if opening(e.answer_vi) in texts or opening(e.answer_en) in texts}
        if answered:
            return "answered" if answered & question.answers else "wrong"
        if card:  # a procedure card for a question about the reform: a confident wrong answer
            return "wrong"
        if not question.answers:  # no checked answer exists: saying so, without choices, is right (as in `score`)
            said_so = "/human_handoff" in payloads and not re.search(r'"(?:faq_id|procedure_code)":', payloads)
            return "answered" if said_so else "missed"
        offered = set(re.findall(r'"faq_id":"([a-z_]+)"', payloads))
    return "offered" if offered & question.answers else "missed"
