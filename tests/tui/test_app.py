"""App-wide behaviour: help, command palette, themes remembered, binding ids and keymaps,
escape goes back, export, content problems, and the lazy imports behind a fast start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from textual.binding import Binding

from tests.tui.conftest import MakeApp
from tests.tui.helpers import settle, start_quiz
from vpkp_tutor.domain.model import ContentBank, ContentProblem
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.tui.app import VpkpApp
from vpkp_tutor.tui.dialogs.export import ExportDialog
from vpkp_tutor.tui.dialogs.help import HelpDialog
from vpkp_tutor.tui.dialogs.problems import ProblemsDialog
from vpkp_tutor.tui.screens.base import VpkpScreen
from vpkp_tutor.tui.screens.home import HomeScreen
from vpkp_tutor.tui.screens.lesson import LessonScreen
from vpkp_tutor.tui.screens.library import LibraryScreen
from vpkp_tutor.tui.screens.progress import ProgressScreen


async def test_help_lists_the_keys_of_the_screen(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpDialog)
        text = str(app.screen.query_one("VerticalScroll Static").render())
        assert "Lessons" in text and "Quiz" in text and "^p" in text  # the palette key, as bound
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("l", "f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpDialog)
        assert "Enter opens the lesson" in str(app.screen.query_one("VerticalScroll Static").render())


async def test_palette_opens_a_lesson_by_name(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"open lesson codes")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.lesson.id == "lesson-billing"


async def test_theme_is_remembered(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await settle(pilot)
    assert app.services.store.get_setting("theme") == "nord"
    again = make()
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


def test_every_binding_has_an_id() -> None:
    from vpkp_tutor.tui.screens import (
        case,
        cases,
        debrief,
        home,
        learner,
        lesson,
        library,
        progress,
        quiz,
        quiz_builder,
        results,
        review,
    )

    classes: list[type] = [VpkpApp, VpkpScreen]
    for module in (case, cases, debrief, home, learner, lesson, library, progress, quiz,
                   quiz_builder, results, review):
        classes += [v for v in vars(module).values() if isinstance(v, type) and v.__module__ == module.__name__]
    missing = [
        f"{cls.__name__}:{b.key}"
        for cls in classes
        for b in cls.__dict__.get("BINDINGS", [])
        if isinstance(b, Binding) and b.show and not b.system and not b.id
    ]
    assert missing == []


async def test_keymap_setting_remaps_a_binding(make: MakeApp) -> None:
    app = make()
    app.services.store.set_setting("keymap", json.dumps({"home.lessons": "f5"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dashboard = str(app.screen.query_one("#dashboard").render())
        assert "Lessons (f5)" in dashboard and "Lessons (l)" not in dashboard
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)


async def test_help_follows_the_keymap(make) -> None:  # type: ignore[no-untyped-def]
    app = make()
    app.services.store.set_setting("keymap", json.dumps(
        {"home.lessons": "f5", "home.continue": "f6", "app.help": "f2", "app.theme": "f7"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, HelpDialog)
        text = str(app.screen.query_one("VerticalScroll Static").render())
        assert "Press f5 for lessons" in text and "f6 continues the lesson" in text
        assert "Press l for lessons" not in text
        lines = text.splitlines()
        assert any(line.split() == ["f2", "this", "help,", "from", "anywhere", "(also", "inside",
                                    "a", "text", "field)"] for line in lines)
        assert any(line.strip().startswith("f7  change theme") for line in lines)
        assert not any(line.strip().startswith(("F1", "^t")) for line in lines)


async def test_quiz_help_names_the_keys_bound_now(make) -> None:  # type: ignore[no-untyped-def]
    app = make()
    app.services.store.set_setting("keymap", json.dumps({"quiz.flag": "f9", "quiz.submit": "f10"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await start_quiz(pilot, QuizSettings(mode=QuizMode.TUTOR, count=2, seed=1))
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpDialog)
        text = " ".join(str(app.screen.query_one("VerticalScroll Static").render()).split())
        assert "f9 marks (flags) an item" in text and "f10 submits the quiz" in text
        assert "n / p move to the next" in text and "esc leaves for Home" in text


async def test_help_leaves_out_what_has_no_key_now(make: MakeApp, bank: ContentBank) -> None:
    """A help sentence about an action that has no key now (listing content problems when
    there are none; tagging a miss before anything was missed) is left out, never shown
    with a placeholder; when the action is there its sentence names the key, as mapped."""
    from msgspec.structs import replace

    async def home_help(app: VpkpApp) -> str:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            assert isinstance(app.screen, HelpDialog)
            return " ".join(str(app.screen.query_one("VerticalScroll Static").render()).split())

    text = await home_help(make())
    assert "(no key)" not in text and "lists them" not in text
    assert "Press l for lessons" in text and "Several courses are open" not in text

    broken = replace(bank, problems=(ContentProblem("lessons/x.yaml", 3, 5, "bad"),))
    text = await home_help(make(content=broken))
    assert "a warning says so and p lists them" in text and "(no key)" not in text

    app = make(content=broken)
    app.services.store.set_setting("keymap", json.dumps({"home.problems": "f8"}))
    text = await home_help(app)
    assert "a warning says so and f8 lists them" in text and "p lists them" not in text

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await start_quiz(pilot, QuizSettings(mode=QuizMode.TUTOR, count=2, seed=1))
        await pilot.press("f1")
        await settle(pilot)
        text = " ".join(str(app.screen.query_one("VerticalScroll Static").render()).split())
        assert "(no key)" not in text and "tags why" not in text
        assert "m marks (flags) an item" in text


def test_help_sentences_are_filled_or_left_out() -> None:
    from vpkp_tutor.tui.screens.base import fill_keys

    template = ("Press {a} to go. When it is there, {b} does it (optional). Scores like 1.5 "
                "stay whole; {a} ends. Then {a} and {b}: both. Nothing to press here.")
    assert fill_keys(template, {"a": "x", "b": "y"}) == (
        "Press x to go. When it is there, y does it (optional). Scores like 1.5 stay whole; "
        "x ends. Then x and y: both. Nothing to press here.")
    assert fill_keys(template, {"a": "x"}) == (
        "Press x to go. Scores like 1.5 stay whole; x ends. Nothing to press here.")
    assert fill_keys(template, {}) == "Nothing to press here."


async def test_a_broken_keymap_setting_is_reported_and_left_out(make: MakeApp) -> None:
    app = make()
    app.services.store.set_setting("keymap", '{"home.lessons": ')
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        notes = [str(n.message) for n in app._notifications]
        assert any(m.startswith("The keymap setting was left out") for m in notes)
        await pilot.press("l")  # the default keys still work
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)


def test_every_binding_id_in_the_source_is_listed_for_keymaps() -> None:
    """`vpkp-tutor bindings` (and keymap checking) must know every binding id: a module
    with bindings missing from `keymap.SCREEN_MODULES` would hide its ids. Run in a fresh
    process, where only what `bindings()` imports is loaded."""
    import re
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    in_source = {m for f in (root / "vpkp_tutor" / "tui").rglob("*.py")  # the dotted ids
                 for m in re.findall(r'\bid="([a-z_]+\.[a-z_]+)"', f.read_text())}
    done = subprocess.run([sys.executable, "-m", "vpkp_tutor", "bindings"], cwd=root,
                          capture_output=True, text=True, check=True)
    rows = [line.split() for line in done.stdout.splitlines()[1:]]
    assert in_source and in_source == {row[0] for row in rows}
    assert ["app.quit", "ctrl+q", "Quit", "VpkpApp"] in rows


async def test_escape_goes_back_and_home_stays(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("l", "c", "q", "g"):
            await pilot.press(key)
            await settle(pilot)
            assert not isinstance(app.screen, HomeScreen), key
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen), key
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_progress_screen_charts_and_history(make: MakeApp) -> None:
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        attempt = app.services.build_quiz(app.learner.id, QuizSettings(count=2, seed=2))
        for qid in attempt.question_ids:
            app.services.record_answer(attempt.id, qid, None, 3.0)
        app.services.finish_quiz(attempt.id)
        await pilot.press("g")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProgressScreen)
        assert screen.query("#chart-over-time") and screen.query("#chart-by-topic")
        assert screen.query("#chart-due")
        # today's bar counts reviews due later today too; the title tells them apart, so
        # that it agrees with Home's "due now" (it seemed to contradict it)
        forecast = app.services.due_forecast(app.learner.id, 14)
        now = app.services.due_count(app.learner.id)
        assert screen.due_title.endswith(f"today: {now} now, {forecast[0] - now} later")
        assert forecast[0] > now  # (the clock stands still: the misses come back later)
        table = screen.query_one("#history-table")
        assert table.row_count == 1
        await pilot.press("4")
        await settle(pilot)
        assert screen.query_one("#progress-tabs").active == "history"


async def test_export_writes_the_file(make: MakeApp, tmp_path: Path) -> None:
    app = make()
    target = tmp_path / "out" / "scores.json"
    target.parent.mkdir()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_export()
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.query_one("#format").focus()
        await pilot.press("down", "enter")  # JSON
        dialog.query_one("#path").value = str(target)
        await pilot.click("#export")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    assert target.exists() and target.stat().st_size > 0


async def test_content_problems_are_listed_literally(make: MakeApp, bank: ContentBank) -> None:
    from msgspec.structs import replace

    broken = replace(
        bank, problems=(ContentProblem("lessons/x.yaml", 3, 5, "unknown field '[b]titel[/b]'"),)
    )
    app = make(content=broken)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_content_problems()
        await settle(pilot)
        assert isinstance(app.screen, ProblemsDialog)
        text = str(app.screen.query_one("VerticalScroll Static").render())
        assert "lessons/x.yaml:3:5: error: unknown field '[b]titel[/b]'" in text


def test_first_screen_imports_no_heavy_modules() -> None:
    code = (
        "import sys, vpkp_tutor.tui.app\n"
        "heavy = ('textual_plotext', 'plotext', 'textual.widgets._markdown', 'markdown_it',"
        " 'textual.widgets._data_table', 'textual.widgets._tabbed_content',"
        " 'vpkp_tutor.tui.screens.quiz', 'vpkp_tutor.tui.screens.progress')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_question_mark_is_help_unless_the_field_would_type_it(make: MakeApp) -> None:
    """A number field takes no `?`, so there `?` opens the help; in a text field `?` is
    typed and only F1 opens the help (the help says so)."""
    from textual.widgets import Input

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("l", "enter")
        await settle(pilot)
        await pilot.press("n")  # step 2: a numeric check
        await settle(pilot)
        await pilot.press("2")  # typed while reading: goes into the number field
        await settle(pilot)
        number = app.focused
        assert isinstance(number, Input)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpDialog)
        text = str(app.screen.query_one("VerticalScroll Static").render())
        assert "F1" in text and "also inside a text field" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LessonScreen) and number.value == "2"
        # A text field: the learner picker's name field takes `?` as typing.
        await pilot.press("escape")
        await settle(pilot)
        app.action_switch_learner()  # the palette's "Switch learner"
        await settle(pilot)
        field = app.screen.query_one("#name", Input)
        field.focus()
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert field.value.endswith("?")
        assert not any(b.binding.action == "help_key" for b in
                       app.screen.active_bindings.values() if b.enabled)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpDialog)


async def test_a_folder_of_broken_files_is_announced_on_home(make: MakeApp, tmp_path: Path) -> None:
    """Every file in the content folder has an error: Home says so, and p lists the
    problems; with good content there is no warning and p does nothing."""
    from vpkp_tutor.content.loader import load_content

    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "empty.yaml").write_text("", encoding="utf-8")
    (folder / "dup.yaml").write_text("kind: lesson\nid: a\nid: b\n", encoding="utf-8")
    app = make(content=load_content([folder]))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = str(app.screen.query_one("#dashboard").render())
        assert "⚠ 2 content files have problems and were left out — press p to list them" in text
        assert "No lessons or questions are loaded." in text
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ProblemsDialog)
        listed = str(app.screen.query_one("VerticalScroll Static").render())
        assert "empty.yaml" in listed and "dup.yaml" in listed
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    good = make()
    async with good.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "⚠" not in str(good.screen.query_one("#dashboard").render())
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(good.screen, HomeScreen)


async def test_continue_line_fits_80_columns_with_its_key(make: MakeApp) -> None:
    """A long lesson title is cut with … so that the step and the key stay in view."""
    from vpkp_tutor.content import bundled_paths
    from vpkp_tutor.content.loader import load_content

    content = load_content(bundled_paths())
    longest = max(content.lessons, key=lambda lesson: len(lesson.title))
    app = make(content=content)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.services.save_lesson_position(app.learner.id, longest.id, 2)
        app.screen.refresh_dashboard()
        await settle(pilot)
        text = str(app.screen.query_one("#dashboard").render())
        line = next(x for x in text.split("\n") if x.startswith("▶ Continue:"))
        assert line.endswith(f"(step 3/{len(longest.steps)})  (n)")
        assert "…" in line and len(line) <= 76  # 80 less padding and a scroll bar
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, LessonScreen) and app.screen.lesson.id == longest.id
