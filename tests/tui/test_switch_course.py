"""Several courses open at once (`--content A --content B`): Home names the open course and
offers "Switch course" (a key on Home, a palette command); the picker lists the courses with
the learner's answers in each; the chosen course is read in a thread and then Home, the quiz
builder and progress show it only, the learner staying; the choice is remembered per
learner. With one course none of this shows."""

from __future__ import annotations

from pathlib import Path

from msgspec.structs import replace
from textual.widgets import OptionList, SelectionList

from tests.content.test_course import copy_course
from tests.journeys.pilot import until
from tests.tui.helpers import settle
from vpkp_tutor.bootstrap import (
    LaunchOptions,
    OpenCourse,
    check_course,
    load_bank,
    make_app,
    open_content,
)
from vpkp_tutor.storage import SqliteProgressStore
from vpkp_tutor.tui.app import VpkpApp
from vpkp_tutor.tui.commands import app_commands
from vpkp_tutor.tui.dialogs.course_picker import CoursePickerDialog
from vpkp_tutor.tui.screens.home import HomeScreen
from vpkp_tutor.tui.screens.quiz_builder import QuizBuilderScreen

COURSE = Path(__file__).resolve().parents[1] / "data" / "courses" / "stats"


def second_course(tmp_path: Path) -> Path:
    """A second course: the test course with its own id, title and topic labels."""
    return copy_course(tmp_path, "more", **{
        "id: stats-basics": "id: stats-more",
        "Statistics for reading trials (test course)": "More statistics",
        "Probability basics": "Chance and odds",
    })


def two_courses(tmp_path: Path, store: SqliteProgressStore, learner: str = "Ann"
                ) -> tuple[VpkpApp, tuple[OpenCourse, ...]]:
    """The app over the test course and a second one, opened as `run_app` opens it."""
    options = LaunchOptions(learner=learner, content_paths=(COURSE, second_course(tmp_path)))
    courses = check_course(options)
    options, content = open_content(options, store, courses)
    store.set_setting("ask_confidence", "off")
    return make_app(options, content, store, courses), courses


def dashboard(app: VpkpApp) -> str:
    assert isinstance(app.screen, HomeScreen)
    return str(app.screen.query_one("#dashboard").render())


async def test_home_switches_to_the_other_course_and_keeps_the_learner(
        tmp_path: Path, store: SqliteProgressStore) -> None:
    app, courses = two_courses(tmp_path, store)
    assert [c.course.id for c in courses] == ["stats-basics", "stats-more"]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = dashboard(app)
        assert "Course: Statistics for reading trials" in home and "Switch course (s)" in home
        assert app.learner is not None
        ann = app.learner.id
        app.services.answer_lesson_check(ann, "stats-probability", "stats-q3", "C", 4.0)

        await pilot.press("q")  # the builder is built for this course...
        await settle(pilot)
        assert isinstance(app.screen, QuizBuilderScreen)
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("s")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, CoursePickerDialog)
        options = picker.query_one("#courses", OptionList)
        await until(pilot, lambda: "1 question answered" in str(
            options.get_option_at_index(0).prompt), "the answers in each course")
        assert "open now" in str(options.get_option_at_index(0).prompt)
        assert "More statistics" in str(options.get_option_at_index(1).prompt)
        assert "0 questions answered" in str(options.get_option_at_index(1).prompt)
        await pilot.press("down", "enter")
        await until(pilot, lambda: app.services.course.id == "stats-more", "the switch")
        await settle(pilot)
        assert app.learner is not None and app.learner.id == ann
        home = dashboard(app)
        assert "Course: More statistics" in home and "Chance and odds" in home
        assert "Probability basics" not in home
        assert app.services.dashboard(ann).topics[0].mastery.answered_items == 0

        await pilot.press("q")  # ...and built again for the other
        await settle(pilot)
        builder = app.screen
        assert isinstance(builder, QuizBuilderScreen)
        topics = builder.query_one("#topics", SelectionList)
        assert [str(topics.get_option_at_index(i).prompt)
                for i in range(topics.option_count)] == ["Descriptive statistics",
                                                         "Chance and odds"]
    assert store.get_setting("last_courses") == f'{{"{ann}": "stats-more"}}'


