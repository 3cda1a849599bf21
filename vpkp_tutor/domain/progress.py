"""What a learner, an attempt, a response and a progress summary *are*.

Immutable records (see `domain.model`) shared by storage (which persists them), services
(which computes them) and the TUI (which shows them). Timestamps are timezone-aware UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from enum import StrEnum
from typing import TypeAlias

from msgspec import Struct, field, to_builtins

from vpkp_tutor.domain.model import Difficulty, Question, Topic, TopicId
from vpkp_tutor.domain.scoring import AnswerValue
from vpkp_tutor.domain.text import clean_text


class QuizMode(StrEnum):
    """How a quiz runs."""

    TUTOR = "tutor"
    """Feedback after each answer."""
    EXAM = "exam"
    """Timed; feedback only at the end; auto-submit at zero."""
    REVIEW = "review"
    """Spaced review of the due queue."""


class Pool(StrEnum):
    """Which questions a quiz draws from."""

    UNUSED = "unused"
    INCORRECT = "incorrect"
    FLAGGED = "flagged"
    ALL = "all"


class Learner(Struct, frozen=True):
    """A resident using the app."""

    id: str
    """Opaque, stable identifier (a random UUID hex)."""
    display_name: str
    """Name shown in the app and exports."""
    program: str = ""
    """Optional residency program."""
    level: str = ""
    """Optional training level, e.g. PGY-3."""
    created_at: dt.datetime | None = None
    """When the profile was created (UTC)."""




_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAKS = re.compile("[\r\x0b\x0c\x85\u2028\u2029]")


def clean_name(text: str) -> str:
    """A learner's name, program or level as safe one-line text: terminal escape sequences,
    control characters and bidi overrides removed, lone surrogates (undecodable bytes from
    the command line) replaced by U+FFFD, runs of whitespace made one space."""
    text = clean_text(_LINE_BREAKS.sub(" ", text))
    return " ".join(_SURROGATE.sub("\ufffd", text).split())


class QuizSettings(Struct, frozen=True):
    """What the learner asked for in the quiz builder."""

    mode: QuizMode = QuizMode.TUTOR
    """Tutor, exam or review."""
    topics: tuple[TopicId, ...] = ()
    """Topics to draw from; empty means all."""
    count: int = 10
    """Number of items."""
    difficulty: Difficulty | None = None
    """Only this difficulty, or any when None."""
    pool: Pool = Pool.ALL
    """Which items to draw from."""
    time_limit_s: int | None = None
    """Exam time limit in seconds (exam mode only)."""
    seed: int | None = None
    """Random seed for selection and shuffling; chosen by the service when None."""


class ResponseRecord(Struct, frozen=True):
    """One answer as stored."""

    attempt_id: str
    """The quiz attempt (or `lesson:<id>` for an embedded lesson check)."""
    question_id: str
    """The question answered."""
    content_hash: str
    """Hash of the question as it was when answered."""
    answer: AnswerValue
    """What the learner answered."""
    points: float
    """Score earned."""
    max_points: float
    """Score available."""
    correct: bool
    """Full marks."""
    seconds: float
    """Time taken to answer."""
    answered_at: dt.datetime
    """When (UTC)."""
    confidence: int | None = None
    """Stated confidence (`domain.confidence.Confidence`: 1 sure, 2 unsure, 3 guess), or
    None when not stated."""
    error_tag: str | None = None
    """Why it was wrong, in the learner's words (`domain.confidence.ErrorTag` value)."""
    error_comment: str = ""
    """The learner's comment with a "disagree with the key" tag."""


class Attempt(Struct, frozen=True):
    """A quiz attempt: its settings, its questions and the answers so far."""

    id: str
    """Opaque attempt id (also the xAPI registration)."""
    learner_id: str
    """Who is taking it."""
    settings: QuizSettings
    """How it was built."""
    question_ids: tuple[str, ...]
    """Questions in presentation order."""
    started_at: dt.datetime
    """When it started (UTC)."""
    finished_at: dt.datetime | None = None
    """When it was submitted, or None while unfinished."""
    responses: dict[str, ResponseRecord] = field(default_factory=dict)
    """Answers so far, by question id."""
    flagged: frozenset[str] = frozenset()
    """Questions the learner has flagged."""
    position: int = 0
    """Index of the question on screen when last saved."""


def time_used(attempt: Attempt, answer_seconds: float | None = None) -> float:
    """The one definition of a quiz's time used, shown on Results, in History and exported.

    A timed exam's clock runs from the start (leaving the quiz does not stop it, as the
    countdown shows) until it is submitted, and never past its limit: time used is the time
    from start to submission, capped at the limit. Tutor and review quizzes have no clock:
    time used is the time spent on each item until it was answered, summed
    (`answer_seconds`, or the attempt's responses when None); so is an exam's until it is
    submitted.
    """
    if answer_seconds is None:
        answer_seconds = sum(r.seconds for r in attempt.responses.values())
    summed = max(0.0, answer_seconds) if math.isfinite(answer_seconds) else 0.0
    if attempt.settings.mode is not QuizMode.EXAM or attempt.finished_at is None:
        return summed
    used = max(0.0, (attempt.finished_at - attempt.started_at).total_seconds())
    limit = attempt.settings.time_limit_s
    return min(used, float(limit)) if limit else used


class TopicResult(Struct, frozen=True):
    """Per-topic breakdown of an attempt."""

    topic: Topic
    points: float
    max_points: float
    answered: int
    total: int


