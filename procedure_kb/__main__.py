"""Command line: ``python -m procedure_kb {search,address,import,...}``.

Each area registers its own sub-commands, so this file only wires them together.
"""

from __future__ import annotations

import argparse
import sys

from procedure_kb import procedures_cli, units_cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m procedure_kb", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    procedures_cli.add_commands(commands)
    units_cli.add_commands(commands)
    args = parser.parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
