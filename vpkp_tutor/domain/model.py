"""What lessons, questions, cases, answers and scores *are*.

Immutable records and pure methods; no I/O. The content layer builds these from YAML, the
storage layer persists answers about them, and the TUI displays them.

Records are frozen `msgspec.Struct`s rather than frozen dataclasses: on Python 3.11 each frozen,
slotted dataclass costs about 0.7 ms to define (it compiles its generated methods at import),
a Struct about 0.02 ms, and the first screen needs some thirty of them. msgspec is the only
library the domain imports; records behave like frozen dataclasses (keyword or positional
construction — keyword only for the question records — value equality within a type,
hashing, `msgspec.structs.replace`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import NamedTuple, get_args

from msgspec import Struct, field
from msgspec.structs import force_setattr


class Topic(StrEnum):
    """The curriculum's topics; the value is the identifier authors write in YAML."""

    ANATOMY = "anatomy"
    PATIENT_SELECTION = "patient_selection"
    IMAGING = "imaging"
    VP_TECHNIQUE = "vp_technique"
    KP_TECHNIQUE = "kp_technique"
    COMPLICATIONS = "complications"
    EVIDENCE = "evidence"
    BILLING = "billing"
    AFTERCARE = "aftercare"

    @property
    def label(self) -> str:
        """Human-readable name of the topic."""
        return TOPIC_LABELS[self]


TOPIC_LABELS: dict[Topic, str] = {
    Topic.ANATOMY: "Anatomy",
    Topic.PATIENT_SELECTION: "Patient selection",
    Topic.IMAGING: "Imaging & classification",
    Topic.VP_TECHNIQUE: "Vertebroplasty technique",
    Topic.KP_TECHNIQUE: "Kyphoplasty technique",
    Topic.COMPLICATIONS: "Complications",
    Topic.EVIDENCE: "Evidence",
    Topic.BILLING: "Billing & coding",
    Topic.AFTERCARE: "Aftercare & osteoporosis",
}


class QuestionType(StrEnum):
    """The question types the bank supports; the value is written as `type:` in YAML."""

    SINGLE_BEST = "single_best"
    MULTIPLE_RESPONSE = "multiple_response"
    TRUE_FALSE = "true_false"
    ORDERING = "ordering"
    MATCHING = "matching"
    NUMERIC = "numeric"


class Difficulty(StrEnum):
    """How hard an item is meant to be."""

    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


LETTERS = "ABCDEFGHIJ"
"""Option labels, by position."""


class Objective(Struct, frozen=True):
    """A learning objective, declared by a lesson and tested by questions."""

    id: str
    """Stable identifier, e.g. `anat.pedicle-landmarks`."""
    text: str
    """What the learner should be able to do."""


class Step(Struct, frozen=True):
    """One screen of a lesson."""

    title: str
    """Heading of the step."""
    body: str
    """Markdown text."""
    diagram: str | None = None
    """Optional monospace diagram shown verbatim."""
    checks: tuple[str, ...] = ()
    """Ids of questions answered in place at the end of the step."""


class Lesson(Struct, frozen=True):
    """An ordered sequence of steps on one topic."""

    id: str
    """Stable identifier."""
    title: str
    """Title shown in the library."""
    topic: Topic
    """The topic the lesson belongs to."""
    summary: str
    """One or two sentences for the library list."""
    objectives: tuple[Objective, ...]
    """The objectives this lesson teaches."""
    estimated_minutes: int
    """Expected reading time."""
    last_reviewed: dt.date
    """When an educator last checked the content."""
    references: tuple[str, ...]
    """Sources for the lesson's facts."""
    steps: tuple[Step, ...]
    """The steps, in reading order."""
    source: str = ""
    """File the lesson was loaded from (for messages)."""


class Option(Struct, frozen=True):
    """An answer option (or an ordering item) with its own explanation."""

    text: str
    """What the learner sees."""
    explanation: str
    """Why this option is right or wrong."""


class MatchPair(Struct, frozen=True):
    """A left-hand prompt and its correct right-hand match."""

    left: str
    """The prompt, e.g. a procedure."""
    right: str
    """Its correct match, e.g. a CPT code."""
    explanation: str
    """Why they belong together."""


