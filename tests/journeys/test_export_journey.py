"""Journey: a resident takes a short timed exam, answers only some items, submits, and
exports CSV from the TUI by keyboard; a program director then reads the file with
`csv.DictReader`. Every item of the exam is there (the unanswered ones marked, 0 points),
beside readable columns. Exporting onto the progress database from the dialog is refused and
the database is unchanged, byte for byte."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.journeys.terminal import Terminal, answer_shown_item, app_terminal, needs_tmux

pytestmark = needs_tmux


def field(screen: str, label: str) -> str:
    """What a builder field labelled `label` shows (e.g. `Items`)."""
    for line in screen.splitlines():
        words = line.split()
        if label in words:
            return " ".join(words[words.index(label) + 1:])
    return "?"


def set_field(term: Terminal, label: str, value: str) -> None:
    """Clear the focused field and type `value`, checking the screen."""
    term.keys("End", "BSpace", "BSpace", "BSpace")
    term.wait_for(lambda s: field(s, label) == "")
    term.type(value)
    term.wait_for(lambda s: field(s, label) == value)


def open_export(term: Terminal) -> None:
    term.keys("C-p")
    term.wait_for("🔎")
    term.type("export")
    term.wait_for("Export scores")
    term.keys("Enter")
    term.wait_for("CSV (responses + summary)")


def type_path(term: Terminal, path: Path) -> None:
    term.keys("Tab", "End", "C-u")
    term.wait_for(lambda s: "vpkp-scores-" not in s)
    term.type(str(path))
    term.wait_for(str(path))
    term.keys("Enter")


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A folder with a short path, so whole paths fit on the 80-column screen."""
    path = Path(tempfile.mkdtemp(prefix="vj", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_director_reads_every_item_of_a_part_answered_exam(tmp_path: Path,
                                                             short_dir: Path) -> None:
    data = short_dir / "data"
    out = short_dir / "out" / "resident.csv"
    out.parent.mkdir()
    with app_terminal(tmp_path, "--data-dir", str(data)) as term:
        term.wait_for("Who is studying?")
        term.type("Dr Journey")
        term.keys("Enter")
        term.wait_for("Welcome, Dr Journey")
        term.keys("q")
        term.wait_for("Build a quiz")
        term.keys("Down", "Enter")  # Timed exam
        term.wait_for("Countdown; results at the end.")
        term.keys("Tab", "Tab", "Tab", "Tab")  # mode, pool, difficulty, topics → items
        set_field(term, "Items", "5")
        term.keys("C-s")
        term.wait_for("Item 1 of 5")
        for n in (1, 2):  # answer the first two items only
            screen = term.wait_for(f"Item {n} of 5")
            answer_shown_item(term, screen)
            term.say_how_sure("2")
            term.wait_for(f"{n}/5 answered")
        term.keys("s")
        term.wait_for("3 of 5 items are unanswered")
        term.keys("y")
        term.wait_for("Results — Timed exam")
        term.wait_for("Answered 2/5")
        term.keys("Escape")
        term.wait_for("Welcome, Dr Journey")

        # onto the live database: refused in the dialog, the file untouched
        db = data / "progress.sqlite3"
        before = digest(db)
        open_export(term)
        type_path(term, db)
        term.wait_for("cannot write")
        assert "progress" in term.screen()
        assert "CSV (responses + summary)" in term.screen()  # the dialog stays open
        assert digest(db) == before
        term.keys("Escape")
        term.wait_for(lambda s: "Export scores" not in s)

        open_export(term)
        type_path(term, out)
        term.wait_for("Scores written to")
        term.keys("C-q")
        term.wait_for("EXITED-0")
    assert not [p for p in data.rglob("*") if p.name.endswith(".part")]

    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    exam = [r for r in rows if r["mode"] == "exam"]
    assert len(exam) == 5 and len({r["attempt_id"] for r in exam}) == 1
    assert sorted(int(r["item"]) for r in exam) == [1, 2, 3, 4, 5]
    assert {r["items"] for r in exam} == {"5"}
    assert len({r["question_id"] for r in exam}) == 5
    answered = [r for r in exam if r["kind"] == "answered"]
    unanswered = [r for r in exam if r["kind"] == "unanswered"]
    assert len(answered) == 2 and len(unanswered) == 3
    for r in unanswered:
        assert r["score"] == "0.0" and r["answer"] == "" and r["correct"] == "false"
        assert float(r["max"]) > 0
    for r in exam:
        assert r["question"] and len(r["question"]) <= 80 and "**" not in r["question"]
        assert r["topic_label"] and r["objective_text"]
        when = dt.datetime.fromisoformat(r["timestamp"])
        assert when.utcoffset() is not None and "." not in r["timestamp"]
    for r in answered:
        assert r["answer"] and not r["answer"].startswith(("[", '"'))  # as seen, not JSON
        assert r["answer_json"]
        seconds = r["seconds"]
        assert "." in seconds and len(seconds.split(".")[1]) == 1
    share = sum(float(r["score"]) for r in exam) / sum(float(r["max"]) for r in exam)
    assert share <= 2 / 5
    summary = out.with_name("resident-summary.csv")
    with open(summary, encoding="utf-8", newline="") as fh:
        assert sum(int(r["items_unanswered"]) for r in csv.DictReader(fh)) == 3
