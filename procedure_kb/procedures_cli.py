"""Sub-commands of ``python -m procedure_kb`` for procedures: import, search, show, check-phrasings, faq."""

from __future__ import annotations

import argparse
import collections
import json
import sys
from datetime import date
from importlib import resources
from pathlib import Path

# The crawl is dated only "2026" by its source (../shared/data/SOURCES.md); we keep that,
# and record the newest legal document date cited in the data as a lower bound.
DEFAULT_DATA_TAKEN = "2026"
SOURCE = "National Public Service Portal (dichvucong.gov.vn), crawl by chatbot-tthc/chatbot_tthc@53229487"


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register this module's sub-commands."""
    imp = commands.add_parser("import", help="parse the raw procedures JSONL into the committed data file")
    imp.add_argument("path", help="raw JSONL (../shared/data/procedures/tthc_procedures_dichvucong_2026.jsonl)")
    imp.add_argument("--out", default=None, help="output file (default: the package's data file)")
    imp.add_argument("--data-taken", default=DEFAULT_DATA_TAKEN, help="when the data was crawled")
    imp.set_defaults(handler=cmd_import)

    srch = commands.add_parser("search", help="search procedures with a citizen's words")
    srch.add_argument("query")
    srch.add_argument("--top", type=int, default=5)
    srch.add_argument("--json", action="store_true", help="print a JSON array (best first)")
    srch.set_defaults(handler=cmd_search)

    show = commands.add_parser("show", help="show one procedure by its national code")
    show.add_argument("code")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)

    embed = commands.add_parser("build-embeddings", help="embed the phrasing bank and FAQ for the semantic signal")
    embed.add_argument("--threads", type=int, default=2)
    embed.set_defaults(handler=cmd_build_embeddings)

    nlu = commands.add_parser("nlu-examples", help="write NLU examples drawn from the bank and the FAQ")
    nlu.add_argument("--out", default="nlu_data/kb_examples.yml")
    nlu.set_defaults(handler=cmd_nlu_examples)

    check = commands.add_parser("check-phrasings", help="check the phrasing bank (codes, keys, scope covered)")
    check.set_defaults(handler=cmd_check_phrasings)

    faq = commands.add_parser("faq", help="answer a question about the 2025 reform from the FAQ")
    faq.add_argument("query")
    faq.add_argument("--json", action="store_true")
    faq.set_defaults(handler=cmd_faq)


def cmd_import(args: argparse.Namespace) -> int:
    import re

    from procedure_kb.procedures import DATA_FILE, parse_record, read_raw, write_procedures

    procedures = []
    newest = ""
    for raw in read_raw(args.path):
        procedures.append(parse_record(raw, data_taken=args.data_taken))
        for d, m, y in re.findall(r"ngày (\d{1,2})/(\d{1,2})/(20\d\d)", json.dumps(raw, ensure_ascii=False)):
            try:
                iso = date(int(y), int(m), int(d)).isoformat()
            except ValueError:
                continue
            if iso <= f"{args.data_taken}-12-31" and iso > newest and "hiệu lực" not in raw.get("can_cu_phap_ly", ""):
                newest = iso
    counts = collections.Counter(p.status for p in procedures)
    repairs = collections.Counter(r for p in procedures for r in p.repairs)
    total = len(procedures)
    report = {
        "total": total,
        "clean": counts["clean"],
        "repaired": counts["repaired"],
        "unparsed": counts["unparsed"],
        "clean_or_repaired_pct": round(100 * (counts["clean"] + counts["repaired"]) / max(total, 1), 2),
        "repairs": dict(repairs.most_common()),
        "unparsed_codes": [p.code for p in procedures if p.status == "unparsed"],
    }
    meta = {
        "source": SOURCE,
        "data_taken": args.data_taken,
        "newest_date_in_text": newest,
        "imported": date.today().isoformat(),
        "report": {k: v for k, v in report.items() if k != "unparsed_codes"},
    }
    out = Path(args.out) if args.out else Path(str(resources.files("procedure_kb").joinpath(DATA_FILE)))
    write_procedures(procedures, str(out), meta)
    print(f"wrote {total} procedures to {out} ({out.stat().st_size // 1024} KiB)")
    print(
        f"clean {report['clean']}, repaired {report['repaired']}, unparsed {report['unparsed']}"
        f" -> {report['clean_or_repaired_pct']}% clean or repaired"
    )
    for reason, n in repairs.most_common():
        print(f"  {n:5d}  {reason}")
    if report["unparsed_codes"]:
        print("unparsed:", " ".join(report["unparsed_codes"]))
    return 0


