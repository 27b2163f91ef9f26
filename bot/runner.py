"""`make run`: start every process with prefixed logs, keep them running; Ctrl-C stops them all.

Before the servers start it brings the hotline database to the newest schema and runs the
preparation steps (demo data…). Then it supervises:

- a process that exits, or whose health check stops answering (3 checks in a row), is
  restarted with backoff (1 s, 2 s, 4 s … 30 s); after `MAX_RESTARTS` restarts within
  `CRASH_WINDOW_S` it is given up on (a crash loop), and said so loudly;
- each process's state is written to ``VAR_DIR/runner_status.json``, which the web app's
  ``/health`` reports (``degraded`` while something is restarting or failed);
- children's output is read in chunks, never line by line, so one enormous log line cannot
  block a child; long lines are cut for display and personal data is masked;
- children die with the runner (Linux parent-death signal), its whole process groups are
  killed on exit, and it refuses to start while processes of an earlier run are alive or its
  ports are taken.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import signal
import socket
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot.processes import (
    ProcessSpec,
    all_processes,
    child_environment,
    prepare_tracker_store,
    simulator_url,
)
from hotline.masking import mask_personal_data
from hotline.settings import PROJECT_ROOT, Settings, load_settings

COLOURS = {"province": "\033[33m", "rasa": "\033[35m", "actions": "\033[36m", "web": "\033[32m", "telegram": "\033[34m",
           "zalo": "\033[94m", "lb": "\033[31m", "analytics": "\033[95m"}
RESET = "\033[0m"
READY_TIMEOUT_S = 180
CHECK_EVERY_S = 5.0
CHECK_TIMEOUT_S = 5.0
FAILED_CHECKS = 3  # in a row, before a process that does not answer is restarted
MAX_RESTARTS = 5
CRASH_WINDOW_S = 600
MAX_LINE = 4000  # characters of one output line shown; the rest is counted, not printed
STATUS_FILE = "runner_status.json"
RUN_FILE = "runner.json"


def _prefix(name: str) -> str:
    colour = COLOURS.get(name.split("-")[0], "") if sys.stdout.isatty() else ""  # replicas: "rasa-2"
    return f"{colour}[{name:>9}]{RESET if colour else ''} "


def say(name: str, text: str) -> None:
    sys.stdout.write(_prefix(name) + text + "\n")
    sys.stdout.flush()


def show_line(name: str, raw: bytes) -> None:
    line = raw.decode("utf-8", "replace").rstrip("\r\n")
    if len(line) > MAX_LINE:
        line = f"{line[:MAX_LINE]}… ({len(line) - MAX_LINE} characters not shown)"
    say(name, mask_personal_data(line))


async def pump(name: str, stream: asyncio.StreamReader) -> None:
    """Copy a child's output to ours, prefixed, however long its lines are."""
    pending = b""
    while chunk := await stream.read(65536):
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            show_line(name, line)
        if len(pending) > MAX_LINE * 4:  # a line still growing: show its start, drop the rest
            show_line(name, pending)
            pending = b""
    if pending:
        show_line(name, pending)


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the runner dies, even by kill -9."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def answers(url: str, timeout: float = CHECK_TIMEOUT_S) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - local URL
            return response.status < 500
    except (OSError, ValueError):
        return False


@dataclass
class Supervised:
    """One child process and what the runner knows about it."""

    spec: ProcessSpec
    env: dict[str, str]
    process: asyncio.subprocess.Process | None = None
    state: str = "starting"  # starting | up | restarting | failed | stopped
    restarts: list[float] = field(default_factory=list)
    pump_task: asyncio.Task | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *self.spec.command, cwd=PROJECT_ROOT, env={**self.env, **self.spec.env},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the runner only; it stops children in order
            preexec_fn=_die_with_parent,
        )
        self.pump_task = asyncio.create_task(pump(self.spec.name, self.process.stdout))

    def kill(self, signum: int = signal.SIGKILL) -> None:
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)


