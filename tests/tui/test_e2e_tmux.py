"""End to end in a real terminal: tmux runs `vpkp-tutor` at 80×24 on the bundled content.

Create a profile, read a lesson step, answer a three-question tutor quiz, quit; start again
and see the progress on the dashboard. The screen is polled with a deadline, never a fixed
sleep.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

import pytest

from tests.journeys.terminal import DEADLINE_S, EXE, Terminal, answer_shown_item

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def items_field(screen: str) -> str:
    """What the builder's Items field shows."""
    for line in screen.splitlines():
        words = line.split()
        if words[:1] == ["Items"]:
            return " ".join(words[1:])
    return "?"


def set_items(term: Terminal, value: str) -> None:
    """Clear the focused Items field and type `value`, checking the screen after each key."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if items_field(term.screen()) == value:
            return
        if items_field(term.screen()) != "":
            term.keys("BSpace")
            term.wait_for(lambda s: items_field(s) in ("", "1"), timeout=2)
            continue
        term.keys(value)
        try:
            term.wait_for(lambda s: items_field(s) == value, timeout=2)
        except AssertionError:
            continue
    raise AssertionError(f"could not set Items to {value}:\n{term.screen()}")


def answer_current_item(term: Terminal) -> None:
    """Answer whatever type of item is on screen, by the key hint under it."""
    screen = term.wait_for(lambda s: "Enter answers" in s or "f final" in s)
    answer_shown_item(term, screen)
    term.say_how_sure()
    term.wait_for(lambda s: any(v in s for v in ("✓ Correct", "✗ Incorrect", "◐ Partly")))


@pytest.mark.skipif(not EXE.exists(), reason="the vpkp-tutor script is not installed")
def test_lesson_quiz_quit_and_progress_on_restart(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMUX")}
    env.update(HOME=str(tmp_path / "home"), TERM="xterm-256color", TMUX_TMPDIR=str(tmp_path))
    env.pop("VPKP_TUTOR_DATA", None)
    data = tmp_path / "data"
    command = f"{EXE} --data-dir {data}"
    name = f"vpkp-e2e-{uuid.uuid4().hex[:8]}"

    term = Terminal(name, command, env)
    try:
        term.wait_for("Who is studying?")
        term.keys("Dr E2E", "Enter")
        term.wait_for("Welcome, Dr E2E")
        # Read a lesson step.
        term.keys("l")
        term.wait_for("Enter reads")
        term.keys("Enter")
        term.wait_for("Step 1 of")
        term.keys("n")
        term.wait_for("Step 2 of")
        term.keys("Escape")
        term.wait_for("Enter reads")
        term.keys("Escape")
        term.wait_for("Welcome, Dr E2E")
        # A three-question tutor quiz.
        term.keys("q")
        term.wait_for("Feedback after every answer.")
        term.keys("Tab", "Tab", "Tab", "Tab")  # mode, pool, difficulty, topics → items
        set_items(term, "3")
        term.keys("C-s")
        term.wait_for("Item 1 of 3")
        for n in (2, 3):
            answer_current_item(term)
            term.keys("n")
            term.wait_for(f"Item {n} of 3")
        answer_current_item(term)
        term.keys("s")
        term.wait_for("Results")
        term.wait_for("Score")
        term.keys("C-q")
        term.wait_for("EXITED-0")
    finally:
        term.close()

    term = Terminal(name + "b", command, env)
    try:
        term.wait_for("Dr E2E")
        term.keys("Enter")
        home = term.wait_for("Welcome, Dr E2E", settled=True)
        assert "Continue:" in home and "(step 2/" in home
        answered_rows = [
            line for line in home.splitlines() if "%" in line and "—" not in line.split("%")[0]
        ]
        assert answered_rows, home
        term.keys("C-q")
        term.wait_for("EXITED-0")
    finally:
        term.close()
