"""Console pages for dossiers: search by code, overdue list by agency/commune, overdue rate.

Operators only (the console's login); the applicant's phone appears masked.
"""

from __future__ import annotations

import re

from aiohttp import web
from sqlalchemy.orm import selectinload

from hotline.dossiers.codes import check_code
from hotline.dossiers.messages import status_labels
from hotline.dossiers.models import Dossier
from hotline.dossiers.reports import by_quarter, overdue_rate_by_month, overdue_report
from hotline.dossiers.service import view_of
from hotline.web.app import run_db
from hotline.web.console import render_page, require_user
from hotline.workcalendar import now_vn, to_vn

PAGE = 100


def _labels() -> dict[str, str]:
    return status_labels("vi")


def _find(session, code: str):
    from sqlalchemy import select

    dossier = session.execute(
        select(Dossier).options(selectinload(Dossier.events)).where(Dossier.code == code)
    ).scalar_one_or_none()
    if dossier is None:
        return None, None
    # Shown in Vietnam time.
    events = [dict(occurred_at=to_vn(e.occurred_at), status=e.status, message=e.message, source=e.source)
              for e in dossier.events]
    return view_of(dossier), events


def _since(request: web.Request) -> str:
    """First month of the rate table: ?since=YYYY-MM, by default twelve months back."""
    typed = request.query.get("since", "")
    if re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", typed):
        return typed
    now = now_vn()
    year, month = (now.year - 1, now.month + 1) if now.month < 12 else (now.year, 1)
    return f"{year}-{month:02d}"


def _summary(session, since: str):
    now = now_vn()
    months = overdue_rate_by_month(session, now, since=since)
    return overdue_report(session, now, limit=0), months, by_quarter(months)


async def index(request: web.Request) -> web.Response:
    """Search box, the overdue total per agency, and the monthly/quarterly overdue rate."""
    user = await require_user(request)
    typed = request.query.get("code", "")[:300]
    if typed.strip():
        checked = check_code(typed)
        if not checked.ok:
            report, months, quarters = await run_db(request, _summary, _since(request))
            return await render_page(request, "dossiers/index.html", user, title="Hồ sơ", searched=typed,
                                 since=_since(request),
                                 error=checked.message("vi"), report=report, months=months, quarters=quarters)
        raise web.HTTPFound(f"/console/dossiers/{checked.code}")
    report, months, quarters = await run_db(request, _summary, _since(request))
    return await render_page(request, "dossiers/index.html", user, title="Hồ sơ", searched="", error=None,
                         since=_since(request),
                         report=report, months=months, quarters=quarters)


async def detail(request: web.Request) -> web.Response:
    user = await require_user(request)
    checked = check_code(request.match_info["code"])
    view, events = (None, None)
    if checked.ok:
        view, events = await run_db(request, _find, checked.code)
    if view is None:
        response = await render_page(request, "dossiers/detail.html", user, title="Không tìm thấy hồ sơ", view=None,
                                 events=[], searched=request.match_info["code"][:60], labels=_labels())
        response.set_status(404)
        return response
    return await render_page(request, "dossiers/detail.html", user, title=f"Hồ sơ {view.code}", view=view,
                         events=events, labels=_labels())


async def overdue(request: web.Request) -> web.Response:
    """Overdue dossiers grouped by agency or commune, filterable, most late first."""
    user = await require_user(request)
    by = "ward" if request.query.get("by") == "ward" else "agency"
    agency = request.query.get("agency", "").strip()[:200] or None
    ward = request.query.get("ward", "").strip()[:120] or None
    try:
        page = max(1, min(int(request.query.get("page", "1")), 10_000))
    except ValueError:
        page = 1
    report = await run_db(request, lambda s: overdue_report(s, by=by, agency=agency, ward=ward, limit=PAGE,
                                                         offset=(page - 1) * PAGE))
    return await render_page(request, "dossiers/overdue.html", user, title="Hồ sơ quá hạn", report=report, by=by,
                         agency=agency, ward=ward, page=page, page_size=PAGE, labels=_labels())


def setup(app: web.Application) -> None:
    app.router.add_get("/console/dossiers", index)
    app.router.add_get("/console/dossiers/overdue", overdue)
    app.router.add_get("/console/dossiers/{code}", detail)
