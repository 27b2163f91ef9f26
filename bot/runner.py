"""`make run`: start every process in the foreground with prefixed logs; Ctrl-C stops them all.

Before the servers start it brings the hotline database to the newest schema and runs the
preparation steps (demo data…). If any server exits, the others are stopped too, so a
half-running assistant never pretends to work.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import urllib.request

from bot.processes import (
    ProcessSpec,
    all_processes,
    child_environment,
    prepare_tracker_store,
    simulator_url,
)
from hotline.settings import PROJECT_ROOT, load_settings

COLOURS = {"province": "\033[33m", "rasa": "\033[35m", "actions": "\033[36m", "web": "\033[32m", "telegram": "\033[34m"}
RESET = "\033[0m"
READY_TIMEOUT_S = 180


def _prefix(name: str) -> str:
    colour = COLOURS.get(name, "") if sys.stdout.isatty() else ""
    return f"{colour}[{name:>8}]{RESET if colour else ''} "


async def _pump(name: str, stream: asyncio.StreamReader) -> None:
    prefix = _prefix(name)
    while line := await stream.readline():
        sys.stdout.write(prefix + line.decode("utf-8", "replace"))
        sys.stdout.flush()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local URL
            return response.status < 500
    except OSError:
        return False


async def _wait_ready(spec: ProcessSpec, process: asyncio.subprocess.Process) -> None:
    if not spec.ready_url:
        return
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline and process.returncode is None:
        if await asyncio.to_thread(_answers, spec.ready_url):
            print(_prefix("runner") + f"{spec.name} ready at {spec.ready_url}", flush=True)
            return
        await asyncio.sleep(0.5)


async def _run_step(command: list[str], env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        *command, cwd=PROJECT_ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    await _pump("setup", process.stdout)
    if await process.wait() != 0:
        raise SystemExit(f"setup step failed: {' '.join(command)}")


def preparation_steps() -> list[list[str]]:
    """Commands run once before the servers start: migrations, then the demo dossiers
    (idempotent) so a newcomer can look one up at once."""
    return [
        [sys.executable, "-m", "hotline", "migrate"],
        [sys.executable, "-m", "hotline", "demo-data"],
    ]


async def main() -> int:
    settings = load_settings()
    demo_api = simulator_url(settings)
    if demo_api:  # no real provincial API configured: the connector talks to the simulator
        os.environ["DOSSIER_API_URL"] = demo_api
        settings = load_settings()
    env = child_environment(settings)
    model = PROJECT_ROOT / settings.model_path
    if not model.exists():
        print(f"No trained model at {model}; run `make train` (make run does it for you).", file=sys.stderr)
        return 1
    prepare_tracker_store(settings)
    for step in preparation_steps():
        await _run_step(step, env)

    specs = all_processes(settings, with_simulator=bool(demo_api))
    processes: list[tuple[ProcessSpec, asyncio.subprocess.Process]] = []
    for spec in specs:
        process = await asyncio.create_subprocess_exec(
            *spec.command, cwd=PROJECT_ROOT, env={**env, **spec.env},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the runner only; it stops children in order
        )
        processes.append((spec, process))
    pumps = [asyncio.create_task(_pump(spec.name, process.stdout)) for spec, process in processes]

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    async def announce() -> None:
        await asyncio.gather(*(_wait_ready(spec, process) for spec, process in processes))
        if all(process.returncode is None for _, process in processes):
            print(
                _prefix("runner")
                + f"All up. Chat: curl -s -XPOST {settings.rasa_url}/webhooks/rest/webhook "
                + "-d '{\"sender\":\"me\",\"message\":\"xin chào\"}'  ·  "
                + f"web: {settings.public_web_url}/  ·  Ctrl-C stops everything.",
                flush=True,
            )

    waiters = [asyncio.create_task(process.wait()) for _, process in processes]
    announcer = asyncio.create_task(announce())
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([stopper, *waiters], return_when=asyncio.FIRST_COMPLETED)
    exit_code = 0
    if stopper not in done:
        for spec, process in processes:
            if process.returncode is not None:
                print(_prefix("runner") + f"{spec.name} exited with {process.returncode}; stopping all", flush=True)
                exit_code = 1
    announcer.cancel()
    for _, process in processes:
        if process.returncode is None:
            os.killpg(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(asyncio.gather(*waiters), timeout=15)
    except asyncio.TimeoutError:
        for _, process in processes:
            if process.returncode is None:
                os.killpg(process.pid, signal.SIGKILL)
    await asyncio.gather(*pumps, return_exceptions=True)
    print(_prefix("runner") + "stopped", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
