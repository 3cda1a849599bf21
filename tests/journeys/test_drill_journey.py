"""A needle-trajectory drill end to end in a real terminal at 80×24, by keyboard only: the
drill embedded in the vertebroplasty lesson's needle-path step, placed at the superolateral
corner, aimed, advanced through the pedicle into the anterior third and declared; the
feedback explains each part, and the answer is in the database after quitting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.journeys.terminal import Terminal, app_terminal, needs_tmux
from vpkp_tutor.content.loader import load_content
from vpkp_tutor.domain import trajectory as tr
from vpkp_tutor.domain.model import Trajectory
from vpkp_tutor.storage import open_store
from vpkp_tutor.tui.widgets.trajectory import ideal_keys

pytestmark = needs_tmux

ROOT = Path(__file__).resolve().parents[2]
DRILL = "drill-l3-right"
TMUX_KEYS = {"left": "Left", "right": "Right", "up": "Up", "down": "Down", "plus": "+",
             "f": "f"}


def _drill() -> Trajectory:
    bank = load_content([ROOT / "question_bank", ROOT / "lessons"], today=dt.date(2026, 12, 2))
    question = bank.question(DRILL)
    assert isinstance(question, Trajectory)
    return question


def _focus_drill(term: Terminal) -> None:
    for _ in range(6):
        if "f Final" in term.screen():
            return
        term.keys("Tab")
        try:
            term.wait_for("f Final", timeout=1.5)
            return
        except AssertionError:
            continue
    raise AssertionError("the drill never took the focus:\n" + term.screen())


def page_until(term: Terminal, key: str, text: str, pages: int = 6) -> str:
    """Page (PPage or NPage) as a reader does, one page at a time once the last has been
    drawn, until `text` is in view; the settled screen. (Where the paging starts depends on
    whether the key came before the verdict was brought into view, so the number of pages
    is not fixed.)"""
    screen = term.wait_for(lambda s: True, settled=True)
    for _ in range(pages):
        if text in screen:
            return screen
        term.keys(key)
        before = screen
        screen = term.wait_for(lambda s, before=before: s != before, settled=True)
    if text in screen:
        return screen
    raise AssertionError(f"{text!r} never came into view:\n{screen}")


def test_a_drill_in_a_lesson_by_keyboard_at_80x24(tmp_path: Path) -> None:
    question = _drill()
    keys = [TMUX_KEYS[k] for k in ideal_keys(question.geometry)]
    data = tmp_path / "data"
    with app_terminal(tmp_path, "--data-dir", str(data)) as term:
        term.wait_for("Who is studying?")
        term.type("Dr Needle")
        term.keys("Enter")
        term.wait_for("Welcome, Dr Needle")
        term.keys("l")
        term.wait_for("Enter reads")
        term.keys("Down", "Down", "Down", "Enter")
        term.wait_for("Step 1 of")
        for step in range(2, 6):
            term.keys("n")
            term.wait_for(f"Step {step} of")
        term.wait_for("needle path on both views")  # the title wraps at 80 columns
        _focus_drill(term)
        screen = term.wait_for("place bone contact on the AP view", settled=True)
        assert "AP view" in screen and "Lateral view" in screen  # side by side at 80
        assert "f final" in screen  # the keys, in the hint
        term.keys("v")  # one view at a time, then back
        term.wait_for("AP view · v: other view")
        term.keys("v")
        term.wait_for("Lateral view (anterior on the left) · v: other view")
        term.keys("v")
        term.wait_for(lambda s: "AP view" in s and "Lateral view" in s and "· v:" not in s)
        contact = keys.index("+")
        term.keys(*keys[:contact + 1])  # the bone contact at the superolateral corner
        term.wait_for("depth 0 mm")
        term.keys(*keys[contact + 1:-1])  # aim, then advance into the anterior third
        depth = tr.ideal_path(question.geometry)[-1].depth
        screen = term.wait_for(f"depth {depth} mm", settled=True)
        assert screen.count("●") == 2  # the tip, in both views together
        term.keys("f")
        term.say_how_sure("1")
        screen = term.wait_for("✓ Correct")
        page_until(term, "PPage", "ant⅓")  # the anterior third, shown in feedback only
        screen = page_until(term, "NPage", "Path safety")
        assert "Final position" in screen or "Entry" in screen
        term.keys("C-q")
        term.wait_for("EXITED-0")
    store = open_store(data, daily_backups=False)
    try:
        learner = store.list_learners()[0]
        responses = [r for r in store.responses(learner.id) if r.question_id == DRILL]
    finally:
        store.close()
    assert len(responses) == 1 and responses[0].points == 1.0
    path = tr.parse(responses[0].answer)
    assert path is not None and path.final