class QuizResult(Struct, frozen=True):
    """A submitted attempt's outcome."""

    attempt: Attempt
    points: float
    max_points: float
    seconds_used: float
    by_topic: tuple[TopicResult, ...]


class LessonProgress(Struct, frozen=True):
    """Where a learner is in a lesson."""

    lesson_id: str
    position: int = 0
    """Index of the step last shown."""
    completed: bool = False
    updated_at: dt.datetime | None = None


class CaseRun(Struct, frozen=True):
    """One play-through of a case."""

    id: str
    learner_id: str
    case_id: str
    choice_path: tuple[str, ...]
    """Choice ids taken, in order."""
    points: int
    max_points: int
    critical_errors: tuple[str, ...]
    started_at: dt.datetime
    finished_at: dt.datetime | None = None


class Mastery(Struct, frozen=True):
    """Mastery of a topic or objective (see domain.mastery for the formula)."""

    key: str
    """Topic value or objective id."""
    value: float
    """0..1."""
    answered_items: int
    """Distinct items answered."""
    total_items: int
    """Items in the bank for this key."""
    accuracy: float
    """Share of points over all responses."""


class TopicProgress(Struct, frozen=True):
    """One row of the dashboard."""

    topic: Topic
    lessons_done: int
    lessons_total: int
    mastery: Mastery


class Dashboard(Struct, frozen=True):
    """Everything the home screen shows."""

    learner: Learner
    topics: tuple[TopicProgress, ...]
    due_count: int
    continue_lesson: LessonProgress | None
    """The most recently touched unfinished lesson."""
    unfinished_attempt: Attempt | None
    weakest_objectives: tuple[Mastery, ...]


# -- records as they travel between the store and the exports ----------------------------


class ResponseEvent(Struct, frozen=True):
    """A stored response with the context the exports need."""

    id: str
    """Stable response id (kept when an answer in the same attempt is replaced)."""
    learner_id: str
    """Who answered."""
    mode: str
    """Quiz mode (`tutor`, `exam`, `review`) or `lesson` for an embedded lesson check."""
    record: ResponseRecord
    """The response itself."""


RESPONSE_ROW_FIELDS = (
    "answered_at", "plain", "mode", "attempt_id", "question_id", "points", "max_points",
    "correct", "seconds", "content_hash", "id", "answer_json", "confidence", "error_tag",
    "error_comment",
)
"""The columns of a `ResponseRow`, in order."""
ResponseRow: TypeAlias = tuple[str, int, str, str, str, float, float, int, float, str, str, str,
                               int | None, str | None, str | None]
"""A stored response as a plain tuple (columns `RESPONSE_ROW_FIELDS`), for exports that
stream a million responses without building an object for each. Values are as stored:
`answered_at` and `answer_json` are the stored text, `correct` is 0 or 1. `plain` is 1 when
`answered_at` has the canonical `iso_utc` form and the three numbers are stored as reals, so
the row can be written as it is; with 0 the reader normalises it (`iso_utc(parse_utc(…))`,
`float(…)`) — older or hand-edited data."""


def iso_utc(when: dt.datetime) -> str:
    """ISO 8601 UTC with microseconds and a `Z`, e.g. `2026-03-01T09:30:00.000000Z`.

    The fixed width makes stored timestamps sort correctly as text.
    """
    if when.tzinfo is None:
        raise ValueError("naive datetime: timestamps must be timezone-aware")
    if when.tzinfo is not dt.UTC:
        when = when.astimezone(dt.UTC)
    return when.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_utc(text: str) -> dt.datetime:
    """Parse an ISO 8601 timestamp into an aware UTC datetime (naive input is taken as UTC)."""
    when = dt.datetime.fromisoformat(text)
    if when.tzinfo is None:
        return when.replace(tzinfo=dt.UTC)
    if when.tzinfo is dt.UTC:
        return when
    return when.astimezone(dt.UTC)


WHOLE_ANSWER_BOUNDS = (-(2**63), 2**63 - 1)
"""The smallest and largest whole number an answer may hold (exports carry 64 bits)."""


def answer_to_json(answer: AnswerValue) -> str | float | list[str | int | None] | None:
    """The JSON-ready form of an answer: tuples become lists; NaN becomes None."""
    if isinstance(answer, tuple):
        return list(answer)
    if isinstance(answer, float) and math.isnan(answer):
        return None
    return answer


def answer_from_json(value: object) -> AnswerValue:
    """Rebuild an answer from its JSON form (the inverse of `answer_to_json`)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise ValueError(f"not an answer: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list):
        items: list[str | int | None] = []
        for item in value:
            if item is None or isinstance(item, str) or (
                isinstance(item, int) and not isinstance(item, bool)
            ):
                items.append(item)
            else:
                raise ValueError(f"not an answer item: {item!r}")
        return tuple(items)  # type: ignore[return-value]
    raise ValueError(f"not an answer: {value!r}")


_OTHER_TYPES_FIELDS: dict[str, object] = {
    "options": [], "key": None, "keys": [], "pairs": [], "distractors": [], "answer": None,
    "tolerance": 0.0, "unit": "",
}


def content_hash(question: Question) -> str:
    """SHA-256 of a canonical JSON of the question's fields (its `source` path excluded).

    Two responses with the same hash answered the same wording, options and key.
    """
    # records → dicts, tuples → lists, dates → ISO text; the fields other types have are
    # filled in as empty, so hashes match those taken when one record held every type
    fields = {**_OTHER_TYPES_FIELDS, **to_builtins(question)}
    fields.pop("source", None)
    canonical = json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    import hashlib  # imported here: OpenSSL start-up is not needed before the first answer

    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
