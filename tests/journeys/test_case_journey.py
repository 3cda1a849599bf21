"""Every bundled case played to its debrief by keyboard in a real 80×24 terminal, reading the
choices off the screen at each decision: they must be on screen without any scrolling."""

from __future__ import annotations

import re
from pathlib import Path

from tests.journeys.terminal import Terminal, app_terminal, needs_tmux
from vpkp_tutor.content import bundled_paths
from vpkp_tutor.content.loader import load_content

PROMPT = re.compile(r"What do you do\? Press 1(?:–(\d))?")
CHOICE = re.compile(r"^\s*\S?\s*(\d)\. (\S.*)$")
STATUS = re.compile(r"Decision (\d+)\s+·\s+\d+ points? so far\s+·\s+(.+)$")
MAX_STEPS = 20
HEIGHT = 24


def choosing(screen: str) -> bool:
    """The choices are drawn, and the footer under them offers the digits."""
    lines = screen.split("\n")[:HEIGHT]
    return PROMPT.search(screen) is not None and "Choose" in lines[-1]


def visible_choices(screen: str) -> tuple[int, dict[int, str]]:
    """The number of choices the prompt announces and the choice lines under it, by digit;
    only lines above the footer (the last line) count."""
    lines = screen.split("\n")[:HEIGHT]
    at = next(i for i, line in enumerate(lines) if PROMPT.search(line))
    match = PROMPT.search(lines[at])
    assert match is not None
    count = int(match.group(1) or 1)
    shown: dict[int, str] = {}
    for line in lines[at + 1:-1]:  # the last line is the footer
        m = CHOICE.match(line)
        if m:
            shown[int(m.group(1))] = m.group(2).strip()
    return count, shown


def status(screen: str) -> tuple[int, str]:
    """Decision number and (possibly cut) case title from the status line."""
    for line in screen.split("\n"):
        m = STATUS.search(line)
        if m:
            return int(m.group(1)), m.group(2).strip().rstrip("…")
    raise AssertionError(f"no status line on screen:\n{screen}")


def play_one_case(term: Terminal) -> str:
    """From the start of a case, always take the first choice until the debrief shows;
    return the case title."""
    screen = term.wait_for(choosing, settled=True)
    decision, title = status(screen)
    assert decision == 1
    for _ in range(MAX_STEPS):
        count, shown = visible_choices(screen)
        assert sorted(shown) == list(range(1, count + 1)), (
            f"not every choice is in view at decision {decision} of {title!r}:\n{screen}"
        )
        assert 2 <= count <= 9
        term.keys("1")
        screen = term.wait_for(lambda s: "You chose 1" in s)
        term.keys("Enter")
        following = f"Decision {decision + 1} "
        screen = term.wait_for(
            lambda s, following=following: "Debrief — " in s or "The case is over" in s
            or (choosing(s) and following in s),
            settled=True,
        )
        if "The case is over" in screen:
            term.keys("Enter")
            screen = term.wait_for("Debrief — ")
        if "Debrief — " in screen:
            assert "Your path" in screen and "Expert path" in screen
            return title
        decision += 1
    raise AssertionError(f"no debrief after {MAX_STEPS} decisions in {title!r}")


@needs_tmux
def test_every_bundled_case_is_played_to_its_debrief_by_keyboard(tmp_path: Path) -> None:
    expected = len(load_content(bundled_paths()).cases)
    played: list[str] = []
    with app_terminal(tmp_path, "--data-dir", str(tmp_path / "data"), "--learner", "Ann") as term:
        term.wait_for("Cases (c)")
        term.keys("c")
        term.wait_for("Enter plays")
        term.keys("Enter")
        while True:
            title = play_one_case(term)
            assert title not in played, f"{title!r} played twice"
            played.append(title)
            term.keys("Escape")
            term.wait_for("Enter plays")
            if len(played) == expected:
                break
            term.keys("Down", "Enter")
    assert len(played) == expected
