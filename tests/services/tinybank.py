"""A tiny content bank built from domain records, and a frozen clock, for store tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from vpkp_tutor.content import bundled_manifest
from vpkp_tutor.content.course import read_course
from vpkp_tutor.domain.model import (
    QUESTION_CLASSES,
    Case,
    CaseNode,
    Choice,
    ContentBank,
    Course,
    Difficulty,
    Lesson,
    MatchPair,
    Objective,
    Option,
    Outcome,
    Question,
    QuestionType,
    Step,
    TopicId,
)
from vpkp_tutor.services import Services
from vpkp_tutor.storage import open_store

T0 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


BUNDLED_COURSE = read_course(bundled_manifest())[0] or Course()
"""The bundled course's manifest (its topics and labels)."""

class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: dt.datetime = T0) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


def _opts(*texts: str) -> tuple[Option, ...]:
    return tuple(Option(t, f"why {t}") for t in texts)


def q(qid: str, qtype: QuestionType = QuestionType.SINGLE_BEST, topic: TopicId = "anatomy",
      objectives: tuple[str, ...] = ("anat.pedicle",), difficulty: Difficulty = Difficulty.EASY,
      stem: str = "Which?", **kw: object) -> Question:
    """A question with sensible defaults per type."""
    defaults: dict[str, object] = {}
    if qtype in (QuestionType.SINGLE_BEST,):
        defaults = {"options": _opts("alpha", "=beta", "gamma"), "key": "B"}
    elif qtype is QuestionType.TRUE_FALSE:
        defaults = {"options": _opts("True", "False"), "key": "A"}
    elif qtype is QuestionType.MULTIPLE_RESPONSE:
        defaults = {"options": _opts("a", "b", "c", "d"), "keys": ("A", "C")}
    elif qtype is QuestionType.ORDERING:
        defaults = {"options": _opts("first", "second", "third")}
    elif qtype is QuestionType.MATCHING:
        defaults = {"pairs": (MatchPair("VP", "22510", "x"), MatchPair("KP", "22513", "y")),
                    "distractors": ("22511",)}
    elif qtype is QuestionType.NUMERIC:
        defaults = {"answer": 5.0, "tolerance": 0.5, "unit": "mL"}
    defaults.update(kw)
    return QUESTION_CLASSES[qtype](id=qid, topic=topic, objectives=objectives,
                    difficulty=difficulty, stem=stem, explanation="because",
                    references=("Ref 2020",), **defaults)  # type: ignore[arg-type]


def tiny_bank(fingerprint: str = "fp-1") -> ContentBank:
    """Six questions (one per type), two topics, two lessons and one case."""
    questions = (
        q("anat.sb1"),
        q("anat.tf1", QuestionType.TRUE_FALSE),
        q("anat.mr1", QuestionType.MULTIPLE_RESPONSE, objectives=("anat.pedicle", "anat.canal")),
        q("comp.or1", QuestionType.ORDERING, "complications", ("comp.leak",),
          Difficulty.MEDIUM),
        q("comp.ma1", QuestionType.MATCHING, "complications", ("comp.leak",),
          Difficulty.HARD),
        q("comp.nu1", QuestionType.NUMERIC, "complications", ("comp.volume",),
          Difficulty.HARD, stem="-2+3 how many mL?"),
    )
    lessons = (
        Lesson("anat-basics", "Anatomy basics", "anatomy", "s",
               (Objective("anat.pedicle", "Find the pedicle"),), 5, dt.date(2026, 1, 1), (),
               (Step("One", "body", checks=("anat.sb1",)), Step("Two", "body"))),
        Lesson("comp-leaks", "Cement leaks", "complications", "s",
               (Objective("comp.leak", "Spot a leak"),), 5, dt.date(2026, 1, 1), (),
               (Step("One", "body"),)),
    )
    case = Case(
        id="case.leak", title="A leak", topic="complications", vignette="v", start="n1",
        nodes=(
            CaseNode("n1", "start", choices=(
                Choice("stop", "Stop injecting", "good", 2, "n2"),
                Choice("push", "Keep pushing", "bad", 0, None, critical=True),
            )),
            CaseNode("n2", "next", choices=(Choice("ct", "Get CT", "ok", 1, "end"),)),
            CaseNode("end", "done", outcome=Outcome("good", "fine")),
        ),
        expert_path=("stop", "ct"), debrief="d", references=(),
    )
    return ContentBank(course=BUNDLED_COURSE, lessons=lessons, questions=questions, cases=(case,),
                       fingerprint=fingerprint)


def make_services(data_dir: Path, clock: FakeClock | None = None,
                  bank: ContentBank | None = None) -> Services:
    """Services over a fresh store in `data_dir`."""
    return Services(bank or tiny_bank(), open_store(data_dir), clock or FakeClock())
