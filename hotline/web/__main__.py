"""Run the hotline web app: ``python -m hotline.web``."""

from __future__ import annotations

import logging

from aiohttp import web

from hotline.logging_setup import bootstrap
from hotline.settings import load_settings
from hotline.web.app import create_app


def main() -> None:
    settings = load_settings()
    bootstrap(settings, "web")
    app = create_app(settings)
    logging.getLogger(__name__).info("hotline web app on http://%s:%s", settings.host, settings.web_port)
    web.run_app(app, host=settings.host, port=settings.web_port, print=None)


if __name__ == "__main__":
    main()
