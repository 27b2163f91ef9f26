"""Every setting of the project, read from the environment, with its documented default.

This is the one place configuration lives: the process runner, the web app, the action
server and the Telegram bridge all read `load_settings()`. The README's configuration table
mirrors `ENVIRONMENT` below.
"""

from __future__ import annotations

import base64
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# name -> (default, meaning). Defaults are the embedded single-machine setup.
ENVIRONMENT: dict[str, tuple[str, str]] = {
    "VAR_DIR": ("var", "Folder for SQLite databases, logs and the session key (relative to the project)."),
    "HOTLINE_DATABASE_URL": ("sqlite:///{VAR_DIR}/hotline.db", "SQLAlchemy URL of the hotline/dossier database; postgresql://… in production."),
    "RASA_ENDPOINTS": ("bot/endpoints.yml", "Rasa endpoints file; bot/endpoints.production.yml uses PostgreSQL + Redis; `make cluster` uses bot/endpoints.cluster.yml (plus RabbitMQ)."),
    "RASA_CREDENTIALS": ("bot/credentials.yml", "Rasa channels file; bot/credentials.production.yml leaves out the public REST channel."),
    "RASA_TOKEN": ("", "Token of Rasa's HTTP API (/model/parse, trackers, model); generated into VAR_DIR/rasa.token when empty."),
    "ACTION_SECRET": ("", "Shared secret the Rasa server sends to the action server; generated into VAR_DIR when empty."),
    "CHANNEL_SECRET": ("", "Secret of Rasa's trusted channel used by the widget and messenger bridges; generated into VAR_DIR when empty."),
    "RASA_TRACKER_DB": ("{VAR_DIR}/rasa_tracker.db", "SQLite file of Rasa's SQL tracker store (embedded default)."),
    "RASA_TRACKER_DB_URL": ("postgresql://postgres@127.0.0.1:5432/test", "Tracker store database in production (endpoints.production.yml)."),
    "REDIS_URL": ("redis://127.0.0.1:6379/0", "Redis for Rasa's lock store in production."),
    "RABBITMQ_URL": ("amqp://guest:guest@127.0.0.1:5672/", "RabbitMQ (virtual host /) for Rasa's event broker in the cluster (bot/endpoints.cluster.yml) and the analytics consumer."),
    "ANALYTICS_SCAN_SECONDS": ("30", "How often the analytics consumer reads Rasa's tracker store: every event on the embedded default (no RabbitMQ); in the cluster, the messages the event stream missed."),
    "HOST": ("127.0.0.1", "Interface every server binds to; 0.0.0.0 to serve other machines."),
    "RASA_PORT": ("5005", "Rasa server (REST + socket.io channels, HTTP API)."),
    "ACTION_PORT": ("5055", "Rasa action server."),
    "WEB_PORT": ("8080", "Hotline web app: operator console, JSON API, web widget, volunteer guide."),
    "RASA_URL": ("http://127.0.0.1:{RASA_PORT}", "Where the web widget and the messenger bridges reach Rasa."),
    "PUBLIC_WEB_URL": ("http://127.0.0.1:{WEB_PORT}", "Public address of the web app (used in links and the widget)."),
    "MODEL_PATH": ("models/assistant.tar.gz", "Trained Rasa model that `make run` serves."),
    "KB_EMBEDDINGS": ("models/kb_embeddings.npz", "Embedding cache of the phrasing bank and FAQ (built by `make`); without it answers use the lexical search only."),
    "HOTLINE_PHONE": ("1800 1096", "Hotline number offered to citizens (default: the National Public Service Portal's support line; set your province's)."),
    "SESSION_SECRET": ("", "32-byte key (urlsafe base64) for console sessions; generated into VAR_DIR when empty."),
    "API_TOKEN": ("", "Bearer token for the /api/ JSON API; generated into VAR_DIR when empty."),
    "TELEGRAM_BOT_TOKEN": ("", "Telegram bot token; the Telegram bridge starts only when set."),
    "TELEGRAM_API_BASE_URL": ("https://api.telegram.org/bot", "Bot API base URL (tests point it at a local fake server)."),
    "ZALO_APP_ID": ("", "ID of the Zalo app linked to the Official Account; the Zalo bridge starts only when it, ZALO_OA_SECRET_KEY, ZALO_APP_SECRET and ZALO_REFRESH_TOKEN are set."),
    "ZALO_OA_SECRET_KEY": ("", "The OA secret key (not the app's): checks the X-ZEvent-Signature of every webhook event."),
    "ZALO_APP_SECRET": ("", "The app's secret key, sent when the OA access token is refreshed."),
    "ZALO_ACCESS_TOKEN": ("", "First OA access token (optional); refreshed ones are kept in the hotline database, never in a log."),
    "ZALO_REFRESH_TOKEN": ("", "First OA refresh token; after a new authorisation put the new one here and it replaces the stored pair."),
    "ZALO_API_BASE_URL": ("https://openapi.zalo.me", "OA API base URL (tests point it at a local fake server)."),
    "ZALO_OAUTH_BASE_URL": ("https://oauth.zaloapp.com", "Zalo OAuth base URL for token refresh (tests point it at a local fake server)."),
    "ZALO_WEBHOOK_PORT": ("8081", "Port of the Zalo bridge's webhook receiver (/zalo/webhook, /health), on HOST; put HTTPS in front."),
    "DOSSIER_API_URL": ("", "Base URL of the provincial dossier system's API; `make run` points it at the bundled simulator."),
    "DOSSIER_API_TOKEN": ("", "Bearer token for the provincial dossier API."),
    "DOSSIER_API_TIMEOUT": ("5", "Seconds to wait for the provincial dossier API before telling the citizen it is not answering."),
    "DOSSIER_API_CACHE_SECONDS": ("300", "How long a dossier fetched from the provincial API is reused."),
    "DOSSIER_SIMULATOR_PORT": ("8090", "Port of the bundled provincial-API simulator that `make run` starts (0 = do not start it)."),
    "DOSSIER_TIME_REDUCTION": ("0", "Province-published cut of processing times, e.g. 0.5 for a 50% reduction."),
    "LOG_LEVEL": ("INFO", "Python log level of the project's own processes."),
    "CONSOLE_REFRESH_SECONDS": ("10", "How often an open console queue page asks for new tickets (seconds)."),
    "RETENTION_DAYS": ("180", "`python -m hotline retention` anonymises conversations and finished tickets older than this."),
}


