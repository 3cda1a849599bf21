"""The SQLite schema and its forward migrations, versioned with `PRAGMA user_version`.

`MIGRATIONS[i]` takes a database at version `i` to version `i + 1`. Each migration runs in
its own transaction together with the `user_version` bump, so a failed migration leaves the
database at the previous version. Never edit a released migration; append a new one.

Our databases carry `PRAGMA application_id = APPLICATION_ID`. Files written before it was
set have 0 there; they are recognised by the tables their version must have
(`TABLES[version]`) and stamped when next opened. Any other SQLite file is not ours
(`foreign_problem` says why) and is never migrated.
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

DEFAULT_COURSE = "vpkp"
"""The course of progress written before courses existed: the bundled course's id."""

V_COURSE = f"""
ALTER TABLE attempt ADD COLUMN course_id TEXT NOT NULL DEFAULT '{DEFAULT_COURSE}';
ALTER TABLE response ADD COLUMN course_id TEXT NOT NULL DEFAULT '{DEFAULT_COURSE}';
ALTER TABLE case_run ADD COLUMN course_id TEXT NOT NULL DEFAULT '{DEFAULT_COURSE}';
DROP INDEX response_learner;
CREATE INDEX response_learner ON response(learner_id, course_id, answered_at);
CREATE TABLE lesson_progress_by_course (
    learner_id TEXT NOT NULL REFERENCES learner(id),
    course_id  TEXT NOT NULL,
    lesson_id  TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    completed  INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (learner_id, course_id, lesson_id)
);
INSERT INTO lesson_progress_by_course
    SELECT learner_id, '{DEFAULT_COURSE}', lesson_id, position, completed, updated_at
    FROM lesson_progress;
DROP TABLE lesson_progress;
ALTER TABLE lesson_progress_by_course RENAME TO lesson_progress;
CREATE TABLE flag_by_course (
    learner_id  TEXT NOT NULL REFERENCES learner(id),
    course_id   TEXT NOT NULL,
    question_id TEXT NOT NULL,
    flagged_at  TEXT NOT NULL,
    PRIMARY KEY (learner_id, course_id, question_id)
);
INSERT INTO flag_by_course
    SELECT learner_id, '{DEFAULT_COURSE}', question_id, flagged_at FROM flag;
DROP TABLE flag;
ALTER TABLE flag_by_course RENAME TO flag;
CREATE TABLE review_card_by_course (
    learner_id  TEXT NOT NULL REFERENCES learner(id),
    course_id   TEXT NOT NULL,
    question_id TEXT NOT NULL,
    card_json   TEXT NOT NULL,
    due         TEXT NOT NULL,
    PRIMARY KEY (learner_id, course_id, question_id)
);
INSERT INTO review_card_by_course
    SELECT learner_id, '{DEFAULT_COURSE}', question_id, card_json, due FROM review_card;
DROP TABLE review_card;
ALTER TABLE review_card_by_course RENAME TO review_card;
CREATE INDEX review_card_due ON review_card(learner_id, course_id, due);
CREATE TABLE review_log_by_course (
    learner_id       TEXT NOT NULL,
    course_id        TEXT NOT NULL,
    question_id      TEXT NOT NULL,
    attempt_id       TEXT NOT NULL,
    rating           INTEGER NOT NULL,
    reviewed_at      TEXT NOT NULL,
    card_before_json TEXT,
    PRIMARY KEY (learner_id, course_id, question_id, attempt_id)
);
INSERT INTO review_log_by_course
    SELECT learner_id, '{DEFAULT_COURSE}', question_id, attempt_id, rating, reviewed_at,
           card_before_json FROM review_log;
DROP TABLE review_log;
ALTER TABLE review_log_by_course RENAME TO review_log;
"""
"""Progress is kept per course: attempts, responses, case runs, lesson progress, flags and
review state carry the course id (rows written before are the bundled course's)."""

V_CONFIDENCE = """
ALTER TABLE response ADD COLUMN confidence INTEGER CHECK (confidence IN (1, 2, 3));
ALTER TABLE response ADD COLUMN error_tag TEXT;
ALTER TABLE response ADD COLUMN error_comment TEXT NOT NULL DEFAULT '';
"""
"""Confidence and why-was-it-wrong on each response: `confidence` (1 sure, 2 unsure,
3 guess; NULL when not stated), `error_tag` (`domain.confidence.ErrorTag` value; NULL when
none) and `error_comment` (kept with a "disagree with the key" tag)."""

