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


def remove_stale_parts(backups_dir: Path, now: float | None = None) -> None:
    """Delete temporary backup files left behind by a process that was killed."""
    cutoff = (time.time() if now is None else now) - STALE_PART_S
    for part in backups_dir.glob(f"*{PART_SUFFIX}"):
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
        except OSError:
            pass


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
    remove_stale_parts(backups_dir)
    dailies = sorted(backups_dir.glob(f"{DAILY_PREFIX}*.sqlite3"))
    for old in dailies[:-keep] if keep > 0 else dailies:
        old.unlink(missing_ok=True)
    return made
