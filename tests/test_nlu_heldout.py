"""Intent accuracy on phrasings the model never saw, equal across writing styles."""

from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

HELDOUT = Path(__file__).parent / "data" / "nlu_heldout.yml"
TRAINING = Path(__file__).parent.parent / "nlu_data"
STYLES = ("accented", "unaccented", "english")


def _examples() -> list[dict]:
    return yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["examples"]


def test_heldout_covers_every_intent_in_every_style() -> None:
    counts = Counter((e["intent"], e["style"]) for e in _examples())
    intents = {e["intent"] for e in _examples()}
    assert len(intents) >= 15
    for intent in intents:
        for style in STYLES:
            assert counts[(intent, style)] >= 10, (intent, style)


def test_heldout_is_not_in_training_data() -> None:
    from procedure_kb.textnorm import fold

    trained = set()
    for path in TRAINING.glob("*.yml"):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []) or []:
            for line in str(block.get("examples", "")).splitlines():
                trained.add(fold(line.lstrip("- ").strip()))
    leaked = [e["text"] for e in _examples() if fold(e["text"]) in trained]
    assert not leaked, leaked


@pytest.fixture(scope="module")
def predictions(stack) -> list[tuple[dict, str]]:
    def predicted(parse: dict) -> str:
        # A form intent held back by the gate (bot/components/intent_gate.py) is still the
        # classifier's answer: the router then offers that form as a button.
        return parse.get("gated_intent") or parse["intent"]["name"]

    return [(example, predicted(stack.parse(example["text"]))) for example in _examples()]


def test_intent_accuracy_is_high_and_equal_across_styles(predictions) -> None:
    right: dict[str, list[bool]] = defaultdict(list)
    mistakes = []
    for example, predicted in predictions:
        ok = predicted == example["intent"]
        right[example["style"]].append(ok)
        if not ok:
            mistakes.append((example["style"], example["text"], example["intent"], predicted))
    per_style = {style: sum(v) / len(v) for style, v in right.items()}
    overall = sum(sum(v) for v in right.values()) / sum(len(v) for v in right.values())
    report = f"overall={overall:.3f} per_style={per_style} mistakes={mistakes[:25]}"
    assert overall >= 0.90, report
    # The same data and seed train a slightly different model on another machine (TensorFlow's
    # threaded float sums): the spread was 0.045 on one VM and 0.055 on another (round 6:
    # accented 0.915, unaccented 0.945, English 0.89). The bound guards against a style falling
    # behind, with that platform noise; English small talk is the weakest, a known gap (issue 10).
    assert max(per_style.values()) - min(per_style.values()) <= 0.06, report
