"""Console pages of the ticket work: queues and search, one ticket and its commands, phone-call
intake, canned replies. Shares the console's sessions, CSRF and page frame (hotline.web.console);
every ticket command goes through `tickets.perform`, and its flash texts, error translations,
labels and history lines come from `tickets.messages`.

Just over 400 lines: the pages share one form-reading and redirect helper set; splitting per
page would repeat it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from datetime import date, datetime, time, timedelta

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session

from hotline import canned, places, tickets
from hotline.tickets import messages
from hotline.tickets.enums import NOT_DELIVERED, EventKind, TicketStatus
from hotline.tickets.intake import PROCEDURE_CODE
from hotline.tickets.messages import (
    EVENT_LABELS,
    PRIORITY_BY_NAME,
    PRIORITY_LABELS,
    REASON_LABELS,
    SLA_LABELS,
    STATUS_LABELS,
)
from hotline.triage import KINDS
from hotline.users import get_user, list_users
from hotline.web.app import SETTINGS, run_db
from hotline.web.console import (
    ACTIONS,
    CHANNEL_SHORT,
    KIND_LABELS,
    PAGE_SIZE,
    QUEUES,
    SECURITY_HEADERS,
    SHOWN_PHONES,
    _check_csrf,
    _csrf_token,
    _flash,
    _local,
    _time_left,
    render_page,
    require_user,
)
from hotline.workcalendar import VN_TZ

log = logging.getLogger(__name__)
_CREATED = re.compile(r"^priority (\d); queue ([^;]*); rules (.*)$")


# --- queues and search -------------------------------------------------------------------

def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10]) if text.strip() else None
    except ValueError:
        return None


def _filters(query) -> tuple[tickets.QueueFilter, dict[str, str]]:
    """The queue filter from the page's query string, and the values to show back in the form."""
    status = query.get("status", "")
    status = status if status in list(tickets.TicketStatus) else ""
    priority = query.get("priority", "")
    priority = priority if priority in ("1", "2", "3") else ""
    commune = re.sub(r"[^0-9A-Za-z]", "", query.get("commune", ""))[:16]
    start, end = _date(query.get("from", "")), _date(query.get("to", ""))
    # Dates are the operator's (Vietnam) days; "to" includes its whole day.
    created_from = datetime.combine(start, time(0), VN_TZ) if start else None
    created_until = datetime.combine(end + timedelta(days=1), time(0), VN_TZ) if end else None
    shown = {"status": status, "priority": priority, "commune": commune,
             "from": start.isoformat() if start else "", "to": end.isoformat() if end else ""}
    return tickets.QueueFilter(status=status or None, priority=int(priority) if priority else None,
                               commune_code=commune or None, created_from=created_from,
                               created_until=created_until), shown


def _load_queue(session, name: str, value: str, user_id: int, page: int, filters: tickets.QueueFilter,
                with_places: bool):
    view = tickets.queue_view(session, name, value=value, user_id=user_id, filters=filters, limit=PAGE_SIZE,
                              offset=(page - 1) * PAGE_SIZE, with_count=True, with_places=with_places)
    return view.rows, view.count, view.places, view.now


def _page(request: web.Request) -> int:
    try:
        return max(1, min(int(request.query.get("page", "1")), 1000))
    except ValueError:
        return 1


async def _queue_data(request: web.Request, with_places: bool):
    user = await require_user(request)
    name = request.match_info["name"]
    if name not in QUEUES:
        raise web.HTTPNotFound(text="Không có hàng đợi này.")
    value = request.query.get("value", "").strip()[:32]
    filters, shown = _filters(request.query)
    page = _page(request)
    rows, count, places_list, now = await run_db(request, _load_queue, name, value, user.id, page, filters,
                                                 with_places)
    return user, name, value, shown, page, rows, count, places_list, now


async def queue(request: web.Request) -> web.Response:
    user, name, value, shown, page, rows, count, places_list, now = await _queue_data(request, True)
    query = {key: val for key, val in {"value": value, **shown}.items() if val}
    return await render_page(request, "console/queue.html", user, name=name, value=value, rows=rows, count=count,
                             places=places_list, page=page, now=now, title=QUEUES[name], filters=shown,
                             query=query, refresh_seconds=request.app[SETTINGS].console_refresh_seconds)


