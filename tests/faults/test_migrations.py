"""Migrations: a database from every earlier schema version opens and is upgraded, with a
backup of the old version taken first.

`tests/data/migrations/` holds one fixture per schema version as that version wrote it
(`_generate.py` builds them; a released version's fixture is never regenerated). Version 0
has two shapes: a zero-byte file and a SQLite file with no tables. Besides the real
migrations, a synthetic next version shows that every fixture climbs the whole chain and
that the backup names the version it was taken from.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.faults.conftest import sha
from tests.services.tinybank import FakeClock, tiny_bank
from vpkp_tutor.services import Services
from vpkp_tutor.storage import StoreError, open_store, schema

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "migrations"
ALL = sorted(FIXTURES.glob("v*.sqlite3"))
NEXT = "ALTER TABLE learner ADD COLUMN email TEXT NOT NULL DEFAULT '';"
"""A stand-in for the next migration."""


def fixture_version(path: Path) -> int:
    """The version a fixture's name claims (`v<N>-….sqlite3`)."""
    match = re.match(r"v(\d+)-", path.name)
    assert match, path.name
    return int(match.group(1))


def place(fixture: Path, tmp_path: Path) -> Path:
    """Copy a fixture into a fresh data folder as its progress database."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(fixture, data / "progress.sqlite3")
    return data


def rows(db: Path, table: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
    finally:
        conn.close()


def test_a_fixture_for_every_schema_version() -> None:
    versions = {fixture_version(p) for p in ALL}
    assert versions == set(range(schema.SCHEMA_VERSION + 1)), (
        "add a fixture for the current schema version with tests/data/migrations/_generate.py")


@pytest.mark.parametrize("fixture", ALL, ids=lambda p: p.stem)
def test_fixtures_say_what_version_they_are(fixture: Path) -> None:
    if fixture.stat().st_size == 0:
        return
    conn = sqlite3.connect(fixture)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == fixture_version(fixture)
    conn.close()


@pytest.mark.parametrize("fixture", ALL, ids=lambda p: p.stem)
def test_each_version_opens_and_upgrades_with_a_backup_first(fixture: Path,
                                                             tmp_path: Path) -> None:
    version = fixture_version(fixture)
    data = place(fixture, tmp_path)
    empty = fixture.stat().st_size == 0
    tables = [] if empty else [r[0] for r in sqlite3.connect(fixture).execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")]
    before = {t: rows(fixture, t) for t in tables}
    store = open_store(data, daily_backups=False)
    assert store.schema_version == schema.SCHEMA_VERSION
    assert store.query("PRAGMA integrity_check")[0][0] == "ok"
    store.close()
    backups = sorted((data / "backups").glob("pre-migration-*.sqlite3")) \
        if (data / "backups").exists() else []
    if version == schema.SCHEMA_VERSION or empty:
        assert backups == []  # nothing to upgrade, or nothing to lose
    else:
        (backup,) = backups
        assert backup.name.startswith(f"pre-migration-v{version}-")
        conn = sqlite3.connect(backup)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
        conn.close()
        assert {t: rows(backup, t) for t in tables} == before
    for table, old in before.items():  # nothing the old version stored is lost
        assert rows(data / "progress.sqlite3", table) == old


@pytest.mark.parametrize("fixture", ALL, ids=lambda p: p.stem)
def test_each_version_climbs_to_a_future_version(fixture: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, NEXT))
    version = fixture_version(fixture)
    data = place(fixture, tmp_path)
    original = sha(data / "progress.sqlite3")
    store = open_store(data, daily_backups=False)
    assert store.schema_version == len(schema.MIGRATIONS)
    assert [r[0] for r in store.query("SELECT email FROM learner")] == \
        [""] * len(store.list_learners())
    store.close()
    if fixture.stat().st_size:
        (backup,) = (data / "backups").glob("pre-migration-*.sqlite3")
        assert backup.name.startswith(f"pre-migration-v{version}-")
    assert sha(fixture) == original or fixture.stat().st_size == 0  # the fixture is untouched


def test_upgraded_v1_data_is_usable_by_the_services(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, NEXT))
    data = place(FIXTURES / "v1-populated.sqlite3", tmp_path)
    services = Services(tiny_bank(), open_store(data, daily_backups=False), FakeClock())
    learner = services.resolve_learner("Fixture Learner")
    dash = services.dashboard(learner.id)
    assert dash.learner == learner
    results, runs = services.history(learner.id)
    assert len(results) == 1 and len(runs) == 2
    assert services.settings.theme == "nord"
    assert services.flagged(learner.id) == frozenset({"comp.nu1"})
    services.store.close()


def test_failed_upgrade_keeps_the_old_version_and_its_backup(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = "ALTER TABLE learner ADD COLUMN x TEXT;\nALTER TABLE nowhere ADD COLUMN y TEXT;"
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, bad))
    data = place(FIXTURES / "v1-populated.sqlite3", tmp_path)
    learners = rows(data / "progress.sqlite3", "learner")
    with pytest.raises(StoreError, match=r"a backup taken before the upgrade is at .*"
                                         r"pre-migration-v1-") as caught:
        open_store(data, daily_backups=False)
    assert caught.value.kind == StoreError.OTHER
    assert rows(data / "progress.sqlite3", "learner") == learners
    conn = sqlite3.connect(data / "progress.sqlite3")  # the real migrations went through
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    conn.close()
