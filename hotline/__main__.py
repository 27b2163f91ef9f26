"""Command line: ``python -m hotline {migrate,users,import-dossiers,...}``.

Each area registers its own sub-commands; this file only wires them together.
"""

from __future__ import annotations

import argparse
import sys

from hotline import tickets_cli
from hotline.db import SchemaNotAtHead, schema_revisions, upgrade
from hotline.dossiers import cli as dossiers_cli
from hotline.logging_setup import bootstrap
from hotline.settings import load_settings


def _migrate(_args: argparse.Namespace) -> int:
    """The deploy step: run once before the servers start (they only check the schema)."""
    settings = load_settings()
    upgrade(settings.hotline_database_url)
    current, _heads = schema_revisions(settings.hotline_database_url)
    print(f"database is at the newest schema ({', '.join(sorted(current))})")
    return 0


def _retention(args: argparse.Namespace) -> int:
    from hotline import retention
    from hotline.db import open_database, transaction

    settings = load_settings()
    days = args.days if args.days is not None else settings.retention_days
    sessions = open_database(settings.hotline_database_url)
    with transaction(sessions) as session:
        report = retention.run(session, settings.tracker_database_url, days)
    print(f"older than {days} days: {report.tracker_events} conversation events, {report.tickets} tickets, "
          f"{report.outbox_messages} outbox messages, {report.analytics_texts} analytics texts anonymised")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hotline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply every database migration").set_defaults(handler=_migrate)
    retention = commands.add_parser("retention", help="anonymise old conversations and finished tickets")
    retention.add_argument("--days", type=int, help="age in days (default: RETENTION_DAYS)")
    retention.set_defaults(handler=_retention)
    tickets_cli.add_commands(commands)
    dossiers_cli.add_commands(commands)
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except SchemaNotAtHead as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    bootstrap(load_settings(), "cli")  # masked logs, private files: like every other entry point
    sys.exit(main())
