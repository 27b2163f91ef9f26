"""The process runner supervises: restarts, health checks, crash loops, huge log lines, orphans."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path

from conftest import free_port, http_json, settings_env

from bot.processes import ProcessSpec
from bot.runner import MAX_RESTARTS, Runner

# A tiny HTTP server that prints a 70,000-character line for every request it answers.
CHATTY_SERVER = """
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        sys.stdout.write("x" * 70000 + "\\n"); sys.stdout.flush()
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def _runner(tmp_path: Path, specs: list[ProcessSpec], **options) -> Runner:
    settings, env = settings_env(VAR_DIR=str(tmp_path))
    return Runner(settings, specs, env, **options)


async def _until(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


def _status(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "runner_status.json").read_text())["processes"]


async def test_a_70000_character_output_line_does_not_stop_a_child(tmp_path, capsys):
    port = free_port()
    spec = ProcessSpec("chatty", [sys.executable, "-c", CHATTY_SERVER, str(port)], f"http://127.0.0.1:{port}/")
    runner = _runner(tmp_path, [spec])
    task = asyncio.create_task(runner.supervise(runner.children[0]))
    try:
        await _until(lambda: runner.children[0].state == "up")
        for _ in range(5):  # each answer writes a 70 KB line; the pipe must keep draining
            status, _ = await asyncio.to_thread(http_json, "GET", f"http://127.0.0.1:{port}/", None, 5)
            assert status == 200
    finally:
        runner.stopping.set()
        await runner.stop_all()
        await task
    shown = capsys.readouterr().out
    assert "characters not shown" in shown and "x" * 70000 not in shown


async def test_a_dead_or_silent_child_is_restarted_and_a_crash_loop_given_up(tmp_path):
    port = free_port()
    serve = ProcessSpec("serve", [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                        f"http://127.0.0.1:{port}/")
    crash = ProcessSpec("crash", [sys.executable, "-c", "import sys; sys.exit(3)"])
    runner = _runner(tmp_path, [serve, crash], first_delay=0.05, check_every=0.5)
    tasks = [asyncio.create_task(runner.supervise(child)) for child in runner.children]
    served, crashing = runner.children
    try:
        await _until(lambda: served.state == "up")
        first = served.process.pid
        os.kill(first, signal.SIGKILL)  # dies: restarted
        await _until(lambda: served.state == "up" and served.process.pid != first)
        assert _status(tmp_path)["serve"]["restarts"] == 1
        second = served.process.pid
        os.kill(second, signal.SIGSTOP)  # alive but not answering: restarted after 3 failed checks
        await _until(lambda: served.process.pid != second and served.state == "up", timeout=40)
        assert http_json("GET", f"http://127.0.0.1:{port}/", timeout=5)[0] == 200
        await _until(lambda: crashing.state == "failed", timeout=40)
        assert len(crashing.restarts) == MAX_RESTARTS + 1
        assert _status(tmp_path)["crash"]["state"] == "failed"
    finally:
        runner.stopping.set()
        await runner.stop_all()
        await asyncio.gather(*tasks)