class Runner:
    """Starts, watches and restarts the children; writes their state for /health."""

    def __init__(self, settings: Settings, specs: list[ProcessSpec], env: dict[str, str], *,
                 first_delay: float = 1.0, check_every: float = CHECK_EVERY_S) -> None:
        self.settings = settings
        self.children = [Supervised(spec, env) for spec in specs]
        self.stopping = asyncio.Event()
        self.status_path = settings.var_dir / STATUS_FILE
        self.first_delay = first_delay  # backoff before the first restart; doubles up to 30 s
        self.check_every = check_every

    def write_status(self) -> None:
        status = {
            child.spec.name: {"state": child.state, "restarts": len(child.restarts),
                              "pid": child.process.pid if child.process else None}
            for child in self.children
        }
        tmp = self.status_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"runner_pid": os.getpid(), "updated": time.time(), "processes": status}))
        tmp.replace(self.status_path)

    def set_state(self, child: Supervised, state: str) -> None:
        if child.state != state:
            child.state = state
            self.write_status()

    async def wait_ready(self, child: Supervised) -> bool:
        if not child.spec.ready_url:
            return True
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline and child.process.returncode is None and not self.stopping.is_set():
            if await asyncio.to_thread(answers, child.spec.ready_url, 2):
                return True
            await asyncio.sleep(0.5)
        return False

    async def watch(self, child: Supervised) -> str:
        """Until the child exits or stops answering; returns why it needs a restart."""
        failures = 0
        while not self.stopping.is_set():
            try:
                await asyncio.wait_for(child.process.wait(), timeout=self.check_every)
                return f"exited with {child.process.returncode}"
            except asyncio.TimeoutError:
                pass
            live_url = child.spec.live_url or child.spec.ready_url
            if not live_url or child.state != "up":
                continue
            if await asyncio.to_thread(answers, live_url, min(CHECK_TIMEOUT_S, max(self.check_every, 1.0))):
                failures = 0
                continue
            failures += 1
            if failures >= FAILED_CHECKS:
                return f"did not answer {live_url.split('?')[0]} {failures} times in a row"
        return "stopping"

    async def supervise(self, child: Supervised) -> None:
        """Keep one child running: start, watch, restart with backoff, give up on a crash loop."""
        delay = self.first_delay
        while not self.stopping.is_set():
            await child.start()
            self.write_status()
            ready = await self.wait_ready(child)
            if self.stopping.is_set():
                return
            if ready and child.process.returncode is None:
                self.set_state(child, "up")
                say("runner", f"{child.spec.name} ready" + (f" at {child.spec.ready_url.split('?')[0]}" if child.spec.ready_url else ""))
                reason = await self.watch(child)
            else:
                reason = "did not become ready" if child.process.returncode is None else f"exited with {child.process.returncode}"
            if self.stopping.is_set():
                return
            child.kill()
            await child.process.wait()
            if child.pump_task:
                await asyncio.gather(child.pump_task, return_exceptions=True)
            now = time.monotonic()
            child.restarts = [t for t in child.restarts if now - t < CRASH_WINDOW_S] + [now]
            if len(child.restarts) > MAX_RESTARTS:
                self.set_state(child, "failed")
                say("runner", f"{child.spec.name} {reason}; it failed {len(child.restarts)} times in "
                              f"{CRASH_WINDOW_S // 60} minutes, so it is NOT restarted again. See its log above.")
                return
            self.set_state(child, "restarting")
            say("runner", f"{child.spec.name} {reason}; restarting in {delay:g} s")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=delay)
            delay = min(delay * 2, 30.0)

    async def announce(self) -> None:
        while not self.stopping.is_set():
            if all(child.state == "up" for child in self.children):
                s = self.settings
                say("runner", f"All up. Chat: curl -s -XPOST {s.rasa_url}/webhooks/rest/webhook "
                              "-d '{\"sender\":\"me\",\"message\":\"xin chào\"}'  ·  "
                              f"web: {s.public_web_url}/  ·  Rasa API token: {s.var_dir / 'rasa.token'}  ·  "
                              "Ctrl-C stops everything.")
                return
            if any(child.state == "failed" for child in self.children):
                return
            await asyncio.sleep(0.5)

    async def stop_all(self) -> None:
        for child in self.children:
            child.kill(signal.SIGTERM)
        waits = [child.process.wait() for child in self.children if child.process is not None]
        try:
            await asyncio.wait_for(asyncio.gather(*waits), timeout=15)
        except asyncio.TimeoutError:
            for child in self.children:
                child.kill(signal.SIGKILL)
            await asyncio.gather(*waits, return_exceptions=True)
        await asyncio.gather(*(c.pump_task for c in self.children if c.pump_task), return_exceptions=True)
        for child in self.children:
            child.state = "stopped"
        self.write_status()


