"""xAPI statements into the outbox, and from the outbox to the Learning Record Store.

- `answer_hook`, `lesson_hook`, `abandon_hook`: what the store runs inside the transaction of
  an answer, a lesson's completion and a discarded attempt, so that the statement is queued
  (or the attempt's statements voided) together with the record — or not at all.
- `catch_up`: brings a learner's outbox up to date with the whole history and the current
  settings and content (records from before the outbox existed; a question edited since; a
  changed `xapi_base`): each record's statement is rebuilt; an unchanged one queues nothing,
  a changed one voids (or, unsent, drops) the earlier one and is queued anew.
- `sync`: sends the outbox in batches (`lrs_batch_size`), removing a batch only once the LRS
  acknowledged it. Statement ids are derived from the record and its content, so a batch
  sent again after a lost answer is harmless (the LRS already has it: 200/204).

Every statement is checked with `xapi_check` before it is queued; a statement that breaks
the rules is not queued (and is counted as `invalid`), the answer itself is still saved.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from msgspec.structs import replace

from vpkp_tutor.domain.model import ContentBank
from vpkp_tutor.domain.progress import (
    Attempt,
    CaseRun,
    ResponseEvent,
    ResponseRecord,
    time_used,
)
from vpkp_tutor.export.xapi import (
    XapiConfig,
    answer_statement,
    case_statements,
    keyed_statements,
    lesson_statement,
    quiz_statements,
    voiding,
)
from vpkp_tutor.export.xapi_check import problems
from vpkp_tutor.services.settings import AppSettings
from vpkp_tutor.storage.outbox import Outbox, Queued, account_name, put, void_attempt

if TYPE_CHECKING:
    from vpkp_tutor.export.record import LearnerData
    from vpkp_tutor.lrs.client import LrsClient

Statement = dict[str, Any]
INVALID: list[str] = []
"""What the statements left out for breaking xAPI rules broke (this process; for a look)."""


def config_of(settings: AppSettings, account: str = "",
              stored: Callable[[str], Statement | None] | None = None) -> XapiConfig:
    """The statements' IRIs and actor from the settings (placeholders where unset)."""
    base = XapiConfig()
    return XapiConfig(base=settings.xapi_base or base.base,
                      home_page=settings.xapi_home_page or base.home_page,
                      account_name=account, stored=stored)


def learner_config(store: object, settings: AppSettings, learner_id: str) -> XapiConfig:
    """The learner's xAPI settings for an export, with the statements already queued (so a
    removed question keeps the definition it was answered with)."""
    from vpkp_tutor.storage.store import SqliteProgressStore

    if not isinstance(store, SqliteProgressStore):
        return config_of(settings)
    outbox = Outbox(store)
    return config_of(settings, outbox.account_name(learner_id), outbox.stored(learner_id))


def status_line(store: object, settings: AppSettings, learner_id: str) -> str:
    """`12 waiting · last sent 10:42` (local time; a date when not today), or "" when no
    LRS is set (or the store keeps no outbox)."""
    from vpkp_tutor.storage.store import SqliteProgressStore

    if not settings.lrs_endpoint or not isinstance(store, SqliteProgressStore):
        return ""
    outbox = Outbox(store)
    waiting = outbox.waiting([learner_id])
    last = outbox.last_sent([learner_id])
    if last is None:
        return f"{waiting} waiting · never sent"
    local = last.astimezone()
    today = dt.datetime.now().astimezone().date()
    when = local.strftime("%H:%M") if local.date() == today else local.strftime(
        "%Y-%m-%d %H:%M")
    return f"{waiting} waiting · last sent {when}"


def _valid(items: Iterator[Queued]) -> Iterator[Queued]:
    for item in items:
        found = problems(item.statement)
        if found:
            INVALID.append(f"{item.key}: {'; '.join(found)}")
            continue
        yield item


def _void(new: Statement, old_id: str, now: dt.datetime) -> Statement:
    return voiding(new, old_id, now)


def _attempt_of(key: str, st: Statement) -> str:
    if key.startswith(("quiz:", "case:")):
        return key.split(":", 2)[1]
    return str(st.get("context", {}).get("registration", ""))


