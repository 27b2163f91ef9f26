"""Dossier sub-commands of ``python -m hotline``: import-dossiers, demo-data, sync-dossier."""

from __future__ import annotations

import argparse
import asyncio
import sys

from hotline.db import open_database
from hotline.settings import load_settings


def _sessions():
    settings = load_settings()
    sessions = open_database(settings.hotline_database_url)
    return settings, sessions.kw["bind"], sessions


def _import(args: argparse.Namespace) -> int:
    from hotline.dossiers.importer import import_file

    settings, engine, sessions = _sessions()
    reduction = settings.dossier_time_reduction if args.reduction is None else args.reduction
    try:
        report = import_file(sessions, args.file, reduction=reduction)
    finally:
        engine.dispose()
    print(report.summary())
    for error in report.errors:
        print("  " + error, file=sys.stderr)
    if report.rejected and len(report.errors) < report.rejected:
        print(f"  … and {report.rejected - len(report.errors)} more rejected rows", file=sys.stderr)
    # Rejected rows are reported, not fatal; an unreadable file is.
    nothing_read = report.created + report.updated + report.unchanged == 0 and report.rejected > 0
    return 1 if nothing_read else 0


def _demo(_args: argparse.Namespace) -> int:
    from hotline.demo_data import DEMO_CODES, demo_records
    from hotline.dossiers.importer import import_records

    _settings, engine, sessions = _sessions()
    try:
        report = import_records(sessions, demo_records(), source="demo")
    finally:
        engine.dispose()
    print(f"demo dossiers: {report.summary()}")
    for code, digits in DEMO_CODES.items():
        print(f"  try {code} with phone digits {digits}")
    return 0 if report.rejected == 0 else 1


def _sync(args: argparse.Namespace) -> int:
    from hotline.dossiers.connector import DossierConnector, sync_dossier

    settings, engine, sessions = _sessions()

    async def run():
        async with DossierConnector.from_settings(settings) as connector:
            return await sync_dossier(sessions, connector, args.code)

    try:
        outcome = asyncio.run(run())
    finally:
        engine.dispose()
    print(outcome.message_en if outcome.ok else outcome.message("en"))
    return 0 if outcome.ok else 1


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register the dossier sub-commands."""
    parser = commands.add_parser("import-dossiers", help="import the provincial system's dossier export (CSV/JSON)")
    parser.add_argument("file", help="export file: .csv (comma or semicolon), .json or .jsonl")
    parser.add_argument("--reduction", type=float, default=None,
                        help="processing-time cut for due dates the file lacks (default: DOSSIER_TIME_REDUCTION)")
    parser.set_defaults(handler=_import)
    commands.add_parser("demo-data", help="load the demo dossiers (idempotent)").set_defaults(handler=_demo)
    parser = commands.add_parser("sync-dossier", help="fetch one dossier from the provincial API and store it")
    parser.add_argument("code")
    parser.set_defaults(handler=_sync)
