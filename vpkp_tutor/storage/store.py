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
import json
import os
import sqlite3
import time
from pathlib import Path

from vpkp_tutor.domain.progress import Learner, LessonProgress, iso_utc, parse_utc
from vpkp_tutor.storage import schema
from vpkp_tutor.storage.backup import daily_backup, pre_migration_backup
from vpkp_tutor.storage.base import BUSY_TIMEOUT_MS, OnCommit, StoreError
from vpkp_tutor.storage.guard import (
    StoreLock,
    backup_before_wal,
    in_use_error,
    read_walid,
    record_walid,
    set_aside_wal,
    wal_identity,
    wal_path,
    wal_problem,
)
from vpkp_tutor.storage.health import (
    check_existing,
    check_folder,
    classify,
    inspect,
    too_new_error,
    unwritable_error,
)
from vpkp_tutor.storage.paths import StorePaths, resolve_paths
from vpkp_tutor.storage.schema import SchemaTooNewError, migrate, user_version
from vpkp_tutor.storage.store_quiz import QuizTables


class SqliteProgressStore(QuizTables):
    """Learner progress in one SQLite database (see `open_store`)."""

    walid: tuple[int, int, int, int] | None = None
    """The -wal file's identity as last recorded."""
    read_only = False
    """True when opened for reading only."""
    notices: tuple[str, ...] = ()
    """What opening did that the user should hear about (a -wal set aside)."""
    _held: StoreLock | None = None

    def hold(self, lock: StoreLock, notices: list[str]) -> None:
        """Keep the shared lock until `close`; remember what to tell the user."""
        self._held = lock
        self.notices = tuple(notices)

    def hold_alone(self) -> None:
        """Hold the database exclusively until `close`, for a change another open copy of
        the app would not survive (deleting the learner it shows); StoreError (busy) while
        another copy has it open."""
        if self._held is not None and not self._held.try_exclusive():
            raise in_use_error(self.paths, self._held)

    def after_commit(self) -> None:
        """Record the -wal file's identity when it has changed (the log restarted)."""
        self.walid = record_walid(self.paths, self.walid)

    def close(self) -> None:
        """Close the connection and drop the lock."""
        super().close()
        if self._held is not None:
            self._held.release()
            self._held = None

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

    def delete_learner(self, learner_id: str, forget_setting: str = "",
                       forget_entry_in: str = "") -> bool:
        """Delete a learner and everything recorded for them (every table with a
        `learner_id` column, then the profile), in one transaction, with the setting
        `forget_setting` when it names them (the last learner) and their entry in the
        setting `forget_entry_in`, a JSON object keyed by learner id (each learner's last
        course; a value of another shape is left as it is). True when there was such a
        learner."""
        with self.transaction() as c:
            tables = [r[0] for r in c.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'learner'"
                " AND name NOT LIKE 'sqlite_%'")]
            for table in tables:
                columns = {r[1] for r in c.execute(f'PRAGMA table_info("{table}")')}
                if "learner_id" in columns:
                    c.execute(f'DELETE FROM "{table}" WHERE learner_id = ?', (learner_id,))
            c.execute("DELETE FROM setting WHERE key = ? AND value = ?",
                      (forget_setting, learner_id))
            row = c.execute("SELECT value FROM setting WHERE key = ?",
                            (forget_entry_in,)).fetchone()
            entries = _json_object(row[0]) if row is not None else None
            if entries is not None and learner_id in entries:
                del entries[learner_id]
                c.execute("UPDATE setting SET value = ? WHERE key = ?",
                          (json.dumps(entries, ensure_ascii=False), forget_entry_in))
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
        rows = self.query("SELECT * FROM lesson_progress WHERE learner_id = ? AND"
                          " course_id = ?", (learner_id, self.course_id))
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
                    position: int | None = None, completed: bool | None = None,
                    outbox: OnCommit | None = None) -> None:
        """Upsert a lesson's position and/or completion (completion is never undone;
        `outbox` queues the completion's xAPI statement in the same transaction)."""
        with self.transaction() as c:
            if outbox is not None and completed:
                outbox(c)
            c.execute(
                "INSERT INTO lesson_progress(learner_id, course_id, lesson_id, position,"
                " completed, updated_at) VALUES (?,?,?,?,?,?)"
                " ON CONFLICT(learner_id, course_id, lesson_id) DO UPDATE"
                " SET position = COALESCE(?, position),"
                " completed = MAX(completed, COALESCE(?, completed)), updated_at = ?",
                (learner_id, self.course_id, lesson_id, position or 0, int(bool(completed)), iso_utc(now),
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
               daily_backups: bool = True, read_only: bool = False) -> SqliteProgressStore:
    """Open (creating or migrating) the progress store in `data_dir`.

    `data_dir` None resolves from `VPKP_TUTOR_DATA` or the platform data directory. An
    existing database is first checked through a read-only connection (SQLite header, our
    application id or tables, `PRAGMA quick_check`, schema version), so a damaged, foreign
    or newer file is refused without being modified. The store holds a shared lock on
    `progress.lock` while open; when nobody else has it open, a `-wal` file that is not the
    database's own is set aside unapplied (see `guard.py`; `store.notices` says so), and one
    left by a copy that was killed is backed up before it is applied. Before any migration
    of an existing database a backup is taken with the SQLite backup API; an existing
    database also gets one rotating daily backup (a failed daily backup does not stop the
    app). `read_only` opens an up-to-date database for reading only (nothing is written,
    not even a backup). Raises StoreError with a readable message and a `kind` saying what
    went wrong (`StoreFull` when the disk is full).
    """
    paths = resolve_paths(data_dir)
    if read_only:
        return _open_read_only(paths)
    check_folder(paths)
    lock = StoreLock(paths)
    try:
        notices = _guard_wal(paths, lock)  # before SQLite reads anything through the -wal
        existed = check_existing(paths)
        if not lock.shared():
            raise StoreError(f"the progress database {paths.db_path} is being recovered by "
                             "another VP/KP Tutor; try again when it has finished",
                             StoreError.BUSY, paths.db_path)
        store = _open_locked(paths, existed, today, daily_backups)
    except BaseException:
        lock.release()
        raise
    store.hold(lock, notices)
    return store


def _guard_wal(paths: StorePaths, lock: StoreLock) -> list[str]:
    """When nobody else has the database open: set a -wal that is not its own aside, or
    back up before applying one left by another process. Returns what to tell the user."""
    if not lock.try_exclusive():
        return []  # the -wal belongs to the copy that has the database open
    now = dt.datetime.now(dt.UTC)
    problem = wal_problem(paths)
    if problem:
        wal = wal_path(paths)
        aside = set_aside_wal(paths, now)
        return [f"{wal} was written for another database ({problem}), so it was not "
                f"applied; it is kept, unchanged, as {aside}"]
    if wal_identity(wal_path(paths)) is not None:
        try:
            backup_before_wal(paths, now)
        except (OSError, sqlite3.Error) as exc:
            error = classify(exc, paths, "the copy made before applying its -wal file")
            if error.kind == StoreError.FULL and read_walid(paths) is not None:
                # The -wal is proven the database's own (it matches the record): on a full
                # disk, go on without the extra copy rather than refuse to open at all.
                return [f"no copy of {paths.db_path} was made before applying the -wal file "
                        "left by a copy of the app that was stopped: the disk is full"]
            raise error from exc
    return []


def _open_locked(paths: StorePaths, existed: bool, today: dt.date | None,
                 daily_backups: bool) -> SqliteProgressStore:
    """Connect, start a -wal of our own, migrate and back up (the lock is held)."""
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
                                                 StoreError.UNWRITABLE, StoreError.FULL):
                raise classify(exc, paths, "upgrading it") from exc
            kept = f"; a backup taken before the upgrade is at {backup}" if backup else ""
            raise StoreError(f"could not upgrade {paths.db_path} from schema version "
                             f"{version}: {exc}{kept}", StoreError.OTHER,
                             paths.db_path) from exc
        if existed and daily_backups:
            with contextlib.suppress(OSError, sqlite3.Error):
                daily_backup(conn, paths.backups_dir, today or now.astimezone().date())
        if wal_identity(wal_path(paths)) is None:
            # Start the -wal now, so that its identity is recorded before anything is saved
            # (done last, so that a failure to open leaves the database file as it was).
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(f"PRAGMA user_version = {user_version(conn)}")
            conn.execute("COMMIT")
        walid = record_walid(paths, None)
    except StoreError:
        conn.close()
        raise
    except (sqlite3.Error, OSError) as exc:
        conn.close()
        raise classify(exc, paths, "opening it") from exc
    except BaseException:
        conn.close()
        raise
    store = SqliteProgressStore(conn, paths)
    store.walid = walid
    return store


