"""Keys that arrive in one burst (a fast typist, a slow link) at 80×24 in a real terminal: a
unit typed after a number and a word typed into a short answer stay with the item, and none
of their letters is taken as the quiz's keys (n next, p previous, m flag, s submit)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from tests.journeys.terminal import Terminal, app_terminal, into_field, needs_tmux
from tests.journeys.test_learner_journey import single_best_content

ROOT = Path(__file__).resolve().parents[2]


def number_and_word_content(folder: Path) -> Path:
    """The anatomy lesson (without its checks), and of its questions the numeric one whose
    unit is "patients" and the short answer."""
    single_best_content(folder)
    bank = yaml.safe_load((ROOT / "question_bank" / "anatomy.yaml").read_text(encoding="utf-8"))
    bank["questions"] = [q for q in bank["questions"]
                         if q["type"] == "short_answer" or q.get("unit") == "patients"]
    assert len(bank["questions"]) == 2
    (folder / "questions.yaml").write_text(yaml.safe_dump(bank, allow_unicode=True),
                                           encoding="utf-8")
    return folder


@contextmanager
def ada_at_home(tmp_path: Path, content: Path) -> Iterator[Terminal]:
    """The app on `content` in a terminal, with Ada's Home drawn."""
    with app_terminal(tmp_path, "--data-dir", str(tmp_path / "data"), "--learner", "Ada",
                      "--content", str(content)) as term:
        term.wait_for("Welcome, Ada")
        yield term


@needs_tmux
def test_a_burst_of_keys_stays_with_the_item(tmp_path: Path) -> None:
    with ada_at_home(tmp_path, number_and_word_content(tmp_path / "content")) as term:
        term.keys("q")
        term.wait_for("Build a quiz")
        term.keys("Down", "Enter")  # Timed exam
        term.wait_for("Countdown; results at the end.")
        term.keys("C-s")
        for n in (1, 2):
            screen = term.wait_for(f"Item {n} of 2")
            if "Type a number" in screen:
                term.type("12 patients")  # one burst: p, s, m, n among the letters
                screen = term.wait_for("Just the number — patients is given beside it", settled=True)
                assert f"Item {n} of 2" in screen and f"{n - 1}/2 answered" in screen
                assert "12 " in screen and "Submit (y)" not in screen
            else:
                into_field(term)
                term.type("kyphoplasty")  # one burst: p, s, y
                screen = term.wait_for("kyphoplasty", settled=True)
                assert f"Item {n} of 2" in screen and "Submit (y)" not in screen
                term.keys("C-u")  # cleared, then the answer
                term.wait_for(lambda s: "kyphoplasty" not in s)
                term.type("sacrum")
                term.wait_for("sacrum")
            term.keys("Enter")
            term.say_how_sure("2")
            term.wait_for(f"{n}/2 answered")
        term.keys("s")  # the last item answered: the field lets go, s submits
        term.wait_for("Results — Timed exam")
        term.wait_for("Answered 2/2")
        term.keys("C-q")
        term.wait_for("EXITED-0")


def number_and_word_lesson(folder: Path) -> Path:
    """As `number_and_word_content`, with the numeric question checked in the lesson's
    first step and the short answer in its second."""
    number_and_word_content(folder)
    lesson = yaml.safe_load((folder / "lesson.yaml").read_text(encoding="utf-8"))
    bank = yaml.safe_load((folder / "questions.yaml").read_text(encoding="utf-8"))
    by_type = {q["type"]: q["id"] for q in bank["questions"]}
    lesson["steps"][0]["checks"] = [by_type["numeric"]]
    lesson["steps"][1]["checks"] = [by_type["short_answer"]]
    (folder / "lesson.yaml").write_text(yaml.safe_dump(lesson, allow_unicode=True),
                                        encoding="utf-8")
    return folder


@needs_tmux
def test_a_burst_of_keys_stays_with_a_lesson_check(tmp_path: Path) -> None:
    """In a lesson, n and p step through it: typed as part of an answer in one burst they
    stay in the check's field, and the reader stays on its step."""
    with ada_at_home(tmp_path, number_and_word_lesson(tmp_path / "content")) as term:
        term.keys("l")
        term.wait_for("Enter reads")
        term.keys("Enter")
        term.wait_for("Step 1 of")
        term.type("12 patients")  # while reading: the digits open the field, the rest waits
        screen = term.wait_for("Just the number — patients is given beside it", settled=True)
        assert "Step 1 of" in screen and "12 " in screen
        term.keys("Enter")
        term.say_how_sure("2")
        term.wait_for("key:")
        term.keys("n")
        term.wait_for("Step 2 of")
        term.keys("NPage")  # down to the check
        term.wait_for("Enter goes into the field to type the answer")
        term.keys("Enter")
        term.type("pelvis")  # (p: not the previous step)
        screen = term.wait_for("pelvis", settled=True)
        assert "Step 2 of" in screen and "Leave field" in screen
        term.keys("C-u")
        term.wait_for(lambda s: "pelvis" not in s)
        term.type("sacrum")
        term.keys("Enter")
        term.say_how_sure("1")
        term.wait_for("accepted: ")
        term.keys("p")  # both checks answered: p goes back a step
        term.wait_for("Step 1 of")
        term.keys("C-q")
        term.wait_for("EXITED-0")


@needs_tmux
def test_a_confidence_key_sent_with_enter_says_how_sure(tmp_path: Path) -> None:
    """`C Enter 1` in one burst on a tutor item: C is the answer and 1 says "sure" (the 1
    reached the options before the answer was taken, and A was stored)."""
    content = single_best_content(tmp_path / "content")
    bank = yaml.safe_load((content / "questions.yaml").read_text(encoding="utf-8"))
    bank["questions"] = bank["questions"][:1]
    (content / "questions.yaml").write_text(yaml.safe_dump(bank, allow_unicode=True),
                                            encoding="utf-8")
    (question,) = bank["questions"]
    letter = "C" if question["key"] != "C" else "B"  # not A, which 1 would choose
    with ada_at_home(tmp_path, content) as term:
        term.keys("q")
        term.wait_for("Build a quiz")
        term.keys("C-s")
        term.wait_for("Item 1 of 1")
        term.type(f"{letter.lower()}\r1")  # one burst
        screen = term.wait_for("You said: sure", settled=True)
        assert "How sure are you?" not in screen
        chosen = [line for line in screen.splitlines() if "(●)" in line]
        assert len(chosen) == 1 and f"{letter}. " in chosen[0], chosen
        term.keys("C-q")
        term.wait_for("EXITED-0")
