"""An educator imports a GIFT bank into a course folder and a resident answers its
short-answer items by keyboard, in a real terminal at 80×24."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.interchange.conformance import CORPUS
from tests.journeys.terminal import app_terminal, into_field, needs_tmux

ROOT = Path(__file__).resolve().parents[2]


@needs_tmux
def test_imported_gift_bank_opens_and_short_answers_are_typed(tmp_path: Path) -> None:
    course = tmp_path / "course"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "vpkp_tutor", "import", str(CORPUS / "shortAnswer2.gift"),
         "--to", str(course), "--topic", "anatomy"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "imported 2 questions: 2 short_answer" in done.stdout
    with app_terminal(tmp_path, "--data-dir", str(tmp_path / "data"),
                      "--content", str(course)) as term:
        term.wait_for("Who is studying?")
        term.type("Dr Journey")
        term.keys("Enter")
        term.wait_for("Welcome, Dr Journey")
        term.keys("q")
        term.wait_for("Build a quiz")
        term.keys("C-s")
        for n in (1, 2):
            screen = term.wait_for("Type the answer")
            into_field(term)  # from here every key is typed
            term.type("  Nobody " if "Grant's tomb" in screen else "one")  # case and spaces
            term.keys("Enter")
            term.say_how_sure("1")
            screen = term.wait_for("✓ Correct", settled=True)
            assert f"{n}/2 answered" in screen
            assert "accepted:" in screen
            if n == 1:
                term.keys("n")  # the field is locked once answered: n is the next item
        assert "Your answer:" in term.screen()
