"""Benchmark: resolve every old ward from generated address strings in several styles.

Prints the exact-match rate per style (the lookup returned that very old ward, or the
island district), how many of the misses were at least offered as candidates, latency
p50/p99 per lookup, and the load time and memory of the unit data.

    RASA_TELEMETRY_ENABLED=false .venv/bin/python bench/address_lookup.py [--styles full,plain] [--limit N]
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402

from procedure_kb.address_parse import fold_address  # noqa: E402

# Abbreviations people actually write for each unit type.
_SHORT = {
    "Phường": "P.", "Xã": "X.", "Thị trấn": "TT.", "Quận": "Q.", "Huyện": "H.",
    "Thị xã": "TX.", "Thành phố": "TP.", "Tỉnh": "",
}
_PROVINCE_SHORT = {"Thành phố Hồ Chí Minh": "TP HCM", "Thành phố Hà Nội": "HN"}
_NEW_TO_OLD_TONE = {"òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ", "òe": "oè", "óe": "oé",
                    "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ", "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ"}


def _abbrev(name: str) -> str:
    for long, short in _SHORT.items():
        if name.startswith(long + " "):
            return (short + name[len(long) + 1:]) if short else name[len(long) + 1:]
    return name


_OLD_TONE_RE = re.compile(r"(?<![qQ])(" + "|".join(_NEW_TO_OLD_TONE) + r")(?!\w)")


def _old_tone(text: str) -> str:
    """Write "Hòa", "Thủy" the old way ("Hoà", "Thuỷ"), as many signs and stamps still do."""
    return _OLD_TONE_RE.sub(lambda m: _NEW_TO_OLD_TONE[m.group(0)], text)


STYLES = {
    "full": lambda w, d, p: f"{w}, {d}, {p}",
    "plain": lambda w, d, p: fold_address(f"{w}, {d}, {p}"),
    "abbrev": lambda w, d, p: f"{_abbrev(w)}, {_abbrev(d)}, {_PROVINCE_SHORT.get(p, _abbrev(p))}",
    "street": lambda w, d, p: f"Số 12 đường Nguyễn Văn Cừ, {w}, {d}, {p}",
    "old_tone": lambda w, d, p: _old_tone(f"{w}, {d}, {p}"),
    "no_commas": lambda w, d, p: fold_address(f"{_abbrev(w)} {_abbrev(d)} {_PROVINCE_SHORT.get(p, _abbrev(p))}").replace(".", ". "),
    "no_province": lambda w, d, p: f"{w}, {d}",
}


def targets(u) -> list[tuple[str, str, str, str, str]]:
    """(kind, code, ward name, district name, province name) for every old ward and island district."""
    out = []
    for code, (name, district) in sorted(u.old_wards.items()):
        dname, prov = u.old_districts[district]
        out.append(("ward", code, name, dname, u.old_provinces[prov]))
    for district in sorted(u.edges_by_district):
        dname, prov = u.old_districts[district]
        out.append(("district", district, "", dname, u.old_provinces[prov]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--styles", default=",".join(STYLES))
    ap.add_argument("--limit", type=int, default=0, help="only the first N targets (quick runs)")
    ap.add_argument("--show-misses", type=int, default=0)
    args = ap.parse_args(argv)

    proc = psutil.Process(os.getpid())
    gc.collect()
    rss0 = proc.memory_info().rss
    t0 = time.perf_counter()
    from procedure_kb import units

    u = units.data()
    load_s = time.perf_counter() - t0
    gc.collect()
    rss_mb = (proc.memory_info().rss - rss0) / 2**20
    size_kb = (Path(units.__file__).parent / "data" / "admin_units.json.gz").stat().st_size / 1024

    items = targets(u)
    if args.limit:
        items = items[: args.limit]
    n_wards = sum(1 for k, c, *_ in items if k == "ward" and not c.startswith("D"))
    print(f"data: {size_kb:.0f} KiB gzip; load {load_s * 1000:.0f} ms; +{rss_mb:.0f} MiB RSS; "
          f"targets: {n_wards} old wards (10,033 codes in the table + 2 it filed under a neighbour's code) "
          f"+ {len(items) - n_wards} island districts / unnumbered area")
    all_lat: list[float] = []
    all_cpu: list[float] = []
    rows = []
    for style in args.styles.split(","):
        make = STYLES[style]
        exact = offered = 0
        lat = []
        cpu = []
        misses = []
        for kind, code, w, d, p in items:
            text = make(w, d, p) if kind == "ward" else make(d, p, "").rstrip(", ") if style != "no_province" else d
            t, c = time.perf_counter(), time.thread_time()
            res = units.lookup_address(text)
            lat.append(time.perf_counter() - t)
            cpu.append(time.thread_time() - c)
            got = res.matched_old.get(kind) or {}
            if res.new_wards and got.get("code") == code:
                exact += 1
            elif any((c.get(kind) or {}).get("code") == code for c in res.candidates):
                offered += 1
            else:
                misses.append((text, res.status))
        all_lat += lat
        all_cpu += cpu
        lat.sort()
        cpu.sort()
        rows.append((style, exact, offered, len(items), lat[len(lat) // 2], lat[int(len(lat) * 0.99)]))
        print(f"{style:12s} exact {exact / len(items):7.2%} ({exact}/{len(items)})  asked-back-with-right-candidate "
              f"{offered / len(items):6.2%}  wall p50 {_ms(lat, .5)} p99 {_ms(lat, .99)}  cpu p50 {_ms(cpu, .5)} p99 {_ms(cpu, .99)} ms")
        for m in misses[: args.show_misses]:
            print("   miss:", m)
    all_lat.sort()
    all_cpu.sort()
    p99 = all_lat[int(len(all_lat) * 0.99)] * 1000
    print(f"all styles: {len(all_lat)} lookups; wall p50 {_ms(all_lat, .5)} ms, p99 {p99:.2f} ms, "
          f"mean {statistics.fmean(all_lat) * 1000:.2f} ms; cpu (this thread only) p50 {_ms(all_cpu, .5)} ms, "
          f"p99 {_ms(all_cpu, .99)} ms (target p99 < 5 ms); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    # Wall time includes waiting for a core when the machine is shared; CPU time is the lookup's own cost.
    return 0 if min(p99, all_cpu[int(len(all_cpu) * 0.99)] * 1000) < 5 else 1


def _ms(sorted_values: list[float], q: float) -> str:
    return f"{sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))] * 1000:.2f}"


if __name__ == "__main__":
    sys.exit(main())
