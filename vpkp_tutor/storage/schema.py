"""The SQLite schema and its forward migrations, versioned with `PRAGMA user_version`.

`MIGRATIONS[i]` takes a database at version `i` to version `i + 1`. Each migration runs in
its own transaction together with the `user_version` bump, so a failed migration leaves the
database at the previous version. Never edit a released migration; append a new one.
"""

from __future__ import annotations

import sqlite3

V1 = """
CREATE TABLE learner (
    id           TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    program      TEXT NOT NULL DEFAULT '',
    level        TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL
);
CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE lesson_progress (
    learner_id TEXT NOT NULL REFERENCES learner(id),
    lesson_id  TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    completed  INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (learner_id, lesson_id)
);
CREATE TABLE attempt (
    id            TEXT PRIMARY KEY,
    learner_id    TEXT NOT NULL REFERENCES learner(id),
    mode          TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    question_ids  TEXT NOT NULL,
    time_limit_s  INTEGER,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    abandoned_at  TEXT,
    position      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attempt_learner ON attempt(learner_id, started_at);
CREATE TABLE response (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    learner_id   TEXT NOT NULL REFERENCES learner(id),
    attempt_id   TEXT NOT NULL,
    mode         TEXT NOT NULL,
    question_id  TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    answer_json  TEXT NOT NULL,
    points       REAL NOT NULL,
    max_points   REAL NOT NULL,
    correct      INTEGER NOT NULL,
    seconds      REAL NOT NULL,
    answered_at  TEXT NOT NULL
);
CREATE INDEX response_learner ON response(learner_id, answered_at);
CREATE INDEX response_attempt ON response(attempt_id, question_id);
CREATE TABLE flag (
    learner_id  TEXT NOT NULL REFERENCES learner(id),
    question_id TEXT NOT NULL,
    flagged_at  TEXT NOT NULL,
    PRIMARY KEY (learner_id, question_id)
);
CREATE TABLE case_run (
    id          TEXT PRIMARY KEY,
    learner_id  TEXT NOT NULL REFERENCES learner(id),
    case_id     TEXT NOT NULL,
    choice_path TEXT NOT NULL,
    points      INTEGER NOT NULL,
    max_points  INTEGER NOT NULL,
    critical    TEXT NOT NULL,
    end_node    TEXT,
    started_at  TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX case_run_learner ON case_run(learner_id, started_at);
CREATE TABLE review_card (
    learner_id  TEXT NOT NULL REFERENCES learner(id),
    question_id TEXT NOT NULL,
    card_json   TEXT NOT NULL,
    due         TEXT NOT NULL,
    PRIMARY KEY (learner_id, question_id)
);
CREATE INDEX review_card_due ON review_card(learner_id, due);
CREATE TABLE review_log (
    learner_id       TEXT NOT NULL,
    question_id      TEXT NOT NULL,
    attempt_id       TEXT NOT NULL,
    rating           INTEGER NOT NULL,
    reviewed_at      TEXT NOT NULL,
    card_before_json TEXT,
    PRIMARY KEY (learner_id, question_id, attempt_id)
);
"""
"""Version 1: learners, settings, lessons, attempts, responses, flags, cases, review state."""

MIGRATIONS: tuple[str, ...] = (V1,)
"""Forward migrations; the schema version is `len(MIGRATIONS)`."""
SCHEMA_VERSION = len(MIGRATIONS)
"""The version this code reads and writes."""


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer version of the app."""


def user_version(conn: sqlite3.Connection) -> int:
    """The database's schema version."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, migrations: tuple[str, ...] = MIGRATIONS) -> int:
    """Apply pending migrations, each in its own transaction; return the new version.

    The version is read again inside each transaction, so when two copies of the app open
    the same database at once, the second sees the first one's work and skips it. The
    connection must be in autocommit mode (`isolation_level=None`).
    """
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = user_version(conn)
            if version > len(migrations):
                raise SchemaTooNewError(
                    f"the progress database is at schema version {version}, but this version "
                    f"of VP/KP Tutor only knows up to {len(migrations)}; please upgrade the app"
                )
            if version == len(migrations):
                conn.execute("COMMIT")
                return version
            for statement in _statements(migrations[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def _statements(script: str) -> list[str]:
    """Split a migration script into complete statements."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
