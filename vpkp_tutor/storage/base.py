"""Plumbing shared by the store's tables: the connection, transactions, settings, FSRS.

One connection per store, in autocommit mode with explicit `BEGIN IMMEDIATE … COMMIT`
transactions, so each recorded answer is exactly one durable transaction. A lock makes the
store safe to call from worker threads. Long exports stream through a separate read-only
connection (WAL lets it read a consistent snapshot while the app keeps writing).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vpkp_tutor.storage.backup import backup_to
from vpkp_tutor.storage.paths import StorePaths
from vpkp_tutor.storage.review import DEFAULT_RETENTION, ReviewScheduler, parse_retention
from vpkp_tutor.storage.schema import user_version

BUSY_TIMEOUT_MS = 5000
"""How long a statement waits for another connection's lock before failing."""
RETENTION_KEY = "desired_retention"
"""Setting holding the FSRS desired retention."""


class StoreError(RuntimeError):
    """The progress database cannot be opened or used; the message says why."""


class StoreBase:
    """Connection, transactions, settings and the review scheduler."""

    def __init__(self, conn: sqlite3.Connection, paths: StorePaths) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.paths = paths
        """Where the database and its backups live."""
        self._scheduler: ReviewScheduler | None = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on success, rolled back on any error."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        """Run a read query and return all rows."""
        with self._lock:
            return list(self._conn.execute(sql, params))

    def iter_query(self, sql: str, params: tuple[object, ...] = (),
                   batch: int = 5000) -> Iterator[sqlite3.Row]:
        """Stream a read query in batches over a read-only connection (one snapshot)."""
        reader = sqlite3.connect(f"{self.paths.db_path.resolve().as_uri()}?mode=ro", uri=True,
                                 timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            reader.row_factory = sqlite3.Row
            reader.execute("BEGIN")
            cursor = reader.execute(sql, params)
            while rows := cursor.fetchmany(batch):
                yield from rows
        finally:
            reader.close()

    @property
    def schema_version(self) -> int:
        """The database's schema version."""
        with self._lock:
            return user_version(self._conn)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def backup(self, target: Path) -> Path:
        """Write a consistent copy of the database to `target` via the backup API."""
        with self._lock:
            return backup_to(self._conn, target)

    # -- settings ------------------------------------------------------------------------
    def get_setting(self, key: str, default: str = "") -> str:
        """A stored setting, or `default`."""
        rows = self.query("SELECT value FROM setting WHERE key = ?", (key,))
        return str(rows[0]["value"]) if rows else default

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting. `desired_retention` is validated (0.70–0.97)."""
        if key == RETENTION_KEY:
            parse_retention(value)
        with self.transaction() as c:
            c.execute(
                "INSERT INTO setting(key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
        if key == RETENTION_KEY:
            self._scheduler = None

    @property
    def scheduler(self) -> ReviewScheduler:
        """The FSRS scheduler with the configured desired retention."""
        if self._scheduler is None:
            raw = self.get_setting(RETENTION_KEY, "")
            try:
                retention = parse_retention(raw) if raw else DEFAULT_RETENTION
            except ValueError:
                retention = DEFAULT_RETENTION
            self._scheduler = ReviewScheduler(retention)
        return self._scheduler
