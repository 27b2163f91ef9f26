"""Run the hotline web app: ``python -m hotline.web``."""

from __future__ import annotations

import logging
import sys

from aiohttp import web
from aiohttp.web_log import AccessLogger

from hotline.db import SchemaNotAtHead
from hotline.logging_setup import bootstrap
from hotline.settings import load_settings
from hotline.web.app import create_app


class QuietHealthLogger(AccessLogger):
    """The access log without health checks (a load balancer asks every second)."""

    def log(self, request, response, time):
        if request.path != "/health":
            super().log(request, response, time)


def main() -> None:
    settings = load_settings()
    bootstrap(settings, "web")
    try:
        app = create_app(settings)
    except SchemaNotAtHead as error:
        sys.exit(f"hotline web app not started: {error}")
    logging.getLogger(__name__).info("hotline web app on http://%s:%s", settings.host, settings.web_port)
    web.run_app(app, host=settings.host, port=settings.web_port, print=None, access_log_class=QuietHealthLogger)


if __name__ == "__main__":
    main()