def _env(name: str, values: dict[str, str]) -> str:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        raw = ENVIRONMENT[name][0]
    return raw.format(**values)


@dataclass(frozen=True)
class Settings:
    """Resolved configuration; build it with `load_settings()`."""

    var_dir: Path
    hotline_database_url: str
    rasa_endpoints: str
    rasa_credentials: str
    rasa_token: str
    action_secret: str
    channel_secret: str
    rasa_tracker_db: str
    rasa_tracker_db_url: str
    redis_url: str
    rabbitmq_url: str
    analytics_scan_seconds: float
    host: str
    rasa_port: int
    action_port: int
    web_port: int
    rasa_url: str
    public_web_url: str
    model_path: str
    hotline_phone: str
    session_secret: str
    api_token: str
    telegram_bot_token: str
    telegram_api_base_url: str
    zalo_app_id: str
    zalo_oa_secret_key: str
    zalo_app_secret: str
    zalo_access_token: str
    zalo_refresh_token: str
    zalo_api_base_url: str
    zalo_oauth_base_url: str
    zalo_webhook_port: int
    dossier_api_url: str
    dossier_api_token: str
    dossier_api_timeout: float
    dossier_api_cache_seconds: float
    dossier_simulator_port: int
    dossier_time_reduction: float
    log_level: str
    console_refresh_seconds: float
    retention_days: int

    @property
    def embedded_tracker_store(self) -> bool:
        """True when the endpoints file keeps conversations in the SQLite file RASA_TRACKER_DB."""
        return (endpoints_config(self.rasa_endpoints).get("tracker_store") or {}).get("dialect") == "sqlite"

    @property
    def tracker_database_url(self) -> str:
        """SQLAlchemy URL of Rasa's tracker store for this configuration."""
        if self.embedded_tracker_store:
            return f"sqlite:///{self.rasa_tracker_db}"
        return self.rasa_tracker_db_url

    @property
    def zalo_enabled(self) -> bool:
        """Whether the Zalo OA channel is configured (bridge started, outbox rows sent)."""
        return bool(self.zalo_app_id and self.zalo_oa_secret_key and self.zalo_app_secret
                    and self.zalo_refresh_token)


