"""The `heedful` command contract other tools rely on: every command exists and explains itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from heedful.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parents[2]

CONTRACT = [
    ["db", "upgrade"],
    ["demo", "seed"],
    ["serve"],
    ["run"],
    ["scheduler"],
    ["pipeline", "run"],
    ["pipeline", "status"],
    ["trends", "rebuild"],
    ["nlp", "train"],
    ["nlp", "predict"],
    ["nlp", "evaluate"],
    ["survey", "import"],
    ["survey", "export"],
    ["user", "create"],
    ["user", "deactivate"],
]


def test_top_level_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("words", CONTRACT, ids=" ".join)
def test_each_command_has_help(words: list[str]) -> None:
    result = CliRunner().invoke(cli, [*words, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and len(result.output.splitlines()) > 3


def test_documented_options_exist() -> None:
    runner = CliRunner()
    assert "--responses" in runner.invoke(cli, ["demo", "seed", "--help"]).output
    assert "--json" in runner.invoke(cli, ["pipeline", "status", "--help"]).output
    pipeline_run = runner.invoke(cli, ["pipeline", "run", "--help"]).output
    assert "--limit" in pipeline_run and "--backfill" in pipeline_run
    user_create = runner.invoke(cli, ["user", "create", "--help"]).output
    assert all(opt in user_create for opt in ("--email", "--role", "--password-stdin"))
    predict = runner.invoke(cli, ["nlp", "predict", "--help"]).output
    assert all(opt in predict for opt in ("--task", "--data", "--out", "--taxonomy"))


def test_config_error_is_one_line_and_nonzero(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HEEDFUL_DATABSE_URL": "oops", "HEEDFUL_INSTANCE_PATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "heedful", "db", "upgrade"], capture_output=True, text=True,
                         cwd=ROOT, env=env)
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "HEEDFUL_DATABSE_URL" in out.stderr


def test_unreachable_database_stops_upgrade_with_one_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HEEDFUL_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
           "HEEDFUL_INSTANCE_PATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "heedful", "db", "upgrade"], capture_output=True, text=True,
                         cwd=ROOT, env=env)
    assert out.returncode == 2
    assert "cannot reach the database" in out.stderr and out.stderr.strip().count("\n") == 0


def test_unsupported_database_url_is_one_line(tmp_path: Path) -> None:
    """The issue's probe: a mysql:// URL printed a traceback (no MySQLdb module)."""
    env = {"PATH": "/usr/bin:/bin", "HEEDFUL_DATABASE_URL": "mysql://u@127.0.0.1/heedful",
           "HEEDFUL_INSTANCE_PATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "heedful", "db", "upgrade"], capture_output=True, text=True,
                         cwd=ROOT, env=env)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.strip().count("\n") == 0 and "mysql" in out.stderr and "PostgreSQL" in out.stderr