# ---------------------------------------------------------------- start-up checks


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def leftovers(var_dir: Path) -> list[int]:
    """Process ids of an earlier run (runner or children) that are still alive."""
    path = var_dir / RUN_FILE
    try:
        recorded = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    pids = [recorded.get("runner_pid")] + list(recorded.get("children", []))
    return [pid for pid in pids if isinstance(pid, int) and pid != os.getpid() and _alive(pid)]


def busy_ports(settings: Settings, specs: list[ProcessSpec]) -> list[int]:
    """The ports our servers need that something else already listens on."""
    wanted = [settings.rasa_port, settings.action_port, settings.web_port]
    if any(spec.name == "province" for spec in specs):
        wanted.append(settings.dossier_simulator_port)
    if any(spec.name == "zalo" for spec in specs):
        wanted.append(settings.zalo_webhook_port)
    taken = []
    for port in wanted:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                taken.append(port)
    return taken


def record_run(var_dir: Path, runner: Runner) -> None:
    pids = [c.process.pid for c in runner.children if c.process is not None]
    (var_dir / RUN_FILE).write_text(json.dumps({"runner_pid": os.getpid(), "children": pids}))


async def _run_step(command: list[str], env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        *command, cwd=PROJECT_ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    await pump("setup", process.stdout)
    if await process.wait() != 0:
        raise SystemExit(f"setup step failed: {' '.join(command)}")


def preparation_steps() -> list[list[str]]:
    """Commands run once before the servers start: migrations, then the demo dossiers
    (idempotent) so a newcomer can look one up at once."""
    return [
        [sys.executable, "-m", "hotline", "migrate"],
        [sys.executable, "-m", "hotline", "demo-data"],
    ]


def private_files(var_dir: Path) -> None:
    """Databases, secrets and logs in VAR_DIR readable by this user only, old ones included."""
    os.umask(0o077)  # inherited by every child: what they create is 0600
    var_dir.chmod(0o700)
    for path in var_dir.iterdir():
        if path.is_file():
            path.chmod(0o600)


async def main() -> int:
    settings = load_settings()
    private_files(settings.var_dir)
    demo_api = simulator_url(settings)
    if demo_api:  # no real provincial API configured: the connector talks to the simulator
        os.environ["DOSSIER_API_URL"] = demo_api
        settings = load_settings()
    env = child_environment(settings)
    model = PROJECT_ROOT / settings.model_path
    if not model.exists():
        print(f"No trained model at {model}; run `make train` (make run does it for you).", file=sys.stderr)
        return 1
    specs = all_processes(settings, with_simulator=bool(demo_api))
    alive = leftovers(settings.var_dir)
    if alive:
        print(f"Processes of an earlier `make run` are still running (pids {', '.join(map(str, alive))}). "
              f"Stop them first: kill {' '.join(map(str, alive))}", file=sys.stderr)
        return 1
    taken = busy_ports(settings, specs)
    if taken:
        print(f"Port(s) {', '.join(map(str, taken))} already in use: another assistant or program is "
              "listening there. Stop it, or set RASA_PORT / ACTION_PORT / WEB_PORT / DOSSIER_SIMULATOR_PORT.",
              file=sys.stderr)
        return 1
    prepare_tracker_store(settings)
    for step in preparation_steps():
        await _run_step(step, env)
    return await supervise_all(settings, specs, env)


async def supervise_all(settings: Settings, specs: list[ProcessSpec], env: dict[str, str]) -> int:
    """Start and supervise `specs` until Ctrl-C (or every one of them gave up); 1 if any failed."""
    runner = Runner(settings, specs, env)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, runner.stopping.set)
    supervisors = [asyncio.create_task(runner.supervise(child)) for child in runner.children]
    while any(child.process is None for child in runner.children) and not runner.stopping.is_set():
        await asyncio.sleep(0.05)
    record_run(settings.var_dir, runner)
    announcer = asyncio.create_task(runner.announce())
    stopper = asyncio.create_task(runner.stopping.wait())
    await asyncio.wait([stopper, asyncio.gather(*supervisors)], return_when=asyncio.FIRST_COMPLETED)
    runner.stopping.set()
    announcer.cancel()
    await runner.stop_all()
    await asyncio.gather(*supervisors, return_exceptions=True)
    with contextlib.suppress(OSError):
        (settings.var_dir / RUN_FILE).unlink()
    say("runner", "stopped")
    failed = [child.spec.name for child in runner.children if child.restarts and len(child.restarts) > MAX_RESTARTS]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