async def queue_rows(request: web.Request) -> web.Response:
    """The queue's rows as HTML plus its count: what the live queue script polls."""
    user, name, value, shown, page, rows, count, _places, now = await _queue_data(request, False)
    html = aiohttp_jinja2.render_string("console/_rows.html", request, {
        "rows": rows, "now": now, "csrf": await _csrf_token(request), "user": user, "status_labels": STATUS_LABELS,
        "kind_labels": KIND_LABELS, "sla_labels": SLA_LABELS, "priority_names": PRIORITY_LABELS,
        "channel_short": CHANNEL_SHORT, "local": _local, "time_left": _time_left,
    })
    shown = f"{count}+" if count >= tickets.COUNT_CAP else str(count)
    return web.json_response({"count": count, "shown": shown, "codes": [t.code for t in rows], "html": html},
                             headers={"Cache-Control": "no-store", **SECURITY_HEADERS})


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
                             page=1, now=tickets.utcnow(), title="Tìm kiếm", error=error, count=len(rows),
                             filters={}, query={}, search={"code": code, "phone": phone, "text": text})


# --- one ticket --------------------------------------------------------------------------

def _actor_label(name: str, labels: dict[str, str]) -> str:
    if name in ("citizen", "system"):
        return messages.operator(f"actor_{name}")
    return labels.get(name, name)


def _queue_place(queue_name: str, ticket: tickets.Ticket) -> str:
    kind, _, code = queue_name.partition(":")
    if kind == "commune":
        if code == ticket.commune_code and ticket.commune_name:
            return ticket.commune_name
        found = places.ward(code)
        return found["name"] if found else messages.operator("place_commune_code", code=code)
    if kind == "province":
        if code == ticket.province_code and ticket.province_name:
            return ticket.province_name
        return messages.operator("place_province_code", code=code)
    return messages.operator("place_unrouted")


def describe_event(event: tickets.TicketEvent, ticket: tickets.Ticket, labels: dict[str, str]) -> str:
    """One history line in plain Vietnamese (stored bodies are terse: "priority 2; queue commune:30850; rules -")."""
    body = event.body or ""
    kind = event.action
    if kind == EventKind.CREATED:
        match = _CREATED.match(body)
        if not match:
            return body
        priority = PRIORITY_LABELS.get(int(match.group(1)), match.group(1))
        text = messages.operator("event_created", priority=priority.lower(),
                                 place=_queue_place(match.group(2), ticket))
        rules = [REASON_LABELS.get(r, r) for r in match.group(3).split(",") if r and r != "-"]
        if rules:
            text += messages.operator("event_created_reasons", reasons=", ".join(rules))
        return text + "."
    if kind == EventKind.STATUS:
        before = STATUS_LABELS.get(event.from_status or "", event.from_status or "")
        after = STATUS_LABELS.get(event.to_status or "", event.to_status or "")
        text = f"{before} → {after}" if before else after
        return text + (f". {body}" if body else "")
    if kind == EventKind.PRIORITY:
        before, _, after = body.partition(" -> ")
        return f"{PRIORITY_BY_NAME.get(before, before)} → {PRIORITY_BY_NAME.get(after, after)}"
    if kind == EventKind.ASSIGNED:
        return messages.operator("event_assigned", assignee=labels.get(body, body))
    if kind == EventKind.CLAIMED:
        return messages.operator("event_claimed")
    if kind == EventKind.REPLY and event.to_status == NOT_DELIVERED:
        return body + messages.operator("event_not_delivered")
    if kind == EventKind.RATED:
        return f"{body}/5"
    if kind == EventKind.PHONE_REVEALED:
        return messages.operator("event_phone_revealed")
    return body


def _load_ticket(session, code: str):
    ticket = tickets.get_ticket(session, code)
    people = list_users(session)
    labels = {u.username: u.label for u in people}
    events = [{"at": e.at, "actor": _actor_label(e.actor, labels), "action": e.action, "internal": e.internal,
               "label": EVENT_LABELS.get(e.action, e.action), "text": describe_event(e, ticket, labels)}
              for e in tickets.history(session, ticket)]
    replies = canned.list_replies(session)
    return ticket, events, people, replies


