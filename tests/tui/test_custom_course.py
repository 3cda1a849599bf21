"""A course folder's own topics reach every screen with no code change: the small test
course (topics the bundled course lacks) opened as `--content` opens it, at 80×24 by
keyboard — Home, the quiz builder, the progress chart — and in the CSV export."""

from __future__ import annotations

import csv
from pathlib import Path

from textual.widgets import SelectionList

from tests.tui.helpers import settle
from vpkp_tutor.bootstrap import LaunchOptions, load_bank, make_app
from vpkp_tutor.storage import SqliteProgressStore
from vpkp_tutor.tui.screens.home import HomeScreen
from vpkp_tutor.tui.screens.progress import ProgressScreen
from vpkp_tutor.tui.screens.quiz_builder import QuizBuilderScreen

COURSE = Path(__file__).resolve().parents[1] / "data" / "courses" / "stats"
LABELS = ("Descriptive statistics", "Probability basics")
"""The test course's topics, in its manifest's order (`order:` 1 then 2)."""


async def test_a_course_folders_topics_appear_on_every_screen(
        tmp_path: Path, store: SqliteProgressStore) -> None:
    options = LaunchOptions(learner="Dr Test", content_paths=(COURSE,))
    bank = load_bank(options)
    assert (bank.course.id, bank.course.version) == ("stats-basics", "0.3")
    app = make_app(options, bank, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        home = str(app.screen.query_one("#dashboard").render())
        at = [home.find(label) for label in LABELS]
        assert -1 not in at and at == sorted(at), home
        assert "Anatomy" not in home  # the bundled course's topics are not this course's

        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, QuizBuilderScreen)
        topics = app.screen.query_one("#topics", SelectionList)
        options_shown = [str(topics.get_option_at_index(i).prompt)
                         for i in range(topics.option_count)]
        assert options_shown == list(LABELS)
        await pilot.press("escape")
        await settle(pilot)

        assert app.learner is not None
        app.services.answer_lesson_check(app.learner.id, "stats-probability", "stats-q3", "C",
                                         4.0)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, ProgressScreen)
        await pilot.press("2")
        await settle(pilot)
        chart = str(app.screen.query_one("#chart-by-topic").render())
        assert "Probability basics" in chart

        out = tmp_path / "ann.csv"
        written = app.services.export(app.learner.id, "csv", out)
    with open(written, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["course_id"], r["course_version"], r["topic"], r["topic_label"])
            for r in rows} == {("stats-basics", "0.3", "probability", "Probability basics")}
    summary = out.with_name(out.stem + "-summary.csv")
    with open(summary, newline="", encoding="utf-8") as fh:
        labels = [r["topic_label"] for r in csv.DictReader(fh)]
    assert labels == list(LABELS)


def test_every_xapi_statement_names_the_course_and_its_version(
        tmp_path: Path, store: SqliteProgressStore) -> None:
    import json

    from vpkp_tutor.services import Services

    options = LaunchOptions(content_paths=(COURSE,))
    services = Services(load_bank(options), store)
    learner = services.create_learner("Ann")
    services.answer_lesson_check(learner.id, "stats-descriptive", "stats-q1", 4.0, 3.0)
    written = services.export(learner.id, "xapi", tmp_path / "ann.xapi.json")
    statements = json.loads(written.read_text(encoding="utf-8"))
    assert statements
    for st in statements:
        (group,) = st["context"]["contextActivities"]["grouping"]
        assert group["id"] == "https://vpkp-tutor.invalid/xapi/course/stats-basics"
        assert group["definition"]["name"] == {"en-US": "Statistics for reading trials "
                                                        "(test course)"}
        assert st["context"]["extensions"][
            "https://vpkp-tutor.invalid/xapi/ext/course-version"] == "0.3"
