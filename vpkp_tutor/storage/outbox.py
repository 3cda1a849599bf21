"""The xAPI outbox in the progress database: statements waiting for the Learning Record Store.

Every statement is queued in the transaction of the record that caused it (an answer, a
lesson completion), through the connection that transaction holds (`put`). For each record
(`record_key`: `answer:<response id>`, `lesson:<id>:completed`, …) the statement last queued
is kept in `xapi_statement`; a new statement for the same key with another id (the answer
was replaced, the question edited) replaces it: when the old one is still waiting unsent it
is simply dropped from the outbox, otherwise a voiding statement is queued before the new
one. A record whose statements were voided (a discarded attempt) is never queued again.

`Outbox` is what `vpkp-tutor sync` uses: `claim` takes a batch (and notes the newest entry
taken, so a statement replaced while it may be on its way is voided rather than dropped),
`ack` removes the statements the LRS acknowledged (only then); a batch that failed simply
stays.
The statements are stored as JSON text; nothing secret is ever stored here.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple, Protocol

from vpkp_tutor.domain.progress import iso_utc, parse_utc

Statement = dict[str, Any]
Voider = Callable[[Statement, str, dt.datetime], Statement]
"""Builds the statement voiding an earlier statement id (given the new statement, whose
actor it takes, the old id and the time)."""


class Queued(NamedTuple):
    """One statement to queue for a record."""

    key: str
    """The record it stands for (one current statement per learner and key)."""
    statement: Statement
    """The statement, already checked."""
    attempt_id: str = ""
    """The quiz attempt it belongs to (so discarding the attempt voids it)."""
    keep_first: bool = False
    """Keep the statement already queued for this key, if any (a lesson's completion)."""


class Waiting(NamedTuple):
    """A statement in the outbox."""

    seq: int
    learner_id: str
    statement_id: str
    statement_json: str


class _Db(Protocol):
    def transaction(self) -> Any: ...
    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]: ...


