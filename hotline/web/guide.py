"""Volunteer guide: search procedures as you type, a printable procedure checklist, and the
old → new address lookup, for Youth Union volunteers at service points.

Pages: `/guide` (search + address box), `/guide/p/{code}` (one procedure, A4 print layout),
`/guide/address?q=` (address result). JSON for the instant search: `/guide/api/search?q=`.
Everything comes from `procedure_kb`; this module only shapes it for the page.
"""

from __future__ import annotations

import asyncio
import math
import re
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from hotline.web.app import SETTINGS
from procedure_kb import messages as M
from procedure_kb.documents import DocItem, document_view
from procedure_kb.i18n import say
from procedure_kb.presenter import submit_where
from procedure_kb.procedures import Procedure, data_meta
from procedure_kb.search import MAX_QUERY_CHARS, get_procedure, search_outcome
from procedure_kb.timing import stated_unit
from procedure_kb.units import lookup_address, where_to_go

RESULTS = 10
LEVELS_VI = M.GUIDE_LEVELS


def _query(request: web.Request, name: str = "q") -> str:
    return " ".join(request.query.get(name, "").split())[:MAX_QUERY_CHARS]


def search_view(query: str, top: int = RESULTS) -> tuple[list[dict[str, str]], bool]:
    """(hits as the page shows them, whether the search itself failed — logged, then said on the page).
    Accent-insensitive: the KB folds both sides."""
    if not query:
        return [], False
    outcome = search_outcome(query, top)
    return [{"code": h.code, "name": h.name, "level": h.level, "url": f"/guide/p/{h.code}"}
            for h in outcome.hits], outcome.failed


def search_results(query: str, top: int = RESULTS) -> list[dict[str, str]]:
    """Search hits as the page shows them."""
    return search_view(query, top)[0]


def _status(query: str, results: list, failed: bool, hotline: str) -> str:
    """The line under the search box when there is nothing to list."""
    if failed:
        return say(M.GUIDE_SEARCH_FAILED, "vi", hotline=hotline)
    return say(M.GUIDE_NO_MATCH, "vi") if query and not results else ""


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}".replace(".", ",")


def channel_rows(proc: Procedure) -> list[dict[str, str]]:
    """One row per way of submitting: time and fee as the portal publishes them."""
    rows = []
    for ch in proc.channels:
        time = ch.time_note
        if ch.time_value is not None:
            unit = ch.time_unit.lower() if ch.time_unit else ""
            if not unit and stated_unit(proc, ch):  # the record's own text states the unit
                unit = f"{stated_unit(proc, ch).lower()}{say(M.UNIT_FROM_DESCRIPTION, 'vi')}"
            time = f"{_number(ch.time_value)} {unit or M.GUIDE_NO_UNIT}"
        row = {"channel": ch.channel, "time": time or M.GUIDE_NO_TIME, "fee": ch.fee or M.GUIDE_NO_FEE}
        same = next((r for r in rows if (r["time"], r["fee"]) == (row["time"], row["fee"])), None)
        if same:  # ways with the same time and fee share one row: shorter to read and to print
            same["channel"] += f", {row['channel'][:1].lower()}{row['channel'][1:]}"
        else:
            rows.append(row)
    return rows


def document_groups(proc: Procedure) -> list[dict[str, Any]]:
    """Documents grouped under the portal's own headings, in its order (the page shows `checklist`)."""
    groups: list[dict[str, Any]] = []
    for doc in proc.documents:
        heading = doc.group or "Giấy tờ"
        if not groups or groups[-1]["heading"] != heading:
            # "Lưu ý" sections are remarks for special cases: on screen, not on the printed sheet.
            groups.append({"heading": heading, "items": [], "remarks": heading.lower().startswith("lưu ý")})
        counts = []
        if doc.originals:
            counts.append(f"{doc.originals} bản chính")
        if doc.copies:
            counts.append(f"{doc.copies} bản sao")
        # An item with no copies asked for is a condition or remark, not a paper to bring.
        is_note = heading.lower().startswith("lưu ý") or (not counts and doc.name.startswith("Trường hợp"))
        groups[-1]["items"].append({"name": doc.name, "counts": ", ".join(counts), "template": doc.template or "",
                                    "note": is_note})
    return groups


def _checklist_item(item: DocItem) -> dict[str, str]:
    doc = item.doc
    counts = [f"{n} {label}" for n, label in ((doc.originals, "bản chính"), (doc.copies, "bản sao")) if n]
    return {"name": doc.name, "counts": ", ".join(counts), "template": doc.template or "", "condition": item.condition}


def checklist(proc: Procedure) -> dict[str, list[dict[str, str]]]:
    """The citizen's checklist: what everyone brings, what only some cases need, and the notes apart."""
    view = document_view(proc)
    return {"required": [_checklist_item(i) for i in view.required],
            "conditional": [_checklist_item(i) for i in view.conditional],
            "notes": [_checklist_item(i) for i in view.notes]}


