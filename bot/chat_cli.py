"""A terminal chat with the running assistant (like `rasa shell`, but against `make run`).

    .venv/bin/python -m bot.chat_cli [--url http://127.0.0.1:5005] [--sender me]

Type a message and press Enter; buttons are numbered, type the number to tap one.
Ctrl-D or "/quit" ends the chat.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
import uuid

from hotline.settings import load_settings


def send(url: str, sender: str, message: str) -> list[dict]:
    """Post one message to Rasa's REST channel and return the bot's replies."""
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - configured URL
        return json.loads(response.read().decode())


def render(replies: list[dict]) -> list[dict]:
    """Print the replies; return the buttons offered, in the order they were numbered."""
    offered: list[dict] = []
    for reply in replies:
        if reply.get("text"):
            print(f"bot> {reply['text']}")
        if reply.get("image"):
            print(f"bot> [image] {reply['image']}")
        for button in reply.get("buttons") or []:
            offered.append(button)
            print(f"     {len(offered)}. {button.get('title')}")
    return offered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=load_settings().rasa_url, help="Rasa server (default: RASA_URL)")
    parser.add_argument("--sender", default=f"cli-{uuid.uuid4().hex[:8]}", help="conversation id")
    args = parser.parse_args(argv)
    print(f"Chatting with {args.url} as {args.sender}. Ctrl-D to quit.")
    offered: list[dict] = []
    while True:
        try:
            line = input("you> ").strip()
        except EOFError:
            print()
            return 0
        if line == "/quit":
            return 0
        if line.isdecimal() and 1 <= int(line) <= len(offered):
            line = offered[int(line) - 1].get("payload", "")
        try:
            offered = render(send(args.url, args.sender, line))
        except OSError as error:
            print(f"(the assistant is not answering at {args.url}: {error}; is `make run` running?)")


if __name__ == "__main__":
    sys.exit(main())
