"""End-to-end over the chat: the blind questions sent to the running assistant from fresh senders.

Starts the action server and the Rasa server (the same commands as `make run`) on free ports,
sends every blind question over the public REST channel, each from a new sender, and sorts
what the citizen got: answered (the card is a right procedure / the right reform answer),
offered (a right one among the buttons), guided (the form that the right reform answer tells
the citizen to use started), misrouted (any other form started instead), missed, or
wrong (an answer without choices, and wrong). Per style, procedure and reform questions.

    .venv/bin/python bench/chat_blind.py [--set batch1] [--limit N] [--dump outcomes.tsv]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import processes  # noqa: E402
from bot.localnet import free_port, wait_ready  # noqa: E402
from hotline.db import upgrade  # noqa: E402
from hotline.settings import load_settings  # noqa: E402
from procedure_kb.evaluation import STYLES, chat_outcome, form_of_turn, question_set  # noqa: E402

OUTCOMES = ("answered", "offered", "guided", "misrouted", "missed", "wrong")


def http(method: str, url: str, payload=None, timeout: float = 60):
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - local
        return json.loads(response.read().decode())


def start_stack(var_dir: Path, logs: Path):
    os.environ.update(VAR_DIR=str(var_dir), RASA_PORT=str(free_port()), ACTION_PORT=str(free_port()),
                      WEB_PORT=str(free_port()))
    settings = load_settings()
    upgrade(settings.hotline_database_url)  # the deploy step `make run` runs; servers only check the schema
    env = processes.child_environment(settings)
    started = []
    for spec in (processes.action_server(settings), processes.rasa_server(settings)):
        if spec.name == "rasa":
            processes.prepare_tracker_store(settings)
        started.append(subprocess.Popen(spec.command, cwd=ROOT, env=env, stdout=open(logs / f"{spec.name}.log", "wb"),
                                        stderr=subprocess.STDOUT))
        wait_ready(spec.ready_url, started[-1])
    return started, settings


def ask(settings, question) -> tuple[str, str]:
    """Send one question from a fresh sender; the outcome and the intent Rasa read (with its confidence)."""
    sender = f"blind-{uuid.uuid4().hex[:12]}"
    base = f"http://127.0.0.1:{settings.rasa_port}"
    replies = http("POST", f"{base}/webhooks/rest/webhook", {"sender": sender, "message": question.text})
    tracker = http("GET", f"{base}/conversations/{sender}/tracker?token={settings.rasa_token}")
    loop = form_of_turn(tracker)
    read = (tracker.get("latest_message") or {}).get("intent") or {}
    intent = f"{read.get('name') or ''} {read.get('confidence') or 0:.2f}"
    return chat_outcome(question, replies, loop), intent


def run(settings, questions, dump=None) -> dict:
    counts: dict = collections.defaultdict(collections.Counter)
    for question in questions:
        outcome, intent = ask(settings, question)
        counts[question.style][outcome] += 1
        if dump is not None:
            dump.write(f"{question.kind}\t{question.id}\t{question.style}\t{outcome}\t{intent}\t{question.text}\n")
    return counts


def print_table(title: str, counts: dict) -> dict:
    print(f"{title:<12} {'n':>4} " + " ".join(f"{o:>9}" for o in OUTCOMES) + f" {'helped':>8}")
    total: collections.Counter = collections.Counter()
    for style in [s for s in STYLES if s in counts] + ["ALL"]:
        c = total if style == "ALL" else counts[style]
        n = sum(c.values())
        if style != "ALL":
            total.update(c)
        print(f"{style:<12} {n:>4} " + " ".join(f"{c[o] / n:>9.3f}" for o in OUTCOMES)
              + f" {(c['answered'] + c['offered'] + c['guided']) / n:>8.3f}")
    return total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default="batch1")
    parser.add_argument("--limit", type=int, default=0, help="at most this many questions of each kind")
    parser.add_argument("--dump", type=Path, help="write each question's outcome and intent here (tab-separated)")
    args = parser.parse_args()
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    procedures, reform = question_set(ROOT / "tests" / "data" / "blind", f"{args.set}_")
    if args.limit:
        procedures, reform = procedures[: args.limit], reform[: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        started, settings = start_stack(Path(tmp) / "var", Path(tmp))
        try:
            t0 = time.monotonic()
            print(f"=== BLIND {args.set} over the chat (REST, a fresh sender per question) ===")
            print_table("procedures", run(settings, procedures, dump))
            print_table("reform", run(settings, reform, dump))
            print(f"({len(procedures) + len(reform)} questions in {time.monotonic() - t0:.0f} s)")
        finally:
            for process in started:
                process.terminate()
                process.wait(timeout=30)
            if dump is not None:
                dump.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