async def test_the_course_a_learner_chose_last_opens_for_them(
        tmp_path: Path, store: SqliteProgressStore) -> None:
    app, _ = two_courses(tmp_path, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.learner is not None
        ann = app.learner.id
    store.set_setting("last_courses", f'{{"{ann}": "stats-more"}}')

    again, courses = two_courses(tmp_path / "again", store)  # as `run_app` opens it
    assert again.services.course.id == "stats-more"
    options = LaunchOptions(learner="Bob", content_paths=(COURSE, tmp_path / "again" / "more"))
    opened, _ = open_content(options, store, courses)
    assert opened.course == courses[0].manifest  # no such learner: the first course

    # a learner chosen in the picker: the app switches to their course
    options = LaunchOptions(content_paths=(COURSE, tmp_path / "again" / "more"))
    first = replace(options, course=courses[0].manifest)
    app = make_app(first, load_bank(first), store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.services.course.id == "stats-basics"
        await pilot.press("enter")  # Ann, offered first as the learner who studied last
        await until(pilot, lambda: app.services.course.id == "stats-more", "her course")
        await settle(pilot)
        assert "Course: More statistics" in dashboard(app)


async def test_the_palette_offers_switch_course_only_with_several_courses(
        tmp_path: Path, store: SqliteProgressStore) -> None:
    app, _ = two_courses(tmp_path, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Switch course" in [c.title for c in app_commands(app)]
        assert "and s switches to another" in app.screen.how_to()  # type: ignore[attr-defined]

    options = LaunchOptions(learner="Ann", content_paths=(COURSE,))
    one = make_app(options, load_bank(options), store)
    async with one.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert one.courses == ()
        assert "Switch course" not in [c.title for c in app_commands(one)]
        home = dashboard(one)
        assert "Course:" not in home and "Switch course" not in home
        assert not one.screen.check_action("switch_course", ())
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(one.screen, HomeScreen)


async def test_reload_reads_the_open_course_and_a_broken_course_is_not_switched_to(
        tmp_path: Path, store: SqliteProgressStore) -> None:
    app, _ = two_courses(tmp_path, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        from vpkp_tutor.tui.commands import reload_content, switch_course

        switch_course(app, "stats-more")
        await until(pilot, lambda: app.services.course.id == "stats-more", "the switch")
        reload_content(app)  # reads the course open now, not the first
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        assert app.services.course.id == "stats-more"

        manifest = tmp_path / "more" / "course.yaml"
        manifest.write_text(manifest.read_text(encoding="utf-8").replace("title:", "titel:"),
                            encoding="utf-8")
        reload_content(app)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        assert app.services.course.id == "stats-more"  # the content in use is kept
        switch_course(app, "stats-basics")
        await until(pilot, lambda: app.services.course.id == "stats-basics", "the switch back")
        switch_course(app, "stats-more")
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        assert app.services.course.id == "stats-basics"
        assert "Course: Statistics for reading trials" in dashboard(app)


def test_a_damaged_last_course_setting_opens_the_first_course(
        tmp_path: Path, store: SqliteProgressStore) -> None:
    """The remembered courses are a setting like any other: a value that cannot be read (a
    hand-edited or damaged row) is the default, and the app opens the first course."""
    store.set_setting("last_courses", '{"not": 1')
    options = LaunchOptions(learner="Ann", content_paths=(COURSE, second_course(tmp_path)))
    courses = check_course(options)
    opened, content = open_content(options, store, courses)
    assert opened.course == courses[0].manifest and content.course.id == "stats-basics"
    store.set_setting("last_courses", '["stats-more"]')  # JSON, but not learner → course
    opened, content = open_content(options, store, courses)
    assert content.course.id == "stats-basics"
