"""Plumbing shared by the store's tables: the connection, transactions, settings, FSRS.

One connection per store, in autocommit mode with explicit `BEGIN IMMEDIATE … COMMIT`
transactions, so each recorded answer is exactly one durable transaction. A lock makes the
store safe to call from worker threads. Long exports stream through a separate read-only
connection (WAL lets it read a consistent snapshot while the app keeps writing).
"""

from __future__ import annotations

import datetime as dt
import errno
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import NamedTuple, Protocol

from vpkp_tutor.domain.confidence import Confidence, ErrorTag
from vpkp_tutor.domain.model import Question
from vpkp_tutor.domain.progress import (
    Attempt,
    CaseRun,
    Learner,
    LessonProgress,
    ResponseEvent,
    ResponseRecord,
    ResponseRow,
)
from vpkp_tutor.storage.backup import backup_to
from vpkp_tutor.storage.paths import StorePaths
from vpkp_tutor.storage.review import ReviewScheduler
from vpkp_tutor.storage.schema import DEFAULT_COURSE, user_version

BUSY_TIMEOUT_MS = 5000
"""How long a statement waits for another connection's lock before failing."""
READER_MMAP_BYTES = 256 << 20
"""Most of the database a read-only export connection maps into memory (file pages the
system can drop at any time; they count towards the process's resident size while
mapped, so the map is capped)."""


OnCommit = Callable[[sqlite3.Connection], None]
Restated = Callable[[sqlite3.Connection, str, str, str, ResponseRecord], None]
"""Queues a stored answer's statement again once its confidence or error tag changed, in
the same transaction: (connection, learner id, response id, mode, the record as it now is)."""
"""Work done inside a write's own transaction (queueing its xAPI statements)."""


class AttemptStatus(NamedTuple):
    """What recording an answer needs to know about its attempt."""

    learner_id: str
    mode: str
    """The quiz mode's value (`tutor`, `exam`, `review`)."""
    closed: bool
    """Submitted or abandoned: no answer may be added."""


class ProgressStore(Protocol):
    """What the services facade needs of a progress store (`SqliteProgressStore` is the
    one there is). Every method that writes commits before it returns."""

    paths: StorePaths
    notices: tuple[str, ...]
    course_id: str
    """The course whose progress is read and written."""

    @property
    def scheduler(self) -> ReviewScheduler: ...

    # settings
    def get_setting(self, key: str, default: str = "") -> str: ...
    def set_setting(self, key: str, value: str) -> None: ...
    def delete_setting(self, key: str) -> bool: ...
    def use_retention(self, desired_retention: float) -> None: ...

    # learners and lessons
    def add_learner(self, learner: Learner, *, unique: bool = False) -> None: ...
    def list_learners(self) -> list[Learner]: ...
    def get_learner(self, learner_id: str) -> Learner | None: ...
    def find_learners(self, name: str) -> list[Learner]: ...
    def rename_learner(self, learner_id: str, display_name: str) -> Learner: ...
    def delete_learner(self, learner_id: str, forget_setting: str = "",
                       forget_entry_in: str = "") -> bool: ...
    def learner_activity(self) -> dict[str, tuple[int, dt.datetime | None]]: ...
    def lesson_progress(self, learner_id: str) -> dict[str, LessonProgress]: ...
    def save_lesson(self, learner_id: str, lesson_id: str, now: dt.datetime,
                    position: int | None = None, completed: bool | None = None,
                    outbox: OnCommit | None = None) -> None: ...

    # attempts and answers
    def insert_attempt(self, attempt: Attempt) -> None: ...
    def attempt_status(self, attempt_id: str) -> AttemptStatus | None: ...
    def get_attempt(self, attempt_id: str) -> Attempt | None: ...
    def set_attempt_position(self, attempt_id: str, position: int) -> None: ...
    def finish_attempt(self, attempt_id: str, now: dt.datetime,
                       outbox: OnCommit | None = None) -> None: ...
    def abandon_attempt(self, attempt_id: str, now: dt.datetime,
                        outbox: OnCommit | None = None) -> None: ...
    def latest_unfinished_attempt(self, learner_id: str) -> Attempt | None: ...
    def finished_attempts(self, learner_id: str) -> list[Attempt]: ...
    def attempt_headers(self, learner_id: str) -> list[Attempt]: ...
    def record_response(self, learner_id: str, mode: str, record: ResponseRecord,
                        kind: type[Question],
                        outbox: Callable[[sqlite3.Connection, str], None] | None = None
                        ) -> str: ...
    def responses(self, learner_id: str) -> list[ResponseRecord]: ...
    def iter_response_events(self, learner_id: str) -> Iterator[ResponseEvent]: ...
    def response_rows(self, learner_id: str
                      ) -> AbstractContextManager[Iterator[ResponseRow]]: ...
    def set_confidence(self, attempt_id: str, question_id: str,
                       confidence: Confidence | None, kind: type[Question], *,
                       learner_id: str | None = None, outbox: Restated | None = None
                       ) -> bool: ...
    def set_error_tag(self, attempt_id: str, question_id: str, tag: ErrorTag | None,
                      comment: str = "", *, learner_id: str | None = None,
                      outbox: Restated | None = None) -> bool: ...
    def confidence_rows(self, learner_id: str
                        ) -> list[tuple[str, int | None, bool, str | None]]: ...
    def answered_ids(self, learner_id: str) -> set[str]: ...
    def answered_by_course(self, learner_id: str) -> dict[str, int]: ...
    def incorrect_ids(self, learner_id: str) -> set[str]: ...

    # flags and spaced review
    def set_flag(self, learner_id: str, question_id: str, flagged: bool,
                 now: dt.datetime) -> None: ...
    def flags(self, learner_id: str) -> frozenset[str]: ...
    def card_dues(self, learner_id: str, until: dt.datetime | None = None
                  ) -> list[tuple[str, dt.datetime]]: ...

    # cases
    def save_case_run(self, run: CaseRun, end_node: str | None = None,
                      outbox: OnCommit | None = None) -> None: ...
    def get_case_run(self, run_id: str) -> CaseRun | None: ...
    def case_runs(self, learner_id: str) -> list[CaseRun]: ...


