"""Confidence and "why was it wrong?" by keyboard in a real terminal at 80×24: turn CBM
scoring on in Settings (confidence is asked by default), answer tutor items stating
confidence until a confident miss, see it pointed out, tag it "disagree with the key" with
a comment, submit, read the confidence and CBM lines of the results, and find the miss on
the Progress screen's calibration chart and error profile. The stored row is checked in
the real database."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from tests.journeys.terminal import Terminal, app_terminal, needs_tmux, shows_verdict


def shows(term: Terminal, text: str, timeout: float = 4.0) -> bool:
    """Whether `text` appears on the screen within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in term.screen():
            return True
        time.sleep(0.1)
    return False


@needs_tmux
def test_confidence_and_error_tag_journey(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with app_terminal(tmp_path, "--data-dir", str(data)) as term:
        term.wait_for("Display name")
        term.type("Ada")
        term.keys("Enter")
        term.wait_for("Quiz (q)")
        # Settings, by the command palette: both boxes are just above the key list
        term.keys("C-p")
        term.wait_for("Search for commands")  # the palette's own line
        term.type("Settings")
        term.wait_for("Desired retention and key bindings")
        term.keys("Enter")
        term.wait_for("Ask how sure (1/2/3): on")  # on by default
        term.keys("BTab", "Space")
        term.wait_for("CBM scoring: on")
        term.keys("Escape")
        term.wait_for("Quiz (q)")
        # a tutor quiz: answer A and say "sure" until an answer misses
        term.keys("q")
        term.wait_for("Start quiz")
        term.keys("C-s")
        term.wait_for("Tutor · Item 1 of")
        missed = False
        for _ in range(10):
            term.keys("a", "Enter")
            if not shows(term, "How sure are you?", 5.0):  # generous: the machine may be busy
                term.keys("n")  # not a choice item: leave it open
                continue
            screen = term.screen()
            assert not shows_verdict(screen)  # no feedback yet
            term.keys("1")
            term.wait_for("You said: sure")
            if shows(term, "You were sure — this is worth a second look", 3.0):
                missed = True
                break
            term.keys("n")
        assert missed, "ten items answered A without one miss"
        term.wait_for("w Why wrong?")
        term.keys("w")
        term.wait_for("5 disagree with the key")
        term.keys("5")
        term.wait_for("Disagree with the key: say why")
        term.type("The key contradicts the lesson")
        term.keys("Enter")
        term.wait_for("Why it was wrong: disagree with the key")
        # submit (with open items): results say how sure and the CBM marks
        term.keys("s")
        term.wait_for("Keep answering (n)")
        term.keys("y")
        results = term.wait_for("Results")
        results = term.wait_for("CBM ", settled=True)
        assert "confident error" in results and "wrong)" in results
        # Progress → Confidence: calibration and the error profile
        term.keys("Escape")
        term.wait_for("Quiz (q)")
        term.keys("g")
        term.wait_for("1 Over time")
        term.keys("5")
        progress = term.wait_for("Why misses were wrong, by topic")
        sure_row = next(line for line in progress.splitlines() if line.strip().startswith("sure"))
        assert "%" in sure_row
        total = next(line for line in progress.splitlines() if "All topics" in line)
        assert total.split()[-1] == "1"  # one "disagree"
        assert max(len(line.rstrip()) for line in progress.splitlines()) <= 80
        term.keys("C-q")
        term.wait_for("EXITED-0")
    conn = sqlite3.connect(data / "progress.sqlite3")
    rows = conn.execute("SELECT confidence, error_tag, error_comment, correct FROM response"
                        " WHERE error_tag IS NOT NULL").fetchall()
    conn.close()
    assert rows == [(1, "disagree", "The key contradicts the lesson", 0)]
