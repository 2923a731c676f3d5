"""``cvp serve`` (the web app) and ``cvp users`` (accounts: there are no default ones)."""

from __future__ import annotations

import sys
from typing import Any

import click

from planner.cli import actor_of, cvp, session_of
from planner.errors import UserError


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise UserError("--password-stdin: no password on standard input")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@cvp.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--demo", is_flag=True, help="Import the sample day (Xi'an South, 2010-08-05) into the store first.")
@click.option("--server", type=click.Choice(["auto", "waitress", "werkzeug"]), default="auto", show_default=True,
              help="WSGI server: waitress when installed, else Werkzeug's threaded server.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Request threads.")
@click.pass_context
def serve_command(ctx, host, port, demo, server, threads):
    """Serve the web app (dispatchers, field staff, planners) on the store in use.

    Create accounts first with `cvp users add`.  For production run it behind a
    WSGI server instead, e.g. `waitress-serve --call web.app:create_app`, with
    CVP_DATABASE_URL and CVP_SECRET_KEY set (docs/web.md).
    """
    from planner.store.db import database_url, describe
    from web.app import create_app

    root = ctx.find_root().obj or {}
    if demo:
        _import_demo(ctx)
    app = create_app({"RULES_FILE": root.get("rules_file")})
    click.echo(f"database: {describe(database_url())}")
    click.echo(f"serving on http://{host}:{port}/  (Ctrl+C to stop)")
    if server in ("auto", "waitress"):
        try:
            import waitress
        except ImportError:
            if server == "waitress":
                raise UserError("--server waitress: waitress is not installed (pip install waitress)") from None
        else:
            waitress.serve(app, host=host, port=port, threads=threads, ident="cvp")
            return
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


def _import_demo(ctx) -> None:
    from planner.actor import OPERATOR, Actor
    from planner.cli import rules_of
    from planner.cli.demo_cmd import REPO_FIXTURES
    from planner.workflow import import_file

    rules = rules_of(ctx)
    steps: list[tuple[str, dict[str, Any]]] = [
        ("history.csv", {"history": True}), ("tickets.csv", {"gazetteer": REPO_FIXTURES / "gazetteer.csv"}),
             ("staff.csv", {}), ("network.csv", {})]
    for name, options in steps:
        click.echo(import_file(session_of(ctx), REPO_FIXTURES / name, actor=Actor("demo", OPERATOR, None), rules=rules,
                               **options).summary())


@cvp.group("users")
def users_group():
    """Accounts of the web app: dispatcher, field, planner, admin."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["dispatcher", "field", "followup", "planner", "admin"]))
@click.option("--staff", "staff_id", metavar="STAFF_ID", help="The roster's staff member (field accounts).")
@click.option("--district", metavar="NAME",
              help="The dispatcher's or follow-up account's district, e.g. 南区 (a field account's, where two "
                   "districts have its staff id).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of a prompt.")
@click.pass_context
def users_add(ctx, name, role, staff_id, district, password_stdin):
    """Create an account; the password is asked for (never a default one)."""
    from planner.store import accounts
    from planner.store.db import transaction

    password = _read_password(password_stdin)
    with transaction(session_of(ctx)) as s:
        user = accounts.add_user(s, name, password, role, staff_id=staff_id, district=district)
        accounts.audit(s, actor_of(ctx).username, "user_add", user.username, {"role": role})
    where = f", staff {user.staff_id}" if user.staff_id else ""
    where += f", district {user.district}" if user.district else ""
    click.echo(f"added {user.username} ({user.role}{where})")


@users_group.command("list")
@click.pass_context
def users_list(ctx):
    """The accounts, one a line."""
    from planner.store import accounts
    from planner.store.db import transaction

    with transaction(session_of(ctx)) as s:
        found = accounts.list_users(s)
    for u in found:
        flags = ("" if u.active else " (deactivated)") + (" [api token]" if u.has_token else "")
        click.echo(f"{u.username}\t{u.role}\t{u.staff_id or ''}\t{u.district or ''}{flags}")


@users_group.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of a prompt.")
@click.pass_context
def users_passwd(ctx, name, password_stdin):
    """Set a new password (signs the user's sessions out)."""
    from planner.store import accounts
    from planner.store.db import transaction

    password = _read_password(password_stdin)
    with transaction(session_of(ctx)) as s:
        accounts.set_password(s, name, password)
        accounts.audit(s, actor_of(ctx).username, "user_change", name, {"action": "password"})
    click.echo(f"password of {name} changed")


@users_group.command("deactivate")
@click.argument("name")
@click.pass_context
def users_deactivate(ctx, name):
    """Stop an account from signing in (and revoke its API token)."""
    from planner.store import accounts
    from planner.store.db import transaction

    with transaction(session_of(ctx)) as s:
        accounts.set_active(s, name, False)
        accounts.audit(s, actor_of(ctx).username, "user_change", name, {"action": "deactivate"})
    click.echo(f"{name} deactivated")


@users_group.command("token")
@click.argument("name")
@click.pass_context
def users_token(ctx, name):
    """Issue an API token for NAME (printed once; replaces any earlier token)."""
    from planner.store import accounts
    from planner.store.db import transaction

    with transaction(session_of(ctx)) as s:
        token = accounts.issue_token(s, name)
        accounts.audit(s, actor_of(ctx).username, "token", name, {"action": "token"})
    click.echo(token)
