"""Application factory of the hotline web app.

Each area adds its routes through a ``setup(app)`` function in its own module; this file
only wires shared services (database, templates, sessions) and lists the areas.
"""

from __future__ import annotations

import asyncio
import json
import logging
from importlib import import_module
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from sqlalchemy import text

from hotline.db import check_schema, make_engine, make_session_factory, transaction, upgrade
from hotline.settings import Settings, load_settings

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

# App keys shared by every area's handlers.
SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", object)
SESSIONS = web.AppKey("sessions", object)

# Route modules, each with setup(app). Order matters only for overlapping paths.
AREAS: list[str] = ["hotline.web.console", "hotline.web.api", "hotline.web.dossier_views", "hotline.web.widget", "hotline.web.guide", "hotline.web.dossier_api"]


async def run_db(request: web.Request, fn, *args):
    """Run ``fn(session, *args)`` in one transaction on a worker thread (never on the loop)."""
    factory = request.app[SESSIONS]

    def work():
        with transaction(factory) as session:
            return fn(session, *args)

    return await asyncio.to_thread(work)


async def health(request: web.Request) -> web.Response:
    """200 when the database answers, 503 otherwise (used by load balancers and `make run`)."""
    engine = request.app[ENGINE]

    def ping() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await asyncio.to_thread(ping)
    except Exception:  # any driver error means "not healthy"; the details go to the log
        log.exception("health check: database did not answer")
        return web.json_response({"status": "error", "database": "unavailable"}, status=503)
    body: dict = {"status": "ok", "database": "ok"}
    processes = supervised_processes(request.app[SETTINGS])
    if processes:
        body["processes"] = processes
        if any(p.get("state") != "up" for p in processes.values()):
            body["status"] = "degraded"  # the web app answers; another process is restarting or failed
    return web.json_response(body)


def supervised_processes(settings: Settings) -> dict:
    """Process states the runner writes (bot/runner.py), when this app runs under it."""
    try:
        status = json.loads((settings.var_dir / "runner_status.json").read_text())
    except (OSError, ValueError):
        return {}
    processes = status.get("processes") if isinstance(status, dict) else None
    if not isinstance(processes, dict):
        return {}
    return {name: {"state": info.get("state"), "restarts": info.get("restarts")}
            for name, info in processes.items() if isinstance(info, dict)}


def create_app(settings: Settings | None = None, *, migrate: bool = False) -> web.Application:
    """Build the web app for `settings` (default: from the environment).

    The database must be at the newest schema (SchemaNotAtHead otherwise): migrations are a
    deploy step (`python -m hotline migrate`), not something each replica does on start.
    `migrate=True` migrates first (tests on a fresh database).
    """
    settings = settings or load_settings()
    if migrate:
        upgrade(settings.hotline_database_url)
    else:
        check_schema(settings.hotline_database_url)
    engine = make_engine(settings.hotline_database_url)
    app = web.Application(client_max_size=1024 * 1024)
    app[SETTINGS] = settings
    app[ENGINE] = engine
    app[SESSIONS] = make_session_factory(engine)
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
    )
    app.router.add_get("/health", health)
    app.router.add_static("/static/", STATIC_DIR, name="static")
    for module_name in AREAS:
        import_module(module_name).setup(app)

    async def dispose(_app: web.Application) -> None:
        engine.dispose()

    app.on_cleanup.append(dispose)
    return app
