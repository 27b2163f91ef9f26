"""JSON API under /api/ for the ticket operations (documented in docs/openapi.yaml).

Every route except the widget's message poll needs `Authorization: Bearer <API_TOKEN>`.
Operator actions name the acting console user in the body ("operator"). Phone numbers are
always masked in answers. The app also runs the outbox delivery loop (hotline.notify).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from functools import wraps

from aiohttp import web

from hotline import notify, reports, tickets
from hotline.masking import mask_personal_data
from hotline.triage import PRIORITY_NAMES
from hotline.users import find_user
from hotline.web.app import SESSIONS, SETTINGS, run_db

log = logging.getLogger(__name__)

WIDGET_CORS = {"Cache-Control": "no-store", "Access-Control-Allow-Origin": "*",
               "Access-Control-Allow-Methods": "POST, OPTIONS", "Access-Control-Allow-Headers": "Content-Type",
               "Access-Control-Max-Age": "86400"}
QUEUE_NAMES = tickets.QUEUE_NAMES
# Every operator command but revealing the phone (the API never shows a full number).
OPERATOR_ACTIONS = tuple(op.value for op in tickets.Operation if op is not tickets.Operation.PHONE)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def token_required(handler):
    @wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        expected = request.app[SETTINGS].api_token
        header = request.headers.get("Authorization", "")
        given = header[7:] if header.startswith("Bearer ") else ""
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            return _error(401, "missing or wrong bearer token")
        return await handler(request)

    return wrapper



async def _body(request: web.Request) -> dict:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise web.HTTPBadRequest(text=json.dumps({"error": "body must be JSON"}),
                                 content_type="application/json") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text=json.dumps({"error": "body must be a JSON object"}),
                                 content_type="application/json")
    return body


def ticket_json(ticket: tickets.Ticket, events=None) -> dict:
    data = {
        "code": ticket.code, "kind": ticket.kind, "description": mask_personal_data(ticket.description),
        "status": ticket.status,
        "priority": PRIORITY_NAMES.get(ticket.priority, "normal"), "channel": ticket.channel,
        "phone_masked": ticket.masked_phone or None, "contact_consent": ticket.contact_consent,
        "province_code": ticket.province_code, "province_name": ticket.province_name,
        "commune_code": ticket.commune_code, "commune_name": ticket.commune_name,
        "procedure_code": ticket.procedure_code, "dossier_code": ticket.dossier_code,
        "occurred": ticket.occurred and mask_personal_data(ticket.occurred),
        "office": ticket.office and mask_personal_data(ticket.office),
        "assignee": ticket.assignee.username if ticket.assignee else None,
        "sla_due_at": ticket.sla_due_at.isoformat(), "sla_state": ticket.sla_state(),
        "csat_rating": ticket.csat_rating, "language": ticket.language,
        "created_at": ticket.created_at.isoformat(), "updated_at": ticket.updated_at.isoformat(),
        "first_response_at": ticket.first_response_at.isoformat() if ticket.first_response_at else None,
        "resolved_at": ticket.resolved_at.isoformat() if ticket.resolved_at else None,
    }
    if events is not None:
        data["history"] = [
            {"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "from_status": e.from_status,
             "to_status": e.to_status, "body": e.body, "internal": e.internal} for e in events
        ]
        data["transcript"] = tickets.masked_transcript(ticket.transcript)
    return data


@token_required
async def list_tickets(request: web.Request) -> web.Response:
    q = request.query
    queue = q.get("queue", "")
    value = q.get("value", "")[:32]

    def load(session):
        if any(q.get(key) for key in ("code", "phone", "text", "dossier_code")):
            return tickets.search(session, code=q.get("code"), phone=q.get("phone"), text=q.get("text"),
                                  dossier_code=q.get("dossier_code"))
        name = queue or "unassigned"
        if not tickets.valid_queue(name, value):
            return None
        user_id = None
        if name == "mine":
            user = find_user(session, q.get("operator", ""))
            if user is None:
                return []
            user_id = user.id
        return tickets.queue_view(session, name, value=value, user_id=user_id).rows

    rows = await run_db(request, load)
    if rows is None:
        return _error(400, f"queue must be one of {', '.join(QUEUE_NAMES)} (kind needs value=<kind>)")
    return web.json_response({"tickets": [ticket_json(t) for t in rows]})


CREATE_FIELDS = ("kind", "description", "channel", "reply_address", "channel_message_id", "sender_id", "phone",
                 "contact_consent", "province_code", "province_name", "commune_code", "commune_name",
                 "procedure_code", "dossier_code", "transcript", "language", "occurred", "office")


@token_required
async def create(request: web.Request) -> web.Response:
    body = await _body(request)
    fields = {key: body[key] for key in CREATE_FIELDS if key in body}
    for key, value in fields.items():
        if key == "transcript":
            if not isinstance(value, list):
                return _error(400, "transcript must be a list")
        elif key == "contact_consent":
            fields[key] = bool(value)
        elif value is not None and not isinstance(value, str):
            return _error(400, f"{key} must be a string")
    fields.setdefault("channel", "api")
    try:
        opened = await asyncio.to_thread(tickets.open_ticket, request.app[SESSIONS], **fields)
    except TypeError:
        return _error(400, "kind and description are required")
    except tickets.TicketError as error:
        return _error(400, str(error))
    return web.json_response(ticket_json(opened.ticket), status=201 if opened.created else 200)


@token_required
async def show(request: web.Request) -> web.Response:
    def load(session):
        ticket = tickets.get_ticket(session, request.match_info["code"])
        return ticket_json(ticket, tickets.history(session, ticket))

    try:
        return web.json_response(await run_db(request, load))
    except tickets.TicketNotFound:
        return _error(404, "no such ticket")


@token_required
async def act(request: web.Request) -> web.Response:
    action = request.match_info["action"]
    body = await _body(request)
    text = body.get("text") if isinstance(body.get("text"), str) else ""

    def run(session):
        ticket = tickets.get_ticket(session, request.match_info["code"])
        if action == "rate":
            rating = body.get("rating")
            tickets.rate(session, ticket.id, rating if isinstance(rating, int) else -1)
            return ticket
        operator = find_user(session, str(body.get("operator", "")))
        if operator is None or not operator.active:
            raise PermissionError("operator must name an active console user")
        priority = body.get("priority")
        return tickets.perform(session, ticket.id, action, operator, text=text, status=str(body.get("status", "")),
                               assignee=str(body.get("assignee", "")),
                               priority=priority if isinstance(priority, int) else 0).ticket

    if action not in OPERATOR_ACTIONS + ("rate",):
        return _error(404, "unknown action")
    try:
        ticket = await run_db(request, run)
    except tickets.TicketNotFound:
        return _error(404, "no such ticket")
    except PermissionError as error:
        return _error(403, str(error))
    except tickets.TicketError as error:
        return _error(409, str(error))
    return web.json_response(ticket_json(ticket))


@token_required
async def report(request: web.Request) -> web.Response:
    period = request.query.get("period", "") or reports.current_period()
    try:
        result = await run_db(request, reports.build_report, period)
    except ValueError as error:
        return _error(400, str(error))
    if request.query.get("format") == "csv":
        return web.Response(body=reports.report_csv(result).encode("utf-8"), content_type="text/csv",
                            charset="utf-8")
    return web.json_response({
        "period": result.period, "label": result.label, "total": result.total,
        "by_kind": dict(result.by_kind), "by_commune": dict(result.by_commune),
        "sla": {"met": result.sla_met, "breached": result.sla_breached, "pending": result.sla_pending,
                "compliance_percent": result.sla_compliance},
        "median_first_response_hours": result.median_first_response_hours,
        "median_resolution_hours": result.median_resolution_hours,
        "csat": {"count": result.csat_count, "average": result.csat_average,
                 "distribution": dict(result.csat_distribution)},
    })


async def widget_messages(request: web.Request) -> web.Response:
    """Operator messages for a web-widget session after a cursor (the session id is the widget's
    own secret, so it comes in the body, never in a logged URL)."""
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError, RecursionError):
        body = None
    session_id = body.get("session") if isinstance(body, dict) else None
    after = body.get("after", 0) if isinstance(body, dict) else 0
    if not isinstance(session_id, str) or not session_id or len(session_id) > 128:
        return _error(400, "session is required")
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        after = 0
    messages = await asyncio.to_thread(notify.web_messages, request.app[SESSIONS], "web", session_id, after)
    # The widget runs on portal pages of other origins; no cookies are involved, the session
    # id is the only secret, so any origin may read its own session's messages.
    return web.json_response({"messages": messages}, headers=WIDGET_CORS)


async def widget_messages_options(_request: web.Request) -> web.Response:
    return web.Response(status=204, headers=WIDGET_CORS)


async def _outbox_context(app: web.Application):
    """Run the delivery loop while the app runs."""
    settings = app[SETTINGS]
    senders = {}
    if settings.telegram_bot_token:
        senders["telegram"] = notify.TelegramSender(settings.telegram_bot_token, settings.telegram_api_base_url)
    if settings.zalo_enabled:
        senders["zalo"] = notify.ZaloSender(settings, app[SESSIONS])
    task = asyncio.create_task(notify.delivery_loop(app[SESSIONS], senders))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    for sender in senders.values():
        with contextlib.suppress(Exception):
            await sender.close()


def setup(app: web.Application) -> None:
    app.router.add_get("/api/tickets", list_tickets)
    app.router.add_post("/api/tickets", create)
    app.router.add_get("/api/tickets/{code}", show)
    app.router.add_post("/api/tickets/{code}/{action}", act)
    app.router.add_get("/api/reports", report)
    app.router.add_post("/api/widget/messages", widget_messages)
    app.router.add_route("OPTIONS", "/api/widget/messages", widget_messages_options)
    app.cleanup_ctx.append(_outbox_context)
