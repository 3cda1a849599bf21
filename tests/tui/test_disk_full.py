"""A full disk on any write the app makes keeps the app open and says so; what was not saved
can be done again once there is room. The answer path is tested with a real SQLITE_FULL in
test_quiz_faults.py; here the other writes meet the error SQLite raises, injected at the
services (a fault case beside the real part)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

from tests.tui.conftest import MakeApp
from tests.tui.helpers import quiz_key, settle
from tests.tui.test_quiz_faults import notes, open_quiz
from vpkp_tutor.tui.screens.case import CaseScreen
from vpkp_tutor.tui.screens.lesson import LessonScreen


def full_disk(monkeypatch: pytest.MonkeyPatch, services: Any, name: str) -> Callable[[], None]:
    """Make `services.name` fail as SQLite does when the disk is full; returns a function that
    frees the disk again."""
    real = getattr(services, name)

    def failing(*args: object, **kwargs: object) -> object:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(services, name, failing)
    return lambda: monkeypatch.setattr(services, name, real)


async def test_a_flag_on_a_full_disk(make: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        quiz = await open_quiz(app, pilot)
        free = full_disk(monkeypatch, app.services, "set_flag")
        await quiz_key(pilot, "m")
        await settle(pilot)
        assert app.is_running and app.screen is quiz
        assert quiz.question.id not in quiz.flags  # not shown as flagged: it was not saved
        assert any("disk is full: the flag was not saved" in n for n in notes(app))
        free()
        await quiz_key(pilot, "m")
        await settle(pilot)
        assert quiz.question.id in quiz.flags


async def test_a_theme_and_a_lesson_step_on_a_full_disk(
    make: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        full_disk(monkeypatch, app.services, "save_settings")
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await settle(pilot)
        assert app.is_running
        assert any("the theme was not saved" in n for n in notes(app))
        full_disk(monkeypatch, app.services, "save_lesson_position")
        await pilot.press("l", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LessonScreen)
        await quiz_key(pilot, "n")
        await settle(pilot)
        assert app.is_running and app.screen.position == 1  # reading goes on
        assert any("the lesson step you are on was not saved" in n for n in notes(app))


async def test_a_case_choice_on_a_full_disk(make: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        node = screen.node
        free = full_disk(monkeypatch, app.services, "record_case_choice")
        await pilot.press("1")
        await settle(pilot)
        assert app.is_running and app.screen is screen
        assert screen.node is node and screen.pending is None and screen.path == []
        assert any("this choice" in n and "disk is full" in n for n in notes(app))
        free()
        await pilot.press("1")
        await settle(pilot)
        assert screen.pending is not None and len(screen.path) == 1


async def test_starting_a_case_or_a_quiz_on_a_full_disk(
    make: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vpkp_tutor.domain.progress import QuizMode, QuizSettings
    from vpkp_tutor.tui.screens.cases import CaseListScreen

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        full_disk(monkeypatch, app.services, "open_case_run")
        await pilot.press("c", "enter")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, CaseListScreen)
        assert any("the start of this case was not saved" in n for n in notes(app)), notes(app)
        await pilot.press("escape")
        await settle(pilot)
        home = app.screen
        full_disk(monkeypatch, app.services, "build_quiz")
        app.start_quiz(QuizSettings(mode=QuizMode.TUTOR, count=2, seed=1))
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert app.is_running and app.screen is home
        assert any("the new quiz was not saved" in n for n in notes(app)), notes(app)
