"""Shared fixtures: real servers on free ports, real databases, the trained model.

Servers are the same commands `make run` uses (bot/processes.py), started once per test
session on free ports with a throwaway VAR_DIR, so tests exercise the real Rasa server,
action server and web app. PostgreSQL tests use a throwaway database on the local server;
without one they skip locally, but fail in CI (CI=true), where PostgreSQL must be tested.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.localnet import free_port  # noqa: F401 - the tests import them from here
from bot.localnet import wait_ready as wait_until_ready

PROJECT_ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def http_json(method: str, url: str, payload: object | None = None, timeout: float = 30, headers=None):
    """(status, decoded JSON or text) of one HTTP request; for tests that talk to real servers."""
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - local
            body = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read().decode(), error.code
    try:
        return status, json.loads(body)
    except json.JSONDecodeError:
        return status, body


def settings_env(**values: str):
    """(settings, child environment) as `make run` has them with these environment values set."""
    from bot.processes import child_environment
    from hotline.settings import load_settings

    previous = dict(os.environ)
    os.environ.update(values)
    try:
        settings = load_settings()
        return settings, child_environment(settings)
    finally:
        os.environ.clear()
        os.environ.update(previous)


def start_process(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a server in the project directory, its output appended to `log`."""
    with open(log, "ab") as out:
        return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=out)


def stop_process(process: subprocess.Popen) -> None:
    """Terminate a server; kill it when it has not stopped after 20 seconds."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- the trained model -------------------------------------------------------------------

@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The assistant's model; `make test` trains it first, plain pytest trains it if missing."""
    override = os.environ.get("ASSISTANT_MODEL")
    model = Path(override) if override else PROJECT_ROOT / "models" / "assistant.tar.gz"
    if not model.exists():
        subprocess.run(
            [str(Path(sys.executable).parent / "rasa"), "train", "--config", "config.yml",
             "--domain", "bot/domain", "--data", "nlu_data", "--out", str(model.parent),
             "--fixed-model-name", model.name.removesuffix(".tar.gz")],
            cwd=PROJECT_ROOT, check=True,
        )
    return model


# --- real servers ------------------------------------------------------------------------

@dataclass
class Stack:
    """The running assistant: where to reach each server, and how to restart Rasa."""

    rasa_url: str
    action_url: str
    web_url: str
    env: dict[str, str]
    var_dir: Path
    model: Path | None  # only the Rasa server needs it
    processes: dict[str, subprocess.Popen]
    logs: Path

    def chat(self, sender: str, message: str, message_id: str | None = None) -> list[dict]:
        """Send one message as a citizen (with the client's `message_id` if given); the bot's replies.

        Senders with a channel prefix ("web:…", "telegram:…") go through the trusted channel with
        the channel secret, as the widget and bridges do; others through the public REST channel.
        """
        if sender.split(":", 1)[0] in ("web", "telegram", "zalo"):
            url, headers = f"{self.rasa_url}/webhooks/trusted/webhook", {"X-Channel-Secret": self.env["CHANNEL_SECRET"]}
        else:
            url, headers = f"{self.rasa_url}/webhooks/rest/webhook", {}
        payload = {"sender": sender, "message": message} | ({"message_id": message_id} if message_id else {})
        status, body = http_json("POST", url, payload, timeout=60, headers=headers)
        assert status == 200, body
        return body

    def texts(self, sender: str, message: str) -> str:
        """All reply texts of one message joined, for simple assertions."""
        return "\n".join(reply.get("text", "") for reply in self.chat(sender, message))

    def parse(self, text: str) -> dict:
        status, body = http_json("POST", f"{self.rasa_url}/model/parse?token={self.env['RASA_TOKEN']}", {"text": text})
        assert status == 200, body
        return body

    def tracker(self, sender: str) -> dict:
        status, body = http_json("GET", f"{self.rasa_url}/conversations/{sender}/tracker?token={self.env['RASA_TOKEN']}")
        assert status == 200, body
        return body

    def start(self, name: str) -> None:
        from bot import processes

        settings, _ = settings_env(**self.env)
        if name == "rasa":
            processes.prepare_tracker_store(settings)
            spec = processes.rasa_server(settings, str(self.model))
        else:
            spec = {"actions": processes.action_server, "web": processes.web_app}[name](settings)
        process = start_process(spec.command, self.env, self.logs / f"{name}.log")
        self.processes[name] = process
        try:
            wait_until_ready(spec.ready_url, process)
        except Exception:
            sys.stderr.write((self.logs / f"{name}.log").read_text(errors="replace")[-5000:])
            raise

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            stop_process(process)


