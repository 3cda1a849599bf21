"""First start: a new resident meets the profile screen, creates a profile by keyboard at
80×24, lands on Home, quits, and finds the profile waiting on the next start."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.journeys.terminal import app_terminal, needs_tmux

pytestmark = [pytest.mark.slow, needs_tmux]


def test_first_start_creates_a_profile_and_finds_it_again(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with app_terminal(tmp_path, "--data-dir", str(data)) as term:
        term.wait_for("Who is studying?")
        term.type("Dr First")
        term.wait_for("Dr First")
        term.keys("Tab")
        term.wait_for(lambda s: "Program (optional)" not in s or "Dr First" in s)
        term.type("St Elsewhere")
        term.wait_for("St Elsewhere")
        term.keys("Tab")
        term.type("PGY-2")
        term.wait_for("PGY-2")
        term.keys("Enter")
        home = term.wait_for("Welcome, Dr First")
        # The name is the name alone: program and year went to their own fields.
        assert "Dr FirstSt" not in home
        for link in ("Lessons (l)", "Quiz (q)", "Review (r)", "Cases (c)", "Progress (g)"):
            assert link in home, home
        term.keys("C-q")
        term.wait_for("EXITED-0")

    assert (data / "progress.sqlite3").is_file()

    with app_terminal(tmp_path, "--data-dir", str(data)) as term:
        picker = term.wait_for("Who is studying?", settled=True)
        assert "Dr First" in picker
        term.keys("Enter")
        term.wait_for("Welcome, Dr First")
        term.keys("C-q")
        term.wait_for("EXITED-0")
