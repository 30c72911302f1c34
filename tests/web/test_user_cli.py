"""`heedful user create` and `heedful user deactivate` against a real, migrated SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def heedful(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("HEEDFUL_")},
           "HEEDFUL_INSTANCE_PATH": str(tmp_path), "HEEDFUL_DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}"}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "heedful", *args], capture_output=True, text=True,
                              cwd=ROOT, env=env, input=stdin, timeout=120)

    assert run("db", "upgrade").returncode == 0
    return run


def create(heedful, email: str, password: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return heedful("user", "create", "--email", email, "--role", "admin", "--password-stdin", stdin=password + "\n")


@pytest.mark.parametrize(("password", "message"), [
    ("aaaaaaaaaa", "at least 12 characters"),
    ("aaaaaaaaaaaa", "too easy to guess"),
    ("password1234", "most common passwords"),
    ("qwertyuiop12", "most common passwords"),
])
def test_weak_admin_passwords_are_refused_with_one_line(heedful, password: str, message: str) -> None:  # type: ignore[no-untyped-def]
    out = create(heedful, "boss@example.org", password)
    assert out.returncode == 1
    assert message in out.stderr and "Traceback" not in out.stderr
    assert out.stderr.strip().count("\n") == 0


def test_create_then_deactivate(heedful) -> None:  # type: ignore[no-untyped-def]
    made = create(heedful, "boss@example.org", "Lantern-orchard-71")
    assert made.returncode == 0, made.stderr
    out = heedful("user", "deactivate", "--email", "Boss@example.org")
    assert out.returncode == 0 and "deactivated boss@example.org" in out.stdout
    missing = heedful("user", "deactivate", "--email", "nobody@example.org")
    assert missing.returncode == 1 and "no user with email nobody@example.org" in missing.stderr
