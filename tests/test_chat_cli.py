"""The terminal chat talks to the real running assistant and numbers its buttons."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_terminal_chat_greets_and_taps_a_button(stack) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.chat_cli", "--url", stack.rasa_url],
        input="xin chào\n1\n/quit\n", capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "bot> Xin chào" in result.stdout
    assert "1. " in result.stdout  # the greeting's buttons are numbered
    # Tapping button 1 sent its payload (a procedure question), so the bot answered it.
    assert result.stdout.count("bot>") >= 2
