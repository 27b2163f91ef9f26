"""The phrasing bank: citizens' own words for the procedures people do (data/phrasings/*.yml).

Written field by field from each procedure's own text (see data/phrasings/README.md). The
search indexes these words as fields of their own, except those of `index: semantic` files, which
only the semantic signal reads; nothing here is shown to citizens.
`citizen_scope` is the rule that chose which procedures get an entry.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

import yaml

from procedure_kb.procedures import Procedure, load_procedures

__all__ = ["Phrasing", "load_phrasings", "phrasing_for", "citizen_scope", "check_bank"]

# Subjects that make a procedure one a person or household does (the portal has no separate
# household category: households and household businesses are filed under citizens).
PERSON_SUBJECTS = ("Công dân Việt Nam", "Người Việt Nam định cư ở nước ngoài", "Người nước ngoài")
LOCAL_LEVELS = ("commune", "province")


@dataclass(frozen=True)
class Phrasing:
    code: str
    names_vi: tuple[str, ...]
    situations: tuple[str, ...]
    name_en: str
    phrasings_en: tuple[str, ...]
    # Situations and English phrasings from `index: semantic` files: embedded for the semantic
    # signal only, never in the lexical index (their everyday word pairs matched greetings).
    semantic_only: tuple[str, ...] = ()

    def all_vi(self) -> tuple[str, ...]:
        return self.names_vi + self.situations

    def all_en(self) -> tuple[str, ...]:
        return ((self.name_en,) if self.name_en else ()) + self.phrasings_en


def in_citizen_scope(proc: Procedure) -> bool:
    """A person's procedure handled by a commune or province."""
    return any(s in proc.subjects for s in PERSON_SUBJECTS) and any(level in LOCAL_LEVELS for level in proc.levels)


@lru_cache(maxsize=1)
def citizen_scope() -> frozenset[str]:
    """Codes of the procedures the phrasing bank must cover."""
    return frozenset(p.code for p in load_procedures() if in_citizen_scope(p))


def _bank_files():
    folder = resources.files("procedure_kb").joinpath("data/phrasings")
    return sorted((f for f in folder.iterdir() if f.name.endswith(".yml")), key=lambda f: f.name)


def _strings(value) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(" ".join(str(v).split()) for v in value if isinstance(v, str | int) and str(v).strip())


def _merged(first: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(first + more))


@lru_cache(maxsize=1)
def load_phrasings() -> dict[str, Phrasing]:
    """Every bank entry by procedure code (read once); `extends: true` files add words."""
    entries: dict[str, Phrasing] = {}
    files = [(f, yaml.safe_load(f.read_text("utf-8")) or {}) for f in _bank_files()]
    # Base files first, then additions, then the semantic-only files (they only add to entries).
    order = sorted(files, key=lambda item: (bool(item[1].get("extends")), item[1].get("index") == "semantic"))
    for _file, data in order:
        semantic = data.get("index") == "semantic"
        for item in data.get("procedures") or []:
            code = str(item.get("code", "")).strip()
            if not code:
                continue
            if semantic:
                old = entries.get(code) or Phrasing(code, (), (), "", ())
                more = _strings(item.get("situations")) + _strings(item.get("en"))
                entries[code] = replace(old, semantic_only=_merged(old.semantic_only, more))
                continue
            new = Phrasing(
                code=code,
                names_vi=_strings(item.get("vi")),
                situations=_strings(item.get("situations")),
                name_en=" ".join(str(item.get("en_name") or "").split()),
                phrasings_en=_strings(item.get("en")),
            )
            old = entries.get(code)
            if old is not None and data.get("extends"):
                new = Phrasing(code, _merged(old.names_vi, new.names_vi), _merged(old.situations, new.situations),
                               old.name_en or new.name_en, _merged(old.phrasings_en, new.phrasings_en),
                               old.semantic_only)
            entries[code] = new
    return entries


def phrasing_for(code: str) -> Phrasing | None:
    return load_phrasings().get(code)


def check_bank() -> list[str]:
    """Problems in the bank: unknown or duplicate codes, missing keys, scope not covered."""
    problems: list[str] = []
    known = {p.code for p in load_procedures()}
    seen: dict[str, str] = {}
    for file in _bank_files():
        data = yaml.safe_load(file.read_text("utf-8")) or {}
        extends = bool(data.get("extends"))
        for item in data.get("procedures") or []:
            code = str(item.get("code", ""))
            where = f"{file.name}: {code}"
            if code not in known:
                problems.append(f"{where}: no such procedure")
            if extends:
                continue  # additions to an entry defined in a base file
            if code in seen:
                problems.append(f"{where}: also in {seen[code]}")
            seen[code] = file.name
            for key in ("vi", "situations", "en_name", "en"):
                if key not in item:
                    problems.append(f"{where}: missing '{key}'")
            if not _strings(item.get("vi")):
                problems.append(f"{where}: no everyday Vietnamese name")
    missing = sorted(citizen_scope() - set(seen))
    problems += [f"in scope but not in the bank: {code}" for code in missing]
    return problems
