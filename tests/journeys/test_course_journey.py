"""An educator's own course, by keyboard at 80×24: `--content COURSE_DIR` opens the small test
course (topics the bundled course lacks); its topics are on Home, in the quiz builder, in the
results and in the progress chart; the learner's answers stay with that course (the bundled
course, opened on the same data folder, shows none of them); the CSV export names the course
and its version; a second course folder is refused with one clear message."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.journeys.terminal import app_terminal, clean_env, needs_tmux

pytestmark = [pytest.mark.slow, needs_tmux]

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "tests" / "data" / "courses" / "stats"


def test_a_course_folder_is_studied_apart_from_the_bundled_course(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    with app_terminal(tmp_path, "--data-dir", data, "--learner", "Ann",
                      "--content", str(COURSE)) as term:
        home = term.wait_for("Probability basics")
        assert home.index("Descriptive statistics") < home.index("Probability basics")
        assert "Anatomy" not in home
        term.keys("q")
        builder = term.wait_for("Build a quiz")
        assert "Descriptive statistics" in builder and "Probability basics" in builder
        term.keys("C-s")
        first = term.wait_for("Item 1 of 4")
        if "Type a number" in first:  # the quiz's order is shuffled: answer what is shown
            term.type("4")
            term.keys("Enter")
        else:
            term.keys("a", "Enter")
        term.say_how_sure("3")
        term.wait_for("1/4 answered")
        term.keys("s")
        term.wait_for("Submit (y)")
        term.keys("y")
        results = term.wait_for("Results — Tutor quiz")
        assert "Descriptive statistics" in results and "Probability basics" in results
        term.keys("Escape")
        term.wait_for("Welcome, Ann")
        term.keys("g")
        term.wait_for("By topic")
        term.keys("2")
        chart = term.wait_for("Accuracy and mastery by topic")
        assert ("Probability basics" in chart) != ("Descriptive statistics" in chart)
        term.keys("C-q")
        term.wait_for("EXITED-0")

    with app_terminal(tmp_path, "--data-dir", data, "--learner", "Ann") as term:
        home = term.wait_for("Anatomy")
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

    other = tmp_path / "other"
    shutil.copytree(COURSE, other)
    twice = subprocess.run(
        [sys.executable, "-m", "vpkp_tutor", "--data-dir", data, "--content", str(COURSE),
         "--content", os.fspath(other)],
        env=env, capture_output=True, text=True, timeout=120)
    assert twice.returncode == 2
    assert twice.stderr == (f"vpkp-tutor: error: cannot open the course: --content {other}: a "
                            f"second course ({COURSE} is one); the app opens one course at a "
                            "time (use --add for a folder of items)\n")
