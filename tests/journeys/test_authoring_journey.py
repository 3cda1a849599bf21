"""An educator's path: `new` → `preview` (reloading on save) → `validate`."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.journeys.pilot import until
from tests.journeys.terminal import Terminal, app_terminal, needs_tmux, save_until

EXE = Path(sys.executable).with_name("vpkp-tutor")


def _vpkp(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([str(EXE), *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=60)


def _course(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    for folder in ("lessons", "question_bank"):
        (course / folder).mkdir(parents=True)
    done = _vpkp(course, "new", "lesson", "lessons/intro.yaml", "--topic", "anatomy")
    assert done.returncode == 0, done.stderr
    return course


def test_preview_reloads_after_the_file_is_written(tmp_path: Path) -> None:
    from vpkp_tutor.content.scaffold import write_new
    from vpkp_tutor.tui.preview import PreviewApp, PreviewScreen
    from vpkp_tutor.tui.screens.quiz import QuizScreen

    course = _course(tmp_path)
    file = course / "question_bank" / "q.yaml"
    write_new("question", file)

    async def run() -> None:
        app = PreviewApp(file)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, QuizScreen) and app.watching,
                        "the question, watched")
            assert app.checks == 1
            text = file.read_text(encoding="utf-8")
            file.write_text(text.replace("    key: A ", "    key: E "), encoding="utf-8")
            await until(pilot, lambda: app.checks >= 2 and isinstance(app.screen, PreviewScreen),
                        "the problems")
            shown = str(app.screen.query_one("#preview-problems").render())
            assert "'E' is not one of this question's options" in shown and "VP301" in shown
            file.write_text(text.replace("Replace with option B", "Option B, edited"),
                            encoding="utf-8")
            await until(pilot, lambda: isinstance(app.screen, QuizScreen) and app.checks >= 3,
                        "the question again")
            assert "Option B, edited" in [o.text for o in app.state.questions[0].options]  # type: ignore[attr-defined]
            await pilot.press("ctrl+q")

    asyncio.run(run())


def test_leaving_a_previewed_question_promises_nothing_saved(tmp_path: Path) -> None:
    """A preview keeps no answers: leaving its question does not say "resume it from Home"
    (the preview has no Home and its store is thrown away)."""
    from vpkp_tutor.content.scaffold import write_new
    from vpkp_tutor.tui.preview import PreviewApp, PreviewScreen
    from vpkp_tutor.tui.screens.quiz import QuizScreen

    file = _course(tmp_path) / "question_bank" / "q.yaml"
    write_new("question", file)
    said: list[str] = []

    async def run() -> None:
        app = PreviewApp(file, watch=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, QuizScreen), "the question")
            app.notify = lambda message, **kw: said.append(str(message))  # type: ignore[method-assign]
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, PreviewScreen), "the preview")
            await pilot.press("ctrl+q")

    asyncio.run(run())
    assert said == ["Left the item (a preview keeps no answers)."]


@needs_tmux
def test_new_preview_validate_in_a_terminal(tmp_path: Path) -> None:
    course = _course(tmp_path)
    done = _vpkp(course, "new", "question", "question_bank/first.yaml", "--type", "true_false")
    assert done.returncode == 0 and "wrote question_bank/first.yaml" in done.stdout
    file = course / "question_bank" / "first.yaml"
    def save(term: Terminal, text: str, shows: str) -> None:
        save_until(term, file, text, shows)

    with app_terminal(tmp_path, "preview", f"{file}#first-q001") as term:
        term.wait_for("Replace with the vignette")
        text = file.read_text(encoding="utf-8")
        edited = text.replace("Replace with the vignette and the lead-in question (Markdown).",
                              "The statement to judge, as written by the educator.")
        save(term, edited, "as written by the educator")
        save(term, text.replace('text: "False"', 'text: "Untrue"'), "VP303")
        save(term, edited, "as written by the educator")
        term.keys("C-q")
        term.wait_for("EXITED-0")
    done = _vpkp(course, "validate", "question_bank/first.yaml")
    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines()[-1].startswith(
        "checked 1 file: 0 lessons, 1 question and 0 cases loaded; 0 errors")


@pytest.mark.parametrize(("bad", "said"), [
    ("missing.yaml", "no such file"), ("question_bank", "not a file"),
    # (it said the manifest had errors: "missing required field 'kind'")
    ("course.yaml", "the course's manifest, not a lesson, question or case")])
def test_preview_of_what_is_not_an_item_file_is_one_message(tmp_path: Path, bad: str,
                                                            said: str) -> None:
    course = _course(tmp_path)
    (course / "course.yaml").write_text("id: mine\ntitle: Mine\n", encoding="utf-8")
    done = _vpkp(course, "preview", bad)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"vpkp-tutor: error: {bad}: {said}")
    assert done.stderr.count("\n") == 1


def test_reload_content_keeps_the_learners_place(tmp_path: Path) -> None:
    from vpkp_tutor.bootstrap import LaunchOptions, load_bank, make_app
    from vpkp_tutor.content.scaffold import write_new
    from vpkp_tutor.storage import open_store
    from vpkp_tutor.tui.commands import app_commands, reload_content
    from vpkp_tutor.tui.messages import OpenLesson
    from vpkp_tutor.tui.screens.lesson import LessonScreen

    course = _course(tmp_path)
    question = course / "question_bank" / "q.yaml"
    write_new("question", question)
    options = LaunchOptions(data_dir=tmp_path / "data", learner="Ana",
                            content_paths=(course / "lessons", course / "question_bank"))
    store = open_store(tmp_path / "data", daily_backups=False)

    async def run() -> None:
        app = make_app(options, load_bank(options), store)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert "Reload content" in [c.title for c in app_commands(app)]
            app.post_message(OpenLesson("intro"))
            await pilot.pause()
            lesson_screen = app.screen
            assert isinstance(lesson_screen, LessonScreen)
            assert app.services.question("q-q001").stem.startswith("Replace with")
            text = question.read_text(encoding="utf-8")
            question.write_text(text.replace("Replace with the vignette",
                                             "A new stem, replacing the vignette"),
                                encoding="utf-8")
            reload_content(app)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.services.question("q-q001").stem.startswith("A new stem")
            assert app.screen is lesson_screen
            await pilot.press("ctrl+q")

    try:
        asyncio.run(run())
    finally:
        store.close()


def test_reload_content_keeps_the_content_when_the_course_manifest_breaks(
    tmp_path: Path,
) -> None:
    from vpkp_tutor.bootstrap import LaunchOptions, load_bank, make_app
    from vpkp_tutor.storage import open_store
    from vpkp_tutor.tui.commands import reload_content

    course = tmp_path / "stats"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "courses" / "stats", course)
    options = LaunchOptions(data_dir=tmp_path / "data", learner="Ana", content_paths=(course,))
    store = open_store(tmp_path / "data", daily_backups=False)
    manifest = course / "course.yaml"

    async def run() -> None:
        app = make_app(options, load_bank(options), store)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            before = app.services.content
            assert before.course.id == "stats-basics"
            manifest.write_text(manifest.read_text(encoding="utf-8").replace(
                "title:", "titel:"), encoding="utf-8")
            reload_content(app)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running and app.services.content is before
            notes = [(n.title, n.severity) for n in app._notifications]
            assert ("Content not reloaded", "error") in notes
            await pilot.press("ctrl+q")

    try:
        asyncio.run(run())
    finally:
        store.close()


def test_a_file_with_one_broken_question_shows_its_problems_first(tmp_path: Path) -> None:
    """Two questions, one with a key that is not an option: the problem is shown, not a quiz
    of the other question alone as if the file were valid; Enter opens the valid one."""
    from vpkp_tutor.content.scaffold import write_new
    from vpkp_tutor.tui.preview import PreviewApp, PreviewScreen
    from vpkp_tutor.tui.screens.quiz import QuizScreen

    file = _course(tmp_path) / "question_bank" / "q.yaml"
    write_new("question", file)
    text = file.read_text(encoding="utf-8")
    item = text[text.index("  - id: q-q001"):]
    broken = item.replace("q-q001", "q-q002").replace("    key: A ", "    key: E ")
    file.write_text(text + broken, encoding="utf-8")

    async def run() -> None:
        app = PreviewApp(file, watch=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.checks == 1, "the check")
            await pilot.pause()
            assert isinstance(app.screen, PreviewScreen)
            shown = str(app.screen.query_one("#preview-problems").render())
            assert "'E' is not one of this question's options" in shown
            assert "Enter opens the items that do validate" in shown
            head = str(app.screen.query_one("#preview-head").render())
            assert "1 error" in head
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, QuizScreen), "the valid question")
            assert [q.id for q in app.screen.questions] == ["q-q001"]
            await pilot.press("ctrl+q")

    asyncio.run(run())
