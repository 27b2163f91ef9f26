"""Chat load: our assistant against Rasa's starter bot, side by side in one run.

    .venv/bin/python bench/chat_load.py [--duration 30] [--skip-starter] [--skip-production] [--skip-cluster]

For each bot it starts the real servers on free ports (timing model load + server start),
then drives N concurrent conversations over POST /webhooks/rest/webhook:
  * fixed offered load: 20 messages/s spread over 50 conversations (open loop: sends are
    scheduled by the clock, so slow replies show up as latency, not as a lower rate);
  * saturation: 50 conversations each sending its next message as soon as it has a reply.
Ours is measured twice: the embedded default (SQLite, one Rasa process) and the production
configuration (PostgreSQL tracker store, Redis lock store, two Sanic workers) when
PostgreSQL and Redis answer on this machine.
When PostgreSQL, Redis, RabbitMQ and HAProxy are here, the cluster (`python -m bot.cluster`) is
measured too, through its load balancer, with 1 and then 2 Rasa replicas (2 action servers,
2 web apps, the event broker and the analytics consumer running), with each process's memory.
Each conversation is one pass over a realistic script, then a new citizen takes its place.
It prints throughput and p50/p95/p99 latency for both bots and the ratio of peak throughput.
The starter bot is `rasa init` (DIET + TED + UnexpecTED), trained in a temporary folder and
served twice: as `rasa init` leaves it (in-memory tracker store: nothing survives a restart)
and with the same SQLite tracker store as ours (like for like).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import aiohttp

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bot import processes  # noqa: E402
from bot.localnet import free_port, wait_ready  # noqa: E402
from hotline.settings import load_settings  # noqa: E402

RASA = str(Path(sys.executable).parent / "rasa")

# Realistic turns; several call an action (session start, procedure search, address lookup).
OUR_SCRIPT = [
    "xin chào",
    "thủ tục đăng ký khai sinh cho con",
    "can giay to gi",
    "phuong Ben Nghe quan 1 nay thuoc phuong nao",
    "how do I renew my ID card?",
    "mất bao lâu",
    "cảm ơn nhé",
    "tạm biệt",
]
STARTER_SCRIPT = ["hello", "I am feeling sad", "yes", "great, thanks", "are you a bot?", "bye"]


ERRORS: Counter = Counter()  # what the failed requests of the whole run were (HTTP status, timeout…)


@dataclass
class Result:
    label: str
    sent: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    load: float = float("nan")  # 1-minute load average at the end of the phase (2 cores: > 2 is contention)

    @property
    def throughput(self) -> float:
        return (self.sent - self.errors) / self.seconds

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]

    def row(self) -> str:
        return (f"{self.label:<38} {self.sent:>6} {self.errors:>5} {self.throughput:>8.1f} "
                f"{self.pct(50):>8.0f} {self.pct(95):>8.0f} {self.pct(99):>8.0f} {self.load:>6.1f}")


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    async with session.post(url, json={"sender": sender, "message": text}) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(response.status)
    return (time.perf_counter() - started) * 1000


async def fixed_load(url: str, script: list[str], rate: float, conversations: int, seconds: float, label: str) -> Result:
    """Open loop: message i is sent at i/rate seconds, round-robin over the conversations."""
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    run = f"{int(time.time())}"
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
        start = time.perf_counter()
        locks = [asyncio.Lock() for _ in range(conversations)]  # one message in flight per conversation

        async def one(i: int) -> None:
            nonlocal errors
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            conversation = i % conversations
            turn = i // conversations
            text = script[turn % len(script)]
            # A citizen's conversation is the script once; then a new citizen takes the slot.
            sender = f"load-{run}-{conversation}-{turn // len(script)}"
            scheduled = start + i / rate
            async with locks[conversation]:
                try:
                    await send(session, url, sender, text)
                    latencies.append((time.perf_counter() - scheduled) * 1000)
                except Exception as error:  # counted; the benchmark goes on
                    errors += 1
                    ERRORS[type(error).__name__ + (f" {error}" if isinstance(error, RuntimeError) else "")] += 1

        await asyncio.gather(*(one(i) for i in range(total)))
        elapsed = time.perf_counter() - start
    return Result(label, total, errors, elapsed, latencies)


async def saturation(url: str, script: list[str], conversations: int, seconds: float, label: str) -> Result:
    """Closed loop: every conversation sends its next message as soon as it has the reply."""
    latencies: list[float] = []
    errors = 0
    sent = 0
    run = f"sat-{int(time.time())}"
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
        deadline = time.perf_counter() + seconds
        start = time.perf_counter()

        async def conversation(n: int) -> None:
            nonlocal errors, sent
            turn = 0
            while time.perf_counter() < deadline:
                sent += 1
                try:
                    sender = f"{run}-{n}-{turn // len(script)}"  # a new citizen after each script
                    latencies.append(await send(session, url, sender, script[turn % len(script)]))
                except Exception as error:  # counted; the benchmark goes on
                    errors += 1
                    ERRORS[type(error).__name__ + (f" {error}" if isinstance(error, RuntimeError) else "")] += 1
                turn += 1

        await asyncio.gather(*(conversation(n) for n in range(conversations)))
        elapsed = time.perf_counter() - start
    return Result(label, sent, errors, elapsed, latencies)


async def single_user(url: str, script: list[str], count: int, label: str) -> Result:
    latencies = []
    async with aiohttp.ClientSession() as session:
        start = time.perf_counter()
        for i in range(count):
            latencies.append(await send(session, url, f"single-{int(time.time())}", script[i % len(script)]))
        elapsed = time.perf_counter() - start
    return Result(label, count, 0, elapsed, latencies)


def start_ours(var_dir: Path, logs: Path, **overrides: str) -> tuple[list[subprocess.Popen], str, float]:
    os.environ.update(VAR_DIR=str(var_dir), RASA_PORT=str(free_port()), ACTION_PORT=str(free_port()),
                      WEB_PORT=str(free_port()), **overrides)
    settings = load_settings()
    env = processes.child_environment(settings)
    # The deploy step `make run` runs first: the servers only check the schema.
    subprocess.run([sys.executable, "-m", "hotline", "migrate"], cwd=PROJECT_ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    started = []
    action = processes.action_server(settings)
    started.append(subprocess.Popen(action.command, cwd=PROJECT_ROOT, env=env,
                                    stdout=open(logs / "actions.log", "wb"), stderr=subprocess.STDOUT))
    wait_ready(action.ready_url, started[-1])
    rasa = processes.rasa_server(settings)
    processes.prepare_tracker_store(settings)
    t0 = time.monotonic()
    started.append(subprocess.Popen(rasa.command, cwd=PROJECT_ROOT, env=env,
                                    stdout=open(logs / "rasa.log", "wb"), stderr=subprocess.STDOUT))
    wait_ready(rasa.ready_url, started[-1])
    return started, f"http://127.0.0.1:{settings.rasa_port}/webhooks/rest/webhook", time.monotonic() - t0


POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def production_overrides() -> tuple[dict[str, str], object] | None:
    """Environment for the production configuration on a throwaway PostgreSQL database:
    PostgreSQL tracker store, Redis lock store, and two Sanic workers (one per core)."""
    try:
        import psycopg2
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=2).ping()
        admin = psycopg2.connect(POSTGRES_ADMIN, connect_timeout=3)
    except Exception as error:  # not available here: the production run is skipped, and said so
        print(f"(production configuration skipped: {error})")
        return None
    admin.autocommit = True
    name = f"chat_bench_{int(time.time())}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name

    def drop() -> None:
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()

    return dict(RASA_ENDPOINTS="bot/endpoints.production.yml", RASA_TRACKER_DB_URL=url,
                HOTLINE_DATABASE_URL=url, SANIC_WORKERS="2"), drop


RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"


def _rabbitmq(names: tuple[str, str] | None = None) -> None:
    """Check RabbitMQ answers; with names, delete that exchange and queue."""
    import aio_pika

    async def run() -> None:
        connection = await asyncio.wait_for(aio_pika.connect(RABBITMQ_URL), 5)
        async with connection:
            if names:
                channel = await connection.channel()
                await channel.queue_delete(names[1])
                await channel.exchange_delete(names[0])

    asyncio.run(run())


def memory_mb(var_dir: Path) -> dict[str, float]:
    """Resident memory of each cluster process (children included), from the runner's status file."""
    import json

    import psutil

    status = json.loads((var_dir / "runner_status.json").read_text())["processes"]
    sizes = {}
    for name, info in status.items():
        try:
            process = psutil.Process(info["pid"])
            sizes[name] = sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) / 2**20
        except (psutil.Error, TypeError):
            continue
    return sizes


