"""A fuzz pass over the command line's inputs (hypothesis): hostile definition files, invitation CSVs,
slugs and e-mail addresses (NUL bytes, deep nesting, huge numbers, lone surrogates, impossible dates)
end in a message and exit status 1 or 2, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heedful.cli import cli
from migrations.runner import upgrade

FILES = [
    b"", b"\x00", b"slug: x\x00\n", b"[" * 20_000 + b"]" * 20_000, b"- " * 5_000 + b"x",
    b'{"slug": "x", "title": "T", "response_cap": ' + b"9" * 5000 + b"}", b'{"slug": "x", "title": "\\ud800"}',
    b'{"slug": "x", "title": "a\\u0000b", "questions": []}', b"slug: x\ntitle: T\nopens_at: 2025-02-30\n",
    b"slug: x\ntitle: T\nopens_at: 99999-01-01\n", b"\xff\xfe\x00\x00", b"\xed\xa0\x80",
    b"email\nann@example.org\x00\n", b"email,name\n" + b"a@b.c," + b"x" * 100_000 + b"\n", b"email\n\xed\xa0\x80@x.y\n",
    b"slug: demo\ntitle: T\nquestions:\n  - {key: a, type: nps, page: 99999999999999999999}\n",
]
WORDS = ["x", "a\x00b", "\ud800", "99999999999999999999", "-1", "", " ", "ann@example.org", "a" * 5000,
         "nobody@\x00.org", "../../etc/passwd"]


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    # SQLite only: in one test process the commands' PostgreSQL engines outlive them (a real `heedful`
    # exits after each command) and their connections' finalizers fail the session. The route fuzz
    # (tests/analysts/test_fuzz_routes.py) covers PostgreSQL.
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzzcli') / 'cli.db'}"
    upgrade(url)
    return url


def _commands(file: Path, out: Path, word: str) -> list[list[str]]:
    return [["survey", "import", str(file)], ["survey", "import", "--replace", str(file)],
            ["survey", "export", word], ["survey", "invite", word, "--csv", str(file)],
            ["survey", "invite", "x", "--csv", str(file)], ["privacy", "export", "--email", word, "--out", str(out)],
            ["privacy", "erase", "--email", word], ["nlp", "predict", "--task", "topics", "--data", str(file),
                                                    "--out", str(out), "--taxonomy", str(file)]]


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_no_cli_input_ends_in_a_traceback(database_url: str, tmp_path_factory: pytest.TempPathFactory,
                                          data: Any) -> None:
    folder = tmp_path_factory.mktemp("input")
    file = folder / data.draw(st.sampled_from(["def.yaml", "def.json", "people.csv"]), label="name")
    file.write_bytes(data.draw(st.sampled_from(FILES), label="content"))
    word = data.draw(st.sampled_from(WORDS), label="word")
    args = data.draw(st.sampled_from(_commands(file, folder / "out.json", word)), label="args")
    env = {"HEEDFUL_DATABASE_URL": database_url, "HEEDFUL_INSTANCE_PATH": str(folder / "instance"),
           "HEEDFUL_ENV": "development", "HF_HUB_OFFLINE": "1"}
    result = CliRunner().invoke(cli, args, env=env, input="n\n")
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output[-500:])
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
    assert "Traceback" not in result.output, args
