"""How each process of the assistant is started: one definition for `make run` and the tests.

Every process reads its configuration from the environment (see hotline/settings.py);
`child_environment` turns the settings into the variables Rasa's endpoint files expect.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from hotline.db import private_file
from hotline.settings import PROJECT_ROOT, Settings


@dataclass(frozen=True)
class ProcessSpec:
    """A named command with the URL that answers once it is ready (and, unless `live_url` says
    otherwise, as long as it is alive)."""

    name: str
    command: list[str]
    ready_url: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    live_url: str | None = None  # liveness, when it differs from readiness (the load balancer)


def child_environment(settings: Settings) -> dict[str, str]:
    """The environment every child process gets: settings resolved, Rasa endpoint variables set."""
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL=env.get("TF_CPP_MIN_LOG_LEVEL", "3"),
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH", "")])),
        VAR_DIR=str(settings.var_dir),
        HOTLINE_DATABASE_URL=settings.hotline_database_url,
        RASA_TRACKER_DB=settings.rasa_tracker_db,
        RASA_PORT=str(settings.rasa_port),
        ACTION_PORT=str(settings.action_port),
        WEB_PORT=str(settings.web_port),
        RASA_URL=settings.rasa_url,
        PUBLIC_WEB_URL=settings.public_web_url,  # resolved here: a web replica's own port is not public
        HOST=settings.host,
        RASA_ENDPOINTS=settings.rasa_endpoints,
        RASA_CREDENTIALS=settings.rasa_credentials,
        RASA_TOKEN=settings.rasa_token,
        ACTION_SECRET=settings.action_secret,
        CHANNEL_SECRET=settings.channel_secret,
    )
    tracker = urlsplit(settings.rasa_tracker_db_url)
    env.update(
        TRACKER_PG_HOST=tracker.hostname or "127.0.0.1",
        TRACKER_PG_PORT=str(tracker.port or 5432),
        TRACKER_PG_DB=tracker.path.lstrip("/") or "rasa",
        TRACKER_PG_USER=tracker.username or "postgres",
        TRACKER_PG_PASSWORD=tracker.password or "",
    )
    redis = urlsplit(settings.redis_url)
    env.update(
        REDIS_HOST=redis.hostname or "127.0.0.1",
        REDIS_PORT=str(redis.port or 6379),
        REDIS_DB=redis.path.lstrip("/") or "0",
    )
    rabbitmq = urlsplit(settings.rabbitmq_url)
    env.update(  # bot/endpoints.cluster.yml: Rasa's pika event broker
        RABBITMQ_URL=settings.rabbitmq_url,
        RABBITMQ_HOST=rabbitmq.hostname or "127.0.0.1",
        RABBITMQ_PORT=str(rabbitmq.port or 5672),
        RABBITMQ_USER=unquote(rabbitmq.username or "guest"),
        RABBITMQ_PASSWORD=unquote(rabbitmq.password or "guest"),
    )
    return env


def prepare_tracker_store(settings: Settings) -> None:
    """Put the embedded SQLite tracker store in WAL mode before Rasa opens it.

    Rasa creates its own engine, so it cannot be given connection pragmas; WAL is stored in
    the database file itself. Commits then append to the log instead of rewriting pages
    under a rollback journal, which is most of the per-message cost on SQLite.
    """
    if not settings.embedded_tracker_store:
        return
    path = Path(settings.rasa_tracker_db)
    private_file(path)  # conversations hold personal data: readable by this user only
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def action_server(settings: Settings) -> ProcessSpec:
    return ProcessSpec(
        "actions",
        [sys.executable, "-m", "bot.action_server"],
        ready_url=f"http://127.0.0.1:{settings.action_port}/health",
    )


def rasa_server(settings: Settings, model: str | None = None) -> ProcessSpec:
    return ProcessSpec(
        "rasa",
        [
            sys.executable, "-m", "bot.rasa_server", "run", "--enable-api",
            "--model", model or settings.model_path,
            "--endpoints", settings.rasa_endpoints,
            "--credentials", settings.rasa_credentials,
            "--interface", settings.host,
            "--port", str(settings.rasa_port),
            "--cors", settings.public_web_url,
        ],
        # /status needs the API token; the runner's health checks send it (see rasa_status_url).
        ready_url=rasa_status_url(settings),
    )


def rasa_status_url(settings: Settings) -> str:
    """Rasa's /status (model loaded) with the API token: the readiness and liveness check."""
    return f"http://127.0.0.1:{settings.rasa_port}/status?token={settings.rasa_token}"


def web_app(settings: Settings) -> ProcessSpec:
    return ProcessSpec(
        "web",
        [sys.executable, "-m", "hotline.web"],
        ready_url=f"http://127.0.0.1:{settings.web_port}/health",
    )


def analytics_consumer(settings: Settings) -> ProcessSpec:
    """Per-turn facts for the console's unanswered-questions report (hotline/analytics_consumer.py):
    from RabbitMQ when the endpoints file has an event broker, else from the tracker store."""
    return ProcessSpec("analytics", [sys.executable, "-m", "hotline.analytics_consumer"])


def telegram_bridge(settings: Settings) -> ProcessSpec:
    return ProcessSpec("telegram", [sys.executable, "-m", "bot.telegram_bridge"])


def zalo_bridge(settings: Settings) -> ProcessSpec:
    """The Zalo OA webhook receiver; its /health is the runner's readiness and liveness check."""
    return ProcessSpec(
        "zalo",
        [sys.executable, "-m", "bot.zalo_bridge"],
        ready_url=f"http://127.0.0.1:{settings.zalo_webhook_port}/health",
    )


def dossier_simulator(settings: Settings) -> ProcessSpec:
    """The bundled stand-in for a provincial dossier API (demo only)."""
    command = [sys.executable, "-m", "hotline.dossier_simulator", "--port", str(settings.dossier_simulator_port)]
    if settings.dossier_api_token:
        command.append(f"--token={settings.dossier_api_token}")  # one argument: a token may start with "-"
    return ProcessSpec(
        "province", command, ready_url=f"http://127.0.0.1:{settings.dossier_simulator_port}/health"
    )


def simulator_url(settings: Settings) -> str:
    """Where the connector finds the simulator, or "" when a real API is configured or it is off."""
    if settings.dossier_api_url or not settings.dossier_simulator_port:
        return ""
    return f"http://127.0.0.1:{settings.dossier_simulator_port}"


def all_processes(settings: Settings, *, with_simulator: bool = False) -> list[ProcessSpec]:
    """What `make run` starts: the three servers, the analytics consumer, the demo province API,
    Telegram and Zalo when configured."""
    specs = [action_server(settings), rasa_server(settings), web_app(settings), analytics_consumer(settings)]
    if with_simulator:
        specs.insert(0, dossier_simulator(settings))
    if settings.telegram_bot_token:
        specs.append(telegram_bridge(settings))
    if settings.zalo_enabled:
        specs.append(zalo_bridge(settings))
    return specs
