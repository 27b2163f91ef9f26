"""The action server, private: bound to ``HOST`` and answering only our Rasa server.

Rasa SDK's own command binds 0.0.0.0 and runs any action for whoever posts to ``/webhook``.
Here the same SDK app is bound to the configured interface, and every call but ``/health``
must carry the shared secret Rasa sends (``X-Action-Secret``, set in bot/endpoints*.yml),
checked before any action runs. Its error answers never echo the request back.
"""

from __future__ import annotations

import hmac
import logging
import sys

from rasa_sdk.endpoint import create_app
from sanic import response

from hotline.db import SchemaNotAtHead, check_schema
from hotline.logging_setup import bootstrap
from hotline.settings import load_settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Action-Secret"


def build_app(secret: str):
    """Rasa SDK's app with our actions, the secret check and a quiet error handler."""
    app = create_app("actions", cors_origins=None)
    expected = secret.encode()

    @app.on_request
    async def check_secret(request):
        if request.path == "/health":
            return None
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            log.warning("action server: call without the shared secret refused (%s %s)", request.method, request.path)
            return response.json({"error": "forbidden"}, status=403)
        return None

    @app.exception(Exception)
    async def on_error(request, exception):  # Rasa SDK's handler returns the whole request body
        log.error("action server error on %s", request.path, exc_info=exception)
        return response.json({"error": "internal error"}, status=500)

    return app


def main() -> None:
    settings = load_settings()
    bootstrap(settings, "actions")
    try:  # refuse to start rather than fail on a citizen's first ticket
        check_schema(settings.hotline_database_url)
    except SchemaNotAtHead as error:
        sys.exit(f"action server not started: {error}")
    app = build_app(settings.action_secret)
    log.info("action server on %s:%s", settings.host, settings.action_port)
    app.run(settings.host, settings.action_port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
