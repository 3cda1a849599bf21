"""A resident studies with the background sync on, by keyboard in a real terminal at 80×24:
the program has set an LRS (a real Ralph on loopback), the learner answers tutor items,
goes back to Home, and Home says nothing waits; the LRS holds each answer."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.journeys.terminal import app_terminal, needs_tmux, shows_verdict
from tests.lrs.ralph import KEY, SECRET, Ralph
from vpkp_tutor.cli import main

BASE = "https://lms.example.org/xapi/vpkp/"


@needs_tmux
def test_answers_reach_the_lrs_while_the_resident_studies(tmp_path: Path,
                                                          ralph: Ralph) -> None:
    data = tmp_path / "data"
    secret = tmp_path / "lrs-key"
    secret.write_text(f"{KEY}:{SECRET}\n")
    os.chmod(secret, 0o600)
    for key, value in (("lrs_endpoint", ralph.endpoint), ("lrs_credentials_file", str(secret)),
                       ("xapi_base", BASE), ("xapi_home_page", "https://lms.example.org"),
                       ("lrs_sync_minutes", "10")):
        assert main(["--data-dir", str(data), "config", key, value]) == 0
    with app_terminal(tmp_path, "--data-dir", str(data)) as term:
        term.wait_for("Display name")
        term.type("Ada")
        term.keys("Enter")
        home = term.wait_for("Learning Record Store:", settled=True)
        assert "0 waiting" in home
        term.keys("q")
        term.wait_for("Start quiz")
        term.keys("C-s")
        term.wait_for("Tutor · Item 1 of")
        answered = 0
        for n in range(1, 11):  # answer three choice items, with how sure, in the default way
            screen = term.wait_for(f"Item {n} of")
            if "choose · Enter answers" in screen or "toggle · Enter answers" in screen:
                term.keys("a", "Enter")
                term.say_how_sure("2")
                term.wait_for(shows_verdict)
                answered += 1
                if answered == 3:
                    break
            term.keys("n")
        assert answered == 3
        term.keys("Escape")
        home = term.wait_for("Quiz (q)")
        deadline = time.monotonic() + 20
        while "0 waiting · last sent" not in home and time.monotonic() < deadline:
            time.sleep(0.3)
            home = term.screen()
        assert "Learning Record Store: 0 waiting · last sent" in home
        assert "Not sent" not in home and SECRET not in home
        term.keys("C-q")
        term.wait_for("EXITED-0")
    verbs = [st["verb"]["id"].rsplit("/", 1)[1] for st in ralph.statements()]
    assert verbs.count("answered") == 3
