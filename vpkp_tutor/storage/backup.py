"""Backups through the SQLite online backup API (never a file copy of a live database).

A backup is written to a temporary file with a unique name beside the target and renamed
into place, so a file under its final name is always a complete database — even when two
copies of the app back up at the same moment, or one is killed half-way. Temporary files
left by a killed process are removed once they are old.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import tempfile
import time
from pathlib import Path

DAILY_PREFIX = "daily-"
"""File name prefix of the rotating daily backups."""
DAILY_KEEP = 7
"""How many daily backups are kept."""
PART_SUFFIX = ".part"
"""Suffix of a backup still being written."""
STALE_PART_S = 3600.0
"""A temporary backup file older than this was left by a process that died."""


def backup_to(conn: sqlite3.Connection, target: Path) -> Path:
    """Copy the open database into `target` with `Connection.backup`; return `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                suffix=PART_SUFFIX)
    os.close(fd)
    tmp = Path(name)
    try:
        dest = sqlite3.connect(tmp)
        try:
            conn.backup(dest)
            # A standalone file: opening the backup later needs no -wal/-shm beside it.
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def remove_stale_parts(backups_dir: Path, now: float | None = None,
                       names: list[str] | None = None) -> None:
    """Delete temporary backup files left behind by a process that was killed (`names`:
    the folder's file names, when already read)."""
    cutoff = (time.time() if now is None else now) - STALE_PART_S
    for name in _names(backups_dir) if names is None else names:
        if not name.endswith(PART_SUFFIX):
            continue
        part = backups_dir / name
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
        except OSError:
            pass


def _names(folder: Path) -> list[str]:
    """The names in `folder` (none when it cannot be read)."""
    try:
        return os.listdir(folder)
    except OSError:
        return []


def pre_migration_backup(conn: sqlite3.Connection, backups_dir: Path, from_version: int,
                         now: dt.datetime) -> Path:
    """Back up before migrating from `from_version`; the name records version and time."""
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return backup_to(conn, backups_dir / f"pre-migration-v{from_version}-{stamp}.sqlite3")


def daily_backup(conn: sqlite3.Connection, backups_dir: Path, today: dt.date,
                 keep: int = DAILY_KEEP) -> Path | None:
    """Make today's backup unless it exists, then delete all but the newest `keep` dailies.

    Returns the new backup's path, or None when today's already existed.
    """
    target = backups_dir / f"{DAILY_PREFIX}{today.isoformat()}.sqlite3"
    made: Path | None = None
    if not target.exists():
        made = backup_to(conn, target)
    names = _names(backups_dir)  # one read of the folder (no glob patterns to compile)
    remove_stale_parts(backups_dir, names=names)
    dailies = sorted(n for n in names if n.startswith(DAILY_PREFIX) and n.endswith(".sqlite3"))
    for old in dailies[:-keep] if keep > 0 else dailies:
        (backups_dir / old).unlink(missing_ok=True)
    return made
