"""Reading JSON exports in columns, for the cohort report (hundreds of exports of thousands
of answers each).

`read_columns` checks a file against the same schema as `json_export.read_export` — the
same bounds on every field — but decodes the answers into lean records and turns them into
columns (numbers in arrays, texts as codes into shared tables) instead of several domain
objects per answer. The checks that `read_export` makes after decoding (points within 0 to
max_points, a moment that exists in UTC) are made on the whole column at once. When the
file fails any check, `read_export` reads it again to name the field at fault, so a bad
export gets the same located message by either road.
"""

from __future__ import annotations

import datetime as dt
from array import array
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from vpkp_tutor.export.files import ExportError, read_bounded
from vpkp_tutor.export.json_export import (
    MAX_EXPORT_BYTES,
    AnswerJson,
    Points,
    Seconds,
    SmallList,
    Text,
    _Attempt,
    _Case,
    _Content,
    _Learner,
    _Lesson,
    _Timed,
    read_export,
)
from vpkp_tutor.export.record import FORMAT_VERSION

_FIRST_US = -62135596800 * 1_000_000
"""0001-01-01T00:00:00Z in microseconds since 1970 (the earliest moment a date holds)."""
_LAST_US = 253402300799 * 1_000_000 + 999_999
"""9999-12-31T23:59:59.999999Z."""


class _LeanResponse(msgspec.Struct):
    """A response as the schema checks it (the bounds of `json_export._Response`), with its
    cross-field checks left to the column pass."""

    id: Text
    attempt_id: Text
    mode: Text
    question_id: Text
    content_hash: Text
    points: Points
    max_points: Points
    correct: bool
    seconds: Seconds
    answered_at: dt.datetime
    answer: AnswerJson = None
    topic: Text | None = None
    objectives: SmallList | None = None
    type: Text | None = None
    difficulty: Text | None = None


class _LeanDoc(_Timed):
    format: Literal["vpkp-tutor/learner-export"]
    format_version: Annotated[int, Meta(ge=1, le=FORMAT_VERSION)]
    app_version: Text
    content: _Content
    learner: _Learner
    lesson_progress: list[_Lesson]
    case_runs: list[_Case]
    responses: list[_LeanResponse]
    attempts: list[_Attempt]
    flags: SmallList
    exported_at: dt.datetime


_DOC = msgspec.json.Decoder(_LeanDoc)
_UTC = dt.UTC


@dataclass(slots=True)
class Codes:
    """Texts shared by many answers (question ids, topics, …) as small integers."""

    index: dict[Any, int] = field(default_factory=dict)

    def code(self, values: list[Any]) -> array[int]:
        """Each value's code (new values get the next number)."""
        index = self.index
        for v in dict.fromkeys(values):
            index.setdefault(v, len(index))
        return array("q", map(index.__getitem__, values))

    def values(self) -> list[Any]:
        """The texts, by code."""
        return list(self.index)


@dataclass(slots=True)
class ExportHeader:
    """Everything of an export except its answers (a few dozen small records)."""

    source: str
    doc: Any
    """The checked document with its `responses` emptied."""
    rows: range
    """Where its answers are in the columns."""


@dataclass(slots=True)
class ResponseColumns:
    """The answers of many exports, one entry per answer in file order."""

    questions: Codes = field(default_factory=Codes)
    topics: Codes = field(default_factory=Codes)
    kinds: Codes = field(default_factory=Codes)
    objective_sets: Codes = field(default_factory=Codes)
    attempts: Codes = field(default_factory=Codes)
    choices: Codes = field(default_factory=Codes)
    """Answers that are one text (an option letter); other answers share the code of None."""
    question: array[int] = field(default_factory=lambda: array("q"))
    topic: array[int] = field(default_factory=lambda: array("q"))
    kind: array[int] = field(default_factory=lambda: array("q"))
    objectives: array[int] = field(default_factory=lambda: array("q"))
    attempt: array[int] = field(default_factory=lambda: array("q"))
    choice: array[int] = field(default_factory=lambda: array("q"))
    points: array[float] = field(default_factory=lambda: array("d"))
    max_points: array[float] = field(default_factory=lambda: array("d"))
    correct: array[int] = field(default_factory=lambda: array("b"))
    review: array[int] = field(default_factory=lambda: array("b"))
    answered_us: array[int] = field(default_factory=lambda: array("q"))
    """Microseconds since 1970-01-01T00:00:00Z."""
    answers: list[Any] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    """Response ids (for merging exports of one learner)."""

    def __len__(self) -> int:
        return len(self.question)


