"""Is the progress database usable? Checks made before the app writes anything.

- the data folder must exist (it is created) and be writable;
- an existing database file must start with the SQLite header, be ours (our application
  id, or — for files written before it was set — the tables its version must have), pass
  `PRAGMA quick_check`, and its schema version must not be newer than this app's — all
  read through a read-only connection, so a damaged, foreign or newer file is never
  modified;
- a file that cannot be read for lack of permission is said to be so (not "damaged");
- a full disk raises `StoreFull`;
- any other SQLite error is turned into a `StoreError` whose `kind` says what to do.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from vpkp_tutor.storage import schema
from vpkp_tutor.storage.base import StoreError, StoreFull, is_disk_full
from vpkp_tutor.storage.paths import StorePaths

SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""
_DAMAGED = frozenset({"SQLITE_NOTADB", "SQLITE_CORRUPT"})
_UNWRITABLE = frozenset({"SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH"})
_BUSY = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED"})


def unwritable_error(paths: StorePaths, detail: str) -> StoreError:
    """The data folder (or the database in it) cannot be written."""
    return StoreError(
        f"cannot open the progress database at {paths.db_path}: {detail}. Progress needs a "
        f"folder you can write to: check the permissions of {paths.data_dir}, or choose "
        "another folder with --data-dir DIR (or the VPKP_TUTOR_DATA environment variable)",
        StoreError.UNWRITABLE, paths.db_path)


def damaged_error(paths: StorePaths, detail: str) -> StoreError:
    """The database file is not a usable SQLite database."""
    return StoreError(f"the progress database {paths.db_path} is damaged: {detail}",
                      StoreError.DAMAGED, paths.db_path)


def too_new_error(paths: StorePaths, version: int) -> StoreError:
    """The database was written by a newer version of the app."""
    return StoreError(
        f"{paths.db_path}: the progress database is at schema version {version}, but this "
        f"version of VP/KP Tutor only knows up to {schema.SCHEMA_VERSION}; please upgrade "
        "the app", StoreError.TOO_NEW, paths.db_path)


def foreign_error(paths: StorePaths, detail: str) -> StoreError:
    """The file at the database's place belongs to another program."""
    return StoreError(
        f"{paths.db_path} is not a VP/KP Tutor database: {detail}. It is left as it is; "
        "move it elsewhere, or choose another folder with --data-dir DIR",
        StoreError.FOREIGN, paths.db_path)


def denied_error(paths: StorePaths, path: Path, detail: str) -> StoreError:
    """A file cannot be read (or written) for lack of permission."""
    return StoreError(
        f"permission denied: {path} {detail}; check its owner and permissions (ls -l), or "
        "choose another folder with --data-dir DIR", StoreError.DENIED, paths.db_path)


def check_folder(paths: StorePaths) -> None:
    """Create the data folder if needed; StoreError (unwritable) when it cannot be used."""
    try:
        paths.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise unwritable_error(
            paths, f"the folder {paths.data_dir} cannot be created ({exc.strerror or exc})"
        ) from exc
    if not paths.data_dir.is_dir():
        raise unwritable_error(paths, f"{paths.data_dir} is not a folder")
    if not os.access(paths.data_dir, os.W_OK | os.X_OK):
        raise unwritable_error(paths, f"the folder {paths.data_dir} is read-only")
    db = paths.db_path
    if db.exists() and not os.access(db, os.R_OK):
        raise denied_error(paths, db, "cannot be read")
    if db.exists() and not os.access(db, os.W_OK):
        raise unwritable_error(paths, "the database file is read-only")


def file_problem(db: Path) -> str | None:
    """Why an existing, non-empty file cannot be a SQLite database (None when it might be).
    Raises PermissionError when it may not be read."""
    try:
        with db.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except PermissionError:
        raise
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if head != SQLITE_HEADER:
        return "it is not a SQLite database file"
    return None


UNREADABLE = -(1 << 40)
"""The schema version `inspect` reports for a file it could not read."""


