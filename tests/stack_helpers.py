"""Helpers shared by the tests that start servers: whole stacks (the runner's and the cluster's)
and small aiohttp apps standing in for a backend."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

CODE = re.compile(r"PA-\d{4}-\d{6}")


def intake_script(n: int | None = None) -> list[str]:
    """A complaint intake to a ticket code, answer by answer (numbered when several run at once)."""
    who = f" (người dân số {n})" if n is not None else ""
    return ["tôi muốn khiếu nại",
            f"Cán bộ phường bắt tôi nộp bản sao căn cước dù đã có trên VNeID, yêu cầu xem lại{who}",
            "hôm qua", "phường Sài Gòn", "không", "không", "/affirm"]


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


def runner_status(var_dir: Path) -> dict:
    """The processes of a runner's status file (empty while it is not written yet)."""
    try:
        return json.loads((var_dir / "runner_status.json").read_text())["processes"]
    except (OSError, ValueError, KeyError):
        return {}


async def serve(app):
    """`app` (an aiohttp Application) on a free port of 127.0.0.1: its runner, to clean up, and base URL."""
    from aiohttp import web

    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