def _stack_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    _settings, env = settings_env(
        VAR_DIR=str(var_dir),
        RASA_PORT=str(free_port()),
        ACTION_PORT=str(free_port()),
        WEB_PORT=str(free_port()),
        HOST="127.0.0.1",
        **overrides,
    )
    return env


@contextmanager
def running_stack(model: Path | None, var_dir: Path, logs: Path, names=("web", "actions", "rasa"), **env) -> Iterator[Stack]:
    """Start the named servers with extra environment; stop them on exit.

    `names=()` starts none: the caller starts them with `Stack.start` (e.g. on a worker thread).
    """
    env = _stack_env(var_dir, **env)
    from hotline.db import upgrade

    upgrade(env["HOTLINE_DATABASE_URL"])  # the deploy step `make run` runs before any server
    running = Stack(
        rasa_url=f"http://127.0.0.1:{env['RASA_PORT']}",
        action_url=f"http://127.0.0.1:{env['ACTION_PORT']}",
        web_url=f"http://127.0.0.1:{env['WEB_PORT']}",
        env=env, var_dir=var_dir, model=model, processes={}, logs=logs,
    )
    try:
        for name in names:
            running.start(name)
        yield running
    finally:
        for name in list(running.processes):
            running.stop(name)


@pytest.fixture(scope="session")
def stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Action server, Rasa server and web app on the embedded default, once per test session."""
    with running_stack(trained_model, tmp_path_factory.mktemp("var"), tmp_path_factory.mktemp("logs")) as running:
        yield running


# --- databases ---------------------------------------------------------------------------

def _postgres_available() -> bool:
    try:
        import psycopg2

        psycopg2.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
        return True
    except Exception:  # any failure means "not here"
        return False


def _require_service(available: bool, what: str) -> None:
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} must be reachable in CI")
    pytest.skip(f"{what} not reachable here")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """URL of a throwaway PostgreSQL database, dropped after the session."""
    _require_service(_postgres_available(), f"PostgreSQL at {POSTGRES_ADMIN_URL}")
    import psycopg2

    name = f"tro_ly_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(POSTGRES_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty hotline database on SQLite and on the real PostgreSQL."""
    from hotline.db import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hotline.db'}"
    else:
        url = request.getfixturevalue("postgres_database")
        _reset_postgres(url)
    upgrade(url)
    yield url


@pytest.fixture
def sqlite_sessions(tmp_path: Path):
    """A session factory on a migrated, empty hotline database in SQLite (quick single-engine tests)."""
    from hotline.db import make_engine, make_session_factory, upgrade

    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


def _reset_postgres(url: str) -> None:
    """Empty the shared session database so each test starts clean."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, future=True)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The local Redis (production lock store)."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
        available = True
    except Exception:  # any failure means "not here"
        available = False
    _require_service(available, f"Redis at {REDIS_URL}")
    return REDIS_URL


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests by what they need, so `-m "not rasa"` etc. select quick subsets."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & {"stack", "trained_model"}:
            item.add_marker(pytest.mark.rasa)
        if "postgres_database" in fixtures:
            item.add_marker(pytest.mark.postgres)
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)


# --- the browser -------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling Google on this closed network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (its own browser download cannot work here).

    Module-scoped on purpose: Playwright's sync API keeps an event loop running while it is
    open, which would break the asyncio tests of later modules.
    """
    _require_service(Path(CHROMIUM).exists(), f"Debian chromium at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# --- accessibility -----------------------------------------------------------------------

AXE_SCRIPT = PROJECT_ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"  # axe-core 4.10.2, see its README


def axe_serious(page) -> list[str]:
    """Critical and serious axe-core violations of the page as it is now (open shadow roots included).

    axe is evaluated in the page through the DevTools protocol, so the console's CSP (our own
    scripts only) does not stop it and the page under test is not changed for it.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    return page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'critical' || v.impact === 'serious')
        .map(v => `${v.id} (${v.impact}): ${v.help} -- ` + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))""")