class _QuestionBase(Struct, frozen=True, kw_only=True, tag_field="type"):
    """What every question has; each type below adds only its own fields.

    The type is the struct's class (its msgspec tag, written as `type` in the content
    cache, is the `QuestionType` value): dispatch on it with an exhaustive `match` ending
    in `assert_never`, so that the type checker names every place a new type must be
    handled.
    """

    id: str
    """Stable identifier."""
    topic: Topic
    """The topic it tests."""
    objectives: tuple[str, ...]
    """Ids of the objectives it tests."""
    difficulty: Difficulty
    """Intended difficulty."""
    stem: str
    """Markdown stem: the vignette and the lead-in."""
    explanation: str
    """The overall explanation shown after answering."""
    references: tuple[str, ...]
    """Sources for the keyed fact."""
    tags: tuple[str, ...] = ()
    """Free tags for filtering."""
    last_reviewed: dt.date = dt.date(2026, 1, 1)
    """When an educator last checked the item."""
    source: str = ""
    """File the question was loaded from."""

    @property
    def type(self) -> QuestionType:
        """The question type (its value is what authors write as `type:`)."""
        return QuestionType(str(self.__struct_config__.tag))


class SingleBest(_QuestionBase, frozen=True, kw_only=True, tag="single_best"):
    """One keyed option among several."""

    options: tuple[Option, ...]
    """The options, in authored order."""
    key: str
    """The correct letter."""


class MultipleResponse(_QuestionBase, frozen=True, kw_only=True, tag="multiple_response"):
    """One or more keyed options; partial credit."""

    options: tuple[Option, ...]
    """The options, in authored order."""
    keys: tuple[str, ...]
    """The correct letters."""


class TrueFalse(_QuestionBase, frozen=True, kw_only=True, tag="true_false"):
    """A statement in the stem; the options are True and False."""

    options: tuple[Option, ...]
    """The two options."""
    key: str
    """The correct letter."""


class Ordering(_QuestionBase, frozen=True, kw_only=True, tag="ordering"):
    """Items to put in order; listed in the correct order, shown shuffled."""

    options: tuple[Option, ...]
    """The items, in the correct order."""


class Matching(_QuestionBase, frozen=True, kw_only=True, tag="matching"):
    """Left-hand prompts matched to right-hand answers."""

    pairs: tuple[MatchPair, ...]
    """The matching pairs."""
    distractors: tuple[str, ...] = ()
    """Extra right-hand choices that match nothing."""

    @property
    def right_choices(self) -> tuple[str, ...]:
        """Right-hand choices: matches then distractors, sorted."""
        return tuple(sorted({p.right for p in self.pairs} | set(self.distractors)))


class Numeric(_QuestionBase, frozen=True, kw_only=True, tag="numeric"):
    """A number within a tolerance."""

    answer: float
    """The correct value."""
    tolerance: float = 0.0
    """Absolute tolerance around the answer."""
    unit: str = ""
    """Unit shown beside the input."""


Question = SingleBest | MultipleResponse | TrueFalse | Ordering | Matching | Numeric
"""A question of any type: a tagged union of one record per type."""

ChoiceQuestion = SingleBest | MultipleResponse | TrueFalse
"""The types answered by choosing options."""

QUESTION_CLASSES: dict[QuestionType, type[Question]] = {
    QuestionType(str(cls.__struct_config__.tag)): cls for cls in get_args(Question)
}
"""The record class of each question type (derived from the union)."""


class Outcome(Struct, frozen=True):
    """How a case ends at an end node."""

    kind: str
    """`good`, `acceptable` or `poor`."""
    text: str
    """What happened to the patient."""


class Choice(Struct, frozen=True):
    """A choice offered at a case node."""

    id: str
    """Identifier, unique within the case."""
    text: str
    """What the learner may choose to do."""
    feedback: str
    """Shown after the choice is made."""
    score: int = 0
    """Points earned by this choice (0 for a poor choice)."""
    next: str | None = None
    """Node the case moves to; None only for a critical choice."""
    critical: bool = False
    """A never event: the case ends at once."""


class CaseNode(Struct, frozen=True):
    """A point in a case: narrative, findings revealed here, and choices or an outcome."""

    id: str
    """Identifier, unique within the case."""
    narrative: str
    """Markdown text describing what happens at this point."""
    findings: tuple[str, ...] = ()
    """Findings revealed at this point (examination, imaging, results)."""
    choices: tuple[Choice, ...] = ()
    """What the learner may do next; empty at an end node."""
    outcome: Outcome | None = None
    """Set on end nodes only."""

    @property
    def is_end(self) -> bool:
        """True when the case finishes here."""
        return self.outcome is not None