def answer_hook(content: ContentBank, settings: AppSettings, learner_id: str, mode: str,
                record: ResponseRecord, now: dt.datetime
                ) -> Callable[[sqlite3.Connection, str], None]:
    """Queues the answer's statement inside the answer's transaction."""

    def queue(c: sqlite3.Connection, response_id: str) -> None:
        config = config_of(settings, account_name(c, learner_id))
        event = ResponseEvent(id=response_id, learner_id=learner_id, mode=mode, record=record)
        key, st = answer_statement(content, event, config)
        attempt = "" if record.attempt_id.startswith("lesson:") else record.attempt_id
        put(c, learner_id, _valid(iter([Queued(key, st, attempt)])), _void, now)

    return queue


def restate_hook(content: ContentBank, settings: AppSettings, now: dt.datetime
                 ) -> Callable[[sqlite3.Connection, str, str, str, ResponseRecord], None]:
    """Queues a stored answer's statement again after its confidence or error tag changed
    (they travel as result extensions), inside that change's transaction: the statement
    queued with the answer, when still unsent, is replaced; once sent, it is voided."""

    def queue(c: sqlite3.Connection, learner_id: str, response_id: str, mode: str,
              record: ResponseRecord) -> None:
        answer_hook(content, settings, learner_id, mode, record, now)(c, response_id)

    return queue


def lesson_hook(content: ContentBank, settings: AppSettings, learner_id: str, lesson_id: str,
                now: dt.datetime) -> Callable[[sqlite3.Connection], None]:
    """Queues a lesson's one `completed` (a lesson completed again queues nothing)."""

    def queue(c: sqlite3.Connection) -> None:
        config = config_of(settings, account_name(c, learner_id))
        key, st = lesson_statement(learner_id, content, lesson_id, now, config)
        put(c, learner_id, _valid(iter([Queued(key, st, keep_first=True)])), _void, now)

    return queue


def quiz_hook(content: ContentBank, settings: AppSettings, attempt: Attempt,
              now: dt.datetime) -> Callable[[sqlite3.Connection], None]:
    """Queues a submitted quiz's `completed` and `passed`/`failed` in the submission's
    transaction (the attempt as it was read just before, with its answers)."""
    done = replace(attempt, finished_at=now)
    points = sum(r.points for r in attempt.responses.values())
    seconds = time_used(done, sum(r.seconds for r in attempt.responses.values()))

    def queue(c: sqlite3.Connection) -> None:
        config = config_of(settings, account_name(c, attempt.learner_id))
        items = (Queued(key, st, attempt.id) for key, st in quiz_statements(
            attempt.learner_id, content, done, points, seconds, config))
        put(c, attempt.learner_id, _valid(items), _void, now)

    return queue


def case_hook(content: ContentBank, settings: AppSettings, run: CaseRun,
              now: dt.datetime) -> Callable[[sqlite3.Connection], None]:
    """Queues a finished case run's `completed` and `passed`/`failed` in its transaction."""

    def queue(c: sqlite3.Connection) -> None:
        config = config_of(settings, account_name(c, run.learner_id))
        items = (Queued(key, st, run.id) for key, st in case_statements(
            run.learner_id, content, run, config))
        put(c, run.learner_id, _valid(items), _void, now)

    return queue


def abandon_hook(attempt_id: str, now: dt.datetime) -> Callable[[sqlite3.Connection], None]:
    """Voids the statements of a discarded attempt inside the discard's transaction."""

    def queue(c: sqlite3.Connection) -> None:
        void_attempt(c, attempt_id, _void, now)

    return queue


def catch_up(outbox: Outbox, content: ContentBank, settings: AppSettings,
             data: LearnerData, now: dt.datetime) -> int:
    """Queue what the learner's history needs that is not queued yet (see the module
    docstring); return how many statements were queued."""
    learner_id = data.learner.id
    expected = outbox.current(learner_id)  # read before anything is built: see `put`
    config = config_of(settings, outbox.account_name(learner_id), outbox.stored(learner_id))
    discarded = outbox.voided_attempts(learner_id)
    items = (Queued(key, st, _attempt_of(key, st))
             for key, st in keyed_statements(data, content, config))
    kept = (item for item in items if item.attempt_id not in discarded)
    return outbox.put_built(learner_id, _valid(kept), _void, now, expected)