async def ticket_page(request: web.Request) -> web.Response:
    user = await require_user(request)
    try:
        ticket, events, people, replies = await run_db(request, _load_ticket, request.match_info["code"])
    except tickets.TicketNotFound:
        raise web.HTTPNotFound(text="Không tìm thấy phản ánh.") from None
    session = await get_session(request)
    handler = ticket.assignee_id == user.id
    # Phone and ID numbers are masked for everyone, the handling officer included; the officer
    # reveals the phone with one click, which the history records (see `reveal_phone`).
    shown = handler and ticket.code in session.get("phones", [])
    settings = request.app[SETTINGS]
    fill = {"code": ticket.code, "due": ticket.sla_due_at, "hotline": settings.hotline_phone}
    chosen = request.query.get("mau", "")
    reply_text = next((canned.fill(r.body, **fill) for r in replies if str(r.id) == chosen), "")
    created = session.pop("created", None) == ticket.code
    offered = (TicketStatus.IN_PROGRESS, TicketStatus.WAITING_FOR_CITIZEN, TicketStatus.TRIAGED, TicketStatus.CLOSED)
    allowed = [s.value for s in offered if s in tickets.TRANSITIONS.get(ticket.status, ())]
    return await render_page(
        request, "console/ticket.html", user, ticket=ticket, events=events, users=people, allowed=allowed,
        now=tickets.utcnow(), handler=handler, phone=ticket.phone if shown else ticket.masked_phone,
        phone_shown=shown, may_reveal=handler and bool(ticket.phone) and ticket.contact_consent and not shown,
        transcript=tickets.masked_transcript(ticket.transcript),
        canned=[{"id": r.id, "title": r.title, "text": canned.fill(r.body, **fill)} for r in replies],
        reply_text=reply_text, created=created, hotline_phone=settings.hotline_phone,
        read_back=_read_back(ticket) if created else "",
    )


def _read_back(ticket: tickets.Ticket) -> str:
    """What the operator reads to the caller: the code in groups, and when they will hear back."""
    _, year, number = ticket.code.split("-")
    spoken = " ".join(number)
    due = ticket.sla_due_at.astimezone(VN_TZ).strftime("%H:%M ngày %d/%m/%Y")
    return messages.operator("call_read_back", year=year, spoken=spoken, due=due)


def _priority(raw: str) -> int:
    try:
        return int(raw or "0")
    except ValueError:
        return 0  # set_priority refuses it with its own message


def _act(session, code: str, action: str, user_id: int, form: dict) -> str:
    """Run the form's command through `tickets.perform`; the flash message it leaves."""
    user = get_user(session, user_id)
    if action == tickets.Operation.STATUS and not form.get("status"):
        tickets.get_ticket(session, code)  # an unknown code is still "not found"
        raise tickets.TicketError(messages.operator("pick_status"))
    done = tickets.perform(session, code, action, user, text=form.get("text", ""), status=form.get("status", ""),
                           assignee=form.get("assignee", ""), priority=_priority(form.get("priority", "")))
    if done.operation is tickets.Operation.ASSIGN:
        return messages.operator("done_assign", assignee=done.assignee.label)
    if done.operation is tickets.Operation.STATUS:
        return messages.operator("done_status", status=STATUS_LABELS.get(form["status"], form["status"]))
    if done.operation is tickets.Operation.REPLY and not done.delivered:
        return messages.operator("done_reply_not_delivered")
    return messages.operator(f"done_{done.operation.value}")


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
        raise web.HTTPNotFound(text=messages.operator("not_found")) from None
    except tickets.TicketError as error:
        message = messages.operator_error(str(error))
    else:
        if action == "phone":
            session = await get_session(request)
            session["phones"] = ([c for c in session.get("phones", []) if c != tickets.parse_code(code)]
                                 + [tickets.parse_code(code)])[-SHOWN_PHONES:]
    await _flash(request, message)
    raise web.HTTPFound(f"/console/tickets/{tickets.parse_code(code)}")


# --- phone-call intake -------------------------------------------------------------------

INTAKE_FIELDS = ("citizen_name", "phone", "commune", "commune_code", "procedure", "dossier_code", "description",
                 "occurred", "kind", "intake_id")


def _intake_context(form: dict, place: places.Place | None = None, error: str | None = None,
                    ward: dict | None = None) -> dict:
    return {"form": form, "place": place, "error": error, "ward": ward, "title": "Nhận cuộc gọi"}


async def intake_page(request: web.Request) -> web.Response:
    user = await require_user(request)
    form = {key: "" for key in INTAKE_FIELDS}
    form.update(kind="complaint", intake_id=uuid.uuid4().hex, consent="on", claim="on")
    return await render_page(request, "console/intake.html", user, **_intake_context(form))


def _create_from_call(session, user_id: int, form: dict, ward: dict | None) -> tickets.Ticket:
    user = get_user(session, user_id)
    procedure = form["procedure"]
    code = PROCEDURE_CODE.search(procedure)
    description = form["description"]
    if procedure and not code:
        description += f"\nThủ tục: {procedure}"  # a name only: keep the caller's words with the complaint
    opened = tickets.open_ticket(
        session, kind=form["kind"], description=description, channel="phone",
        channel_message_id=f"call:{form['intake_id']}", phone=form["phone"], contact_consent=bool(form.get("consent")),
        citizen_name=form["citizen_name"], occurred=form["occurred"],
        office=form["commune"] if ward is None else None,
        commune_code=ward and ward["code"], commune_name=ward["name"] if ward else (form["commune"] or None),
        province_code=ward and ward["province_code"], province_name=ward and ward["province"],
        procedure_code=code.group(0) if code else None, dossier_code=form["dossier_code"] or None, taken_by=user,
    )
    if opened.created and form.get("claim"):
        tickets.claim(session, opened.ticket.id, user)
    return opened.ticket


