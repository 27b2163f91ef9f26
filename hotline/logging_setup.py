"""One logging bootstrap for every process, with personal data masked on the way out.

Masking works on the final formatted line — message, arguments and traceback alike — so a
phone or ID number inside an exception's text is masked too. `bootstrap` is called by the
web app, the action server, the Telegram bridge and the CLIs; the Rasa server, which sets up
its own logging, gets the same masking wrapped around its handlers (`mask_handlers`).
"""

from __future__ import annotations

import logging
import os

from hotline.masking import mask_personal_data

MAX_LINE = 4000  # a log line longer than this is cut: one message must not flood the logs
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class MaskingFormatter(logging.Formatter):
    """Formats with the wrapped formatter, then masks personal data and caps the length."""

    def __init__(self, inner: logging.Formatter | None = None) -> None:
        super().__init__(FORMAT)
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        text = self.inner.format(record) if self.inner is not None else super().format(record)
        if len(text) > MAX_LINE:
            text = f"{text[:MAX_LINE]}… ({len(text) - MAX_LINE} characters cut)"
        return mask_personal_data(text)


def mask_handlers(logger: logging.Logger | None = None) -> None:
    """Wrap every handler's formatter of `logger` (default: root) in the masking formatter."""
    for handler in (logger or logging.getLogger()).handlers:
        if not isinstance(handler.formatter, MaskingFormatter):
            handler.setFormatter(MaskingFormatter(handler.formatter))


def configure_logging(level: str = "INFO") -> None:
    """Root logging to stderr, every line masked."""
    logging.basicConfig(level=level.upper(), format=FORMAT)
    mask_handlers()
    # aiohttp's access log writes request lines; its own formatter is replaced too.
    for name in ("aiohttp.access", "sanic.access", "sanic.root", "sanic.error"):
        mask_handlers(logging.getLogger(name))


def bootstrap(settings, process: str = "") -> None:
    """Everything a process sets up once: files it creates readable by its user only
    (databases, secrets), masked logging at the configured level."""
    os.umask(0o077)
    configure_logging(getattr(settings, "log_level", "INFO"))
    if process:
        logging.getLogger(__name__).debug("%s: logging ready", process)