def read_columns(path: Path, columns: ResponseColumns,
                 limit: int = MAX_EXPORT_BYTES) -> ExportHeader:
    """Check one export and append its answers to `columns`; ExportError names the file and
    the field of the first problem (nothing is appended then)."""
    import numpy as np

    source = str(path)
    data = read_bounded(Path(path), limit).removeprefix(b"\xef\xbb\xbf")
    try:
        data.decode("utf-8")
        doc = _DOC.decode(data)
    except (UnicodeDecodeError, msgspec.DecodeError, RecursionError, ValueError):
        raise _refused(path, limit) from None
    rs = doc.responses
    start = len(columns)
    field_of = {name: list(map(attrgetter(name), rs)) for name in _COLUMNS}
    points = np.array(field_of["points"], dtype=np.float64)
    most = np.array(field_of["max_points"], dtype=np.float64)
    moments = field_of["answered_at"]
    if None in map(attrgetter("tzinfo"), moments):  # a naive time is taken as UTC
        moments = [a if a.tzinfo is not None else a.replace(tzinfo=_UTC) for a in moments]
    micros = np.round(np.array(list(map(dt.datetime.timestamp, moments)), dtype=np.float64)
                      * 1e6).astype(np.int64)
    if len(rs) and not (bool((most >= 0).all()) and bool((points >= 0).all())
                        and bool((points <= most).all()) and int(micros.min()) >= _FIRST_US
                        and int(micros.max()) <= _LAST_US):
        raise _refused(path, limit)
    answers = field_of["answer"]
    columns.question.extend(columns.questions.code(field_of["question_id"]))
    columns.topic.extend(columns.topics.code(_texts(field_of["topic"])))
    columns.kind.extend(columns.kinds.code(_texts(field_of["type"])))
    columns.objectives.extend(columns.objective_sets.code(list(map(_as_tuple,
                                                                   field_of["objectives"]))))
    columns.attempt.extend(columns.attempts.code(field_of["attempt_id"]))
    columns.choice.extend(columns.choices.code(list(map(_choice, answers))))
    columns.points.frombytes(points.tobytes())
    columns.max_points.frombytes(most.tobytes())
    columns.correct.extend(field_of["correct"])
    columns.review.extend(map("review".__eq__, field_of["mode"]))
    columns.answered_us.frombytes(micros.tobytes())
    columns.answers.extend(answers)
    columns.ids.extend(field_of["id"])
    doc.responses = []
    return ExportHeader(source, doc, range(start, len(columns)))


_COLUMNS = ("id", "attempt_id", "mode", "question_id", "points", "max_points", "correct",
            "answered_at", "answer", "topic", "objectives", "type")


def _texts(values: list[str | None]) -> list[str]:
    """Optional texts with "" for a missing one."""
    return [v or "" for v in values] if None in values else values  # type: ignore[return-value]


def _as_tuple(objectives: list[str] | None) -> tuple[str, ...]:
    return tuple(objectives) if objectives else ()


def _choice(answer: object) -> str | None:
    """A single chosen option (text): most answers are one letter."""
    return answer if type(answer) is str else None


def _refused(path: Path, limit: int) -> ExportError:
    """The located message of the validating reader for a file that failed a check."""
    try:
        read_export(path, limit)
    except ExportError as exc:
        return exc
    return ExportError(f"{path}: not a valid VP/KP Tutor learner export")  # pragma: no cover
