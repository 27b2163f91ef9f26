"""Procedure knowledge base: official procedures, their search, and the old -> new address lookup.

Plain functions over committed data files; nothing here starts a server or touches a network.
Heavy data is loaded lazily on first use, so importing the package is cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["search", "lookup_address"]


def search(query: str, top: int = 5) -> list[Any]:
    """Search the procedures with a citizen's own words; best first (see `procedure_kb.search`)."""
    from procedure_kb.search import search_procedures

    return search_procedures(query, top=top)


def lookup_address(text: str) -> Any:
    """Resolve a free-form pre-reform address to its new ward(s) (see `procedure_kb.units`)."""
    from procedure_kb.units import lookup_address as _lookup

    return _lookup(text)
