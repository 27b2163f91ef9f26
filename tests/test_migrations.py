"""Migrations are a deploy step: servers refuse an old schema, `python -m hotline migrate` runs once."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import PROJECT_ROOT, _reset_postgres, free_port, settings_env, wait_until_ready

from hotline.db import SchemaNotAtHead, check_schema, schema_revisions, upgrade


def _env(tmp_path, url: str) -> dict[str, str]:
    _settings, env = settings_env(VAR_DIR=str(tmp_path / "var"), HOTLINE_DATABASE_URL=url,
                                  WEB_PORT=str(free_port()), ACTION_PORT=str(free_port()), HOST="127.0.0.1")
    return env


def _run(command: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def empty_postgres(postgres_database):
    _reset_postgres(postgres_database)
    return postgres_database


def test_servers_refuse_an_unmigrated_database_and_start_after_the_deploy_step(empty_postgres, tmp_path):
    env = _env(tmp_path, empty_postgres)
    for module in ("hotline.web", "bot.action_server"):
        refused = _run([sys.executable, "-m", module], env)
        assert refused.returncode != 0
        assert "python -m hotline migrate" in refused.stderr, refused.stderr[-2000:]
        assert "Traceback" not in refused.stderr
    migrated = _run([sys.executable, "-m", "hotline", "migrate"], env)
    assert migrated.returncode == 0 and "newest schema" in migrated.stdout, migrated.stderr
    web = subprocess.Popen([sys.executable, "-m", "hotline.web"], cwd=PROJECT_ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_ready(f"http://127.0.0.1:{env['WEB_PORT']}/health", web, timeout=60)
    finally:
        web.terminate()
        web.wait(timeout=20)


def test_two_deploy_steps_started_together_both_succeed(empty_postgres, tmp_path):
    env = _env(tmp_path, empty_postgres)
    steps = [subprocess.Popen([sys.executable, "-m", "hotline", "migrate"], cwd=PROJECT_ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(step.wait(timeout=120), step.stderr.read()) for step in steps]
    assert all(code == 0 for code, _ in results), results
    check_schema(empty_postgres)


def test_a_cli_on_postgres_refuses_to_migrate_but_the_embedded_sqlite_is_migrated_for_the_user(empty_postgres, tmp_path):
    refused = _run([sys.executable, "-m", "hotline", "users", "list"], _env(tmp_path, empty_postgres))
    assert refused.returncode == 2 and "python -m hotline migrate" in refused.stderr
    sqlite = f"sqlite:///{tmp_path / 'embedded.db'}"
    embedded = _run([sys.executable, "-m", "hotline", "users", "list"], _env(tmp_path, sqlite))
    assert embedded.returncode == 0, embedded.stderr
    current, heads = schema_revisions(sqlite)
    assert current == heads


def test_a_database_migrated_by_a_newer_version_is_named_as_such(tmp_path):
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    upgrade(url)
    from sqlalchemy import create_engine, text

    engine = create_engine(url, future=True)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    with pytest.raises(SchemaNotAtHead, match="newer version"):
        check_schema(url)
