"""Volunteer guide: search procedures as you type, a printable procedure checklist, and the
old → new address lookup, for Youth Union volunteers at service points.

Pages: `/guide` (search + address box), `/guide/p/{code}` (one procedure, A4 print layout),
`/guide/address?q=` (address result). JSON for the instant search: `/guide/api/search?q=`.
Everything comes from `procedure_kb`; this module only shapes it for the page.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from hotline.web.app import SETTINGS
from procedure_kb.documents import DocItem, document_view
from procedure_kb.procedures import Procedure, data_meta
from procedure_kb.search import MAX_QUERY_CHARS, get_procedure, search_procedures
from procedure_kb.timing import stated_unit
from procedure_kb.units import lookup_address, where_to_go

RESULTS = 10
LEVELS_VI = {"commune": "cấp xã", "province": "cấp tỉnh", "ministry": "cấp bộ", "other": "khác"}


def _query(request: web.Request, name: str = "q") -> str:
    return " ".join(request.query.get(name, "").split())[:MAX_QUERY_CHARS]


def search_results(query: str, top: int = RESULTS) -> list[dict[str, str]]:
    """Search hits as the page shows them (accent-insensitive: the KB folds both sides)."""
    if not query:
        return []
    return [{"code": h.code, "name": h.name, "level": h.level, "url": f"/guide/p/{h.code}"}
            for h in search_procedures(query, top)]


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
                unit = f"{stated_unit(proc, ch).lower()} (theo mô tả thủ tục)"
            time = f"{_number(ch.time_value)} {unit or '(chưa ghi đơn vị)'}"
        row = {"channel": ch.channel, "time": time or "Không quy định", "fee": ch.fee or "Không có thông tin"}
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


def procedure_view(proc: Procedure) -> dict[str, Any]:
    meta = data_meta()
    return {
        "proc": proc,
        "levels": ", ".join(LEVELS_VI.get(level, level) for level in proc.levels) or proc.level_text,
        "channels": channel_rows(proc),
        "checklist": checklist(proc),
        "source": "Cổng Dịch vụ công quốc gia (dichvucong.gov.vn)",  # meta["source"] names the crawl, for maintainers
        "data_taken": proc.data_taken or meta.get("data_taken", ""),
        "imported": meta.get("imported", ""),
    }


def address_view(query: str) -> dict[str, Any]:
    """The lookup result plus, for each new ward, where its citizens submit now."""
    if not query:
        return {}
    result = lookup_address(query)
    wards = [dict(ward, offices=where_to_go(ward["code"])) for ward in result.new_wards]
    return {"result": result, "wards": wards}


@aiohttp_jinja2.template("guide/index.html")
async def index(request: web.Request) -> dict[str, Any]:
    query = _query(request)
    results = await asyncio.to_thread(search_results, query) if query else []
    return {"query": query, "results": results, "hotline_phone": request.app[SETTINGS].hotline_phone}


async def api_search(request: web.Request) -> web.Response:
    query = _query(request)
    results = await asyncio.to_thread(search_results, query)
    return web.json_response({"query": query, "results": results}, headers={"Cache-Control": "no-store"})


async def procedure_page(request: web.Request) -> web.Response:
    proc = await asyncio.to_thread(get_procedure, request.match_info["code"][:32])
    if proc is None:
        return aiohttp_jinja2.render_template("guide/not_found.html", request, {"code": request.match_info["code"][:32]},
                                              status=404)
    context = procedure_view(proc)
    context["address"] = await asyncio.to_thread(address_view, _query(request, "dia_chi"))
    context["address_query"] = _query(request, "dia_chi")
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
