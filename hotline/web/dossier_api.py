"""Dossier JSON API under /api/dossiers (bearer API_TOKEN, like the ticket API).

- ``GET  /api/dossiers/{code}``           one dossier with its history (phone masked)
- ``GET  /api/dossiers/overdue``          ?by=agency|ward&agency=&ward=&limit=&offset=
- ``GET  /api/dossiers/overdue-rate``     ?since=YYYY-MM → monthly and quarterly rates
- ``POST /api/dossiers/import``           a provincial system pushes a list of dossiers
"""

from __future__ import annotations

import asyncio
import re

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline.dossiers.codes import check_code
from hotline.dossiers.importer import import_records
from hotline.dossiers.models import Dossier
from hotline.dossiers.reports import by_quarter, overdue_rate_by_month, overdue_report
from hotline.dossiers.service import view_of
from hotline.web.api import token_required
from hotline.web.app import SESSIONS, SETTINGS, run_db
from hotline.workcalendar import to_vn

MAX_IMPORT = 5000


def _iso(moment) -> str | None:
    return to_vn(moment).isoformat() if moment else None



@token_required
async def show(request: web.Request) -> web.Response:
    checked = check_code(request.match_info["code"])
    if not checked.ok:
        return web.json_response({"error": checked.message("en")}, status=400)

    def load(session):
        dossier = session.execute(select(Dossier).options(selectinload(Dossier.events))
                                  .where(Dossier.code == checked.code)).scalar_one_or_none()
        if dossier is None:
            return None
        view = view_of(dossier)
        return {
            "code": view.code, "procedure_code": view.procedure_code, "procedure_name": view.procedure_name,
            "agency": view.agency, "ward_code": dossier.ward_code, "ward_name": view.ward_name,
            "province_name": view.province_name, "status": view.status, "status_label": view.label("vi"),
            "received_at": _iso(view.received_at), "due_at": _iso(view.due_at),
            "completed_at": _iso(view.completed_at), "overdue": view.overdue, "due_soon": view.due_soon,
            "days_late": view.days_late, "last_message": view.last_message, "phone": view.phone_masked,
            "history": [{"status": e.status, "message": e.message, "at": _iso(e.occurred_at), "source": e.source}
                        for e in dossier.events],
        }

    body = await run_db(request, load)
    if body is None:
        return web.json_response({"error": "not found"}, status=404)
    return web.json_response(body)


def _int(request: web.Request, name: str, default: int, top: int) -> int:
    try:
        return max(0, min(int(request.query.get(name, default)), top))
    except ValueError:
        return default


@token_required
async def overdue(request: web.Request) -> web.Response:
    by = "ward" if request.query.get("by") == "ward" else "agency"
    agency = request.query.get("agency", "").strip()[:200] or None
    ward = request.query.get("ward", "").strip()[:120] or None
    limit, offset = _int(request, "limit", 100, 1000), _int(request, "offset", 0, 10**7)
    report = await run_db(request, lambda s: overdue_report(s, by=by, agency=agency, ward=ward,
                                                         limit=limit, offset=offset))
    return web.json_response({
        "total": report.total,
        "groups": [{"name": g.name, "province": g.province_name, "count": g.count,
                    "max_days_late": g.max_days_late} for g in report.groups],
        "dossiers": [{"code": r.code, "procedure_code": r.procedure_code, "agency": r.agency, "ward": r.ward_name,
                      "status": r.status, "due_at": _iso(r.due_at), "days_late": r.days_late,
                      "phone": r.phone_masked} for r in report.rows],
    })


@token_required
async def overdue_rate(request: web.Request) -> web.Response:
    since = request.query.get("since", "")
    if since and not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", since):
        return web.json_response({"error": "since must be YYYY-MM"}, status=400)
    months = await run_db(request, lambda s: overdue_rate_by_month(s, since=since or None))

    def rows(items):
        return [{"period": m.period, "due": m.due, "completed_late": m.completed_late,
                 "still_overdue": m.still_overdue, "rate": round(m.rate, 4)} for m in items]

    return web.json_response({"months": rows(months), "quarters": rows(by_quarter(months))})


@token_required
async def push(request: web.Request) -> web.Response:
    try:
        data = await request.json()
    except ValueError:
        return web.json_response({"error": "body must be JSON"}, status=400)
    if isinstance(data, dict):
        data = data.get("dossiers")
    if not isinstance(data, list) or len(data) > MAX_IMPORT:
        return web.json_response({"error": f"send a list of at most {MAX_IMPORT} dossiers"}, status=400)
    reduction = request.app[SETTINGS].dossier_time_reduction
    report = await asyncio.to_thread(import_records, request.app[SESSIONS], data, source="api",
                                     reduction=reduction)
    return web.json_response({"created": report.created, "updated": report.updated,
                              "status_changes": report.status_changes, "unchanged": report.unchanged,
                              "rejected": report.rejected, "errors": report.errors})


def setup(app: web.Application) -> None:
    app.router.add_get("/api/dossiers/overdue", overdue)
    app.router.add_get("/api/dossiers/overdue-rate", overdue_rate)
    app.router.add_post("/api/dossiers/import", push)
    app.router.add_get("/api/dossiers/{code}", show)
