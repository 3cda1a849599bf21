"""A tiny content bank for the TUI tests: every question type, two lessons (one with a
diagram and embedded checks), a case with a never event, and items whose text carries markup
that must be shown literally.
"""

from __future__ import annotations

import datetime as dt

from vpkp_tutor.content import bundled_manifest
from vpkp_tutor.content.course import read_course
from vpkp_tutor.domain.model import (
    QUESTION_CLASSES,
    AcceptedAnswer,
    Case,
    CaseNode,
    Choice,
    ContentBank,
    Course,
    Difficulty,
    DrillGeometry,
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

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
"""The frozen 'now' of the tests."""

CLICK_QUIT = "[@click=app.quit]Quit now[/]"
FILE_LINK = "[link=file:///etc/passwd]x[/link]"


BUNDLED_COURSE = read_course(bundled_manifest())[0] or Course()
"""The bundled course's manifest (its topics and labels)."""

class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: dt.datetime = T0) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        """Move the clock forward."""
        self.now += dt.timedelta(**kwargs)


def _q(qid: str, qtype: QuestionType, stem: str, topic: TopicId = "anatomy", **kw: object) -> Question:
    return QUESTION_CLASSES[qtype](
        id=qid,
        topic=topic,
        objectives=("anat.one",),
        difficulty=Difficulty.EASY,
        stem=stem,
        explanation=f"Explanation of {qid}.",
        references=(f"Reference for {qid}",),
        **kw,  # type: ignore[arg-type]
    )


def _opts(*texts: str) -> tuple[Option, ...]:
    return tuple(Option(t, f"Because {t.lower()}.") for t in texts)


SINGLE = _q("q-single", QuestionType.SINGLE_BEST, "Which is the pedicle?",
            options=_opts("Alpha", "Bravo", "Charlie"), key="B")
MULTI = _q("q-multi", QuestionType.MULTIPLE_RESPONSE, "Which are veins?",
           options=_opts("Basivertebral", "Pedicle", "Epidural plexus", "Lamina"), keys=("A", "C"))
TRUE_FALSE = _q("q-tf", QuestionType.TRUE_FALSE, "The pedicle joins body and arch.",
                options=_opts("True", "False"), key="A")
ORDERING = _q("q-order", QuestionType.ORDERING, "Put the steps in order.",
              options=_opts("Skin", "Pedicle", "Body"))
MATCHING = _q("q-match", QuestionType.MATCHING, "Match the code.", topic="billing",
              pairs=(MatchPair("Vertebroplasty lumbar", "22511", "VP lumbosacral."),
                     MatchPair("Kyphoplasty thoracic", "22513", "KP thoracic.")),
              distractors=("20225",))
NUMERIC = _q("q-num", QuestionType.NUMERIC, "How many presacral vertebrae?", answer=24.0,
             tolerance=0.0, unit="vertebrae")
HOSTILE = _q("q-hostile", QuestionType.SINGLE_BEST, f"Stem {CLICK_QUIT} and {FILE_LINK}",
             options=(Option(CLICK_QUIT, "Markup shown as typed."),
                      Option(FILE_LINK, "Links are not followed."),
                      Option("[bold red]plain[/]", "Not styled.")), key="C")

TRAJECTORY = _q("q-drill", QuestionType.TRAJECTORY, "Place the needle.", topic=MATCHING.topic,
                geometry=DrillGeometry(
                    level="L3", side="right", approach="transpedicular", plan="bipedicular",
                    body_width=46, body_depth=34, body_height=27, pedicle_width=10,
                    pedicle_height=15, pedicle_length=20, pedicle_offset=13,
                    medial_angle=18, midline_tolerance=0.35))

SHORT = _q("q-short", QuestionType.SHORT_ANSWER, "Name the bony corridor of the needle.",
           answers=(AcceptedAnswer("pedicle"), AcceptedAnswer("lamina", 0.25, "Close.")))

QUESTIONS = (SINGLE, MULTI, TRUE_FALSE, ORDERING, MATCHING, NUMERIC, TRAJECTORY, SHORT)

LESSON = Lesson(
    id="lesson-anatomy",
    title="The vertebra",
    topic="anatomy",
    summary="What a needle meets.",
    objectives=(Objective("anat.one", "Name the parts."),),
    estimated_minutes=5,
    last_reviewed=dt.date(2026, 1, 1),
    references=("Anatomy reference",),
    steps=(
        Step("The pedicle", "The **pedicle** is the corridor.", diagram="  .-.\n ( o )\n  '-'",
             checks=("q-single",)),
        Step("The veins", "Valveless veins leave the body.", checks=("q-num",)),
        Step("Summary", "Stay in the pedicle."),
    ),
)
LESSON_BILLING = Lesson(
    id="lesson-billing",
    title="Codes",
    topic="billing",
    summary="CPT families.",
    objectives=(Objective("bill.one", "Pick the code."),),
    estimated_minutes=3,
    last_reviewed=dt.date(2026, 1, 1),
    references=("Coding reference",),
    steps=(Step("Codes", "Two families."),),
)

CASE = Case(
    id="case-candidate",
    title="Is she a candidate?",
    topic="patient_selection",
    vignette="Mrs A, 81, fractured T12.",
    start="assess",
    nodes=(
        CaseNode(
            "assess",
            "She cannot walk.",
            findings=("Radiograph: 30% height loss",),
            choices=(
                Choice("mri", "Order an MRI with STIR", "STIR confirms an unhealed fracture.",
                       score=2, next="mri-result"),
                Choice("inject-now", "Book augmentation now", "Treating blind is a never event.",
                       score=0, critical=True),
                Choice("wait", "Wait a week", "Waiting helps nobody here.", score=0,
                       next="mri-result"),
            ),
        ),
        CaseNode("mri-result", "MRI shows T12 oedema.", findings=("STIR: T12 oedema",),
                 outcome=Outcome("good", "The level is confirmed.")),
    ),
    expert_path=("mri",),
    debrief="Confirm the painful, unhealed level before treating.",
    references=("Clark 2016",),
)


def make_bank(*, hostile: bool = False) -> ContentBank:
    """The bank; `hostile` adds the markup-laden question and a lesson that checks it."""
    questions = QUESTIONS + ((HOSTILE,) if hostile else ())
    lessons = (LESSON, LESSON_BILLING)
    return ContentBank(course=BUNDLED_COURSE, lessons=lessons, questions=questions, cases=(CASE,), fingerprint="test")


def long_bank(n: int = 30) -> ContentBank:
    """`n` single-best items (`q-long-01` …) on the topic with the longest name, for long
    quizzes."""
    questions = tuple(
        _q(f"q-long-{i:02d}", QuestionType.SINGLE_BEST, f"Long quiz item {i}?",
           topic="imaging", options=_opts("Alpha", "Bravo", "Charlie"), key="A")
        for i in range(1, n + 1)
    )
    return ContentBank(course=BUNDLED_COURSE, questions=questions, fingerprint=f"long-{n}")
