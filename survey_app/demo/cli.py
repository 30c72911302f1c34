"""`heedful demo seed`: demo surveys, logins and a year of synthetic responses, in one transaction."""

from __future__ import annotations

import time

import click
from sqlalchemy import select

from migrations.runner import check_schema_current
from models import Survey
from models.db import make_engine, make_session_factory
from models.settings import load_settings
from survey_app.demo.seed import DEFAULT_RESPONSES, DEFAULT_SEED, DEMO_USERS, DemoError, seed_demo


@click.group("demo")
def demo_cli() -> None:
    """Seed demo surveys, users and synthetic responses."""


@demo_cli.command("seed")
@click.option("--responses", type=click.IntRange(0, 200_000), default=DEFAULT_RESPONSES, show_default=True,
              help="Synthetic responses over the last 12 months (about 65% customer, 35% worker); "
                   "0 creates surveys and users only.")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (and say so) when the database already has any survey.")
@click.option("--seed", "seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="Random seed: the same seed on the same day gives the same data.")
def seed_cmd(responses: int, if_empty: bool, seed: int) -> None:
    """Create the demo: 2 sites, 3 departments, 3 logins (admin/analyst/safety@demo.heedful), the
    demo-customer and demo-safety surveys with QR links, actions, objectives and RESPONSES responses.

    Seeding is not repeated: on a database that already holds the demo it stops with a message and
    changes nothing (use --if-empty to skip quietly when any survey exists). Refused in production,
    because the demo passwords are published.
    """
    settings = load_settings()
    if settings.production:
        raise click.ClickException(
            "refusing to create demo logins with published passwords in production (HEEDFUL_ENV=production)"
        )
    engine = make_engine(settings.database_url)
    try:
        check_schema_current(settings.database_url)
        started = time.perf_counter()
        with make_session_factory(engine)() as session, session.begin():
            if if_empty and session.scalar(select(Survey.id).limit(1)) is not None:
                click.echo("the database already has surveys: demo not seeded (--if-empty)")
                return
            summary = seed_demo(session, responses=responses, seed=seed)
        click.echo(f"{summary.line()} in {time.perf_counter() - started:.1f} s")
        click.echo("log in as " + ", ".join(f"{email} ({role})" for email, role, _pw in DEMO_USERS))
    except DemoError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
