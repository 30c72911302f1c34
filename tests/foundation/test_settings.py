from pathlib import Path

import pytest

from models.db import check_connection, make_engine
from models.settings import ConfigError, load_settings


def test_unknown_key_is_rejected_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="HEEDFUL_DATABSE_URL"):
        load_settings({"HEEDFUL_DATABSE_URL": "x", "HEEDFUL_INSTANCE_PATH": str(tmp_path)})


def test_production_requires_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is required in production"):
        load_settings({"HEEDFUL_ENV": "production", "HEEDFUL_INSTANCE_PATH": str(tmp_path)})


def test_development_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    env = {"HEEDFUL_INSTANCE_PATH": str(tmp_path)}
    first = load_settings(env).secret_key
    assert len(first) == 64
    assert load_settings(env).secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_in_instance_folder(tmp_path: Path) -> None:
    s = load_settings({"HEEDFUL_INSTANCE_PATH": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'heedful.db'}"


def test_bad_number_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="HEEDFUL_SMTP_PORT must be a whole number"):
        load_settings({"HEEDFUL_SMTP_PORT": "twenty", "HEEDFUL_INSTANCE_PATH": str(tmp_path)})


def test_unreachable_database_is_one_clear_line() -> None:
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2})
    with pytest.raises(ConfigError) as info:
        check_connection(engine)
    message = str(info.value)
    assert "cannot reach the database" in message and "\n" not in message


def test_sqlite_pragmas_hold(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
