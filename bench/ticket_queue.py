"""Ticket queue benchmark: intake rate, then every queue view and a claim at 100,000 tickets.

    .venv/bin/python bench/ticket_queue.py [--tickets 100000] [--backends sqlite,postgresql]

Intake is measured through `open_ticket` (one committed transaction per ticket, as a citizen's
message does); the rest of the 100,000 are bulk-inserted with the same derived columns so the
views are timed on a realistic mix (about a third waiting, a third with operators, the rest done).
PostgreSQL runs in a throwaway database created through TEST_POSTGRES_URL (default: the local `test`).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from hotline import tickets as T  # noqa: E402
from hotline.db import make_engine, make_session_factory, transaction, upgrade  # noqa: E402
from hotline.dbtypes import utcnow  # noqa: E402
from hotline.triage import KINDS  # noqa: E402
from hotline.users import User, hash_password  # noqa: E402

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TARGET_MS = 50.0


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 2 else samples[0]


def make_users(sessions, count: int = 40) -> list[User]:
    with transaction(sessions) as session:
        digest = hash_password("benchmark-pw", rounds=4)
        users = [User(username=f"op{i}", display_name=f"Op {i}", password_hash=digest, role="operator", active=True)
                 for i in range(count)]
        session.add_all(users)
    return users


def intake(sessions, count: int, rng: random.Random) -> float:
    start = time.perf_counter()
    for i in range(count):
        T.open_ticket(sessions, kind=rng.choice(KINDS), description=f"Phản ánh thử số {i} về thủ tục sau sáp nhập",
                      channel="telegram", reply_address=str(10_000 + i), channel_message_id=f"bench:{i}",
                      sender_id=f"telegram:{10_000 + i}", phone=f"09{rng.randrange(10**8):08d}",
                      province_code=f"{rng.randrange(1, 35):02d}", commune_code=f"{rng.randrange(3321):05d}")
    return count / (time.perf_counter() - start)


def bulk(sessions, engine, first: int, total: int, users: list[User], rng: random.Random) -> None:
    now = utcnow()
    year = now.year
    rows = []
    for number in range(first, total + 1):
        created = now - timedelta(minutes=rng.randrange(60 * 24 * 120))
        due = created + timedelta(hours=rng.choice((4, 8, 16, 40)) * 2)
        roll = rng.random()
        if roll < 0.3:
            status, assignee = rng.choice(("new", "triaged")), None
        elif roll < 0.6:
            status, assignee = rng.choice(("assigned", "in_progress", "waiting_for_citizen")), rng.choice(users).id
        else:
            status, assignee = rng.choice(("resolved", "closed")), rng.choice(users).id
        is_open = status in T.OPEN_STATUSES
        answered = status not in ("new", "triaged")
        commune = rng.randrange(3321)
        rows.append(dict(
            code=T.format_code(year, number), kind=rng.choice(KINDS), description=f"Phản ánh số {number}: thủ tục",
            status=status, priority=rng.choice((1, 2, 2, 2, 3)), triage_reasons="", channel="web",
            reply_address=f"s{number}", channel_message_id=None, sender_id=f"web:s{number}", language="vi",
            phone=f"09{rng.randrange(10**8):08d}", contact_consent=True,
            province_code=f"{commune % 34 + 1:02d}", province_name=f"Tỉnh {commune % 34 + 1}",
            commune_code=f"{commune:05d}", commune_name=f"Xã {commune}", transcript=None,
            assignee_id=assignee, sla_due_at=due, is_open=is_open,
            queue_state=(T.QueueState.DONE.value if not is_open else T.QueueState.UNASSIGNED.value if assignee is None
                         else T.QueueState.ASSIGNED.value),
            open_sla_due_at=due if is_open and not answered else None, created_at=created, updated_at=created,
            first_response_at=created + timedelta(hours=3) if answered else None,
            resolved_at=created + timedelta(hours=20) if not is_open else None,
        ))
        if len(rows) == 5000:
            with transaction(sessions) as session:
                session.execute(insert(T.Ticket), rows)
            rows = []
    if rows:
        with transaction(sessions) as session:
            session.execute(insert(T.Ticket), rows)
    with transaction(sessions) as session:
        session.execute(text("UPDATE ticket_counters SET value = :v WHERE year = :y"), {"v": total, "y": year})
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()


def time_views(sessions, users: list[User], rng: random.Random, rounds: int, total: int) -> dict[str, list[float]]:
    user = users[0]
    views = {
        "unassigned": lambda s: T.queue_unassigned(s),
        "unassigned p.10": lambda s: T.queue_unassigned(s, offset=450),
        "mine": lambda s: T.queue_mine(s, rng.choice(users).id),
        "sla due/breached": lambda s: T.queue_sla(s),
        "by commune": lambda s: T.queue_by_commune(s, f"{rng.randrange(3321):05d}"),
        "by province": lambda s: T.queue_by_province(s, f"{rng.randrange(1, 35):02d}"),
        "by kind": lambda s: T.queue_by_kind(s, rng.choice(KINDS)),
        "search code": lambda s: T.search(s, code=T.format_code(utcnow().year, rng.randrange(1, total))),
        "search phone": lambda s: T.search(s, phone=f"09{rng.randrange(10**8):08d}"),
        "ticket + history": lambda s: T.history(s, T.get_ticket(s, rng.randrange(1, total))),
        # what the console's live queue asks every CONSOLE_REFRESH_SECONDS per open page: rows + count
        "live rows + count": lambda s: (T.queue(s, "unassigned"), T.queue_count(s, "unassigned")),
        "open, high, one commune": lambda s: (
            T.queue(s, "open", filters=T.QueueFilter(priority=1, commune_code=f"{rng.randrange(3321):05d}")),
            T.queue_count(s, "open", filters=T.QueueFilter(priority=1, commune_code=f"{rng.randrange(3321):05d}"))),
        "open, one week + count": lambda s: (
            T.queue(s, "open", filters=T.QueueFilter(created_from=utcnow() - timedelta(days=7))),
            T.queue_count(s, "open", filters=T.QueueFilter(created_from=utcnow() - timedelta(days=7)))),
    }
    results: dict[str, list[float]] = {}
    for name, view in views.items():
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            with transaction(sessions) as session:
                view(session)
            samples.append((time.perf_counter() - start) * 1000)
        results[name] = samples
    claims = []
    with transaction(sessions) as session:
        targets = [t.id for t in T.queue_unassigned(session, limit=rounds)]
    for ticket_id in targets:
        start = time.perf_counter()
        with transaction(sessions) as session:
            assert T.claim(session, ticket_id, user)
        claims.append((time.perf_counter() - start) * 1000)
    results["claim"] = claims
    return results


def run(backend: str, url: str, total: int, intake_count: int, rounds: int) -> None:
    rng = random.Random(7)
    upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    users = make_users(sessions)
    rate = intake(sessions, intake_count, rng)
    start = time.perf_counter()
    bulk(sessions, engine, intake_count + 1, total, users, rng)
    bulk_rate = (total - intake_count) / (time.perf_counter() - start)
    results = time_views(sessions, users, rng, rounds, total)
    print(f"\n### {backend}: {total:,} tickets")
    print(f"intake through open_ticket (1 commit per ticket): {rate:,.0f} tickets/s ({intake_count:,} tickets)")
    print(f"bulk load of the rest: {bulk_rate:,.0f} tickets/s")
    print(f"\n| view | p50 ms | p95 ms | < {TARGET_MS:.0f} ms |\n|---|---:|---:|:---:|")
    for name, samples in results.items():
        worst = p95(samples)
        print(f"| {name} | {statistics.median(samples):.2f} | {worst:.2f} | {'yes' if worst < TARGET_MS else 'NO'} |")
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--intake", type=int, default=2_000, help="tickets opened one by one through open_ticket")
    parser.add_argument("--rounds", type=int, default=50, help="timed runs per view")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                run("SQLite", f"sqlite:///{folder}/bench.db", args.tickets, args.intake, args.rounds)
        elif backend == "postgresql":
            import psycopg2

            name = f"hotline_bench_{uuid.uuid4().hex[:8]}"
            admin = psycopg2.connect(ADMIN_URL)
            admin.autocommit = True
            admin.cursor().execute(f'CREATE DATABASE "{name}"')
            try:
                run("PostgreSQL", f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}", args.tickets, args.intake, args.rounds)
            finally:
                admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}"')
                admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
