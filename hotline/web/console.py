"""Operator console: login, the page frame every console page shares, reports and the
unanswered-questions report; the ticket pages (queues, tickets, phone calls, canned replies)
are in hotline.web.console_tickets.

Sessions live in an encrypted cookie (aiohttp-session + Fernet key from settings); every
POST form carries the session's CSRF token. Database work runs in worker threads. One small
script of our own (static/console.js: live queue, shortcuts, canned-reply insertion) is the
only script the CSP allows; every page works without it.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import datetime, timedelta

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import STORAGE_KEY, get_session, new_session
from aiohttp_session import setup as session_setup
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from hotline import analytics, lookup_limits, reports, tickets, users
from hotline.masking import mask_personal_data
from hotline.tickets import messages
from hotline.tickets.messages import (
    EVENT_LABELS,
    PRIORITY_LABELS,
    REASON_LABELS,
    SLA_LABELS,
    STATUS_LABELS,
)
from hotline.triage import KINDS
from hotline.users import User, get_user, session_user
from hotline.web.app import SETTINGS, run_db
from hotline.workcalendar import VN_TZ

log = logging.getLogger(__name__)

QUEUES = messages.QUEUE_LABELS
KIND_LABELS = reports.KIND_LABELS
CHANNEL_LABELS, CHANNEL_SHORT = messages.CHANNEL_LABELS, messages.CHANNEL_SHORT
ACTIONS = tuple(operation.value for operation in tickets.Operation)
SECURITY_HEADERS = {
    # Only our own console.js may run (no inline script): a second wall behind autoescape.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
PAGE_SIZE = 50
SHOWN_PHONES = 20  # tickets whose phone this session revealed, remembered in the session


def _local(moment) -> str:
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") if moment else ""


def _time_left(ticket: tickets.Ticket, now: datetime) -> str:
    """"còn 3 giờ" / "quá 2 ngày": how far the SLA due time is, in calendar time (a badge's detail)."""
    if ticket.first_response_at is not None or not ticket.is_open:
        return ""
    seconds = (ticket.sla_due_at - now).total_seconds()
    amount = abs(seconds)
    if amount < 3600:
        text = f"{max(1, int(amount // 60))} phút"
    elif amount < 2 * 86400:
        text = f"{int(amount // 3600)} giờ"
    else:
        text = f"{int(amount // 86400)} ngày"
    return ("còn " if seconds >= 0 else "quá ") + text



async def _csrf_token(request: web.Request) -> str:
    session = await get_session(request)
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


async def _check_csrf(request: web.Request, form) -> None:
    session = await get_session(request)
    expected = session.get("csrf", "")
    given = form.get("csrf", "")
    if not expected or not hmac.compare_digest(str(expected), str(given)):
        raise web.HTTPForbidden(text="Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang.")


async def _flash(request: web.Request, message: str) -> None:
    session = await get_session(request)
    session["flash"] = message[:300]


async def current_user(request: web.Request) -> User | None:
    """The user of the request's console session, if that session is still open server-side."""
    session = await get_session(request)
    session_id = session.get("sid")
    if not isinstance(session_id, str):
        return None
    return await run_db(request, session_user, session_id)


async def require_user(request: web.Request) -> User:
    user = await current_user(request)
    if user is None:
        raise web.HTTPFound("/console/login")
    return user


async def render_page(request: web.Request, template: str, user: User | None, status: int = 200,
                      **context) -> web.Response:
    session = await get_session(request)
    context.update(user=user, csrf=await _csrf_token(request), flash=session.pop("flash", None),
                   queues=QUEUES, status_labels=STATUS_LABELS, kind_labels=KIND_LABELS, kinds=KINDS,
                   sla_labels=SLA_LABELS, priority_names=PRIORITY_LABELS, event_labels=EVENT_LABELS,
                   reason_labels=REASON_LABELS, channel_labels=CHANNEL_LABELS, channel_short=CHANNEL_SHORT, local=_local,
                   count_cap=tickets.COUNT_CAP,
                   time_left=_time_left)
    response = aiohttp_jinja2.render_template(template, request, context, status=status)
    response.headers.update(SECURITY_HEADERS)
    return response


# --- login -------------------------------------------------------------------------------

async def login_page(request: web.Request) -> web.Response:
    if request.query.get("changed"):
        await _flash(request, "Mật khẩu đã được đổi. Vui lòng đăng nhập lại.")
    return await render_page(request, "console/login.html", None, error=None)


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    await _check_csrf(request, form)
    username = str(form.get("username", ""))[:64]
    password = str(form.get("password", ""))[:200]
    if not username or not password:
        return await render_page(request, "console/login.html", None, error="Sai tên đăng nhập hoặc mật khẩu.")
    result = await run_db(request, users.login, username, password, request.remote or "unknown")
    if result.wait_minutes:
        log.warning("console login throttled for a username of length %d", len(username))
        return await render_page(request, "console/login.html", None, status=429,
                                 error=f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {result.wait_minutes} phút.")
    if result.user is None:
        log.info("console login failed for a username of length %d", len(username))
        return await render_page(request, "console/login.html", None, error="Sai tên đăng nhập hoặc mật khẩu.")
    session = await new_session(request)  # a fresh session (and CSRF token) after login
    session["sid"] = result.session_id
    session["csrf"] = secrets.token_urlsafe(32)
    log.info("console login: %s", result.user.username)
    raise web.HTTPFound("/console/queue/unassigned")


async def logout(request: web.Request) -> web.Response:
    form = await request.post()
    await _check_csrf(request, form)
    session = await get_session(request)
    await run_db(request, users.end_session, session.get("sid"))  # the cookie stops working everywhere
    session.invalidate()
    raise web.HTTPFound("/console/login")


async def password_page(request: web.Request) -> web.Response:
    user = await require_user(request)
    return await render_page(request, "console/password.html", user, error=None)


async def change_password(request: web.Request) -> web.Response:
    """A new password closes every session of the user, this one included: log in again."""
    user = await require_user(request)
    form = await request.post()
    await _check_csrf(request, form)
    current, new, again = (str(form.get(k, ""))[:200] for k in ("current", "new", "again"))

    def change(session) -> str | None:
        account = get_user(session, user.id)
        if users.authenticate(session, account.username, current) is None:
            return "Mật khẩu hiện tại không đúng."
        if new != again:
            return "Hai lần nhập mật khẩu mới không giống nhau."
        try:
            users.set_password(session, account, new)
        except ValueError:
            return "Mật khẩu mới cần ít nhất 8 ký tự."
        return None

    error = await run_db(request, change)
    if error:
        return await render_page(request, "console/password.html", user, error=error)
    log.info("console password changed: %s", user.username)
    (await get_session(request)).invalidate()
    raise web.HTTPFound("/console/login?changed=1")


async def index(request: web.Request) -> web.Response:
    raise web.HTTPFound("/console/queue/unassigned")


# --- reports -----------------------------------------------------------------------------

async def report_page(request: web.Request) -> web.Response:
    user = await require_user(request)
    period = request.query.get("period", "").strip()[:10] or reports.current_period()
    try:
        report = await run_db(request, reports.build_report, period)
    except ValueError as error:
        return await render_page(request, "console/report.html", user, report=None, period=period, error=str(error))
    charts = {
        "kind": reports.bar_chart_svg(report.by_kind, "Phản ánh theo loại"),
        "commune": reports.bar_chart_svg(report.by_commune[:15], "Phản ánh theo địa bàn"),
        "csat": reports.bar_chart_svg(report.csat_distribution, "Mức hài lòng"),
        "sla": reports.bar_chart_svg([("Đúng hạn", report.sla_met), ("Quá hạn", report.sla_breached),
                                      ("Chưa đến hạn", report.sla_pending)], "Tuân thủ SLA"),
        "dossiers": reports.bar_chart_svg([(m.period, m.late) for m in report.dossier_months],
                                          "Hồ sơ trễ hạn theo tháng"),
    }
    return await render_page(request, "console/report.html", user, report=report, period=period, charts=charts,
                         error=None)


async def locked_page(request: web.Request) -> web.Response:
    """Dossier and ticket codes whose lookups are paused: someone may be guessing their digits."""
    user = await require_user(request)
    rows = await run_db(request, lookup_limits.locked_codes)
    return await render_page(request, "console/locked.html", user, rows=rows)


async def report_csv(request: web.Request) -> web.Response:
    await require_user(request)
    period = request.query.get("period", "").strip()[:10] or reports.current_period()
    try:
        report = await run_db(request, reports.build_report, period)
    except ValueError as error:
        raise web.HTTPBadRequest(text=str(error)) from None
    return web.Response(
        body=reports.report_csv(report).encode("utf-8"), content_type="text/csv", charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="bao-cao-tong-dai-{report.period}.csv"'},
    )


# --- what went unanswered ------------------------------------------------------------------

def _week_step(week: str, days: int) -> str:
    start, _end, _label = analytics.parse_week(week)
    return analytics.week_of(start + timedelta(days=days, hours=12))


async def unanswered_page(request: web.Request) -> web.Response:
    """Weekly: what citizens asked that the assistant could not answer, most frequent first."""
    user = await require_user(request)
    week = request.query.get("week", "").strip()[:10] or analytics.current_week()
    try:
        report = await run_db(request, analytics.unanswered_report, week)
    except ValueError as error:
        return await render_page(request, "console/unanswered.html", user, report=None, week=week, error=str(error))
    def short(text: str, limit: int = 32) -> str:  # the chart's label column is narrow; the table has it all
        return text if len(text) <= limit else text[: limit - 1] + "…"

    charts = {
        "reasons": reports.bar_chart_svg([(analytics.REASON_SHORT.get(label, label), n) for label, n in report.by_reason],
                                         "Lý do chưa trả lời được"),
        "top": reports.bar_chart_svg([(short(p.example), p.count) for p in report.top[:10]], "Câu hỏi gặp nhiều nhất"),
        "trend": reports.bar_chart_svg([(w, n) for w, n, _total in report.trend], "Chưa trả lời được theo tuần"),
    }
    return await render_page(request, "console/unanswered.html", user, report=report, week=report.week,
                             charts=charts, error=None, previous=_week_step(report.week, -7),
                             following=_week_step(report.week, 7))


async def unanswered_csv(request: web.Request) -> web.Response:
    await require_user(request)
    week = request.query.get("week", "").strip()[:10] or analytics.current_week()
    try:
        report = await run_db(request, analytics.unanswered_report, week)
    except ValueError as error:
        raise web.HTTPBadRequest(text=str(error)) from None
    return web.Response(
        body=analytics.unanswered_csv(report).encode("utf-8"), content_type="text/csv", charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="cau-hoi-chua-tra-loi-{report.week}.csv"'},
    )


def setup(app: web.Application) -> None:
    """Register the console's routes and its encrypted-cookie sessions."""
    from hotline.web import console_tickets  # imports this module's page helpers

    settings = app[SETTINGS]
    # Phone and ID numbers in citizens' text are masked on every console page (`reveal_phone` shows the phone).
    aiohttp_jinja2.get_env(app).filters["mask"] = mask_personal_data
    if STORAGE_KEY not in app:  # another area may have set sessions up already
        session_setup(app, EncryptedCookieStorage(
            settings.session_secret, cookie_name="hotline_console", httponly=True, samesite="Lax",
            secure=settings.public_web_url.startswith("https://"), max_age=12 * 3600,
        ))
    app.router.add_get("/console", index)
    app.router.add_get("/console/", index)
    app.router.add_get("/console/login", login_page)
    app.router.add_post("/console/login", login)
    app.router.add_post("/console/logout", logout)
    app.router.add_get("/console/password", password_page)
    app.router.add_post("/console/password", change_password)
    console_tickets.add_routes(app)  # queues, tickets, phone calls, canned replies
    app.router.add_get("/console/reports", report_page)
    app.router.add_get("/console/locked", locked_page)
    app.router.add_get("/console/reports.csv", report_csv)
    app.router.add_get("/console/unanswered", unanswered_page)
    app.router.add_get("/console/unanswered.csv", unanswered_csv)

