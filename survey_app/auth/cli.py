"""`heedful user ...` commands."""

from __future__ import annotations

import sys

import click

from models.db import make_engine, make_session_factory
from models.settings import load_settings
from models.user import ROLES
from survey_app.auth.services import AccountError, create_user, deactivate_user


@click.group("user")
def user_cli() -> None:
    """Create and manage analyst accounts."""


@user_cli.command("create")
@click.option("--email", required=True, help="Sign-in email address.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the user may see and do.")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password from standard input (never from the command line).")
def create_cmd(email: str, role: str, password_stdin: bool) -> None:
    """Create a user with EMAIL and ROLE; the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\r\n")
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            user = create_user(session, email, role, password)
            click.echo(f"created {user.role} {user.email} (id {user.id})")
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()


@user_cli.command("deactivate")
@click.option("--email", required=True, help="Sign-in email address of the account.")
def deactivate_cmd(email: str) -> None:
    """Stop EMAIL from signing in and end every session it has, at once."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            user = deactivate_user(session, email)
            click.echo(f"deactivated {user.email}: signed out everywhere, API tokens refused")
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
