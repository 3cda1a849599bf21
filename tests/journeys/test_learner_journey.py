"""A learner's journey by keyboard in a real terminal at 80×24: create Ada, answer a
question, "Switch learner" then escape goes back to her, "Switch learner" again and try to
create " ada " — refused, with an offer to open Ada's profile — and `vpkp-tutor learners`
lists one Ada with her answer."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from tests.journeys.terminal import EXE, app_terminal, clean_env, needs_tmux

ROOT = Path(__file__).resolve().parents[2]


def single_best_content(folder: Path) -> Path:
    """The anatomy lesson (without its embedded checks) and its single-best questions, so
    that any item of a quiz is answered by a letter and Enter."""
    folder.mkdir(parents=True)
    lesson = yaml.safe_load((ROOT / "lessons" / "anatomy.yaml").read_text(encoding="utf-8"))

    def drop_checks(node: object) -> None:
        if isinstance(node, dict):
            node.pop("checks", None)
            for value in node.values():
                drop_checks(value)
        elif isinstance(node, list):
            for value in node:
                drop_checks(value)

    drop_checks(lesson)
    bank = yaml.safe_load((ROOT / "question_bank" / "anatomy.yaml").read_text(encoding="utf-8"))
    bank["questions"] = [q for q in bank["questions"] if q["type"] == "single_best"]
    (folder / "lesson.yaml").write_text(yaml.safe_dump(lesson, allow_unicode=True),
                                        encoding="utf-8")
    (folder / "questions.yaml").write_text(yaml.safe_dump(bank, allow_unicode=True),
                                           encoding="utf-8")
    return folder


def switch_learner(term) -> None:  # type: ignore[no-untyped-def]
    term.keys("C-p")
    term.wait_for("Search for commands")
    term.type("Switch learner")
    term.wait_for("Choose or create another profile")
    term.keys("Enter")
    term.wait_for("Who is studying?")


@needs_tmux
def test_create_answer_switch_back_and_refuse_a_second_ada(tmp_path: Path) -> None:
    data = tmp_path / "data"
    content = single_best_content(tmp_path / "content")
    with app_terminal(tmp_path, "--data-dir", str(data), "--content", str(content)) as term:
        term.wait_for("Who is studying?")
        term.type("Ada")
        term.keys("Enter")
        term.wait_for("Welcome, Ada")
        term.keys("q")
        term.wait_for("Build a quiz")
        term.keys("C-s")
        screen = term.wait_for("Item 1 of")
        term.keys(*(("+", "f") if "f final" in screen else ("a", "Enter")))  # a drill: f
        term.wait_for("1/10 answered")

        switch_learner(term)
        screen = term.wait_for("esc Back", settled=True)  # the footer offers the way back
        assert "Ada" in screen
        term.keys("Escape")
        term.wait_for("Welcome, Ada")

        switch_learner(term)
        term.keys("C-n")
        term.type(" ada ")
        term.keys("Enter")
        screen = term.wait_for("already exists", settled=True)
        assert "(1 answer, last active" in " ".join(screen.split())
        assert "Open that profile?" in screen
        term.keys("n")  # choose another name: the form keeps the typed name
        screen = term.wait_for(lambda s: "Open that profile?" not in s, settled=True)
        assert "already exists: names must differ" in screen
        term.keys("Enter")  # try again, and open Ada's profile this time
        term.wait_for("Open that profile?")
        term.keys("y")
        term.wait_for("Welcome, Ada")
        term.keys("C-q")
        term.wait_for("EXITED-0")

    env = {**clean_env(tmp_path), "PYTHONPATH": os.environ.get("PYTHONPATH", str(ROOT)),
           "COLUMNS": "80"}
    listed = subprocess.run([str(EXE), "--data-dir", str(data), "learners"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()
            if line.split()[:1] in (["Ada"], ["ada"])]
    assert len(rows) == 1
    assert rows[0][:4] == ["Ada", "–", "–", "1"]
    assert "1 learner" in listed.stdout
