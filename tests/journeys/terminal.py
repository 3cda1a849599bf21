"""A real terminal for journey tests: tmux runs `vpkp-tutor` at a fixed size, keys are sent
by name and the screen is polled with a deadline, never a fixed sleep."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

DEADLINE_S = 20.0

VERDICTS = ("✓ Correct", "✗ Incorrect", "◐ Partly correct")
"""The feedback's verdict lines (an option's own text may say "Correct")."""


def shows_verdict(screen: str) -> bool:
    """True when the screen shows an answer's verdict."""
    return any(v in screen for v in VERDICTS)
EXE = Path(sys.executable).with_name("vpkp-tutor")

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    """One tmux session running a command."""

    def __init__(self, name: str, command: str, env: dict[str, str],
                 width: int = 80, height: int = 24) -> None:
        self.name = name
        self.env = env
        for attempt in range(3):  # a tmux server starting on a loaded machine may fail
            started = subprocess.run(
                ["tmux", "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height),
                 f"{command}; echo EXITED-$?; sleep 30"],
                env=env, capture_output=True, text=True,
            )
            if started.returncode == 0:
                break
            time.sleep(0.5 * (attempt + 1))
        else:
            raise RuntimeError(f"tmux could not start a session: {started.stderr.strip()}")

    def screen(self) -> str:
        """The visible text."""
        out = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name],
            capture_output=True, text=True, env=self.env,
        )
        return out.stdout

    def say_how_sure(self, key: str = "2") -> str:
        """Answer the confidence question the app asks after each answer (on by default):
        1 sure, 2 unsure, 3 guess; Escape skips. Returns the screen that asked, once the
        question has closed (a key sent while it is still open would go to it)."""
        screen = self.wait_for("How sure are you?")
        self.keys(key)
        self.wait_for(lambda s: "How sure are you?" not in s)
        return screen

    def keys(self, *keys: str) -> None:
        """Send keys (tmux names: Enter, Escape, C-q, PPage, NPage, Down …; other strings are
        typed literally when `literal` names are not tmux key names)."""
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True, env=self.env)

    def type(self, text: str) -> None:
        """Type `text` literally (no key-name lookup)."""
        subprocess.run(["tmux", "send-keys", "-l", "-t", self.name, text], check=True,
                       env=self.env)

    def wait_for(self, what: str | Callable[[str], bool], timeout: float = DEADLINE_S,
                 settled: bool = False) -> str:
        """Poll the screen until `what` shows (or the predicate holds); fail at the deadline.

        With `settled`, the screen must also be the same on the next capture: tmux 3.3 does
        not hold a frame back until it is complete, so a capture can land halfway through
        one (a row half new, half old). Use it where the test reads the layout."""
        check = (lambda s: what in s) if isinstance(what, str) else what
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                if not settled:
                    return screen
                time.sleep(0.05)
                if self.screen() == screen:
                    return screen
                continue
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what!r}; screen was:\n{screen}")

    def close(self) -> None:
        """Kill the session."""
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True,
                       env=self.env)


def into_field(term: Terminal) -> None:
    """Wait until a short answer's text field has the keys: the field takes the focus on
    arrival, and the footer then offers Esc to leave it."""
    term.wait_for("Leave field")


def answer_shown_item(term: Terminal, screen: str) -> None:
    """Give the quiz item on `screen` an answer by the keys its hint names, and submit it:
    a needle drill makes contact and declares the final position (f); a short answer is
    typed in its field; an ordering is submitted as shown; choices, matching and numeric
    items take "1"."""
    if "f final" in screen:
        term.keys("+", "f")
        return
    if "Type the answer" in screen:
        into_field(term)  # from here every key is typed
        term.type("sacrum")
    elif "shift+↑" not in screen:
        term.keys("1")
    term.keys("Enter")


def clean_env(tmp_path: Path) -> dict[str, str]:
    """An environment with a private HOME and tmux socket folder, and no data-dir override."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMUX")}
    env.update(HOME=str(tmp_path / "home"), TERM="xterm-256color", TMUX_TMPDIR=str(tmp_path))
    env.pop("VPKP_TUTOR_DATA", None)
    return env


@contextmanager
def app_terminal(tmp_path: Path, *args: str, width: int = 80,
                 height: int = 24) -> Iterator[Terminal]:
    """`vpkp-tutor ARGS…` in tmux at WIDTH×HEIGHT; the session is killed on exit."""
    if not EXE.exists():
        pytest.fail(f"the vpkp-tutor script is not installed at {EXE}")
    command = " ".join([str(EXE), *(f"'{a}'" for a in args)])
    term = Terminal(f"vpkp-j-{uuid.uuid4().hex[:8]}", command, clean_env(tmp_path),
                    width=width, height=height)
    try:
        yield term
    finally:
        term.close()


def save_until(term: Terminal, path: Path, text: str, shows: str) -> None:
    """Save `text` to `path` (again, until a watcher that starts with the app sees it and
    the screen `shows` it)."""
    for _ in range(10):
        path.write_text(text, encoding="utf-8")
        try:
            term.wait_for(shows, timeout=2)
            return
        except AssertionError:
            continue
    term.wait_for(shows, timeout=1)
