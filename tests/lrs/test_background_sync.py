"""The app's background sync against a real Ralph LRS on a loopback port: while the learner
keeps answering (changing answers, discarding an attempt), syncs running at the same time
send every record exactly once — each superseded statement voided, nothing lost, nothing
twice — and Home shows the outbox as the sync left it, or why it could not send."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from msgspec.structs import replace
from textual.widgets import Static

from tests.export.conftest import Populated, populate
from tests.lrs.ralph import KEY, SECRET, Ralph, free_port
from tests.services.tinybank import tiny_bank
from tests.tui.helpers import settle
from vpkp_tutor.bootstrap import LaunchOptions, make_app
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.services import Services
from vpkp_tutor.storage import open_store
from vpkp_tutor.storage.outbox import Outbox

BASE = "https://lms.example.org/xapi/vpkp/"
HOME = "https://lms.example.org"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


@pytest.fixture(autouse=True)
def creds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VPKP_TUTOR_LRS_KEY", KEY)
    monkeypatch.setenv("VPKP_TUTOR_LRS_SECRET", SECRET)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / "home" / var.lower()))


def configure(svc: Services, endpoint: str, batch: int = 3, minutes: int = 5) -> None:
    svc.save_settings(replace(svc.settings, lrs_endpoint=endpoint, xapi_base=BASE,
                              xapi_home_page=HOME, lrs_batch_size=batch,
                              lrs_sync_minutes=minutes))


def current(svc: Services) -> dict[str, str]:
    """Record key → the id of its statement now (records not discarded)."""
    return {r[0]: r[1] for r in svc.store.query(
        "SELECT record_key, statement_id FROM xapi_statement WHERE voided = 0")}


ROUNDS = 6
"""Quizzes taken while the syncs run (one in three discarded)."""


def never() -> bool:
    return False


def test_syncs_running_while_the_learner_answers_send_everything_exactly_once(
        populated: Populated, ralph: Ralph) -> None:
    svc, lid, clock = populated.services, populated.learner_id, populated.clock
    configure(svc, ralph.endpoint)
    stop = threading.Event()
    results = []
    errors: list[BaseException] = []

    def keep_syncing() -> None:
        first = True
        try:
            while not stop.is_set():
                results.append(svc.sync_now(lid, first, never, lambda s: None))
                first = False
        except BaseException as exc:
            errors.append(exc)

    syncing = threading.Thread(target=keep_syncing)
    syncing.start()
    try:
        for round_ in range(ROUNDS):  # the learner goes on studying meanwhile
            attempt = svc.build_quiz(lid, QuizSettings(mode=QuizMode.EXAM, count=4,
                                                       seed=round_ + 7))
            for qid in attempt.question_ids:
                clock.advance(seconds=20)
                svc.record_answer(attempt.id, qid, "A" if qid.endswith("sb1") else "B", 9)
                time.sleep(0.02)  # a learner's pace, so syncs and answers interleave
            first = attempt.question_ids[0]
            svc.record_answer(attempt.id, first, "C", 4)  # an answer changed: voided
            if round_ % 3 == 1:
                svc.abandon_attempt(attempt.id)  # a discarded attempt: all voided
            else:
                svc.finish_quiz(attempt.id)
        deadline = time.monotonic() + 60
        while len(results) < 3 and time.monotonic() < deadline:  # a slow machine
            time.sleep(0.05)
    finally:
        stop.set()
        syncing.join(60)
    assert not errors and len(results) >= 3 and sum(r.sent for r in results) > 0
    final = svc.sync_now(lid, False, never, lambda s: None)
    assert final.problem == "" and final.status.startswith("0 waiting · last sent")
    assert Outbox(svc.store).waiting() == 0  # type: ignore[arg-type]

    held = ralph.statements()
    ids = [st["id"] for st in held]
    assert len(ids) == len(set(ids)) == ralph.stored_lines()  # nothing twice
    voided = {st["object"]["id"] for st in held if st["verb"]["id"] == VOIDED}
    plain = {st["id"] for st in held if st["verb"]["id"] != VOIDED}
    now = set(current(svc).values())
    assert now <= plain  # every record's statement arrived
    assert plain - now == voided  # and every other one the LRS has is voided
    kept = ROUNDS - ROUNDS // 3  # quizzes not discarded, 4 answers each
    assert sum(key.startswith("answer:") for key in current(svc)) == 7 + 4 * kept


async def home_text(app: object, pilot: object, wanted: str, seconds: float = 20) -> str:
    """The dashboard's text once it shows `wanted` (or after `seconds`)."""
    end = time.monotonic() + seconds
    text = ""
    while time.monotonic() < end:
        await settle(pilot)  # type: ignore[arg-type]
        text = str(app.screen.query_one("#dashboard", Static).content)  # type: ignore[attr-defined]
        if wanted in text:
            break
        await pilot.pause(0.2)  # type: ignore[attr-defined]
    return text


async def home_of_ana(tmp_path: Path, endpoint: str, minutes: int, wanted: str,
                      seconds: float = 20) -> tuple[int, str, int]:
    """Ana's history with the LRS at `endpoint` and background syncs every `minutes`: the
    statements waiting before the app opens, Home's text once it shows `wanted` (80×24),
    and the statements waiting after the app closed."""
    p = populate(tmp_path / "data", name="Ana")
    configure(p.services, endpoint, minutes=minutes)
    before = Outbox(p.services.store).waiting()  # type: ignore[arg-type]
    p.services.store.close()
    store = open_store(tmp_path / "data", daily_backups=False)
    try:
        app = make_app(LaunchOptions(learner="Ana"), tiny_bank(), store)
        async with app.run_test(size=(80, 24)) as pilot:
            text = await home_text(app, pilot, wanted, seconds)
            await pilot.pause(0.5)
        return before, text, Outbox(store).waiting()  # type: ignore[arg-type]
    finally:
        store.close()


async def test_home_sends_in_the_background_and_shows_it(
        tmp_path: Path, ralph: Ralph, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vpkp_tutor.tui.app.SYNC_SOON", 0.2)
    before, text, after = await home_of_ana(tmp_path, ralph.endpoint, 30,
                                            "0 waiting · last sent")
    assert "Learning Record Store: 0 waiting · last sent" in text and "Not sent" not in text
    assert before > 10 and after == 0 and ralph.stored_lines() == before


async def test_home_says_why_nothing_was_sent_and_keeps_everything(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vpkp_tutor.tui.app.SYNC_SOON", 0.2)
    monkeypatch.setattr("vpkp_tutor.services.sync.BACKGROUND_TRIES", 1)
    nobody = f"http://127.0.0.1:{free_port()}/xAPI/"  # nobody listens there
    before, text, after = await home_of_ana(tmp_path, nobody, 5, "Not sent")
    assert f"Learning Record Store: {before} waiting · never sent" in text
    assert "Not sent: cannot reach the LRS at http://127.0.0.1" in text
    assert SECRET not in text and after == before


async def test_no_background_sync_unless_minutes_are_set(
        tmp_path: Path, ralph: Ralph, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vpkp_tutor.tui.app.SYNC_SOON", 0.1)
    before, text, after = await home_of_ana(tmp_path, ralph.endpoint, 0, "never sent",
                                            seconds=3)
    assert f"{before} waiting · never sent" in text
    assert after == before and ralph.stored_lines() == 0
