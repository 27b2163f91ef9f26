"""Sub-commands of ``python -m hotline`` for the tickets area: console users, tickets, outbox."""

from __future__ import annotations

import argparse
import getpass
import sys

from hotline.db import open_database, transaction
from hotline.settings import load_settings


def _sessions():
    return open_database(load_settings().hotline_database_url)


def _password(args: argparse.Namespace) -> str | None:
    if args.password is not None:
        return args.password
    password = getpass.getpass("Mật khẩu / password: ")
    if password != getpass.getpass("Nhập lại / again: "):
        print("passwords differ", file=sys.stderr)
        return None
    return password


def _users_create(args: argparse.Namespace) -> int:
    from hotline.users import create_user

    password = _password(args)
    if password is None:
        return 2
    try:
        with transaction(_sessions()) as session:
            user = create_user(session, args.username, password, args.role, args.name or "")
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"created {user.role} {user.username}")
    return 0


def _users_passwd(args: argparse.Namespace) -> int:
    """Set a user's password; every open console session of that user is closed."""
    from hotline.users import find_user, set_password

    password = _password(args)
    if password is None:
        return 2
    with transaction(_sessions()) as session:
        user = find_user(session, args.username)
        if user is None:
            print(f"error: no user {args.username!r}", file=sys.stderr)
            return 2
        try:
            set_password(session, user, password)
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    print(f"password changed for {args.username}; their console sessions were closed")
    return 0


def _users_list(_args: argparse.Namespace) -> int:
    from hotline.users import list_users

    with transaction(_sessions()) as session:
        for user in list_users(session):
            print(f"{user.username}\t{user.role}\t{user.display_name}")
    return 0


def _tickets_show(args: argparse.Namespace) -> int:
    from hotline import tickets

    with transaction(_sessions()) as session:
        try:
            ticket = tickets.get_ticket(session, args.code)
        except tickets.TicketNotFound:
            print("no such ticket", file=sys.stderr)
            return 1
        print(f"{ticket.code} {ticket.kind} {ticket.status} priority={ticket.priority_name} "
              f"phone={ticket.masked_phone or '-'} due={ticket.sla_due_at.isoformat()}")
        for event in tickets.history(session, ticket):
            print(f"  {event.at.isoformat()} {event.actor} {event.action} {event.to_status or ''}")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register `users create|list` and `tickets show`."""
    users = commands.add_parser("users", help="console users (operators, supervisors)")
    sub = users.add_subparsers(dest="users_command", required=True)
    create = sub.add_parser("create", help="add a console user")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=("operator", "supervisor"))
    create.add_argument("--password", help="omit to be prompted (keeps it out of shell history)")
    create.add_argument("--name", help="display name")
    create.set_defaults(handler=_users_create)
    sub.add_parser("list", help="list active users").set_defaults(handler=_users_list)
    passwd = sub.add_parser("passwd", help="set a user's password (closes their console sessions)")
    passwd.add_argument("--username", required=True)
    passwd.add_argument("--password", help="omit to be prompted (keeps it out of shell history)")
    passwd.set_defaults(handler=_users_passwd)

    tickets = commands.add_parser("tickets", help="hotline tickets")
    tsub = tickets.add_subparsers(dest="tickets_command", required=True)
    show = tsub.add_parser("show", help="a ticket and its history (phone masked)")
    show.add_argument("code")
    show.set_defaults(handler=_tickets_show)