async def intake(request: web.Request) -> web.Response:
    """Log a phone call as a ticket: same triage, SLA and code as the assistant's intake."""
    user = await require_user(request)
    posted = await request.post()
    await _check_csrf(request, posted)
    form = {key: str(posted.get(key, "")).strip()[:tickets.MAX_DESCRIPTION] for key in INTAKE_FIELDS}
    form["consent"], form["claim"] = posted.get("consent", ""), posted.get("claim", "")
    if not re.fullmatch(r"[0-9a-f]{32}", form["intake_id"]):
        form["intake_id"] = uuid.uuid4().hex
    looking_up = posted.get("op") == "lookup"  # "Tra địa bàn": look the typed text up afresh
    ward = None
    if form["commune_code"] and not looking_up:
        ward = await asyncio.to_thread(places.ward, form["commune_code"])
    form["commune_code"] = ""
    place = None
    if form["commune"] and ward is None:
        place = await asyncio.to_thread(places.resolve, form["commune"])
        ward = place.ward if place.status == "found" else None
    if ward is not None:
        form["commune_code"] = ward["code"]
    if looking_up:
        return await render_page(request, "console/intake.html", user, **_intake_context(form, place, ward=ward))
    error = None
    if form["kind"] not in KINDS:
        form["kind"], error = "complaint", messages.operator("call_choose_kind")
    elif len(re.sub(r"\W", "", form["description"])) < 5:
        error = messages.operator("call_describe")
    elif form["phone"] and tickets.normalize_phone(form["phone"]) is None:
        error = messages.operator("call_bad_phone")
    elif place is not None and place.status == "choose":
        error = messages.operator("call_choose_ward")
    elif place is not None and place.status == "not_found":
        error = messages.operator("call_unknown_ward")
    if error:
        return await render_page(request, "console/intake.html", user, status=400,
                                 **_intake_context(form, place, error, ward))
    try:
        ticket = await run_db(request, _create_from_call, user.id, form, ward)
    except tickets.TicketError as failure:
        return await render_page(request, "console/intake.html", user, status=400,
                                 **_intake_context(form, place, messages.operator("call_not_created", error=failure), ward))
    log.info("phone call logged as %s by %s", ticket.code, user.username)
    session = await get_session(request)
    session["created"] = ticket.code
    await _flash(request, messages.operator("call_created", code=ticket.code))
    raise web.HTTPFound(f"/console/tickets/{ticket.code}")


# --- canned replies ----------------------------------------------------------------------

async def canned_page(request: web.Request) -> web.Response:
    user = await require_user(request)
    replies = await run_db(request, lambda s: canned.list_replies(s, include_inactive=user.is_supervisor))
    return await render_page(request, "console/canned.html", user, replies=replies, placeholders=canned.PLACEHOLDERS,
                             title="Câu trả lời mẫu")


async def canned_save(request: web.Request) -> web.Response:
    user = await require_user(request)
    form = await request.post()
    await _check_csrf(request, form)
    raw_id = str(form.get("id", ""))
    reply_id = int(raw_id) if raw_id.isdigit() else None

    def save(session):
        canned.save_reply(session, get_user(session, user.id), str(form.get("title", "")), str(form.get("body", "")),
                          reply_id, active=reply_id is None or bool(form.get("active")))

    try:
        await run_db(request, save)
        message = messages.operator("canned_saved")
    except canned.CannedError as error:
        message = messages.operator("canned_not_saved", error=error)
    await _flash(request, message)
    raise web.HTTPFound("/console/canned")


def add_routes(app: web.Application) -> None:
    """The ticket pages' routes (called by hotline.web.console.setup)."""
    app.router.add_get("/console/queue/{name}", queue)
    app.router.add_get("/console/queue/{name}/rows", queue_rows)
    app.router.add_get("/console/search", search)
    app.router.add_get("/console/tickets/{code}", ticket_page)
    app.router.add_post("/console/tickets/{code}/{action}", ticket_action)
    app.router.add_get("/console/intake", intake_page)
    app.router.add_post("/console/intake", intake)
    app.router.add_get("/console/canned", canned_page)
    app.router.add_post("/console/canned", canned_save)