V_OUTBOX = """
CREATE TABLE xapi_statement (
    learner_id     TEXT NOT NULL REFERENCES learner(id),
    record_key     TEXT NOT NULL,
    statement_id   TEXT NOT NULL,
    statement_json TEXT NOT NULL,
    attempt_id     TEXT NOT NULL DEFAULT '',
    voided         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (learner_id, record_key)
) WITHOUT ROWID;
CREATE TABLE xapi_outbox (
    seq            INTEGER PRIMARY KEY,
    learner_id     TEXT NOT NULL REFERENCES learner(id),
    statement_id   TEXT NOT NULL,
    statement_json TEXT NOT NULL,
    queued_at      TEXT NOT NULL
);
CREATE TABLE xapi_claim (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    upto INTEGER NOT NULL
);
CREATE TABLE xapi_account (
    learner_id TEXT PRIMARY KEY REFERENCES learner(id),
    name       TEXT NOT NULL
);
CREATE TABLE xapi_sync (
    learner_id   TEXT PRIMARY KEY REFERENCES learner(id),
    last_sent_at TEXT NOT NULL,
    sent         INTEGER NOT NULL DEFAULT 0
);
"""
"""The xAPI outbox: the statement last queued for each record (`xapi_statement`, so a
changed one is voided and replaced), the statements waiting to be sent (`xapi_outbox`),
program-issued account names, when each learner's statements were last sent, and the
newest outbox entry a sync has taken to send (`xapi_claim`). No secondary index: each would
cost the answer's transaction a page write (the outbox is small and read in `seq` order)."""

MIGRATIONS: tuple[str, ...] = (V1, V_COURSE, V_CONFIDENCE, V_OUTBOX)
"""Forward migrations; the schema version is `len(MIGRATIONS)`."""
SCHEMA_VERSION = len(MIGRATIONS)
"""The version this code reads and writes."""


APPLICATION_ID = 0x56504B50
"""`PRAGMA application_id` of a VP/KP Tutor database ("VPKP")."""
V1_TABLES = frozenset({"learner", "setting", "lesson_progress", "attempt", "response", "flag",
                       "case_run", "review_card", "review_log"})
V_OUTBOX_TABLES = V1_TABLES | {"xapi_statement", "xapi_outbox", "xapi_account", "xapi_sync",
                               "xapi_claim"}
TABLES: tuple[frozenset[str], ...] = (frozenset(), V1_TABLES, V1_TABLES, V1_TABLES,
                                      V_OUTBOX_TABLES)
"""`TABLES[v]`: the tables a database at schema version `v` has at least (append one per
migration)."""


def foreign_problem(application_id: int, version: int, tables: set[str],
                    schema_version: int | None = None) -> str | None:
    """Why a SQLite file is not a VP/KP Tutor database, or None when it is (or may become
    one: a SQLite file with no tables at all). `schema_version` is the newest version this
    code knows (default: `SCHEMA_VERSION`)."""
    known = SCHEMA_VERSION if schema_version is None else schema_version
    if application_id not in (0, APPLICATION_ID):
        return f"its application id is {application_id:#010x}, not VP/KP Tutor's"
    if application_id == APPLICATION_ID:
        return None  # ours (a negative version is damage, said by the health check)
    if version < 0:
        return f"its schema version is {version}, which VP/KP Tutor never writes"
    if version == 0:
        return None if not tables else (
            "it holds other tables (" + ", ".join(sorted(tables)[:4])
            + (", …" if len(tables) > 4 else "") + ")")
    if version > known:
        return f"it has no VP/KP Tutor application id and schema version {version}"
    missing = TABLES[min(version, len(TABLES) - 1)] - tables
    if missing:
        return ("it lacks VP/KP Tutor's tables (" + ", ".join(sorted(missing)[:4])
                + (", …" if len(missing) > 4 else "") + ")")
    return None


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer version of the app."""


def user_version(conn: sqlite3.Connection) -> int:
    """The database's schema version."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def application_id(conn: sqlite3.Connection) -> int:
    """The database's application id (0 when never set)."""
    return int(conn.execute("PRAGMA application_id").fetchone()[0])


def table_names(conn: sqlite3.Connection) -> set[str]:
    """The names of the database's own tables."""
    return {str(r[0]) for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}


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
            if version < 0:
                raise ValueError(f"schema version {version} is not a VP/KP Tutor version")
            if version > len(migrations):
                raise SchemaTooNewError(
                    f"the progress database is at schema version {version}, but this version "
                    f"of VP/KP Tutor only knows up to {len(migrations)}; please upgrade the app"
                )
            if version == len(migrations):
                if application_id(conn) != APPLICATION_ID:
                    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute("COMMIT")
                return version
            for statement in _statements(migrations[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
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
