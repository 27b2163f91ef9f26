"""A conversation survives restarting the Rasa server (SQL tracker store under var/)."""

import uuid


def test_slots_survive_a_rasa_restart(stack) -> None:
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    stack.chat(sender, "hello there, good morning")
    before = stack.tracker(sender)
    assert before["slots"]["language"] == "en"

    stack.stop("rasa")
    stack.start("rasa")

    after = stack.tracker(sender)
    assert after["slots"]["language"] == "en"
    assert len(after["events"]) >= len(before["events"])
    user_texts = [e.get("text") for e in after["events"] if e.get("event") == "user"]
    assert "hello there, good morning" in user_texts
