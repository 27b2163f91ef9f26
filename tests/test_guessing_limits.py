"""Guessing is bounded: console logins, dossier digits and ticket digits, whoever asks."""

from __future__ import annotations

import time
from datetime import timedelta

from test_console_web import client, csrf_of, log_in, sessions  # noqa: F401  (the client fixture)
from test_dossier_repo import CODE, NOW, row
from tickets_helpers import add_user, complaint

from hotline import tickets as T
from hotline.db import transaction
from hotline.dbtypes import utcnow
from hotline.dossiers import answer_text
from hotline.dossiers.importer import import_records
from hotline.dossiers.lookup import FOUND, LIMITED, NO_MATCH, verify_and_lookup
from hotline.lookup_limits import locked_codes
from hotline.users import authenticate, create_user


def test_unknown_and_known_usernames_cost_the_same(sqlite_sessions):
    with transaction(sqlite_sessions) as session:
        create_user(session, "lan", "mat-khau-123", "operator")  # the production cost (12 rounds)

    def timed(username: str) -> float:
        best = float("inf")
        for _ in range(4):
            with transaction(sqlite_sessions) as session:
                started = time.perf_counter()
                assert authenticate(session, username, "wrong-password") is None
                best = min(best, time.perf_counter() - started)
        return best

    timed("nobody")  # the dummy hash is computed once, lazily
    known, unknown = timed("lan"), timed("nobody-at-all")
    # Same work either way (a bcrypt check of ~0.3 s); without the dummy hash an unknown name would
    # answer in about a millisecond. 10% leaves room for a busy CI machine (0.305 vs 0.289 s seen).
    assert abs(known - unknown) < max(0.015, 0.1 * known), (known, unknown)


async def test_the_eleventh_wrong_password_is_throttled_even_with_the_right_one(client):  # noqa: F811
    add_user(sessions(client), "lan")
    for _ in range(10):
        wrong = await log_in(client, "lan", "sai-mat-khau")
        assert "Sai tên đăng nhập" in await wrong.text()
    throttled = await log_in(client, "lan", "mat-khau-123")
    assert throttled.status == 429 and "thử lại sau" in await throttled.text()
    # unknown usernames are throttled the same way (no hint that an account exists)
    for _ in range(10):
        await log_in(client, "khong-ton-tai", "x" * 9)
    assert (await log_in(client, "khong-ton-tai", "x" * 9)).status == 429


async def test_logout_and_password_change_revoke_the_cookie(client):  # noqa: F811
    add_user(sessions(client), "lan")
    assert (await log_in(client, "lan")).status == 302
    stolen = {c.key: c.value for c in client.session.cookie_jar}
    assert (await client.get("/console/queue/unassigned", allow_redirects=False)).status == 200
    token = await csrf_of(client, "/console/queue/unassigned")
    await client.post("/console/logout", data={"csrf": token}, allow_redirects=False)
    client.session.cookie_jar.update_cookies(stolen)  # someone kept a copy of the cookie
    assert (await client.get("/console/queue/unassigned", allow_redirects=False)).status == 302
    # a password change closes every session of the user, on every device
    client.session.cookie_jar.clear()
    assert (await log_in(client, "lan")).status == 302
    other_device = {c.key: c.value for c in client.session.cookie_jar}
    token = await csrf_of(client, "/console/password")
    changed = await client.post("/console/password", data={"csrf": token, "current": "mat-khau-123",
                                                          "new": "mat-khau-moi-456", "again": "mat-khau-moi-456"},
                                allow_redirects=False)
    assert changed.status == 302
    client.session.cookie_jar.update_cookies(other_device)
    assert (await client.get("/console/queue/unassigned", allow_redirects=False)).status == 302
    client.session.cookie_jar.clear()
    assert (await log_in(client, "lan", "mat-khau-moi-456")).status == 302


# ------------------------------------------------------------------ dossiers and tickets

def test_rotating_senders_cannot_exceed_the_per_code_limit_on_dossier_digits(sqlite_sessions):
    import_records(sqlite_sessions, [row()])
    now = NOW
    kinds = []
    for guess in range(12):  # a fresh sender for every guess, as with rotated widget sessions
        with transaction(sqlite_sessions) as session:
            kinds.append(verify_and_lookup(session, f"web:rotated-{guess}", CODE, f"{guess:04d}",
                                           now + timedelta(seconds=guess)).kind)
    assert kinds[:9] == [NO_MATCH] * 9 and set(kinds[9:]) == {LIMITED}
    with transaction(sqlite_sessions) as session:
        # even the right digits from yet another sender are refused until the hour has passed
        locked = verify_and_lookup(session, "web:owner", CODE, "5678", now + timedelta(minutes=5))
        assert locked.kind == LIMITED and locked.view is None and "tạm khóa" in answer_text(locked)
        # an unknown code behaves the same (a lock says nothing about whether the code exists)
        assert [c.code for c in locked_codes(session, now + timedelta(minutes=5))] == [CODE]
        later = verify_and_lookup(session, "web:owner", CODE, "5678", now + timedelta(minutes=61))
        assert later.kind == FOUND


def test_rotating_senders_cannot_exceed_the_per_code_limit_on_ticket_digits(sqlite_sessions):
    ticket = T.open_ticket(sqlite_sessions, **complaint(phone="0912345678"))
    now = utcnow()
    results = []
    for guess in range(8):
        with transaction(sqlite_sessions) as session:
            results.append(T.lookup_for_citizen(session, ticket.code, f"web:guesser-{guess}", f"{guess:04d}",
                                                now + timedelta(seconds=guess)))
    assert all(r.ticket is None for r in results)
    assert [r.locked_minutes > 0 for r in results] == [False] * 4 + [True] * 4
    with transaction(sqlite_sessions) as session:
        right = T.lookup_for_citizen(session, ticket.code, "web:someone", "5678", now + timedelta(minutes=1))
        assert right.ticket is None and right.locked_minutes > 0
        # the citizen's own conversation is not a guess: the owner still sees it
        owner = T.lookup_for_citizen(session, ticket.code, "web:sess-1", None, now + timedelta(minutes=2))
        assert owner.ticket is not None
