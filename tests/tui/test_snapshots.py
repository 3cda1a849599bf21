"""Snapshots of key screens at 80×24 in the default dark theme, with a frozen clock and
isolated user dirs (see conftest). Update with `pytest tests/tui --snapshot-update` after
checking the new pictures by eye."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from tests.tui.bank import SINGLE
from tests.tui.conftest import MakeApp
from tests.tui.helpers import settle
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.tui.app import VpkpApp

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def fixed_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Quiz attempts get ids from a counter: an ordering item's starting order is seeded by
    its attempt's id, and a picture must not change with a random one."""
    from uuid import UUID

    from vpkp_tutor.services import quizzes

    counter = iter(range(1, 1_000))
    monkeypatch.setattr(quizzes, "new_id", lambda: UUID(int=next(counter)))


def _app(make: MakeApp) -> VpkpApp:
    app = make()
    app.services.store.set_setting("theme", "textual-dark")
    return app


def _seed_progress(app: VpkpApp, learner_id: str) -> None:
    services = app.services
    attempt = services.build_quiz(learner_id, QuizSettings(count=6, seed=4))
    for i, qid in enumerate(attempt.question_ids):
        question = services.question(qid)
        key = getattr(question, "key", None)
        answer = key if i % 2 == 0 and key else None
        services.record_answer(attempt.id, qid, answer, 10.0)
    services.finish_quiz(attempt.id)
    services.save_lesson_position(learner_id, "lesson-anatomy", 1)


def test_home_dashboard(make: MakeApp, snap_compare: Callable[..., bool]) -> None:
    app = _app(make)

    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        assert app.learner is not None
        _seed_progress(app, app.learner.id)
        app.screen.refresh_dashboard()  # type: ignore[attr-defined]
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_tutor_feedback(make: MakeApp, snap_compare: Callable[..., bool]) -> None:
    app = _app(make)

    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        assert app.learner is not None
        attempt = app.services.build_quiz(
            app.learner.id, QuizSettings(mode=QuizMode.TUTOR, count=1, seed=1, topics=(SINGLE.topic,))
        )
        app.run_attempt(attempt)
        await settle(pilot)
        await pilot.press("1", "enter")
        await settle(pilot)
        app.clear_notifications()
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_quiz_builder(make: MakeApp, snap_compare: Callable[..., bool]) -> None:
    app = _app(make)

    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_case_debrief(make: MakeApp, snap_compare: Callable[..., bool]) -> None:
    app = _app(make)

    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("c", "enter")
        await settle(pilot)
        await pilot.press("3", "n")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)