class StoreError(RuntimeError):
    """The progress database cannot be opened or used; the message says why.

    `kind` says what went wrong, so a caller can offer the right way out: `damaged` (not a
    SQLite file, or it fails its integrity check) and `too-new` (written by a newer version
    of the app) can be recovered from a backup or by starting fresh; `unwritable` needs
    another data folder; `busy` means another program holds a lock; `full` means the disk is
    full (see `StoreFull`); `foreign` means the file belongs to another program (it is left
    alone, never offered for replacement); `denied` means the file cannot be read for lack of
    permission; `other` is anything else.
    """

    DAMAGED = "damaged"
    TOO_NEW = "too-new"
    UNWRITABLE = "unwritable"
    BUSY = "busy"
    FULL = "full"
    FOREIGN = "foreign"
    DENIED = "denied"
    OTHER = "other"

    def __init__(self, message: str, kind: str = OTHER, path: Path | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        """What went wrong (one of the class constants)."""
        self.path = path
        """The database file concerned, when known."""

    @property
    def recoverable(self) -> bool:
        """True when restoring a backup or starting fresh would help."""
        return self.kind in (self.DAMAGED, self.TOO_NEW)


class StoreFull(StoreError):
    """The disk (or the database's size limit) is full: nothing was saved, the store is still
    open and the same write can be tried again once space is freed."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"the disk is full: could not save to {path} ({detail}); free some "
                         "space and try again", StoreError.FULL, path)


def is_disk_full(exc: BaseException) -> bool:
    """True when `exc`, or what caused it, or what it was raised while handling, says the
    disk (or the database's page limit) is full. SQLite may roll a full transaction back
    itself, so the rollback that follows fails too and hides the full disk behind it."""
    seen: BaseException | None = exc
    visited: set[int] = set()
    while seen is not None and id(seen) not in visited:
        visited.add(id(seen))
        if isinstance(seen, StoreFull):
            return True
        if isinstance(seen, sqlite3.Error) and (
                getattr(seen, "sqlite_errorname", "") == "SQLITE_FULL"
                or "database or disk is full" in str(seen)):
            return True
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class StoreBase:
    """Connection, transactions, settings and the review scheduler."""

    def __init__(self, conn: sqlite3.Connection, paths: StorePaths) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.paths = paths
        """Where the database and its backups live."""
        self._scheduler: ReviewScheduler | None = None
        self.reader_query = "mode=ro"
        """URI parameters of read-only connections."""
        self.course_id = DEFAULT_COURSE
        """The course whose progress this store reads and writes (the services set it to
        the open course's id): one course's progress never mixes with another's."""

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on success, rolled back on any error.

        A full disk (SQLITE_FULL, ENOSPC) raises `StoreFull`, with nothing saved and the store
        still usable: the same write can be tried again once there is space.
        """
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                    self._conn.execute("COMMIT")
                except BaseException:
                    if self._conn.in_transaction:  # SQLite may have rolled back already
                        self._conn.execute("ROLLBACK")
                    raise
            except (sqlite3.Error, OSError) as exc:
                if is_disk_full(exc) and not isinstance(exc, StoreFull):
                    raise StoreFull(self.paths.db_path, str(exc)) from exc
                raise
            self.after_commit()

    def after_commit(self) -> None:
        """Called after each committed write transaction (the store records the -wal file's
        identity there)."""

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        """Run a read query and return all rows."""
        with self._lock:
            return list(self._conn.execute(sql, params))

    def iter_query(self, sql: str, params: tuple[object, ...] = (),
                   batch: int = 5000) -> Iterator[sqlite3.Row]:
        """Stream a read query in batches over a read-only connection (one snapshot)."""
        with self.reader() as reader:
            reader.row_factory = sqlite3.Row
            cursor = reader.execute(sql, params)
            while rows := cursor.fetchmany(batch):
                yield from rows

    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection inside one read transaction (a consistent snapshot while
        the app keeps writing), closed on exit. Pages are read through a memory map, which
        spares a long export a system call per page."""
        reader = sqlite3.connect(f"{self.paths.db_path.resolve().as_uri()}?{self.reader_query}",
                                 uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            reader.execute(f"PRAGMA mmap_size = {READER_MMAP_BYTES}")
            reader.execute("BEGIN")
            yield reader
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
        """Store a setting (checked by the caller: `services.settings`)."""
        with self.transaction() as c:
            c.execute(
                "INSERT INTO setting(key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def delete_setting(self, key: str) -> bool:
        """Remove a setting (it goes back to its default); True when one was stored."""
        with self.transaction() as c:
            return c.execute("DELETE FROM setting WHERE key = ?", (key,)).rowcount > 0

    def use_retention(self, desired_retention: float) -> None:
        """Schedule reviews for this desired retention from now on (the setting, applied by
        the services)."""
        if self._scheduler is None or self._scheduler.desired_retention != desired_retention:
            self._scheduler = ReviewScheduler(desired_retention)

    @property
    def scheduler(self) -> ReviewScheduler:
        """The FSRS scheduler with the desired retention in use (`use_retention`)."""
        if self._scheduler is None:
            self._scheduler = ReviewScheduler()
        return self._scheduler
