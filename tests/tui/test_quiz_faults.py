"""The quiz when something outside the app interferes: the same quiz submitted or discarded
in another window (a second connection to the same database file), and a full disk (a real
SQLITE_FULL, from a size limit on the store's own connection). The app stays open, says what
happened, and never loses the answer on screen."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.pilot import Pilot

from tests.tui.bank import QUESTIONS
from tests.tui.conftest import MakeApp
from tests.tui.helpers import quiz_key, settle
from vpkp_tutor.domain.model import QuestionType
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.services import Services
from vpkp_tutor.storage import SqliteProgressStore, open_store
from vpkp_tutor.tui.app import VpkpApp
from vpkp_tutor.tui.dialogs.confirm import ConfirmDialog
from vpkp_tutor.tui.disk import is_disk_full
from vpkp_tutor.tui.screens.home import HomeScreen
from vpkp_tutor.tui.screens.quiz import QuizScreen
from vpkp_tutor.tui.screens.results import ResultsScreen
from vpkp_tutor.tui.widgets.feedback import FeedbackView
from vpkp_tutor.tui.widgets.question_view import QuestionView


async def open_quiz(app: VpkpApp, pilot: Pilot[None], mode: QuizMode = QuizMode.TUTOR,
                    ) -> QuizScreen:
    """Start a quiz over the whole bank and move to its first single-best item."""
    assert app.learner is not None
    attempt = app.services.build_quiz(
        app.learner.id, QuizSettings(mode=mode, count=len(QUESTIONS), seed=1))
    app.run_attempt(attempt)
    await settle(pilot)
    quiz = app.screen
    assert isinstance(quiz, QuizScreen)
    for _ in QUESTIONS:
        if quiz.question.type is QuestionType.SINGLE_BEST:
            return quiz
        await quiz_key(pilot, "n")
        await settle(pilot)
    raise AssertionError("no single-best item in the quiz")


def notes(app: VpkpApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def other_window(tmp_path: Path, app: VpkpApp) -> Services:
    """A second program on the same database file: its own store connection."""
    return Services(app.services.content, open_store(tmp_path / "data", daily_backups=False))


async def test_answer_after_another_window_submitted_offers_the_results(
    make: MakeApp, tmp_path: Path
) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await open_quiz(app, pilot)
        attempt_id = quiz.attempt.id
        other = other_window(tmp_path, app)
        try:
            other.finish_quiz(attempt_id)
        finally:
            other.store.close()
        await pilot.press("a", "enter")
        await settle(pilot)
        assert app.is_running
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "submitted in another window" in dialog.question
        await pilot.press("y")
        await settle(pilot)
        results = app.screen
        assert isinstance(results, ResultsScreen)
        assert results.result.attempt.id == attempt_id
        assert app.services.store.responses(app.learner.id) == []  # the answer was refused
    assert app.return_code in (None, 0)


async def test_answer_after_another_window_submitted_can_go_home(make: MakeApp, tmp_path: Path) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await open_quiz(app, pilot, QuizMode.EXAM)
        other = other_window(tmp_path, app)
        try:
            other.finish_quiz(quiz.attempt.id)
        finally:
            other.store.close()
        await pilot.press("a", "n")  # an exam keeps a changed answer when moving on
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await quiz_key(pilot, "n")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.is_running


async def test_answer_after_another_window_discarded_the_quiz(make: MakeApp, tmp_path: Path) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await open_quiz(app, pilot)
        other = other_window(tmp_path, app)
        try:
            other.abandon_attempt(quiz.attempt.id)
        finally:
            other.store.close()
        await pilot.press("a", "enter")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, HomeScreen)
        assert any("discarded in another window" in n for n in notes(app))


def fill_disk(store: SqliteProgressStore) -> None:
    """Make the next growth of the database fail with a real SQLITE_FULL: cap the store's
    connection at the pages it has, then fill the free room of the response table with rows
    of a filler learner, in ever smaller rows, until not even a tiny one fits."""
    conn = store._conn
    conn.execute("INSERT INTO learner(id, display_name, created_at)"
                 " VALUES ('~filler', '~filler', '2026-01-01T00:00:00.000000Z')")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    size, n = 2048, 0
    while size >= 1:
        try:
            conn.execute(
                "INSERT INTO response(id, learner_id, attempt_id, mode, question_id,"
                " content_hash, answer_json, points, max_points, correct, seconds,"
                " answered_at) VALUES (?, '~filler', '~', '~', '~', '', ?, 0, 0, 0, 0, '~')",
                (f"~{n:06d}", "x" * size))
            n += 1
        except sqlite3.OperationalError as exc:
            assert is_disk_full(exc), exc
            size //= 2


def free_disk(store: SqliteProgressStore) -> None:
    store._conn.execute("PRAGMA max_page_count = 1073741823")


async def test_full_disk_keeps_the_app_open_and_the_answer_to_save_again(make: MakeApp, store: SqliteProgressStore) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await open_quiz(app, pilot)
        question = quiz.question
        await pilot.press("b")
        await settle(pilot)
        widget = quiz.query_one(QuestionView).input
        assert widget.value == "B"
        fill_disk(store)
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and app.screen is quiz
        assert any("disk is full" in n for n in notes(app))
        assert quiz.query_one(QuestionView).input is widget and widget.value == "B"  # still chosen
        assert not quiz.query(FeedbackView) and question.id not in quiz.answers
        assert store.responses(app.learner.id) == []
        await pilot.press("enter")  # still full: still kept, still on screen
        await settle(pilot)
        assert widget.value == "B" and store.responses(app.learner.id) == []
        free_disk(store)
        await pilot.press("enter")
        await settle(pilot)
        assert quiz.query(FeedbackView)
        (saved,) = store.responses(app.learner.id)
        assert (saved.question_id, saved.answer) == (question.id, "B")


def test_is_disk_full_recognises_the_ways_a_full_disk_shows() -> None:
    import errno

    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert is_disk_full(sqlite3.OperationalError("database or disk is full"))
    try:
        try:
            raise sqlite3.OperationalError("database or disk is full")
        except sqlite3.OperationalError:
            raise sqlite3.OperationalError("cannot rollback - no transaction is active")  # noqa: B904 (as SQLite does)
    except sqlite3.OperationalError as exc:
        assert is_disk_full(exc)  # SQLite rolled back itself; the rollback after failed
    assert not is_disk_full(sqlite3.OperationalError("database is locked"))
    assert not is_disk_full(ValueError("not an answer"))