def endpoints_config(path: str) -> dict:
    """The Rasa endpoints file as a dict (variables unexpanded); {} when it cannot be read."""
    import yaml

    file = Path(path) if Path(path).is_absolute() else PROJECT_ROOT / path
    try:
        loaded = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _secret(var_dir: Path, name: str, configured: str, make) -> str:
    """A configured secret, or one generated once and kept in var/ (0600) so restarts keep it.

    Created with O_EXCL: processes starting together all end up with the first one's value.
    """
    if configured:
        return configured
    path = var_dir / name
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process is writing it right now
            value = path.read_text().strip()
            if value:
                return value
            time.sleep(0.01)
        raise RuntimeError(f"{path} is empty; delete it to generate a new secret") from None
    value = make()
    with os.fdopen(fd, "w") as out:
        out.write(value)
    return value


def load_settings() -> Settings:
    """Read the environment once, apply defaults, create the var/ folder."""
    values: dict[str, str] = {}
    var_dir = Path(_env("VAR_DIR", values))
    if not var_dir.is_absolute():
        var_dir = PROJECT_ROOT / var_dir
    values["VAR_DIR"] = str(var_dir)
    for name in ("RASA_PORT", "WEB_PORT"):
        values[name] = _env(name, values)
    resolved = {name.lower(): _env(name, values) for name in ENVIRONMENT}
    var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    return Settings(
        var_dir=var_dir,
        hotline_database_url=resolved["hotline_database_url"],
        rasa_endpoints=resolved["rasa_endpoints"],
        rasa_credentials=resolved["rasa_credentials"],
        rasa_token=_secret(var_dir, "rasa.token", resolved["rasa_token"], lambda: secrets.token_urlsafe(32)),
        action_secret=_secret(var_dir, "action.secret", resolved["action_secret"], lambda: secrets.token_urlsafe(32)),
        channel_secret=_secret(var_dir, "channel.secret", resolved["channel_secret"], lambda: secrets.token_urlsafe(32)),
        rasa_tracker_db=resolved["rasa_tracker_db"],
        rasa_tracker_db_url=resolved["rasa_tracker_db_url"],
        redis_url=resolved["redis_url"],
        rabbitmq_url=resolved["rabbitmq_url"],
        analytics_scan_seconds=float(resolved["analytics_scan_seconds"]),
        host=resolved["host"],
        rasa_port=int(resolved["rasa_port"]),
        action_port=int(resolved["action_port"]),
        web_port=int(resolved["web_port"]),
        rasa_url=resolved["rasa_url"].rstrip("/"),
        public_web_url=resolved["public_web_url"].rstrip("/"),
        model_path=resolved["model_path"],
        hotline_phone=resolved["hotline_phone"],
        session_secret=_secret(
            var_dir, "session.key", resolved["session_secret"],
            lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        ),
        api_token=_secret(var_dir, "api.token", resolved["api_token"], lambda: secrets.token_urlsafe(24)),
        telegram_bot_token=resolved["telegram_bot_token"],
        telegram_api_base_url=resolved["telegram_api_base_url"],
        zalo_app_id=resolved["zalo_app_id"],
        zalo_oa_secret_key=resolved["zalo_oa_secret_key"],
        zalo_app_secret=resolved["zalo_app_secret"],
        zalo_access_token=resolved["zalo_access_token"],
        zalo_refresh_token=resolved["zalo_refresh_token"],
        zalo_api_base_url=resolved["zalo_api_base_url"].rstrip("/"),
        zalo_oauth_base_url=resolved["zalo_oauth_base_url"].rstrip("/"),
        zalo_webhook_port=int(resolved["zalo_webhook_port"]),
        dossier_api_url=resolved["dossier_api_url"].rstrip("/"),
        dossier_api_token=resolved["dossier_api_token"],
        dossier_api_timeout=float(resolved["dossier_api_timeout"]),
        dossier_api_cache_seconds=float(resolved["dossier_api_cache_seconds"]),
        dossier_simulator_port=int(resolved["dossier_simulator_port"]),
        dossier_time_reduction=float(resolved["dossier_time_reduction"]),
        log_level=resolved["log_level"],
        console_refresh_seconds=max(1.0, float(resolved["console_refresh_seconds"])),
        retention_days=int(resolved["retention_days"]),
    )
