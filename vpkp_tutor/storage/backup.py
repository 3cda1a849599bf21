"""Backups through the SQLite online backup API (never a file copy of a live database).

A backup is written to a temporary name and renamed into place, so a file under its final
name is always a complete database.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

DAILY_PREFIX = "daily-"
"""File name prefix of the rotating daily backups."""
DAILY_KEEP = 7
"""How many daily backups are kept."""


def backup_to(conn: sqlite3.Connection, target: Path) -> Path:
    """Copy the open database into `target` with `Connection.backup`; return `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    dest = sqlite3.connect(tmp)
    try:
        conn.backup(dest)
    finally:
        dest.close()
    os.replace(tmp, target)
    return target


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
    dailies = sorted(backups_dir.glob(f"{DAILY_PREFIX}*.sqlite3"))
    for old in dailies[:-keep] if keep > 0 else dailies:
        old.unlink(missing_ok=True)
    return made
