"""The SQLite progress store: opening (paths, pragmas, migrations, backups), learners, lessons.

The database uses the WAL journal with `synchronous=FULL`, so a committed answer survives a
crash or power cut, and a busy timeout so a second process waits instead of failing.
Plumbing and settings live in `base.py`; attempts, responses, flags, review cards and case
runs in `store_quiz.py`; this class puts them together.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from vpkp_tutor.domain.progress import Learner, LessonProgress, iso_utc, parse_utc
from vpkp_tutor.storage import schema
from vpkp_tutor.storage.backup import daily_backup, pre_migration_backup
from vpkp_tutor.storage.base import BUSY_TIMEOUT_MS, StoreError
from vpkp_tutor.storage.paths import resolve_paths
from vpkp_tutor.storage.schema import SchemaTooNewError, migrate, user_version
from vpkp_tutor.storage.store_quiz import QuizTables


class SqliteProgressStore(QuizTables):
    """Learner progress in one SQLite database (see `open_store`)."""

    # -- learners ------------------------------------------------------------------------
    def add_learner(self, learner: Learner) -> None:
        """Insert a learner profile."""
        created = learner.created_at or dt.datetime.now(dt.UTC)
        with self.transaction() as c:
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
        """The learner with this id, if any."""
        rows = self.query("SELECT * FROM learner WHERE id = ?", (learner_id,))
        return _learner(rows[0]) if rows else None

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


def _learner(r: sqlite3.Row) -> Learner:
    return Learner(
        id=r["id"],
        display_name=r["display_name"],
        program=r["program"],
        level=r["level"],
        created_at=parse_utc(r["created_at"]),
    )


def connect(db_path: Path) -> sqlite3.Connection:
    """Open a connection configured for durability: WAL, synchronous=FULL, busy timeout."""
    conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False,
                           timeout=BUSY_TIMEOUT_MS / 1000)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        conn.close()
        raise StoreError(f"{db_path}: could not switch the database to WAL mode ({mode})")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def open_store(data_dir: Path | None = None, *, today: dt.date | None = None,
               daily_backups: bool = True) -> SqliteProgressStore:
    """Open (creating or migrating) the progress store in `data_dir`.

    `data_dir` None resolves from `VPKP_TUTOR_DATA` or the platform data directory. Before
    any migration of an existing database a backup is taken with the SQLite backup API; an
    existing database also gets one rotating daily backup. Raises StoreError with a
    readable message when the database cannot be opened.
    """
    paths = resolve_paths(data_dir)
    try:
        paths.data_dir.mkdir(parents=True, exist_ok=True)
        existed = paths.db_path.exists() and paths.db_path.stat().st_size > 0
        conn = connect(paths.db_path)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open the progress database at {paths.db_path}: {exc}") from exc
    try:
        now = dt.datetime.now(dt.UTC)
        version = user_version(conn)
        backup: Path | None = None
        if existed and version < len(schema.MIGRATIONS):
            backup = pre_migration_backup(conn, paths.backups_dir, version, now)
        try:
            migrate(conn, schema.MIGRATIONS)
        except sqlite3.Error as exc:
            kept = f"; a backup taken before the upgrade is at {backup}" if backup else ""
            raise StoreError(f"could not upgrade {paths.db_path} from schema version "
                             f"{version}: {exc}{kept}") from exc
        if existed and daily_backups:
            daily_backup(conn, paths.backups_dir, today or now.astimezone().date())
    except SchemaTooNewError as exc:
        conn.close()
        raise StoreError(f"{paths.db_path}: {exc}") from exc
    except StoreError:
        conn.close()
        raise
    except (sqlite3.DatabaseError, OSError) as exc:
        conn.close()
        raise StoreError(f"{paths.db_path} is not a usable progress database: {exc}") from exc
    except BaseException:
        conn.close()
        raise
    return SqliteProgressStore(conn, paths)