def start_cluster(tmp: Path, rasa: int, database: str) -> tuple[subprocess.Popen, str, float, dict, tuple[str, str]]:
    """`python -m bot.cluster --rasa N` on free ports with its own RabbitMQ names; (process, URL through
    the load balancer, seconds to "All up", environment, names)."""
    names = (f"bench_events_{int(time.time())}_{rasa}", f"bench_analytics_{int(time.time())}_{rasa}")
    endpoints = tmp / f"endpoints.cluster-{rasa}.yml"
    endpoints.write_text((PROJECT_ROOT / "bot" / "endpoints.cluster.yml").read_text()
                         .replace("exchange_name: tro_ly_events", f"exchange_name: {names[0]}")
                         .replace("- tro_ly_analytics", f"- {names[1]}"))
    env = {**os.environ, "VAR_DIR": str(tmp / f"var-cluster-{rasa}"), "RASA_PORT": str(free_port()),
           "ACTION_PORT": str(free_port()), "WEB_PORT": str(free_port()), "DOSSIER_SIMULATOR_PORT": "0",
           "RASA_ENDPOINTS": str(endpoints), "RASA_TRACKER_DB_URL": database, "HOTLINE_DATABASE_URL": database,
           "RABBITMQ_URL": RABBITMQ_URL, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(PROJECT_ROOT)}
    log = tmp / f"cluster-{rasa}.log"
    t0 = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "bot.cluster", "--rasa", str(rasa)], cwd=PROJECT_ROOT, env=env,
                               stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    while "All up" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() - t0 > 300:
            raise RuntimeError(f"cluster did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.5)
    url = f"http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/webhook"
    return process, url, time.monotonic() - t0, env, names


def stop_cluster(process: subprocess.Popen) -> None:
    process.send_signal(2)  # SIGINT: the runner stops every replica
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()


def cluster_available() -> str | None:
    """Why the cluster cannot be measured here, or None."""
    import shutil

    if not (shutil.which("haproxy") or Path("/usr/sbin/haproxy").exists()):
        return "HAProxy is not installed"
    try:
        _rabbitmq()
    except Exception as error:  # not reachable
        return f"RabbitMQ: {error}"
    return None


def measure_cluster(tmp: Path, seconds: float, replicas: int) -> tuple[list[Result], float, dict[str, float]]:
    production = production_overrides()
    if production is None:
        raise RuntimeError("PostgreSQL/Redis not reachable")
    overrides, drop = production
    process = names = None
    try:
        process, url, started, _env, names = start_cluster(tmp, replicas, overrides["RASA_TRACKER_DB_URL"])
        label = f"cluster {replicas}x rasa"
        results = asyncio.run(measure(url, OUR_SCRIPT, label, seconds))
        memory = memory_mb(tmp / f"var-cluster-{replicas}")
        return results, started, memory
    finally:
        if process is not None:
            stop_cluster(process)
        if names:
            _rabbitmq(names)
        drop()


def train_starter(folder: Path, logs: Path) -> float:
    """`rasa init` (it trains the starter bot); returns the training time."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    t0 = time.monotonic()
    subprocess.run([RASA, "init", "--no-prompt", "--init-dir", str(folder)], cwd=folder, env=env,
                   stdout=open(logs / "starter-train.log", "wb"), stderr=subprocess.STDOUT, check=True)
    return time.monotonic() - t0


def start_starter(folder: Path, logs: Path, sql_tracker: bool = False) -> tuple[list[subprocess.Popen], str, float]:
    """Serve the starter bot as `rasa init` made it (in-memory tracker store), or with the
    same SQLite tracker store as ours, which is the like-for-like comparison."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    command = [RASA, "run", "--enable-api", "--port", str(free_port()), "--model", "models"]
    if sql_tracker:
        database = folder / "tracker.db"
        with sqlite3.connect(database) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
        (folder / "endpoints-sql.yml").write_text(
            f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {database}\n"
        )
        command += ["--endpoints", "endpoints-sql.yml"]
    port = command[command.index("--port") + 1]
    t0 = time.monotonic()
    process = subprocess.Popen(command, cwd=folder, env=env, stdout=open(logs / "starter.log", "ab"),
                               stderr=subprocess.STDOUT)
    wait_ready(f"http://127.0.0.1:{port}/status", process)
    return [process], f"http://127.0.0.1:{port}/webhooks/rest/webhook", time.monotonic() - t0


def stop(started: list[subprocess.Popen]) -> None:
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


async def measure(url: str, script: list[str], name: str, seconds: float) -> list[Result]:
    await single_user(url, script, 10, "warm-up")
    results = []
    for phase in (single_user(url, script, 40, f"{name}: 1 user"),
                  fixed_load(url, script, 20, 50, seconds, f"{name}: 20 msg/s, 50 conv"),
                  saturation(url, script, 50, seconds, f"{name}: saturation, 50 conv")):
        result = await phase
        result.load = os.getloadavg()[0]
        results.append(result)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=30, help="seconds per load phase")
    parser.add_argument("--skip-starter", action="store_true", help="measure only our assistant")
    parser.add_argument("--skip-production", action="store_true",
                        help="skip the production configuration (PostgreSQL + Redis, 2 Sanic workers)")
    parser.add_argument("--keep-logs", metavar="DIR", help="write the servers' logs there (default: a temporary folder)")
    parser.add_argument("--only-cluster", action="store_true", help="measure only the cluster (1 and 2 Rasa replicas)")
    parser.add_argument("--skip-cluster", action="store_true",
                        help="skip the cluster (HAProxy, 1 and 2 Rasa replicas, RabbitMQ, analytics)")
    args = parser.parse_args()
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(args.keep_logs or tmp)
        tmp_path.mkdir(parents=True, exist_ok=True)
        (tmp_path / "starter").mkdir()
        results: list[Result] = []
        ours_start = float("nan")
        if not args.only_cluster:
            started, url, ours_start = start_ours(tmp_path / "var", tmp_path)
            try:
                results += asyncio.run(measure(url, OUR_SCRIPT, "ours", args.duration))
            finally:
                stop(started)
        production = None if args.skip_production or args.only_cluster else production_overrides()
        if production:
            overrides, drop = production
            try:
                started, url, _ = start_ours(tmp_path / "var-prod", tmp_path, **overrides)
                try:
                    results += asyncio.run(measure(url, OUR_SCRIPT, "ours-prod", args.duration))
                finally:
                    stop(started)
            finally:
                for name in overrides:
                    os.environ.pop(name, None)
                drop()
        cluster_notes: list[str] = []
        why_not = "skipped" if args.skip_cluster else cluster_available()
        if why_not:
            cluster_notes.append(f"(cluster not measured: {why_not})")
        else:
            for replicas in (1, 2):
                measured, started, memory = measure_cluster(tmp_path, args.duration, replicas)
                results += measured
                cluster_notes.append(f"cluster with {replicas} Rasa replica(s): all up in {started:.1f} s; memory MB: "
                                     + ", ".join(f"{name} {mb:.0f}" for name, mb in sorted(memory.items())))
        starter_start = starter_train = float("nan")
        if not (args.skip_starter or args.only_cluster):
            starter_train = train_starter(tmp_path / "starter", tmp_path)
            for sql_tracker, name in ((False, "starter"), (True, "starter-sqlite")):
                started, url, seconds = start_starter(tmp_path / "starter", tmp_path, sql_tracker)
                starter_start = seconds if not sql_tracker else starter_start
                try:
                    results += asyncio.run(measure(url, STARTER_SCRIPT, name, args.duration))
                finally:
                    stop(started)

    print(f"\nmodel load + server start: ours {ours_start:.1f} s, starter bot {starter_start:.1f} s "
          f"(starter training {starter_train:.0f} s)")
    for note in cluster_notes:
        print(note)
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} cores)")
    print(f"\n{'run':<38} {'sent':>6} {'errs':>5} {'msg/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'load':>6}")
    for result in results:
        print(result.row())
    if ERRORS:
        print("failed requests: " + ", ".join(f"{kind} ×{n}" for kind, n in ERRORS.most_common()))
    verdicts = [f"p95 at 20 msg/s: {r.pct(95):.0f} ms (target < 150 ms)" for r in results if r.label.startswith("ours: 20")]
    verdicts.append(f"model load + start: {ours_start:.1f} s (target < 20 s)")
    peaks = {r.label.split(":")[0]: r.throughput for r in results if "saturation" in r.label}
    for r in results:
        if r.label.startswith("cluster") and "20 msg/s" in r.label:
            verdicts.append(f"{r.label.split(':')[0]}: p95 at 20 msg/s {r.pct(95):.0f} ms (target < 150 ms)")
    if "cluster 1x rasa" in peaks and "cluster 2x rasa" in peaks:
        verdicts.append(f"peak through the load balancer, 2 vs 1 Rasa replicas: "
                        f"{peaks['cluster 2x rasa']:.1f} vs {peaks['cluster 1x rasa']:.1f} msg/s "
                        f"({peaks['cluster 2x rasa'] / peaks['cluster 1x rasa']:.2f}x on {os.cpu_count()} cores)")
    for baseline in ("starter", "starter-sqlite"):
        for ours in ("ours", "ours-prod", "cluster 1x rasa", "cluster 2x rasa"):
            if baseline in peaks and ours in peaks:
                verdicts.append(f"peak throughput {ours}/{baseline}: {peaks[ours] / peaks[baseline]:.1f}x (target >= 3x)")
    print("\n" + "\n".join(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