def _text(st: Statement) -> str:
    return json.dumps(st, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _enqueue(c: sqlite3.Connection, learner_id: str, st: Statement, now: dt.datetime,
             text: str | None = None) -> None:
    c.execute("INSERT INTO xapi_outbox(learner_id, statement_id, statement_json, queued_at)"
              " VALUES (?,?,?,?)", (learner_id, st["id"], text or _text(st), iso_utc(now)))


def _retract(c: sqlite3.Connection, learner_id: str, old_id: str, new: Statement,
             void: Voider, now: dt.datetime) -> None:
    """Take back the statement `old_id`: drop it when it waits unsent, else void it."""
    dropped = c.execute(
        "DELETE FROM xapi_outbox WHERE learner_id = ? AND statement_id = ? AND seq >"
        " COALESCE((SELECT upto FROM xapi_claim), 0)", (learner_id, old_id)).rowcount
    if not dropped:
        _enqueue(c, learner_id, void(new, old_id, now), now)


def put(c: sqlite3.Connection, learner_id: str, items: Iterable[Queued], void: Voider,
        now: dt.datetime, expected: Mapping[str, str] | None = None) -> int:
    """Queue the statements of records inside the caller's transaction; return how many were
    queued (a record whose statement is unchanged, or was voided, queues nothing).

    `expected` (record key → statement id, as read before the statements were built) makes
    the put optimistic: a record whose current statement is no longer the one expected was
    queued anew meanwhile (the learner changed an answer while a catch-up was building) and
    is left as it is, since what was built is older."""
    queued = 0
    for item in items:
        st = item.statement
        row = c.execute("SELECT statement_id, voided FROM xapi_statement WHERE learner_id = ?"
                        " AND record_key = ?", (learner_id, item.key)).fetchone()
        if row is not None and (row[1] or row[0] == st["id"] or item.keep_first):
            continue
        if expected is not None and (row[0] if row else None) != expected.get(item.key):
            continue
        text = _text(st)
        if row is None:
            c.execute("INSERT INTO xapi_statement(learner_id, record_key, statement_id,"
                      " statement_json, attempt_id) VALUES (?,?,?,?,?)",
                      (learner_id, item.key, st["id"], text, item.attempt_id))
        else:
            _retract(c, learner_id, str(row[0]), st, void, now)
            c.execute("UPDATE xapi_statement SET statement_id = ?, statement_json = ?"
                      " WHERE learner_id = ? AND record_key = ?",
                      (st["id"], text, learner_id, item.key))
        _enqueue(c, learner_id, st, now, text)
        queued += 1
    return queued


def void_attempt(c: sqlite3.Connection, attempt_id: str, void: Voider,
                 now: dt.datetime) -> int:
    """Void (or drop, when unsent) every statement of a discarded attempt, inside the
    caller's transaction; its records are never queued again. Returns how many."""
    rows = c.execute("SELECT learner_id, record_key, statement_id, statement_json"
                     " FROM xapi_statement WHERE attempt_id = ? AND voided = 0",
                     (attempt_id,)).fetchall()
    for learner_id, key, old_id, text in rows:
        _retract(c, learner_id, old_id, json.loads(text), void, now)
        c.execute("UPDATE xapi_statement SET voided = 1 WHERE learner_id = ? AND"
                  " record_key = ?", (learner_id, key))
    return len(rows)


def account_name(c: sqlite3.Connection, learner_id: str) -> str:
    """The learner's program-issued xAPI account name ("" when none was given)."""
    row = c.execute("SELECT name FROM xapi_account WHERE learner_id = ?",
                    (learner_id,)).fetchone()
    return str(row[0]) if row else ""


class Outbox:
    """The outbox of one progress store, for sending."""

    def __init__(self, store: _Db) -> None:
        self.store = store

    def waiting(self, learner_ids: Iterable[str] | None = None) -> int:
        """How many statements wait (for these learners; all when None)."""
        if learner_ids is None:
            return int(self.store.query("SELECT count(*) FROM xapi_outbox")[0][0])
        ids = list(learner_ids)
        return sum(int(self.store.query("SELECT count(*) FROM xapi_outbox WHERE"
                                        " learner_id = ?", (i,))[0][0]) for i in ids)

    def claim(self, learner_ids: list[str], limit: int, after: int = 0) -> list[Waiting]:
        """The oldest waiting statements of these learners after `after` (at most `limit`),
        noted as taken: a statement replaced meanwhile is then voided rather than dropped."""
        marks = ",".join("?" * len(learner_ids))
        with self.store.transaction() as c:
            rows = c.execute(
                f"SELECT seq, learner_id, statement_id, statement_json FROM xapi_outbox"
                f" WHERE seq > ? AND learner_id IN ({marks}) ORDER BY seq LIMIT ?",
                (after, *learner_ids, limit)).fetchall()
            if rows:
                c.execute("INSERT INTO xapi_claim(id, upto) VALUES (1, ?) ON CONFLICT(id)"
                          " DO UPDATE SET upto = MAX(upto, excluded.upto)", (rows[-1][0],))
        return [Waiting(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]

    def ack(self, batch: list[Waiting], now: dt.datetime) -> None:
        """The LRS stored (or already had) these statements: remove them from the outbox
        and note when each learner's were last sent."""
        with self.store.transaction() as c:
            c.executemany("DELETE FROM xapi_outbox WHERE seq = ?", [(w.seq,) for w in batch])
            counts: dict[str, int] = {}
            for w in batch:
                counts[w.learner_id] = counts.get(w.learner_id, 0) + 1
            if not c.execute("SELECT 1 FROM xapi_outbox LIMIT 1").fetchone():
                c.execute("DELETE FROM xapi_claim")  # nothing is on its way any more
            for learner_id, n in counts.items():
                c.execute("INSERT INTO xapi_sync(learner_id, last_sent_at, sent) VALUES"
                          " (?,?,?) ON CONFLICT(learner_id) DO UPDATE SET last_sent_at ="
                          " excluded.last_sent_at, sent = sent + excluded.sent",
                          (learner_id, iso_utc(now), n))

    def last_sent(self, learner_ids: Iterable[str] | None = None) -> dt.datetime | None:
        """When statements (of these learners) were last acknowledged, if ever."""
        rows = self.store.query("SELECT learner_id, last_sent_at FROM xapi_sync")
        wanted = None if learner_ids is None else set(learner_ids)
        times = [parse_utc(r[1]) for r in rows if wanted is None or r[0] in wanted]
        return max(times) if times else None

    def stored(self, learner_id: str) -> Callable[[str], Statement | None]:
        """The statement last queued for each of the learner's record keys (a lookup, read
        when asked: only a removed question or a lesson's completion needs one)."""

        def lookup(key: str) -> Statement | None:
            rows = self.store.query("SELECT statement_json FROM xapi_statement WHERE"
                                    " learner_id = ? AND record_key = ? AND voided = 0",
                                    (learner_id, key))
            return dict(json.loads(rows[0][0])) if rows else None

        return lookup

    def voided_attempts(self, learner_id: str) -> set[str]:
        """Attempts whose statements were voided (or which were discarded)."""
        rows = self.store.query(
            "SELECT id FROM attempt WHERE learner_id = ? AND abandoned_at IS NOT NULL",
            (learner_id,))
        return {str(r[0]) for r in rows}

    def put(self, learner_id: str, items: Iterable[Queued], void: Voider,
            now: dt.datetime) -> int:
        """`put` in a transaction of its own."""
        with self.store.transaction() as c:
            return put(c, learner_id, items, void, now)

    def current(self, learner_id: str) -> dict[str, str]:
        """Record key → the id of the statement last queued for it (voided ones too)."""
        rows = self.store.query("SELECT record_key, statement_id FROM xapi_statement"
                                " WHERE learner_id = ?", (learner_id,))
        return {str(r[0]): str(r[1]) for r in rows}

    def put_built(self, learner_id: str, items: Iterable[Queued], void: Voider,
                  now: dt.datetime, expected: Mapping[str, str], chunk: int = 500) -> int:
        """Queue statements built outside any transaction (a catch-up), `chunk` records
        per transaction so the app's own writes are never held up for long; a record
        queued anew since `expected` was read is left alone (see `put`)."""
        queued = 0
        batch: list[Queued] = []
        for item in items:
            batch.append(item)
            if len(batch) >= chunk:
                with self.store.transaction() as c:
                    queued += put(c, learner_id, batch, void, now, expected)
                batch = []
        if batch:
            with self.store.transaction() as c:
                queued += put(c, learner_id, batch, void, now, expected)
        return queued

    def account_name(self, learner_id: str) -> str:
        """The learner's program-issued account name, or ""."""
        rows = self.store.query("SELECT name FROM xapi_account WHERE learner_id = ?",
                                (learner_id,))
        return str(rows[0][0]) if rows else ""

    def set_account_name(self, learner_id: str, name: str) -> None:
        """Give the learner a program-issued account name ("" removes it)."""
        with self.store.transaction() as c:
            if name:
                c.execute("INSERT INTO xapi_account(learner_id, name) VALUES (?,?)"
                          " ON CONFLICT(learner_id) DO UPDATE SET name = excluded.name",
                          (learner_id, name))
            else:
                c.execute("DELETE FROM xapi_account WHERE learner_id = ?", (learner_id,))

    def statements(self, learner_ids: list[str]) -> Iterator[Statement]:
        """Every waiting statement of these learners, oldest first (for a look)."""
        for learner_id in learner_ids:
            for r in self.store.query("SELECT statement_json FROM xapi_outbox WHERE"
                                      " learner_id = ? ORDER BY seq", (learner_id,)):
                yield dict(json.loads(r[0]))
