"""The preview between saves: once idle after a reload it settles the heap (one collection,
then the content kept out of later ones), reloads as before afterwards, and leaves the
collector as it found it on exit."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from tests.journeys.pilot import until
from vpkp_tutor.content.scaffold import write_new


def test_the_preview_settles_the_heap_when_idle_and_still_reloads(tmp_path: Path) -> None:
    from vpkp_tutor.tui.preview import PreviewApp
    from vpkp_tutor.tui.screens.quiz import QuizScreen

    course = tmp_path / "course"
    (course / "lessons").mkdir(parents=True)
    (course / "question_bank").mkdir()
    write_new("lesson", course / "lessons" / "intro.yaml", topic="anatomy")
    file = course / "question_bank" / "q.yaml"
    write_new("question", file)

    async def run() -> None:
        app = PreviewApp(file, watch=False)
        app.SETTLE_AFTER_S = 0.2
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, QuizScreen), "the question")
            await until(pilot, lambda: app.settled == 1, "the heap settled")
            assert gc.get_freeze_count() > 0 and gc.isenabled()
            text = file.read_text(encoding="utf-8")
            file.write_text(text.replace("Replace with option B", "Option B, edited"),
                            encoding="utf-8")
            app.reload()
            await until(pilot, lambda: app.checks == 2 and isinstance(app.screen, QuizScreen),
                        "the question again")
            assert "Option B, edited" in [o.text for o in app.state.questions[0].options]  # type: ignore[attr-defined]
            await until(pilot, lambda: app.settled == 2, "the heap settled again")
            await pilot.press("ctrl+q")

    asyncio.run(run())
    assert gc.get_freeze_count() == 0 and gc.isenabled()
