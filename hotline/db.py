"""Database engine, sessions and migrations (SQLite embedded, PostgreSQL in production).

The repository code is synchronous SQLAlchemy (2.0-style API on 1.4, as Rasa pins it);
aiohttp handlers and Rasa actions call it through `asyncio.to_thread`, so the event loop
never waits on the database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker

# Stable constraint names so Alembic migrations read the same on SQLite and PostgreSQL.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
Base = declarative_base(metadata=metadata)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def private_file(path: Path) -> None:
    """Create `path` (and its folder) readable by this user only, before SQLite opens it;
    SQLite gives its -wal and -shm files the same permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout for concurrent writers."""
    kwargs.setdefault("hide_parameters", True)  # bound values (phones, texts) never in error messages
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            private_file(Path(path))
        engine = create_engine(
            url, future=True, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, future=True, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker:
    """Sessions that keep loaded objects usable after commit (handlers render after committing)."""
    return sessionmaker(engine, future=True, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker) -> Iterator[Session]:
    """A session inside one transaction: committed on success, rolled back on error."""
    with factory() as session, session.begin():
        yield session


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema (every migration head).

    On PostgreSQL the migrations run under an advisory lock (hotline/migrations/env.py), so two
    deploy steps started together run one after the other instead of racing.
    """
    command.upgrade(alembic_config(url), "heads")


class SchemaNotAtHead(RuntimeError):
    """The database's schema is not the one this code was written for."""


def schema_revisions(url: str) -> tuple[set[str], set[str]]:
    """(revisions the database at `url` is at, revisions this code's migrations end in)."""
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    return current, heads


def check_schema(url: str) -> None:
    """Raise SchemaNotAtHead, with what to do, unless the database is at the newest schema.

    Servers call this on start instead of migrating: with several replicas, migrations are a
    deploy step (`python -m hotline migrate`), run once before they start.
    """
    current, heads = schema_revisions(url)
    if current == heads:
        return
    known = set(ScriptDirectory.from_config(alembic_config(url)).walk_revisions())
    known_ids = {script.revision for script in known}
    if current and not current <= known_ids:
        raise SchemaNotAtHead(
            f"The hotline database is at a schema this version does not know ({', '.join(sorted(current))}); "
            "a newer version was deployed there. Run the matching version of the code."
        )
    where = ", ".join(sorted(current)) if current else "no schema yet"
    raise SchemaNotAtHead(
        f"The hotline database is not at the newest schema (it has {where}; this version needs "
        f"{', '.join(sorted(heads))}). Migrations are a deploy step: run `python -m hotline migrate` "
        "(or `make migrate`) once, then start the processes."
    )


def is_embedded(url: str) -> bool:
    """The embedded default's SQLite database (one machine, one user) rather than a shared server."""
    return url.startswith("sqlite")


def open_database(url: str) -> sessionmaker:
    """A session factory on the hotline database at `url`, for the command-line tools.

    The embedded SQLite database is migrated for the user; a shared database (PostgreSQL) must
    already be at the newest schema (SchemaNotAtHead otherwise): there, migrating is a deploy
    step. The factory's engine is ``factory.kw["bind"]`` (dispose it when a command is done).
    """
    if is_embedded(url):
        upgrade(url)
    else:
        check_schema(url)
    return make_session_factory(make_engine(url))
