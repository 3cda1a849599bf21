"""Two (or three) copies of the app on one data folder, writing at the same time: nobody
crashes and no acknowledged answer is lost. Writes are short `BEGIN IMMEDIATE`
transactions and every connection waits (busy timeout) instead of failing.

Races found here and fixed: two copies creating the database at once both ran the first
migration ("table learner already exists"); two copies making the daily backup at once
wrote through the same temporary file ("disk I/O error"); switching a new database to WAL
failed at once with "database is locked" instead of waiting.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from tests.faults.children import Acks, check_database, spawn
from tests.services.tinybank import FakeClock, tiny_bank
from vpkp_tutor.services import Services
from vpkp_tutor.storage import open_store, schema
from vpkp_tutor.storage.backup import backup_to

COPIES = 3
ANSWERS = 25


def run_together(data_dir: Path, round_: int, log: Path) -> Acks:
    """Start COPIES children at once, each its own learner; wait; collect their output."""
    procs = [spawn(data_dir, round_ * 10 + i, learner=f"Learner {i}", count=ANSWERS,
                   stderr_path=log) for i in range(COPIES)]
    acks = Acks()
    for proc in procs:
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, f"a copy failed:\n{log.read_text()[-3000:]}"
        for line in out.splitlines(keepends=True):
            acks.take(line)
    assert len(acks.learners) == COPIES
    return acks


@pytest.mark.parametrize("existing", [False, True], ids=["new-folder", "existing-database"])
def test_copies_writing_at_once_lose_nothing(tmp_path: Path, existing: bool) -> None:
    race(tmp_path, existing, rounds=3)


@pytest.mark.soak
@pytest.mark.skipif(not os.environ.get("VPKP_SOAK"), reason="soak test: run `make soak`")
@pytest.mark.parametrize("existing", [False, True], ids=["new-folder", "existing-database"])
def test_copies_writing_at_once_lose_nothing_soak(tmp_path: Path, existing: bool) -> None:
    race(tmp_path, existing, rounds=20)


def race(tmp_path: Path, existing: bool, rounds: int) -> None:
    """`rounds` times, COPIES copies answer at once into one data folder (new, or with a
    database already there); every acknowledged answer is stored and every backup sound."""
    for round_ in range(rounds):
        data = tmp_path / f"data{round_}"
        if existing:  # no daily backup yet today: every copy races to make it
            open_store(data, daily_backups=False).close()
        acks = run_together(data, round_, tmp_path / "child.log")
        assert len(acks) >= COPIES * ANSWERS
        check_database(data / "progress.sqlite3", acks)
        for backup in (data / "backups").glob("*"):
            assert backup.suffix == ".sqlite3", f"stray file {backup.name}"
            conn = sqlite3.connect(backup)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            conn.close()


def test_second_copy_skips_a_migration_the_first_just_made(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another copy creates the schema just before our first write transaction starts."""
    from vpkp_tutor.storage import store as store_module

    real_connect = store_module.connect

    def connect_and_lose_the_race(db: Path) -> sqlite3.Connection:
        conn = real_connect(db)
        raced = False

        def trace(sql: str) -> None:
            nonlocal raced
            if sql == "BEGIN IMMEDIATE" and not raced:
                raced = True
                other = sqlite3.connect(db, isolation_level=None)
                schema.migrate(other)
                other.close()

        conn.set_trace_callback(trace)
        return conn

    monkeypatch.setattr(store_module, "connect", connect_and_lose_the_race)
    store = open_store(tmp_path, daily_backups=False)
    assert store.schema_version == schema.SCHEMA_VERSION
    store.close()


def test_simultaneous_backups_to_one_name(tmp_path: Path) -> None:
    store = open_store(tmp_path / "data", daily_backups=False)
    store.add_learner(__import__("vpkp_tutor.domain.progress", fromlist=["Learner"]).Learner(
        "1", "One"))
    target = tmp_path / "b" / "daily.sqlite3"
    errors: list[BaseException] = []

    def worker() -> None:
        conn = sqlite3.connect(tmp_path / "data" / "progress.sqlite3")
        try:
            for _ in range(30):
                backup_to(conn, target)
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    assert errors == []
    assert [p.name for p in target.parent.iterdir()] == ["daily.sqlite3"]
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT display_name FROM learner").fetchall() == [("One",)]
    conn.close()


def test_export_while_another_copy_answers(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = spawn(data, 1, learner="Writer", count=400, stderr_path=tmp_path / "child.log")
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith(b"READY")
    reader = Services(tiny_bank(), open_store(data), FakeClock())
    learner = reader.resolve_learner("Writer")
    exports = 0
    while proc.poll() is None or exports < 3:
        out = reader.export(learner.id, "json", tmp_path / "snapshot.json", overwrite=True)
        doc = json.loads(out.read_text())
        assert doc["learner"]["id"] == learner.id
        exports += 1
    out_rest, _ = proc.communicate()
    assert proc.returncode == 0
    acks = Acks()
    for line in out_rest.splitlines(keepends=True):
        acks.take(line)
    reader.store.close()
    check_database(data / "progress.sqlite3", acks)
    assert exports >= 3