def _open_read_only(paths: StorePaths) -> SqliteProgressStore:
    """Open an existing, up-to-date database for reading only."""
    if not paths.db_path.exists():
        raise StoreError(f"no progress database at {paths.db_path}", StoreError.OTHER,
                         paths.db_path)
    probe = StoreLock(paths)
    try:
        problem = wal_problem(paths) if probe.try_exclusive() else None
    finally:
        probe.release()
    if problem:  # it cannot be set aside without writing: refuse rather than read through it
        raise StoreError(f"{wal_path(paths)} was written for another database ({problem}); "
                         "it is set aside when the database is opened with write access",
                         StoreError.OTHER, paths.db_path)
    if check_existing(paths):
        version, _ = inspect(paths.db_path)
        if version != schema.SCHEMA_VERSION:
            raise unwritable_error(paths, f"it is at schema version {version} and must be "
                                   "upgraded first, which needs write access")
    lock = StoreLock(paths)
    try:
        if not lock.shared():
            raise StoreError(f"the progress database {paths.db_path} is being recovered by "
                             "another VP/KP Tutor; try again when it has finished",
                             StoreError.BUSY, paths.db_path)
        # A file nobody can be writing (we may not, and no -wal/-shm is beside it) is read
        # as immutable: SQLite then creates no -wal/-shm files, which would be left behind
        # unwritable and stop the next normal open.
        sidecars = any(Path(f"{paths.db_path}{x}").exists() for x in ("-wal", "-shm"))
        writable = os.access(paths.db_path, os.W_OK) and os.access(paths.data_dir, os.W_OK)
        query = "mode=ro" if sidecars or writable else "mode=ro&immutable=1"
        try:
            conn = sqlite3.connect(f"{paths.db_path.resolve().as_uri()}?{query}", uri=True,
                                   isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
            conn.row_factory = sqlite3.Row
            conn.execute("SELECT count(*) FROM learner").fetchone()
        except sqlite3.Error as exc:
            raise classify(exc, paths, "reading it") from exc
    except BaseException:
        lock.release()
        raise
    store = SqliteProgressStore(conn, paths)
    store.reader_query = query
    store.read_only = True
    store.hold(lock, [])
    return store


def open_store_for_reading(data_dir: Path | None = None) -> SqliteProgressStore:
    """Open the store for a command that only reads (an export): normally, without the daily
    backup; when the file or folder cannot be written, read-only instead."""
    try:
        return open_store(data_dir, daily_backups=False)
    except StoreError as exc:
        if exc.kind != StoreError.UNWRITABLE:
            raise
        try:
            return open_store(data_dir, read_only=True)
        except StoreError as ro:
            raise (exc if ro.kind == StoreError.UNWRITABLE else ro) from None


def _json_object(text: str) -> dict[str, object] | None:
    """`text` read as a JSON object, or None when it is not one."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
