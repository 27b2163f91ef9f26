"""Sub-commands of ``python -m hotline`` (being built)."""

from __future__ import annotations

import argparse


def add_commands(commands: "argparse._SubParsersAction") -> None:
    """Register this module's sub-commands (none yet)."""