class SyncResult(NamedTuple):
    """What a sync did."""

    queued: int
    """Statements the catch-up added to the outbox."""
    sent: int
    """Statements the LRS acknowledged."""
    batches: int
    """Requests that were acknowledged."""
    waiting: int
    """Statements still in the outbox (of the learners synced)."""
    retries: int
    """Requests tried again (network errors, 5xx, 429)."""


def send(outbox: Outbox, client: LrsClient, learner_ids: list[str], batch_size: int,
         clock: Callable[[], dt.datetime],
         progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Send the learners' waiting statements in batches, oldest first; return (statements,
    batches) acknowledged. A batch leaves the outbox only once the LRS acknowledged it; on
    an error the batch stays queued and the error (`LrsError`) is raised."""
    sent = batches = 0
    total = outbox.waiting(learner_ids)
    while True:
        batch = outbox.claim(learner_ids, batch_size)
        if not batch:
            return sent, batches
        client.post([w.statement_json for w in batch])  # an error leaves the batch queued
        outbox.ack(batch, clock())
        sent += len(batch)
        batches += 1
        if progress is not None:
            progress(sent, total)


class Sent(NamedTuple):
    """What one background sync did."""

    sent: int
    """Statements the LRS acknowledged."""
    status: str
    """The outbox line after it (`3 waiting · last sent 10:42`)."""
    problem: str = ""
    """Why it stopped short ("" when everything waiting was sent), never with a secret."""


def sync_learner(store: object, content: ContentBank, settings: AppSettings,
                 data: Callable[[], LearnerData] | None, learner_id: str,
                 clock: Callable[[], dt.datetime], cancelled: Callable[[], bool],
                 wait: Callable[[float], object]) -> Sent:
    """One background sync of a learner's outbox while the app is open: bring it up to date
    with the history first when `data` is given (the first sync of a run), then send it in
    batches until it is empty, the LRS fails or `cancelled()` (the app is closing).

    Everything runs on the caller's thread; the store's own lock keeps each transaction
    whole, so the app's answers go on being saved (and queued) meanwhile. The LRS client
    tries each batch a few times with short delays (`wait`, which returns early when the
    app closes) — the next sync, minutes later, is the real retry."""
    from vpkp_tutor.lrs.client import LrsClient, LrsError
    from vpkp_tutor.lrs.credentials import CredentialsError, load_credentials
    from vpkp_tutor.storage import StoreError

    outbox = Outbox(store)  # type: ignore[arg-type]

    def line(sent: int, problem: str = "") -> Sent:
        return Sent(sent, status_line(store, settings, learner_id), problem)

    if not settings.xapi_base or not settings.xapi_home_page:
        return line(0, "set xapi_base and xapi_home_page (vpkp-tutor config) to send")
    try:
        credentials = load_credentials(settings.lrs_credentials_file)
    except CredentialsError as exc:
        return line(0, str(exc))
    sent = 0
    try:
        if data is not None:
            catch_up(outbox, content, settings, data(), clock())
        with LrsClient(settings.lrs_endpoint, credentials, timeout=BACKGROUND_TIMEOUT,
                       tries=BACKGROUND_TRIES, backoff=1.0, max_delay=5.0,
                       sleep=wait) as client:
            while not cancelled():
                batch = outbox.claim([learner_id], settings.lrs_batch_size)
                if not batch:
                    break
                client.post([w.statement_json for w in batch])
                outbox.ack(batch, clock())
                sent += len(batch)
    except (LrsError, StoreError) as exc:
        return line(sent, str(exc))
    return line(sent)


BACKGROUND_TIMEOUT = 5.0
"""Seconds a background request may take (closing the app waits at most this long)."""
BACKGROUND_TRIES = 3
"""Tries of one batch in a background sync."""