# --- the printed sheet: one A4 page at 9 pt for every procedure ------------------------------
# Lines of 9 pt text on the A4 sheet (guide.css @page/@media print), estimated from text lengths.
# Calibrated on all 2,642 procedures with Chromium's PDF output (bench/print_sheets.py): with these
# numbers every planned sheet prints on one page, and 2,284 of them need no shortening at all.
PRINT_LINES = 57
LINE_CHARS = 108        # characters of 9 pt text across the sheet
ITEM_CHARS = 100        # a checklist line, after its box
TITLE_CHARS = 70        # the 14 pt title
CAPS = (None, 330, 220, ITEM_CHARS - 8)   # longest printed text of one document, tried in turn
FEE_CHARS = 240         # a fee cell on paper (some portal fees run to 900 characters)
RESULTS_CHARS = 230     # the "results" line on paper


def _lines(length: int, per_line: int) -> int:
    return max(1, math.ceil(length / per_line))


def _item_length(item: dict[str, str]) -> int:
    return len(item["name"]) + len(item["counts"]) + len(item["template"]) + len(item["condition"]) + 6


def _item_lines(item: dict[str, str], cap: int | None) -> int:
    length = _item_length(item)
    return _lines(length if cap is None else min(length, cap), ITEM_CHARS)


def _fixed_lines(proc: Procedure, channels: list[dict[str, str]], lists: dict[str, list],
                 shortened: bool = True) -> float:
    """Everything on the sheet but the document items (headings, where, time and fee, legal basis);
    `shortened`: with long fees and results cut as plan_print cuts them."""
    fee_cap, results_cap = (FEE_CHARS, RESULTS_CHARS) if shortened else (10**6, 10**6)
    lines = 1 + _lines(len(proc.name), TITLE_CHARS) * 1.6 + 1.2
    lines += 1.4 + _lines(len(submit_where(proc, "vi") or proc.address or "x" * 60), LINE_CHARS) + (1 if proc.online else 0)
    lines += 2.4 + sum(max(_lines(len(r["channel"]), 44), _lines(len(r["time"]), 26),
                           _lines(min(len(r["fee"]), fee_cap), 44)) for r in channels)
    lines += 1.4 + sum(1.2 for key in ("required", "conditional") if lists[key]) + (1 if lists["notes"] else 0)
    if proc.results:
        lines += _lines(len("Kết quả nhận được: ") + min(len(results_text(proc)), results_cap), LINE_CHARS)
    if proc.legal_basis:
        lines += 1.4 + math.ceil(min(len(proc.legal_basis), 15) / 5) * 0.9
    return lines + 2


def results_text(proc: Procedure) -> str:
    return "; ".join(r.name for r in proc.results)


