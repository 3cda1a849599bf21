"""Benchmarks of the xAPI outbox: syncing queued statements to a local Ralph LRS beside a
bare httpx client posting the same batches, and what queueing adds to an answer.

Ralph's file backend looks for each posted id in its whole file before writing (and reads
it all to do so), so its cost per request grows with what it holds: the batches here are
larger than the app's default (50) to keep the run within minutes; both sides post the same
batches to a fresh server each.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from run import Figure  # noqa: E402

BATCH = 1000


def _store_with_queue(folder: Path, n: int) -> tuple[object, str]:
    """A progress store with one learner and `n` distinct answer statements queued."""
    import datetime as dt

    from tests.lrs.test_sync import BASE, HOME
    from tests.services.tinybank import tiny_bank
    from vpkp_tutor.domain.progress import Learner, ResponseEvent, ResponseRecord
    from vpkp_tutor.export.xapi import XapiConfig, answer_statement, voiding
    from vpkp_tutor.storage import open_store
    from vpkp_tutor.storage.outbox import Queued, put

    store = open_store(folder, daily_backups=False)
    learner = Learner(id=uuid.uuid4().hex, display_name="Bench Learner")
    store.add_learner(learner)
    bank = tiny_bank()
    config = XapiConfig(base=BASE, home_page=HOME)
    t0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)

    def items() -> object:
        for i in range(n):
            qid = bank.questions[i % len(bank.questions)].id
            record = ResponseRecord(attempt_id=str(uuid.uuid4()), question_id=qid,
                                    content_hash="h", answer="A", points=1.0, max_points=1.0,
                                    correct=True, seconds=10.0,
                                    answered_at=t0 + dt.timedelta(seconds=i))
            event = ResponseEvent(id=f"r{i}", learner_id=learner.id, mode="tutor",
                                  record=record)
            key, st = answer_statement(bank, event, config)
            yield Queued(key, st, record.attempt_id)

    with store.transaction() as c:
        put(c, learner.id, items(), voiding, t0)  # type: ignore[arg-type]
    return store, learner.id


def fig_lrs_sync(work: Path, quick: bool) -> list[Figure]:
    """Statements/s syncing the outbox to Ralph vs bare httpx posting the same batches."""
    import httpx

    from tests.lrs.ralph import KEY, SECRET, Ralph
    from vpkp_tutor.lrs.client import LrsClient
    from vpkp_tutor.lrs.credentials import Credentials
    from vpkp_tutor.services.sync import send
    from vpkp_tutor.storage.outbox import Outbox

    n = 20_000 if quick else 100_000
    folder = work / f"lrs-{time.time_ns()}"
    store, learner = _store_with_queue(folder / "data", n)
    outbox = Outbox(store)  # type: ignore[arg-type]
    class Interleaved(LrsClient):
        """Posts each batch first with bare httpx to its own fresh Ralph (the floor), then
        as the sync does, so both servers grow in step under the same machine load."""

        floor = 0.0

        def post(self, texts: list[str]) -> list[str]:
            body = ("[" + ",".join(texts) + "]").encode()
            t = time.perf_counter()
            http.post(f"{bare.endpoint}statements", content=body).raise_for_status()
            Interleaved.floor += time.perf_counter() - t
            return super().post(texts)

    import datetime as dt

    bare = Ralph(folder / "ralph-bare").start()
    ralph = Ralph(folder / "ralph-sync").start()
    try:
        with httpx.Client(auth=(KEY, SECRET), timeout=300,
                          headers={"X-Experience-API-Version": "1.0.3",
                                   "Content-Type": "application/json"}) as http, \
                Interleaved(ralph.endpoint, Credentials(KEY, SECRET), timeout=300) as client:
            t = time.perf_counter()
            sent, _ = send(outbox, client, [learner], BATCH, lambda: dt.datetime.now(dt.UTC))
            ours = time.perf_counter() - t - Interleaved.floor
        floor = Interleaved.floor
        assert sent == n and outbox.waiting() == 0
        assert ralph.stored_lines() == bare.stored_lines() == n
    finally:
        bare.stop()
        ralph.stop()
        store.close()  # type: ignore[attr-defined]
    return [Figure(f"sync {n:,} statements to Ralph (time)", ours, "s", floor, 1.25,
                   f"{n / ours:,.0f} statements/s vs bare httpx {n / floor:,.0f}/s "
                   f"(rate {floor / ours:.2f}×, target ≥ 0.8×), batches of {BATCH}")]


def fig_queue_cost(work: Path, quick: bool) -> list[Figure]:
    """What queueing the statement adds to an answer's transaction (median, ms)."""
    from tests.services.tinybank import FakeClock, make_services
    from vpkp_tutor.domain.progress import QuizMode, QuizSettings

    rounds = 100 if quick else 300
    folder = work / f"queue-{time.time_ns()}"
    clock = FakeClock()
    svc = make_services(folder, clock)
    lid = svc.create_learner("Bench").id
    store = svc.store
    with_q: list[float] = []
    without: list[float] = []
    from vpkp_tutor.services.sync import answer_hook

    for i in range(rounds):
        attempt = svc.build_quiz(lid, QuizSettings(mode=QuizMode.TUTOR, count=2, seed=i))
        for j, qid in enumerate(attempt.question_ids):
            question = svc.content.question(qid)
            clock.advance(seconds=5)
            record = svc._quizzes._score_record(attempt.id, question, None, 3.0)
            hook = answer_hook(svc.content, svc.settings, lid, "tutor", record, clock())
            t = time.perf_counter()
            store.record_response(lid, "tutor", record, type(question),
                                  hook if (i + j) % 2 == 0 else None)
            (with_q if (i + j) % 2 == 0 else without).append(time.perf_counter() - t)
    store.close()  # type: ignore[attr-defined]
    added = (statistics.median(with_q) - statistics.median(without)) * 1000
    return [Figure("queueing an answer's statement (added)", added, "ms", None, 2.0,
                   f"median answer {statistics.median(without) * 1000:.2f} ms without, "
                   f"{statistics.median(with_q) * 1000:.2f} ms with")]


if __name__ == "__main__":
    import tempfile

    quick = "--quick" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        for fig in (*fig_queue_cost(Path(tmp), quick), *fig_lrs_sync(Path(tmp), quick)):
            print(fig.line(), json.dumps({"value": fig.value}))
