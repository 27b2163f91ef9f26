"""Sub-commands ``import-units``, ``address`` and ``reverse`` of ``python -m procedure_kb``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

DEFAULT_SOURCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "admin_units"
DEFAULT_TARGET = Path(__file__).resolve().parent / "data" / "admin_units.json.gz"


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register this module's sub-commands."""
    imp = commands.add_parser("import-units", help="build procedure_kb/data/admin_units.json.gz from ../shared/data")
    imp.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    imp.add_argument("--out", type=Path, default=DEFAULT_TARGET)
    imp.set_defaults(handler=run_import)

    addr = commands.add_parser("address", help="old address -> new ward(s) and province")
    addr.add_argument("text")
    addr.add_argument("--json", action="store_true")
    addr.set_defaults(handler=run_address)

    rev = commands.add_parser("reverse", help="new ward -> the old units that formed it")
    rev.add_argument("text", help="new ward name or code, e.g. 'Phường Sài Gòn'")
    rev.add_argument("--province", default=None, help="new province name or code")
    rev.add_argument("--json", action="store_true")
    rev.set_defaults(handler=run_reverse)


def run_import(args: argparse.Namespace) -> int:
    from procedure_kb.units_import import build, write

    source = args.source.resolve()
    if not (source / "dvhc_2025_conversion_official.csv").exists():
        print(f"source not found: {source}")
        return 2
    data, report = build(source)
    size = write(data, args.out)
    for line in report:
        print(line)
    print(f"wrote {args.out} ({size:,} bytes)")
    return 0


def run_address(args: argparse.Namespace) -> int:
    from procedure_kb.units import lookup_address, where_to_go

    result = lookup_address(args.text)
    if args.json:
        out = result.to_dict()
        out["where_to_go"] = [where_to_go(w["code"]) for w in result.new_wards]
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(result.message)
        for opt in result.options[:30]:
            print(f"  - {opt['name']} ({opt['code']})")
    return 0  # "not found" is an answer, not a failure


def run_reverse(args: argparse.Namespace) -> int:
    from procedure_kb.units import reverse_lookup

    found = reverse_lookup(args.text, args.province)
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        if not found:
            print("Không tìm thấy đơn vị mới này. / New unit not found.")
        for w in found:
            print(f"{w['current_name']}, {w['province']} ({w['code']}) được hình thành từ:")
            for o in w["formed_from"]:
                who = ", ".join(o[k]["name"] for k in ("ward", "district", "province") if o[k])
                print(f"  - {who}: {o['note']}")
    return 0 if found else 1