class Case(Struct, frozen=True):
    """A branching clinical scenario."""

    id: str
    """Stable identifier."""
    title: str
    """Title shown in the case list."""
    topic: Topic
    """The main topic."""
    vignette: str
    """Markdown opening of the case."""
    start: str
    """Id of the first node."""
    nodes: tuple[CaseNode, ...]
    """All nodes."""
    expert_path: tuple[str, ...]
    """Choice ids an expert would take, in order."""
    debrief: str
    """Markdown debrief explaining the expert path."""
    references: tuple[str, ...]
    """Sources."""
    objectives: tuple[str, ...] = ()
    """Objectives the case exercises."""
    last_reviewed: dt.date = dt.date(2026, 1, 1)
    """When an educator last checked the case."""
    source: str = ""
    """File the case was loaded from."""

    def node(self, node_id: str) -> CaseNode:
        """Return the node with this id (KeyError when absent)."""
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def choice(self, choice_id: str) -> Choice:
        """Return the choice with this id (KeyError when absent)."""
        for n in self.nodes:
            for c in n.choices:
                if c.id == choice_id:
                    return c
        raise KeyError(choice_id)


class Score(Struct, frozen=True):
    """Points earned out of a maximum."""

    points: float
    """Points earned."""
    max_points: float
    """Points available."""

    @property
    def fraction(self) -> float:
        """Points as a share of the maximum (0 when nothing was available)."""
        return self.points / self.max_points if self.max_points else 0.0

    @property
    def correct(self) -> bool:
        """Full marks."""
        return self.max_points > 0 and abs(self.points - self.max_points) < 1e-9


class ContentProblem(Struct, frozen=True):
    """A problem found in authored content, located in its file."""

    path: str
    """File path as given to the loader."""
    line: int
    """1-based line."""
    column: int
    """1-based column."""
    message: str
    """What is wrong and, where possible, how to fix it."""
    severity: str = "error"
    """`error` or `warning`."""
    code: str = ""
    """The stable code of this kind of problem (`VP101`; see `content.codes`)."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"


class QuestionMeta(NamedTuple):
    """What filtering, counting and mastery need of a question, without its text.

    A named tuple rather than a record: a large bank holds thousands, and they are
    rebuilt from the content cache at every start.
    """

    id: str
    type: QuestionType
    topic: Topic
    difficulty: Difficulty
    objectives: tuple[str, ...]

    @classmethod
    def of(cls, q: Question) -> QuestionMeta:
        """The metadata of a question."""
        return cls(q.id, q.type, q.topic, q.difficulty, q.objectives)


class ContentBank(Struct, frozen=True):
    """Everything loaded from the content directories, plus the problems found."""

    lessons: tuple[Lesson, ...] = ()
    """Valid lessons."""
    questions: Sequence[Question] = ()
    """Valid questions. A plain tuple, or (from the content cache) a sequence that builds
    each question only when it is first read; code that only needs a question's topic,
    type, difficulty or objectives should use `question_meta` instead."""
    cases: Sequence[Case] = ()
    """Valid cases (a tuple, or from the content cache a sequence built on first read)."""
    problems: tuple[ContentProblem, ...] = ()
    """Errors and warnings, in file order."""
    skipped_files: tuple[str, ...] = ()
    """Files left out because they had errors."""
    fingerprint: str = ""
    """Hash of the content files, identifying this version of the bank."""
    files_checked: int = 0
    """How many content files were read."""
    question_meta: tuple[QuestionMeta, ...] = ()
    """Per question (same order as `questions`): what filtering, counting and mastery need,
    without the text. Derived from `questions` when not given."""
    _index: dict[str, int] = field(default_factory=dict)
    """Position of each question id (derived)."""

    def __post_init__(self) -> None:
        if len(self.question_meta) != len(self.questions):  # not given, or out of date
            force_setattr(self, "question_meta", tuple(QuestionMeta.of(q) for q in self.questions))
        if not self._index:
            self._index.update({m.id: i for i, m in enumerate(self.question_meta)})

    def question(self, qid: str) -> Question:
        """Return the question with this id (KeyError when absent)."""
        return self.questions[self._index[qid]]

    def meta(self, qid: str) -> QuestionMeta:
        """The metadata of the question with this id (KeyError when absent)."""
        return self.question_meta[self._index[qid]]

    def has_question(self, qid: str) -> bool:
        """True when a question with this id was loaded."""
        return qid in self._index

    def lesson(self, lesson_id: str) -> Lesson:
        """Return the lesson with this id (KeyError when absent)."""
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise KeyError(lesson_id)

    def case(self, case_id: str) -> Case:
        """Return the case with this id (KeyError when absent)."""
        for case in self.cases:
            if case.id == case_id:
                return case
        raise KeyError(case_id)

    @property
    def errors(self) -> tuple[ContentProblem, ...]:
        """Problems of severity error."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[ContentProblem, ...]:
        """Problems of severity warning."""
        return tuple(p for p in self.problems if p.severity == "warning")