def _hit_dict(hit) -> dict:
    return {
        "code": hit.code,
        "name": hit.name,
        "level": hit.level,
        "score": round(hit.score, 4),
        "confidence": round(hit.confidence, 3),
        "ambiguous": hit.ambiguous,
        "detail_url": hit.detail_url,
    }


def cmd_search(args: argparse.Namespace) -> int:
    from procedure_kb.search import search_outcome

    outcome = search_outcome(args.query, top=max(1, args.top))
    if outcome.failed:  # logged with its traceback; not a "no match"
        print("search failed (see the log above)", file=sys.stderr)
        return 1
    hits = outcome.hits
    if args.json:
        print(json.dumps([_hit_dict(h) for h in hits], ensure_ascii=False))
        return 0
    if not hits:
        print("(no match)")
    for rank, hit in enumerate(hits, 1):
        flag = " ?" if hit.ambiguous else ""
        print(f"{rank}. [{hit.code}] {hit.name} ({hit.level}) score={hit.score:.3f}{flag}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from procedure_kb.search import get_procedure

    proc = get_procedure(args.code)
    if proc is None:
        print(f"no procedure with code {args.code}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(proc.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(_show_text(proc))
    return 0


def cmd_build_embeddings(args: argparse.Namespace) -> int:
    from procedure_kb.semantic import build_cache

    print(f"semantic cache: {build_cache(threads=max(1, args.threads))}")
    return 0


def cmd_nlu_examples(args: argparse.Namespace) -> int:
    from procedure_kb.nlu_examples import render

    out = Path(args.out)
    out.write_text(render(out.parent), encoding="utf-8")
    print(f"wrote {out}")
    return 0


def cmd_check_phrasings(_args: argparse.Namespace) -> int:
    from procedure_kb.phrasings import check_bank, citizen_scope, load_phrasings

    problems = check_bank()
    for problem in problems:
        print(problem)
    print(f"{len(load_phrasings())} entries for {len(citizen_scope())} procedures in scope; {len(problems)} problem(s)")
    return 1 if problems else 0


def cmd_faq(args: argparse.Namespace) -> int:
    from procedure_kb.faq import search_faq

    hits = search_faq(args.query, top=3)
    if args.json:
        print(json.dumps([{"id": h.entry.id, "score": round(h.score, 3), "answer_vi": h.entry.answer_vi} for h in hits], ensure_ascii=False))
        return 0
    if not hits:
        print("(no match)")
    for hit in hits:
        print(f"[{hit.entry.id}] score={hit.score:.2f}\n{hit.entry.answer_vi}\n")
    return 0


def _show_text(proc) -> str:
    """Plain-text view of a procedure for volunteers at a terminal."""
    lines = [f"{proc.name} [{proc.code}]", f"Cấp: {proc.level_text}", f"Nộp tại: {proc.submit_where}"]
    for ch in proc.channels:
        time = f"{ch.time_value:g} {ch.time_unit or ''}".strip() if ch.time_value is not None else "không ghi"
        lines.append(f"- {ch.channel}: {time}; phí: {ch.fee or 'không ghi'}")
    lines.append("Hồ sơ:")
    lines += [f"  {i}. {d.name} ({d.originals} bản chính, {d.copies} bản sao)" for i, d in enumerate(proc.documents, 1)]
    lines.append("Các bước:")
    lines += [f"  {i}. {s}" for i, s in enumerate(proc.steps, 1)]
    lines.append("Căn cứ pháp lý: " + "; ".join(f"{x.title} ({x.number})" for x in proc.legal_basis))
    if proc.abolished_mentions:
        lines.append("Lưu ý: văn bản còn nhắc đơn vị đã bỏ: " + ", ".join(proc.abolished_mentions))
    lines.append(f"Nguồn: {proc.detail_url} (dữ liệu {proc.data_taken}); trạng thái phân tích: {proc.status}")
    return "\n".join(lines)