def _shorten(text: str, cap: int) -> str:
    if len(text) <= cap:
        return text
    cut = text[:cap - 1]
    return (cut[:cut.rfind(" ")] if " " in cut[cap // 2:] else cut).rstrip(" ,;:") + "…"


def plan_print(proc: Procedure, channels: list[dict[str, str]], lists: dict[str, list]) -> dict[str, Any]:
    """Fit the printed sheet on one A4 page without shrinking the type: long document texts are
    shortened on paper (the screen keeps them whole), and when even one line each is too much,
    the last case-only documents are left to the screen, with a line saying how many and where.

    Marks each item ("print_short": the shortened text, "print_hidden") and returns what the sheet
    must add (how many documents were left out, whether texts were shortened).
    """
    required, conditional = lists["required"], lists["conditional"]
    whole = PRINT_LINES - _fixed_lines(proc, channels, lists, shortened=False)
    cut_fixed = whole < sum(_item_lines(i, None) for i in required + conditional)  # everything in full does not fit
    room = PRINT_LINES - _fixed_lines(proc, channels, lists, shortened=cut_fixed)

    def fits(required_cap, conditional_cap) -> bool:
        note = 0 if required_cap is None and conditional_cap is None and not cut_fixed else 1  # "shortened" line
        return (sum(_item_lines(i, required_cap) for i in required)
                + sum(_item_lines(i, conditional_cap) for i in conditional) + note) <= room

    choice = next(((r, c, len(conditional)) for r in CAPS for c in CAPS if fits(r, c)), None)
    if choice is None:  # one line each is still too much: print the first ones, count the rest
        used = sum(_item_lines(i, CAPS[-1]) for i in required)
        choice = (CAPS[-1], CAPS[-1], max(0, int(room - used - 2)))
    required_cap, conditional_cap, shown = choice
    for cap, items in ((required_cap, required), (conditional_cap, conditional)):
        for item in items:
            item["print_short"] = None if cap is None or _item_length(item) <= cap else _shorten(_line(item), cap)
            item["print_hidden"] = False
    for item in conditional[shown:]:
        item["print_hidden"] = True
    for row in channels:
        row["fee_print"] = _shorten(row["fee"], FEE_CHARS) if cut_fixed and len(row["fee"]) > FEE_CHARS else None
    results = results_text(proc)
    results_short = _shorten(results, RESULTS_CHARS) if cut_fixed and len(results) > RESULTS_CHARS else None
    return {"shortened": any(i["print_short"] for i in required + conditional)
                         or any(r["fee_print"] for r in channels) or bool(results_short),
            "left_out": len(conditional) - min(shown, len(conditional)), "legal_shown": 15,
            "results": results_short}


def _line(item: dict[str, str]) -> str:
    """A document as one printed line: name, counts and case (the template's file name is left out)."""
    text = item["name"] + (f" ({item['counts']})" if item["counts"] else "")
    return text + (f" — nếu: {item['condition']}" if item["condition"] else "")


def procedure_view(proc: Procedure) -> dict[str, Any]:
    meta = data_meta()
    channels = channel_rows(proc)
    lists = checklist(proc)
    return {
        "proc": proc,
        "submit_where": submit_where(proc, "vi"),
        "levels": ", ".join(LEVELS_VI.get(level, level) for level in proc.levels) or proc.level_text,
        "channels": channels,
        "checklist": lists,
        "print_plan": plan_print(proc, channels, lists),
        "source": M.GUIDE_SOURCE,  # meta["source"] names the crawl, for maintainers
        "data_taken": proc.data_taken or meta.get("data_taken", ""),
        "imported": meta.get("imported", ""),
    }


def option_queries(result: Any, query: str) -> list[dict[str, str]]:
    """Each choice of an ambiguous or incomplete lookup as the address to look up next (a link)."""
    old = result.matched_old or (result.candidates[0] if result.candidates else {})
    province = (old.get("province") or {}).get("name", "")
    district = (old.get("district") or {}).get("name", "")
    links = []
    for option in result.options:
        if result.ask == "ward":
            # A ward of one known district: name the whole old address.
            text = ", ".join(part for part in (option["name"], district, province) if part)
        elif result.ask == "district" and result.status == "incomplete":
            text = f"{option['name']}, {province}"
        else:  # which province, or which district of several: keep what was typed and add it
            text = f"{query}, {option['name']}"
        links.append({"name": option["name"], "query": text})
    return links


def address_view(query: str) -> dict[str, Any]:
    """The lookup result plus, for each new ward, where its citizens submit now, and the choices as links."""
    if not query:
        return {}
    result = lookup_address(query)
    wards = [dict(ward, offices=where_to_go(ward["code"])) for ward in result.new_wards]
    return {"result": result, "wards": wards, "options": option_queries(result, query)}


@aiohttp_jinja2.template("guide/index.html")
async def index(request: web.Request) -> dict[str, Any]:
    query = _query(request)
    results, failed = await asyncio.to_thread(search_view, query) if query else ([], False)
    hotline = request.app[SETTINGS].hotline_phone
    return {"query": query, "results": results, "hotline_phone": hotline,
            "status": _status(query, results, failed, hotline)}


async def api_search(request: web.Request) -> web.Response:
    query = _query(request)
    results, failed = await asyncio.to_thread(search_view, query)
    body: dict[str, Any] = {"query": query, "results": results}
    if failed:  # the page says so instead of "no match"
        body["error"] = _status(query, results, failed, request.app[SETTINGS].hotline_phone)
    return web.json_response(body, headers={"Cache-Control": "no-store"})


async def procedure_page(request: web.Request) -> web.Response:
    proc = await asyncio.to_thread(get_procedure, request.match_info["code"][:32])
    if proc is None:
        return aiohttp_jinja2.render_template("guide/not_found.html", request, {"code": request.match_info["code"][:32]},
                                              status=404)
    context = procedure_view(proc)
    context["address"] = await asyncio.to_thread(address_view, _query(request, "dia_chi"))
    context["address_query"] = _query(request, "dia_chi")
    # Boxes the volunteer ticked before "Xem nơi nộp" come back ticked ("r1", "c2": required/conditional item).
    context["ticked"] = sorted({key for key in request.query.getall("co", []) if re.fullmatch(r"[rc]\d{1,3}", key)})
    return aiohttp_jinja2.render_template("guide/procedure.html", request, context)


@aiohttp_jinja2.template("guide/address.html")
async def address_page(request: web.Request) -> dict[str, Any]:
    query = _query(request)
    return {"query": query, **await asyncio.to_thread(address_view, query)}


def setup(app: web.Application) -> None:
    app.router.add_get("/guide", index)
    app.router.add_get("/guide/", index)
    app.router.add_get("/guide/api/search", api_search)
    app.router.add_get("/guide/p/{code}", procedure_page)
    app.router.add_get("/guide/address", address_page)
