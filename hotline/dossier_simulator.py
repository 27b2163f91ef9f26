"""A small stand-in for a provincial dossier API (the real one is not reachable from here).

    python -m hotline.dossier_simulator --port 8090 [--token T]

- ``GET /health`` → 200 (for process runners).
- ``GET /api/dossiers/{code}`` → 200 JSON dossier | 404 | 401 without the bearer token.
- ``POST /_control`` ``{"mode": "normal"|"slow"|"error"|"malformed", "delay": seconds}``
  makes every following answer slow, a 500, or broken JSON (tests and demos of outages).
- ``PUT /_control/dossiers/{code}`` with a dossier JSON stores/replaces it (a status change
  "happening" at the province).
It serves the demo data set, so the README's codes answer here too.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from aiohttp import web

from hotline.logging_setup import bootstrap
from hotline.settings import load_settings

MODE = web.AppKey("mode", dict)
DOSSIERS = web.AppKey("dossiers", dict)
TOKEN = web.AppKey("token", str)


async def get_dossier(request: web.Request) -> web.StreamResponse:
    app = request.app
    token = app[TOKEN]
    if token and request.headers.get("Authorization") != f"Bearer {token}":
        return web.json_response({"error": "unauthorized"}, status=401)
    mode = app[MODE]
    if mode["mode"] == "slow":
        await asyncio.sleep(mode.get("delay", 10))
    if mode["mode"] == "error":
        return web.Response(status=500, text="<html><body>Internal Server Error</body></html>",
                            content_type="text/html")
    if mode["mode"] == "malformed":
        return web.Response(status=200, text='{"code": "000.00.31.H29-250715-0012", "status": ',
                            content_type="application/json")
    record = app[DOSSIERS].get(request.match_info["code"].upper())
    if record is None:
        return web.json_response({"error": "not_found"}, status=404)
    return web.json_response(record)


async def set_mode(request: web.Request) -> web.Response:
    data = await request.json()
    request.app[MODE].clear()
    request.app[MODE].update({"mode": data.get("mode", "normal"), "delay": float(data.get("delay", 10))})
    return web.json_response(request.app[MODE])


async def put_dossier(request: web.Request) -> web.Response:
    data = await request.json()
    code = request.match_info["code"].upper()
    request.app[DOSSIERS][code] = {**data, "code": code}
    return web.json_response({"stored": code})


def create_app(dossiers: list[dict[str, Any]] | None = None, token: str = "") -> web.Application:
    """The simulator app; `dossiers` defaults to the demo set."""
    if dossiers is None:
        from hotline.demo_data import demo_records
        dossiers = demo_records()
    app = web.Application()
    app[MODE] = {"mode": "normal"}
    app[DOSSIERS] = {d["code"].upper(): d for d in dossiers}
    app[TOKEN] = token
    app.router.add_get("/health", lambda _request: web.json_response({"status": "ok"}))
    app.router.add_get("/api/dossiers/{code}", get_dossier)
    app.router.add_post("/_control", set_mode)
    app.router.add_put("/_control/dossiers/{code}", put_dossier)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m hotline.dossier_simulator", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--token", default="", help="bearer token clients must send (default: none)")
    args = parser.parse_args(argv)
    bootstrap(load_settings(), "dossier-simulator")
    web.run_app(create_app(token=args.token), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
