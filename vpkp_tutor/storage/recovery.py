"""Getting out of a broken progress database: restore a backup or start fresh.

Neither choice ever overwrites or deletes the current file: it is renamed aside, together
with its `-wal`/`-shm` files, as `progress.damaged-<UTC time>.sqlite3` in the data folder,
byte for byte as it was. A backup is usable when it is a SQLite file that passes
`PRAGMA quick_check` and is not newer than this app; it is copied into place with the
backup API through a temporary file, so the database appears complete or not at all.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from vpkp_tutor.storage.base import StoreError
from vpkp_tutor.storage.guard import PRE_WAL_PREFIX
from vpkp_tutor.storage.health import inspect
from vpkp_tutor.storage.paths import StorePaths
from vpkp_tutor.storage.schema import SCHEMA_VERSION

ASIDE_PREFIX = "progress.damaged-"
"""File name prefix of a database set aside."""
SIDECARS = ("-wal", "-shm", "-journal", "-walid")
"""Files kept beside a database (SQLite's, and the record of its -wal file's identity),
moved aside with it."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """A backup file and whether it can be restored."""

    path: Path
    """The backup file."""
    taken_at: dt.datetime
    """When it was written (its modification time, UTC)."""
    schema_version: int
    """Its schema version (-1 when unreadable)."""
    problem: str | None
    """Why it cannot be restored, or None."""

    @property
    def usable(self) -> bool:
        """True when it can be restored."""
        return self.problem is None


def describe_backup(path: Path) -> BackupInfo:
    """Check one backup file without modifying it."""
    try:
        taken = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    except OSError as exc:
        return BackupInfo(path, dt.datetime.min.replace(tzinfo=dt.UTC), -1,
                          f"it cannot be read ({exc.strerror or exc})")
    version, problem = inspect(path, immutable=True)
    if problem is None and version > SCHEMA_VERSION:
        problem = f"it is from a newer version of the app (schema version {version})"
    return BackupInfo(path, taken, version, problem)


def list_backups(paths: StorePaths) -> list[BackupInfo]:
    """Every backup in the backups folder, newest first, usable or not."""
    if not paths.backups_dir.is_dir():
        return []
    found = [describe_backup(p) for p in paths.backups_dir.glob("*.sqlite3") if p.is_file()]
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def latest_backup(paths: StorePaths) -> BackupInfo | None:
    """The newest usable backup, if any. The byte-for-byte copies taken before a -wal left
    by a killed process was applied are not chosen: they hold the database file without
    that -wal (restore one by its path to get exactly that)."""
    return next((b for b in list_backups(paths)
                 if b.usable and not b.path.name.startswith(PRE_WAL_PREFIX)), None)


def aside_path(paths: StorePaths, now: dt.datetime) -> Path:
    """A name, not yet taken, to keep the current database under."""
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    n = 1
    while True:
        suffix = "" if n == 1 else f"-{n}"
        candidate = paths.data_dir / f"{ASIDE_PREFIX}{stamp}{suffix}.sqlite3"
        if not any(Path(f"{candidate}{s}").exists() for s in ("", *SIDECARS)):
            return candidate
        n += 1


def set_aside(paths: StorePaths, target: Path) -> Path | None:
    """Rename the database (and its -wal/-shm/-journal files) to `target`; return it, or
    None when there was no database. Refuses to overwrite anything."""
    moves = [(Path(f"{paths.db_path}{s}"), Path(f"{target}{s}")) for s in ("", *SIDECARS)]
    moves = [(src, dst) for src, dst in moves if src.exists()]
    if not moves:
        return None
    taken = [dst for _, dst in moves if dst.exists()]
    if taken:
        raise StoreError(f"will not overwrite {taken[0]}", StoreError.OTHER, paths.db_path)
    try:
        for src, dst in moves:
            os.rename(src, dst)
    except OSError as exc:
        raise StoreError(f"could not move {paths.db_path} aside to {target}: "
                         f"{exc.strerror or exc}", StoreError.UNWRITABLE,
                         paths.db_path) from exc
    return target


def start_fresh(paths: StorePaths, now: dt.datetime) -> Path | None:
    """Set the current database aside so that the next open starts an empty one; return
    where it went (None when there was none)."""
    return set_aside(paths, aside_path(paths, now))


def restore_backup(paths: StorePaths, backup: Path, now: dt.datetime) -> Path | None:
    """Put `backup` in place of the current database (which is set aside first); return
    where the old file went (None when there was none). The backup itself is unchanged."""
    info = describe_backup(backup)
    if info.problem:
        raise StoreError(f"cannot restore {backup}: {info.problem}", StoreError.OTHER, backup)
    if backup.resolve() == paths.db_path.resolve():
        raise StoreError(f"{backup} is the progress database itself, not a backup")
    aside = start_fresh(paths, now)
    tmp = paths.db_path.with_name(f".{paths.db_path.name}.restoring")
    tmp.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            dest = sqlite3.connect(tmp)
            try:
                src.backup(dest)
            finally:
                dest.close()
        finally:
            src.close()
        os.replace(tmp, paths.db_path)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        kept = f" (the previous file is kept as {aside})" if aside else ""
        raise StoreError(f"could not restore {backup}: {exc}{kept}", StoreError.OTHER,
                         paths.db_path) from exc
    return aside
