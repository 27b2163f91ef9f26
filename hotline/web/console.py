"""Operator console: server-rendered pages for the ticket queue, tickets and reports.

Sessions live in an encrypted cookie (aiohttp-session + Fernet key from settings); every
POST form carries the session's CSRF token. Database work runs in worker threads.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import timedelta

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import STORAGE_KEY, get_session, new_session
from aiohttp_session import setup as session_setup
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from hotline import analytics, lookup_limits, reports, tickets, users
from hotline.triage import KINDS
from hotline.users import User, find_user, get_user, list_users, session_user
from hotline.web.app import SETTINGS, run_db
from hotline.workcalendar import VN_TZ

log = logging.getLogger(__name__)

QUEUES = {
    "unassigned": "Chưa ai nhận",
    "mine": "Của tôi",
    "sla": "Sắp / đã quá hạn SLA",
    "commune": "Theo xã/phường",
    "province": "Theo tỉnh/thành",
    "kind": "Theo loại",
}
STATUS_LABELS = {
    "new": "Mới", "triaged": "Đã phân loại", "assigned": "Đã nhận", "in_progress": "Đang xử lý",
    "waiting_for_citizen": "Chờ công dân", "resolved": "Đã giải quyết", "closed": "Đã đóng",
}
KIND_LABELS = reports.KIND_LABELS
SLA_LABELS = {"ok": "Trong hạn", "due_soon": "Sắp đến hạn", "breached": "Quá hạn", "met": "Đã phản hồi đúng hạn"}
PRIORITY_LABELS = {1: "Cao", 2: "Bình thường", 3: "Thấp"}
EVENT_LABELS = {
    "created": "Tiếp nhận", "claimed": "Nhận xử lý", "assigned": "Giao việc", "status": "Đổi trạng thái",
    "priority": "Đổi ưu tiên", "note": "Ghi chú", "reply": "Trả lời công dân", "resolved": "Giải quyết",
    "reopened": "Mở lại", "rated": "Công dân đánh giá", "citizen_message": "Công dân nhắn thêm",
}
REASON_LABELS = {
    "refused_due_to_reorganisation": "từ chối hồ sơ vì sắp xếp đơn vị hành chính",
    "overdue_dossier": "hồ sơ quá hạn", "extra_payment_demanded": "bị đòi tiền ngoài quy định",
    "marked_urgent": "công dân báo gấp",
}
ACTIONS = ("claim", "assign", "status", "priority", "note", "reply", "resolve", "reopen")
SECURITY_HEADERS = {
    # The console needs no script at all; refusing scripts is a second wall behind autoescape.
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _local(moment) -> str:
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") if moment else ""



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
                   reason_labels=REASON_LABELS, local=_local)
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


# --- queues and search -------------------------------------------------------------------

def _load_queue(session, name: str, value: str, user_id: int, page: int):
    offset = (page - 1) * 50
    places = tickets.open_counts_by_place(session) if name in ("commune", "province") else []
    if name == "unassigned":
        rows = tickets.queue_unassigned(session, offset=offset)
    elif name == "mine":
        rows = tickets.queue_mine(session, user_id, offset=offset)
    elif name == "sla":
        rows = tickets.queue_sla(session, offset=offset)
    elif name == "commune":
        rows = tickets.queue_by_commune(session, value, offset=offset) if value else []
    elif name == "province":
        rows = tickets.queue_by_province(session, value, offset=offset) if value else []
    else:
        rows = tickets.queue_by_kind(session, value, offset=offset) if value in KINDS else []
    return rows, places


async def index(request: web.Request) -> web.Response:
    raise web.HTTPFound("/console/queue/unassigned")


def _page(request: web.Request) -> int:
    try:
        return max(1, min(int(request.query.get("page", "1")), 1000))
    except ValueError:
        return 1


async def queue(request: web.Request) -> web.Response:
    user = await require_user(request)
    name = request.match_info["name"]
    if name not in QUEUES:
        raise web.HTTPNotFound(text="Không có hàng đợi này.")
    value = request.query.get("value", "").strip()[:32]
    page = _page(request)
    rows, places = await run_db(request, _load_queue, name, value, user.id, page)
    now = tickets.utcnow()
    return await render_page(request, "console/queue.html", user, name=name, value=value, rows=rows,
                         places=places, page=page, now=now, title=QUEUES[name])


async def search(request: web.Request) -> web.Response:
    user = await require_user(request)
    code = request.query.get("code", "").strip()[:40]
    phone = request.query.get("phone", "").strip()[:30]
    text = request.query.get("text", "").strip()[:200]
    error = None
    if phone and not user.is_supervisor:
        phone, error = "", "Chỉ giám sát viên được tìm theo số điện thoại."
    rows = []
    if code or phone or text:
        rows = await run_db(request, lambda s: tickets.search(s, code=code or None, phone=phone or None,
                                                           text=text or None))
        if code and len(rows) == 1:
            raise web.HTTPFound(f"/console/tickets/{rows[0].code}")
    return await render_page(request, "console/queue.html", user, name="search", value="", rows=rows, places=[],
                         page=1, now=tickets.utcnow(), title="Tìm kiếm", error=error,
                         search={"code": code, "phone": phone, "text": text})


# --- one ticket --------------------------------------------------------------------------

def _load_ticket(session, code: str):
    ticket = tickets.get_ticket(session, code)
    return ticket, tickets.history(session, ticket), list_users(session)


async def ticket_page(request: web.Request) -> web.Response:
    user = await require_user(request)
    try:
        ticket, events, users = await run_db(request, _load_ticket, request.match_info["code"])
    except tickets.TicketNotFound:
        raise web.HTTPNotFound(text="Không tìm thấy phản ánh.") from None
    may_see_phone = ticket.contact_consent and (user.is_supervisor or ticket.assignee_id == user.id)
    handler = ticket.assignee_id == user.id  # only the handling officer sees the conversation unmasked
    allowed = sorted(tickets.TRANSITIONS.get(ticket.status, ()))
    return await render_page(request, "console/ticket.html", user, ticket=ticket, events=events, users=users,
                         allowed=allowed, now=tickets.utcnow(),
                         phone=ticket.phone if may_see_phone else ticket.masked_phone,
                         transcript=ticket.transcript if handler else tickets.masked_transcript(ticket.transcript))


def _act(session, code: str, action: str, user_id: int, form: dict) -> str:
    user = get_user(session, user_id)
    ticket = tickets.get_ticket(session, code)
    text = form.get("text", "")
    if action == "claim":
        if not tickets.claim(session, ticket.id, user):
            raise tickets.TicketError("Phản ánh này đã có người nhận.")
        return "Bạn đã nhận phản ánh."
    if action == "assign":
        assignee = find_user(session, form.get("assignee", ""))
        if assignee is None:
            raise tickets.TicketError("Không có cán bộ này.")
        tickets.assign(session, ticket.id, assignee, user)
        return f"Đã giao cho {assignee.label}."
    if action == "status":
        tickets.change_status(session, ticket.id, form.get("status", ""), user, text)
        return "Đã đổi trạng thái."
    if action == "priority":
        try:
            priority = int(form.get("priority", "0"))
        except ValueError:
            priority = 0
        tickets.set_priority(session, ticket.id, priority, user)
        return "Đã đổi mức ưu tiên."
    if action == "note":
        tickets.add_note(session, ticket.id, user, text)
        return "Đã thêm ghi chú nội bộ."
    if action == "reply":
        tickets.reply(session, ticket.id, user, text)
        return "Đã gửi trả lời tới công dân."
    if action == "resolve":
        tickets.resolve(session, ticket.id, user, text)
        return "Đã đánh dấu giải quyết và mời công dân đánh giá."
    tickets.reopen(session, ticket.id, user, text)
    return "Đã mở lại phản ánh."


async def ticket_action(request: web.Request) -> web.Response:
    user = await require_user(request)
    form = await request.post()
    await _check_csrf(request, form)
    code, action = request.match_info["code"], request.match_info["action"]
    if action not in ACTIONS:
        raise web.HTTPNotFound()
    fields = {key: str(form.get(key, "")) for key in ("text", "status", "assignee", "priority")}
    try:
        message = await run_db(request, _act, code, action, user.id, fields)
    except tickets.TicketNotFound:
        raise web.HTTPNotFound(text="Không tìm thấy phản ánh.") from None
    except tickets.TicketError as error:
        message = f"Không thực hiện được: {error}"
    await _flash(request, message)
    raise web.HTTPFound(f"/console/tickets/{tickets.parse_code(code)}")


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
    settings = app[SETTINGS]
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
    app.router.add_get("/console/queue/{name}", queue)
    app.router.add_get("/console/search", search)
    app.router.add_get("/console/tickets/{code}", ticket_page)
    app.router.add_post("/console/tickets/{code}/{action}", ticket_action)
    app.router.add_get("/console/reports", report_page)
    app.router.add_get("/console/locked", locked_page)
    app.router.add_get("/console/reports.csv", report_csv)
    app.router.add_get("/console/unanswered", unanswered_page)
    app.router.add_get("/console/unanswered.csv", unanswered_csv)