def examine(db: Path, *, immutable: bool = False) -> tuple[int, str | None, str]:
    """(schema version, problem, kind) of an existing database, read without writing to it.

    The problem is None when the file is ours and passes `PRAGMA quick_check`; `kind` is
    then "", else `StoreError.DAMAGED`, `StoreError.FOREIGN` or `StoreError.DENIED`. The
    version is `UNREADABLE` when it could not be read. `immutable` is for files no program
    is writing (backups): SQLite then takes no locks and creates no -wal/-shm files beside
    them.
    """
    try:
        problem = file_problem(db)
    except PermissionError as exc:
        return UNREADABLE, f"it cannot be read ({exc.strerror or exc})", StoreError.DENIED
    if problem:
        return UNREADABLE, problem, StoreError.DAMAGED
    # With no -wal/-shm beside it no copy of the app has the file open, and reading it as
    # immutable leaves none behind (a plain read-only connection would create them).
    alone = not any(Path(f"{db}{x}").exists() for x in ("-wal", "-shm"))
    query = "mode=ro&immutable=1" if immutable or alone else "mode=ro"
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?{query}", uri=True, timeout=5.0)
    except sqlite3.Error as exc:
        return UNREADABLE, _damage(exc), StoreError.DAMAGED
    try:
        version = schema.user_version(conn)
        foreign = schema.foreign_problem(schema.application_id(conn), version,
                                         schema.table_names(conn))
        if foreign:
            return version, foreign, StoreError.FOREIGN
        if version < 0:
            return version, f"its schema version is {version}, which VP/KP Tutor never " \
                "writes", StoreError.DAMAGED
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.Error as exc:
        return UNREADABLE, _damage(exc), StoreError.DAMAGED
    finally:
        conn.close()
    if rows != ["ok"]:
        return version, "it fails its integrity check (" + "; ".join(rows[:3]) + ")", \
            StoreError.DAMAGED
    return version, None, ""


def inspect(db: Path, *, immutable: bool = False) -> tuple[int, str | None]:
    """(schema version, problem) of an existing database (see `examine`)."""
    version, problem, _ = examine(db, immutable=immutable)
    return version, problem


def _damage(exc: sqlite3.Error) -> str | None:
    """The damage an error reveals, or None when the error is about something else."""
    name = getattr(exc, "sqlite_errorname", "")
    text = str(exc)
    if name in _DAMAGED or "malformed" in text or "not a database" in text:
        return f"it cannot be read as a database ({text})"
    return None


def check_existing(paths: StorePaths) -> bool:
    """Check an existing database before opening it for writing; return True when there is
    one (a missing or empty file is a new database). Raises StoreError (damaged, too-new)."""
    db = paths.db_path
    try:
        if not db.exists() or db.stat().st_size == 0:
            return False
    except OSError as exc:
        raise unwritable_error(paths, f"it cannot be read ({exc.strerror or exc})") from exc
    version, problem, kind = examine(db)
    if kind == StoreError.DENIED:
        raise denied_error(paths, db, "cannot be read")
    if kind == StoreError.FOREIGN:
        raise foreign_error(paths, str(problem))
    if problem:
        raise damaged_error(paths, problem)
    if version > schema.SCHEMA_VERSION:
        raise too_new_error(paths, version)
    return True


def classify(exc: BaseException, paths: StorePaths, doing: str) -> StoreError:
    """A readable StoreError for an error raised while `doing` something to the database."""
    if isinstance(exc, StoreError):
        return exc
    if is_disk_full(exc):
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return StoreFull(paths.db_path, f"{doing} failed: {detail}" if doing else detail)
    name = getattr(exc, "sqlite_errorname", "")
    if isinstance(exc, sqlite3.Error):
        damage = _damage(exc)
        if damage:
            return damaged_error(paths, damage)
        if name in _UNWRITABLE or "readonly" in str(exc) or "unable to open" in str(exc):
            return unwritable_error(paths, f"{doing} failed ({exc})")
        if name in _BUSY or "locked" in str(exc):
            return StoreError(
                f"the progress database {paths.db_path} is locked by another program "
                f"({exc}); close other copies of VP/KP Tutor and try again",
                StoreError.BUSY, paths.db_path)
    if isinstance(exc, PermissionError):
        where = Path(exc.filename) if exc.filename else paths.db_path
        return denied_error(paths, where, f"cannot be used: {doing} failed")
    return StoreError(f"{paths.db_path} is not a usable progress database: {doing} failed "
                      f"({exc})", StoreError.OTHER, paths.db_path)
