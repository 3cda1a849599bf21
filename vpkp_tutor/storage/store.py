"""The SQLite progress store: opening (paths, pragmas, migrations, backups), learners, lessons.

The database uses the WAL journal with `synchronous=FULL`, so a committed answer survives a
crash or power cut, and a busy timeout so a second process waits instead of failing. Checks
made before opening (folder, header, integrity, version) live in `health.py`.
Plumbing and settings live in `base.py`; attempts, responses, flags, review cards and case
runs in `store_quiz.py`; this class puts them together.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import time
from pathlib import Path

from vpkp_tutor.domain.progress import Learner, LessonProgress, iso_utc, parse_utc
from vpkp_tutor.storage import schema
from vpkp_tutor.storage.backup import daily_backup, pre_migration_backup
from vpkp_tutor.storage.base import BUSY_TIMEOUT_MS, StoreError
from vpkp_tutor.storage.health import check_existing, check_folder, classify, too_new_error
from vpkp_tutor.storage.paths import resolve_paths
from vpkp_tutor.storage.schema import SchemaTooNewError, migrate, user_version
from vpkp_tutor.storage.store_quiz import QuizTables


class SqliteProgressStore(QuizTables):
    """Learner progress in one SQLite database (see `open_store`)."""

    # -- learners ------------------------------------------------------------------------
    def add_learner(self, learner: Learner, *, unique: bool = False) -> None:
        """Insert a learner profile as given. With `unique` (how the app creates learners),
        raise `NameTakenError` when another learner already has the same name (compared by
        `name_key`): the check and the insert are one transaction under the write lock, so
        two programs creating the same name at once cannot both succeed. (Without it the
        profile is written as is, as older versions did.)"""
        created = learner.created_at or dt.datetime.now(dt.UTC)
        with self.transaction() as c:
            if unique:
                _check_name_free(c, learner.display_name)
            c.execute(
                "INSERT INTO learner(id, display_name, program, level, created_at)"
                " VALUES (?,?,?,?,?)",
                (learner.id, learner.display_name, learner.program, learner.level,
                 iso_utc(created)),
            )

    def list_learners(self) -> list[Learner]:
        """All learners, by display name (case-insensitive)."""
        rows = self.query("SELECT * FROM learner ORDER BY display_name COLLATE NOCASE, id")
        return [_learner(r) for r in rows]

    def get_learner(self, learner_id: str) -> Learner | None:
        """The learner with this id, if any (None for text that cannot be an id, such as a
        command-line argument holding undecodable bytes)."""
        try:
            rows = self.query("SELECT * FROM learner WHERE id = ?", (learner_id,))
        except UnicodeEncodeError:
            return None
        return _learner(rows[0]) if rows else None

    def find_learners(self, name: str) -> list[Learner]:
        """Every learner whose name matches `name` by `name_key` (more than one only in a
        database written before names were unique)."""
        wanted = name_key(name)
        return [x for x in self.list_learners() if name_key(x.display_name) == wanted]

    def rename_learner(self, learner_id: str, display_name: str) -> Learner:
        """Give a learner a new display name; `NameTakenError` when another learner has it
        (a learner may change the case or spacing of their own name). Returns the learner as
        renamed; KeyError when there is no such learner."""
        with self.transaction() as c:
            row = c.execute("SELECT * FROM learner WHERE id = ?", (learner_id,)).fetchone()
            if row is None:
                raise KeyError(learner_id)
            _check_name_free(c, display_name, learner_id)
            c.execute("UPDATE learner SET display_name = ? WHERE id = ?",
                      (display_name, learner_id))
            row = c.execute("SELECT * FROM learner WHERE id = ?", (learner_id,)).fetchone()
        return _learner(row)

    def delete_learner(self, learner_id: str) -> bool:
        """Delete a learner and everything recorded for them (every table with a
        `learner_id` column, then the profile), in one transaction; forget them as the last
        learner. True when there was such a learner."""
        with self.transaction() as c:
            tables = [r[0] for r in c.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'learner'"
                " AND name NOT LIKE 'sqlite_%'")]
            for table in tables:
                columns = {r[1] for r in c.execute(f'PRAGMA table_info("{table}")')}
                if "learner_id" in columns:
                    c.execute(f'DELETE FROM "{table}" WHERE learner_id = ?', (learner_id,))
            c.execute("DELETE FROM setting WHERE key = 'last_learner' AND value = ?",
                      (learner_id,))
            return c.execute("DELETE FROM learner WHERE id = ?", (learner_id,)).rowcount > 0

    def learner_activity(self) -> dict[str, tuple[int, dt.datetime | None]]:
        """For every learner id: how many answers they have recorded and when they last
        did anything (answered, started a quiz or case, read a lesson), or None."""
        rows = self.query(
            "SELECT l.id,"
            " (SELECT COUNT(*) FROM response r WHERE r.learner_id = l.id) AS answers,"
            " MAX(COALESCE((SELECT MAX(answered_at) FROM response r WHERE r.learner_id = l.id),"
            "   ''),"
            "  COALESCE((SELECT MAX(started_at) FROM attempt a WHERE a.learner_id = l.id), ''),"
            "  COALESCE((SELECT MAX(COALESCE(finished_at, started_at)) FROM case_run k"
            "   WHERE k.learner_id = l.id), ''),"
            "  COALESCE((SELECT MAX(updated_at) FROM lesson_progress p"
            "   WHERE p.learner_id = l.id), '')) AS last_active"
            " FROM learner l")
        out: dict[str, tuple[int, dt.datetime | None]] = {}
        for r in rows:
            last: dt.datetime | None = None
            if r["last_active"]:
                with contextlib.suppress(ValueError):
                    last = parse_utc(r["last_active"])
            out[r["id"]] = (int(r["answers"]), last)
        return out

    # -- lessons -------------------------------------------------------------------------
    def lesson_progress(self, learner_id: str) -> dict[str, LessonProgress]:
        """Progress of every lesson the learner has opened."""
        rows = self.query("SELECT * FROM lesson_progress WHERE learner_id = ?", (learner_id,))
        return {
            r["lesson_id"]: LessonProgress(
                lesson_id=r["lesson_id"],
                position=int(r["position"]),
                completed=bool(r["completed"]),
                updated_at=parse_utc(r["updated_at"]),
            )
            for r in rows
        }

    def save_lesson(self, learner_id: str, lesson_id: str, now: dt.datetime,
                    position: int | None = None, completed: bool | None = None) -> None:
        """Upsert a lesson's position and/or completion (completion is never undone)."""
        with self.transaction() as c:
            c.execute(
                "INSERT INTO lesson_progress(learner_id, lesson_id, position, completed,"
                " updated_at) VALUES (?,?,?,?,?) ON CONFLICT(learner_id, lesson_id) DO UPDATE"
                " SET position = COALESCE(?, position),"
                " completed = MAX(completed, COALESCE(?, completed)), updated_at = ?",
                (learner_id, lesson_id, position or 0, int(bool(completed)), iso_utc(now),
                 position, None if completed is None else int(completed), iso_utc(now)),
            )


