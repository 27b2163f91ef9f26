"""Alembic environment: runs the project's migrations against the configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from hotline import models  # noqa: F401  (registers every table on Base.metadata)
from hotline.db import Base, make_engine

config = context.config
target_metadata = Base.metadata
MIGRATION_LOCK = 4_120_250_701  # PostgreSQL advisory lock key: one migration run at a time


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        # render_as_batch lets ALTER TABLE work on SQLite too.
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Two deploy steps started together: the second waits here, then finds the
                # schema already at head (the version is read after the lock is held).
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
