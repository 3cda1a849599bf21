"""The SQLite store on tmp_path databases: pragmas, durability, migrations, backups, faults."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from tests.services.tinybank import T0, FakeClock, make_services
from vpkp_tutor.domain.progress import Learner, QuizSettings
from vpkp_tutor.storage import StoreError, open_store, resolve_paths, schema
from vpkp_tutor.storage.backup import daily_backup


def _learner(store_dir: Path, name: str = "Ada") -> None:
    store = open_store(store_dir)
    store.add_learner(Learner(id=f"id-{name}", display_name=name, created_at=T0))
    store.close()


def test_new_store_has_schema_wal_and_full_sync(tmp_path: Path) -> None:
    store = open_store(tmp_path / "d")
    assert store.schema_version == schema.SCHEMA_VERSION
    pragma = {k: store.query(f"PRAGMA {k}")[0][0]
              for k in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")}
    assert pragma == {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 5000,
                      "foreign_keys": 1}
    assert store.paths.db_path == tmp_path / "d" / "progress.sqlite3"
    store.close()


def test_acknowledged_answer_is_visible_to_another_connection(tmp_path: Path) -> None:
    svc = make_services(tmp_path)
    lid = svc.create_learner("Ada").id
    attempt = svc.build_quiz(lid, QuizSettings(count=1, seed=1))
    svc.record_answer(attempt.id, attempt.question_ids[0], "B", 3)
    other = sqlite3.connect(svc.store.paths.db_path)
    assert other.execute("SELECT count(*) FROM response").fetchone()[0] == 1
    assert other.execute("SELECT count(*) FROM review_card").fetchone()[0] == 1
    other.close()
    svc.store.close()


def test_failed_review_rolls_back_the_answer(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    svc = make_services(tmp_path)
    lid = svc.create_learner("Ada").id
    attempt = svc.build_quiz(lid, QuizSettings(count=1, seed=1))

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(svc.store.scheduler, "review", boom)
    with pytest.raises(RuntimeError):
        svc.record_answer(attempt.id, attempt.question_ids[0], "B", 3)
    assert svc.store.query("SELECT count(*) FROM response")[0][0] == 0
    monkeypatch.undo()
    svc.record_answer(attempt.id, attempt.question_ids[0], "B", 3)
    assert svc.store.query("SELECT count(*) FROM response")[0][0] == 1
    svc.store.close()


def test_two_stores_on_one_database_both_write(tmp_path: Path) -> None:
    a, b = open_store(tmp_path), open_store(tmp_path, daily_backups=False)
    a.add_learner(Learner("1", "One", created_at=T0))
    b.add_learner(Learner("2", "Two", created_at=T0))
    assert [x.id for x in a.list_learners()] == ["1", "2"]
    a.close()
    b.close()


def test_reopen_keeps_everything(tmp_path: Path) -> None:
    clock = FakeClock()
    svc = make_services(tmp_path, clock)
    lid = svc.create_learner("Ada", "Metro", "PGY-2").id
    svc.store.set_setting("theme", "nord")
    svc.store.close()
    again = make_services(tmp_path, clock)
    assert again.find_learner("ada") == Learner(lid, "Ada", "Metro", "PGY-2", T0)
    assert again.settings.theme == "nord"
    again.store.close()


def test_migration_backs_up_first_then_upgrades(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _learner(tmp_path)
    v2 = "ALTER TABLE learner ADD COLUMN email TEXT NOT NULL DEFAULT '';"
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, v2))
    store = open_store(tmp_path, daily_backups=False)
    before = schema.SCHEMA_VERSION
    assert store.schema_version == before + 1
    assert store.query("SELECT email FROM learner")[0][0] == ""
    store.close()
    backups = list((tmp_path / "backups").glob(f"pre-migration-v{before}-*.sqlite3"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == before
    assert old.execute("SELECT display_name FROM learner").fetchall() == [("Ada",)]
    old.close()


def test_failed_migration_leaves_the_old_version(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _learner(tmp_path)
    bad = "ALTER TABLE learner ADD COLUMN x TEXT;\nALTER TABLE nowhere ADD COLUMN y TEXT;"
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, bad))
    before = schema.SCHEMA_VERSION
    with pytest.raises(StoreError, match=rf"could not upgrade .* from schema version {before}"):
        open_store(tmp_path, daily_backups=False)
    conn = sqlite3.connect(tmp_path / "progress.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == before
    columns = [r[1] for r in conn.execute("PRAGMA table_info(learner)")]
    assert "x" not in columns
    conn.close()


def test_database_from_a_newer_app_is_refused(tmp_path: Path) -> None:
    _learner(tmp_path)
    conn = sqlite3.connect(tmp_path / "progress.sqlite3")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match=r"schema version 99.*upgrade"):
        open_store(tmp_path)


def test_garbage_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "progress.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="progress database"):
        open_store(tmp_path)


def test_daily_backups_rotate_and_are_real_databases(tmp_path: Path) -> None:
    _learner(tmp_path)
    for day in range(1, 10):
        open_store(tmp_path, today=dt.date(2026, 3, day)).close()
    open_store(tmp_path, today=dt.date(2026, 3, 9)).close()
    names = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert names == [f"daily-2026-03-0{d}.sqlite3" for d in range(3, 10)]
    copy = sqlite3.connect(tmp_path / "backups" / names[-1])
    assert copy.execute("SELECT count(*) FROM learner").fetchone()[0] == 1
    copy.close()


def test_backup_during_an_open_write_transaction(tmp_path: Path) -> None:
    _learner(tmp_path)
    store = open_store(tmp_path, daily_backups=False)
    writer = sqlite3.connect(tmp_path / "progress.sqlite3", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO setting VALUES ('pending', 'x')")
    made = daily_backup(store._conn, tmp_path / "b", dt.date(2026, 1, 1))
    writer.execute("ROLLBACK")
    writer.close()
    assert made is not None
    copy = sqlite3.connect(made)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM setting").fetchone()[0] == 0
    copy.close()
    store.close()


def test_paths_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VPKP_TUTOR_DATA", str(tmp_path / "env"))
    assert resolve_paths(tmp_path / "flag").data_dir == tmp_path / "flag"
    env = resolve_paths()
    assert (env.data_dir, env.source) == (tmp_path / "env", "VPKP_TUTOR_DATA")
    monkeypatch.delenv("VPKP_TUTOR_DATA")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    plat = resolve_paths()
    assert plat.source == "platform" and plat.data_dir.name == "vpkp-tutor"
    assert plat.backups_dir == plat.data_dir / "backups"


def test_unwritable_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot open the progress database"):
        open_store(blocker / "data")
