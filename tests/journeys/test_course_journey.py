"""An educator's own course, by keyboard at 80×24: `--content COURSE_DIR` opens the small test
course (topics the bundled course lacks); its topics are on Home, in the quiz builder, in the
results and in the progress chart; the learner's answers stay with that course (the bundled
course, opened on the same data folder, shows none of them); the CSV export names the course
and its version. Two courses opened at once (`--content A --content B`): the learner answers
in one, switches course from Home, answers in the other; each Home shows its own progress,
the course chosen last opens at the next start, and one CSV export of both keeps each row
with its course."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path
from unittest.mock import ANY

import pytest

from tests.content.test_course import copy_course
from tests.journeys.terminal import Terminal, app_terminal, clean_env, needs_tmux

pytestmark = [pytest.mark.slow, needs_tmux]

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "tests" / "data" / "courses" / "stats"


def test_a_course_folder_is_studied_apart_from_the_bundled_course(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    with app_terminal(tmp_path, "--data-dir", data, "--learner", "Ann",
                      "--content", str(COURSE)) as term:
        home = term.wait_for("Probability basics", settled=True)
        assert home.index("Descriptive statistics") < home.index("Probability basics")
        assert "Anatomy" not in home
        builder, results = answer_one_and_submit(term, sure="3")
        assert "Descriptive statistics" in builder and "Probability basics" in builder
        assert "Descriptive statistics" in results and "Probability basics" in results
        term.keys("g")
        term.wait_for("By topic")
        term.keys("2")
        chart = term.wait_for("Accuracy and mastery by topic", settled=True)
        assert ("Probability basics" in chart) != ("Descriptive statistics" in chart)
        term.keys("C-q")
        term.wait_for("EXITED-0")

    with app_terminal(tmp_path, "--data-dir", data, "--learner", "Ann") as term:
        home = term.wait_for("Anatomy", settled=True)
        assert "Weakest objectives appear here once you have answered" in home
        assert "Probability basics" not in home
        term.keys("C-q")
        term.wait_for("EXITED-0")

    env = {**clean_env(tmp_path), "PYTHONPATH": str(ROOT)}
    out = tmp_path / "ann.csv"
    done = subprocess.run(
        [sys.executable, "-m", "vpkp_tutor", "--data-dir", data, "--content", str(COURSE),
         "export", "--learner", "Ann", "--format", "csv", "-o", str(out)],
        env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4  # one answered, three unanswered
    assert {(r["course_id"], r["course_version"]) for r in rows} == {("stats-basics", "0.3")}
    assert {r["topic_label"] for r in rows} == {"Descriptive statistics", "Probability basics"}



def more_statistics(tmp_path: Path) -> Path:
    """A second course: the test course with its own id, title and topic labels."""
    return copy_course(tmp_path, "more", **{
        "id: stats-basics": "id: stats-more",
        "Statistics for reading trials (test course)": "More statistics",
        "Probability basics": "Chance and odds",
        "Descriptive statistics": "Summaries",
    })


def answer_one_and_submit(term: Terminal, sure: str = "1") -> tuple[str, str]:
    """From Home: build a tutor quiz of the course's four items, answer the first shown,
    submit, and go back to Home; the builder's and the results' screens."""
    term.keys("q")
    builder = term.wait_for("Build a quiz")
    term.keys("C-s")
    first = term.wait_for("Item 1 of 4")
    if "Type a number" in first:  # the quiz's order is shuffled: answer what is shown
        term.type("4")
        term.keys("Enter")
    else:
        term.keys("a", "Enter")
    term.say_how_sure(sure)
    term.wait_for("1/4 answered")
    term.keys("s")
    term.wait_for("Submit (y)")
    term.keys("y")
    results = term.wait_for("Results — Tutor quiz")
    term.keys("Escape")
    term.wait_for("Welcome, Ann")
    return builder, results


def answered_rows(home: str, labels: tuple[str, str]) -> int:
    """How many of the topic rows on Home show an accuracy (a topic not answered shows —);
    -1 while the two rows are not both on the screen."""
    rows = [line for line in home.splitlines() if line.strip().startswith(labels)]
    if len(rows) != 2:
        return -1
    return sum(not re.search(r"\s—\s", row) for row in rows)


def test_two_courses_open_at_once_are_studied_apart_and_switched_from_home(
        tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    more = more_statistics(tmp_path)
    first_labels = ("Descriptive statistics", "Probability basics")
    more_labels = ("Summaries", "Chance and odds")
    with app_terminal(tmp_path, "--data-dir", data, "--learner", "Ann",
                      "--content", str(COURSE), "--content", str(more)) as term:
        home = term.wait_for(lambda s: "Probability basics" in s and "s Course" in s, settled=True)
        assert "Course: Statistics for reading trials" in home  # and the footer's key
        assert "Switch course (s)" in home
        answer_one_and_submit(term)
        home = term.wait_for(lambda s: "Probability basics" in s
                             and answered_rows(s, first_labels) == 1)

        term.keys("s")
        picker = term.wait_for("1 question answered", settled=True)
        assert "open now · 1 question answered" in picker
        assert "More statistics" in picker and "0 questions answered" in picker
        term.keys("Down", "Enter")
        home = term.wait_for("Course: More statistics")
        home = term.wait_for("Chance and odds", settled=True)
        assert "Probability basics" not in home
        assert answered_rows(home, more_labels) == 0  # nothing of the first course here
        term.keys("q")  # the quiz builder offers this course's topics
        builder = term.wait_for("Build a quiz", settled=True)
        assert "Summaries" in builder and "Descriptive statistics" not in builder
        term.keys("Escape")
        term.wait_for("Welcome, Ann")
        answer_one_and_submit(term)
        term.wait_for(lambda s: "Chance and odds" in s and answered_rows(s, more_labels) == 1)

        term.keys("s")
        picker = term.wait_for("open now · 1 question answered", settled=True)
        assert picker.count("1 question answered") == 2
        term.keys("Up", "Enter")
        home = term.wait_for(lambda s: "Course: Statistics for reading" in s
                             and "Probability basics" in s)
        assert answered_rows(home, first_labels) == 1 and "Chance and odds" not in home
        term.keys("s")
        term.wait_for("open now · 1 question answered")
        term.keys("Down", "Enter")  # the last choice: opened for Ann next time
        term.wait_for(lambda s: "Course: More statistics" in s and "Chance and odds" in s)
        term.keys("C-q")
        term.wait_for("EXITED-0")

    with app_terminal(tmp_path, "--data-dir", data, "--learner", "Ann",
                      "--content", str(COURSE), "--content", str(more)) as term:
        home = term.wait_for(lambda s: "Chance and odds" in s
                             and answered_rows(s, more_labels) == 1)
        assert "Course: More statistics" in home and "Course opened" not in home
        term.keys("C-q")
        term.wait_for("EXITED-0")

    env = {**clean_env(tmp_path), "PYTHONPATH": str(ROOT)}
    out = tmp_path / "ann.csv"
    done = subprocess.run(
        [sys.executable, "-m", "vpkp_tutor", "--data-dir", data, "--content", str(COURSE),
         "--content", str(more), "export", "--learner", "Ann", "--format", "csv",
         "-o", str(out)],
        env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_course = {c: [r for r in rows if r["course_id"] == c]
                 for c in ("stats-basics", "stats-more")}
    assert len(rows) == 8 and all(len(r) == 4 for r in by_course.values())
    for course, labels in (("stats-basics", first_labels), ("stats-more", more_labels)):
        mine = by_course[course]
        assert [r["kind"] for r in mine].count("answered") == 1
        assert {r["topic_label"] for r in mine} == set(labels)
        assert {r["course_version"] for r in mine} == {"0.3"}
    assert by_course["stats-basics"][0]["attempt_id"] != by_course["stats-more"][0]["attempt_id"]
    with open(out.with_name("ann-summary.csv"), newline="", encoding="utf-8") as fh:
        summary = [(r["course_id"], r["topic_label"], r["responses"])
                   for r in csv.DictReader(fh)]
    assert summary == [("stats-basics", "Descriptive statistics", ANY),
                       ("stats-basics", "Probability basics", ANY),
                       ("stats-more", "Summaries", ANY),
                       ("stats-more", "Chance and odds", ANY)]
    assert sum(int(n) for _, _, n in summary) == 2