class NameTakenError(ValueError):
    """Another learner already has this name; `existing` is that learner."""

    def __init__(self, existing: Learner) -> None:
        super().__init__(f"a learner called {existing.display_name!r} already exists")
        self.existing = existing
        """The learner who has the name."""


def name_key(name: str) -> str:
    """What two learner names are compared by: runs of whitespace made one space, ends
    trimmed, case folded ("ada", " Ada ", "ADA  " are one name)."""
    return " ".join(name.split()).casefold()


def _check_name_free(c: sqlite3.Connection, name: str, learner_id: str | None = None) -> None:
    """Raise `NameTakenError` when a learner other than `learner_id` has this name."""
    wanted = name_key(name)
    for row in c.execute("SELECT * FROM learner"):
        if row["id"] != learner_id and name_key(row["display_name"]) == wanted:
            raise NameTakenError(_learner(row))


def _learner(r: sqlite3.Row) -> Learner:
    return Learner(
        id=r["id"],
        display_name=r["display_name"],
        program=r["program"],
        level=r["level"],
        created_at=parse_utc(r["created_at"]),
    )


def connect(db_path: Path) -> sqlite3.Connection:
    """Open a connection configured for durability: WAL, synchronous=FULL, busy timeout.

    Switching a new database to WAL can fail at once with "database is locked" while
    another process is doing the same (SQLite does not wait there); that is retried for up
    to the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return _connect_once(db_path)
        except sqlite3.OperationalError as exc:
            busy = getattr(exc, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED")
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _connect_once(db_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False,
                           timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{db_path}: could not switch the database to WAL mode ({mode})")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        # Write once and roll back: a read-only file, folder or mount shows up now, not at
        # the first answer.
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute(f"PRAGMA user_version = {int(version)}")
        finally:
            conn.execute("ROLLBACK")
    except BaseException:
        conn.close()
        raise
    return conn


def open_store(data_dir: Path | None = None, *, today: dt.date | None = None,
               daily_backups: bool = True) -> SqliteProgressStore:
    """Open (creating or migrating) the progress store in `data_dir`.

    `data_dir` None resolves from `VPKP_TUTOR_DATA` or the platform data directory. An
    existing database is first checked through a read-only connection (SQLite header,
    `PRAGMA quick_check`, schema version), so a damaged file or one from a newer app is
    refused without being modified. Before any migration of an existing database a backup
    is taken with the SQLite backup API; an existing database also gets one rotating daily
    backup (a failed daily backup does not stop the app). Raises StoreError with a
    readable message and a `kind` saying what went wrong.
    """
    paths = resolve_paths(data_dir)
    check_folder(paths)
    existed = check_existing(paths)
    try:
        conn = connect(paths.db_path)
    except (OSError, sqlite3.Error, StoreError) as exc:
        raise classify(exc, paths, "opening it") from exc
    try:
        now = dt.datetime.now(dt.UTC)
        version = user_version(conn)
        backup: Path | None = None
        if existed and version < len(schema.MIGRATIONS):
            try:
                backup = pre_migration_backup(conn, paths.backups_dir, version, now)
            except (OSError, sqlite3.Error) as exc:
                raise classify(exc, paths, "the backup before the upgrade") from exc
        try:
            migrate(conn, schema.MIGRATIONS)
        except SchemaTooNewError:
            raise too_new_error(paths, user_version(conn)) from None
        except sqlite3.Error as exc:
            if classify(exc, paths, "").kind in (StoreError.DAMAGED, StoreError.BUSY,
                                                 StoreError.UNWRITABLE):
                raise classify(exc, paths, "upgrading it") from exc
            kept = f"; a backup taken before the upgrade is at {backup}" if backup else ""
            raise StoreError(f"could not upgrade {paths.db_path} from schema version "
                             f"{version}: {exc}{kept}", StoreError.OTHER,
                             paths.db_path) from exc
        if existed and daily_backups:
            with contextlib.suppress(OSError, sqlite3.Error):
                daily_backup(conn, paths.backups_dir, today or now.astimezone().date())
    except StoreError:
        conn.close()
        raise
    except (sqlite3.Error, OSError) as exc:
        conn.close()
        raise classify(exc, paths, "opening it") from exc
    except BaseException:
        conn.close()
        raise
    return SqliteProgressStore(conn, paths)
