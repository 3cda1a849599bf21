"""JSON export: a learner's full record, enough to rebuild it elsewhere, and its reader.

The file is one JSON object (see docs/progress-and-exports.md): format and app version, the
content bank's fingerprint and per-topic totals, the learner, lesson progress, attempts,
case runs, flags, and finally the responses — written one by one, so the export streams.
`read_export` checks a file against a schema (msgspec Structs with bounds: finite numbers in
range, real dates, bounded text and lists) before any value is used, and reports the first
problem as an `ExportError` naming the file and the field.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

from vpkp_tutor import __version__
from vpkp_tutor.domain.confidence import COMMENT_MAX, confidence_from
from vpkp_tutor.domain.model import ContentBank, Course, Topic
from vpkp_tutor.domain.progress import (
    WHOLE_ANSWER_BOUNDS,
    CaseRun,
    Learner,
    LessonProgress,
    ResponseEvent,
    ResponseRecord,
    answer_from_json,
    iso_utc,
)
from vpkp_tutor.domain.scoring import case_points
from vpkp_tutor.export.files import ExportError, atomic_text, read_bounded
from vpkp_tutor.export.record import (
    FORMAT_NAME,
    FORMAT_VERSION,
    LearnerData,
    QuestionMeta,
    bank_topic_totals,
    course_fields,
    finite,
    json_answer,
    question_meta,
)


def _opt_iso(when: dt.datetime | None) -> str | None:
    return iso_utc(when) if when else None


def _header(data: LearnerData, bank: ContentBank, exported_at: dt.datetime) -> dict[str, Any]:
    lr = data.learner
    lessons = {x.id: x for x in bank.lessons}
    cases = {c.id: c for c in bank.cases}
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "app_version": __version__,
        "exported_at": iso_utc(exported_at),
        "content": {"fingerprint": bank.fingerprint, **course_fields(bank.course),
                    "course_title": bank.course.title,
                    "course_topics": [{"id": t.id, "label": t.label, "short": t.short}
                                      for t in bank.topics],
                    "topics": bank_topic_totals(bank)},
        "learner": {"id": lr.id, "display_name": lr.display_name, "program": lr.program,
                    "level": lr.level, "created_at": _opt_iso(lr.created_at)},
        "lesson_progress": [
            {"lesson_id": p.lesson_id,
             "topic": lessons[p.lesson_id].topic if p.lesson_id in lessons else "",
             "position": p.position, "completed": p.completed,
             "updated_at": _opt_iso(p.updated_at)}
            for p in data.lesson_progress
        ],
        "attempts": [
            {"id": a.id, "mode": a.settings.mode.value,
             "topics": list(a.settings.topics), "count": a.settings.count,
             "difficulty": a.settings.difficulty.value if a.settings.difficulty else None,
             "pool": a.settings.pool.value, "time_limit_s": a.settings.time_limit_s,
             "seed": a.settings.seed, "question_ids": list(a.question_ids),
             "started_at": iso_utc(a.started_at), "finished_at": _opt_iso(a.finished_at)}
            for a in data.attempts
        ],
        "case_runs": [
            {"id": r.id, "case_id": r.case_id,
             "title": cases[r.case_id].title if r.case_id in cases else "",
             "topic": cases[r.case_id].topic if r.case_id in cases else "",
             "choice_path": list(r.choice_path),
             "points": case_points(r.points, bool(r.critical_errors)),
             "max_points": r.max_points, "critical_errors": list(r.critical_errors),
             "started_at": iso_utc(r.started_at), "finished_at": _opt_iso(r.finished_at)}
            for r in data.case_runs
        ],
        "flags": list(data.flags),
        "review_due": [{"question_id": qid, "due": iso_utc(due)}
                       for qid, due in data.review_dues],
    }


def response_json(event: ResponseEvent, meta: QuestionMeta) -> dict[str, Any]:
    """The JSON object of one response."""
    r = event.record
    return {
        "id": event.id, "attempt_id": r.attempt_id, "mode": event.mode,
        "question_id": r.question_id, "topic": meta.topic, "objectives": list(meta.objectives),
        "type": meta.type, "difficulty": meta.difficulty, "content_hash": r.content_hash,
        "answer": json_answer(r.answer), "points": finite(r.points),
        "max_points": finite(r.max_points), "correct": r.correct,
        "seconds": finite(r.seconds), "answered_at": iso_utc(r.answered_at),
        "confidence": confidence_label(r.confidence), "error_tag": r.error_tag,
        "error_comment": r.error_comment,
    }


def confidence_label(value: int | None) -> str | None:
    """`sure`, `unsure`, `guess` or None (not stated)."""
    level = confidence_from(value)
    return level.label if level else None


def write_json(data: LearnerData, bank: ContentBank, path: Path,
               exported_at: dt.datetime) -> Path:
    """Write the learner's full record as JSON, streaming the responses."""
    header = json.dumps(_header(data, bank, exported_at), ensure_ascii=False, indent=1)
    with atomic_text(path) as out:
        out.write(header[: header.rindex("}")].rstrip() + ',\n "responses": [')
        first = True
        for event in data.responses():
            meta = question_meta(bank, event.record.question_id)
            out.write(("\n  " if first else ",\n  ") + json.dumps(
                response_json(event, meta), ensure_ascii=False, allow_nan=False))
            first = False
        out.write("\n ]\n}\n")
    return path


# -- reading -----------------------------------------------------------------------------

MAX_EXPORT_BYTES = 64 * 1024 * 1024
"""The largest export `read_export` reads (a learner's whole history is far smaller)."""
MAX_TEXT = 10_000
"""The longest text a field may hold."""
MAX_POINTS = 1_000_000.0
"""Bound on points, maxima and numeric answers (they are finite and far smaller)."""
FLOAT_MAX = 1.7976931348623157e308
"""The largest finite float: numeric answers and seconds may be any finite number."""

Text = Annotated[str, Meta(max_length=MAX_TEXT)]
Id = Annotated[str, Meta(min_length=1, max_length=MAX_TEXT)]
Points = Annotated[float, Meta(ge=-MAX_POINTS, le=MAX_POINTS)]
Seconds = Annotated[float, Meta(ge=0, le=FLOAT_MAX)]
Finite = Annotated[float, Meta(ge=-FLOAT_MAX, le=FLOAT_MAX)]
Count = Annotated[int, Meta(ge=0, le=10_000_000)]
SmallList = Annotated[list[Text], Meta(max_length=10_000)]
AnswerItem = Annotated[str, Meta(max_length=MAX_TEXT)] | Annotated[
    int, Meta(ge=WHOLE_ANSWER_BOUNDS[0], le=WHOLE_ANSWER_BOUNDS[1])] | None
AnswerJson = (Annotated[str, Meta(max_length=MAX_TEXT)] | Finite
              | Annotated[list[AnswerItem], Meta(max_length=10_000)] | None)


def _utc(when: dt.datetime | None, name: str) -> dt.datetime | None:
    """`when` in UTC (naive taken as UTC); ValueError naming the field when the moment
    cannot be expressed in UTC (e.g. 0001-01-01T00:00:00+05:00)."""
    if when is None:
        return None
    if when.tzinfo is None:
        return when.replace(tzinfo=dt.UTC)
    try:
        return when.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ValueError(f"@{name}: not a real date in UTC: {when.isoformat()}") from None


class _Timed(Struct):
    """Datetime fields are normalised to UTC after decoding."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if isinstance(value, dt.datetime):
                setattr(self, name, _utc(value, name))


class _Scored(_Timed):
    """Points are what a learner earned of what was available: 0 <= points <= max_points
    (the app never stores anything else; a report must not show -200% or 400%)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        # declared by each subclass (a field here would change their field order)
        points, most = getattr(self, "points"), getattr(self, "max_points")  # noqa: B009
        if most < 0:
            raise ValueError(f"@max_points: {most:g} is below 0")
        if not 0 <= points <= most:
            raise ValueError(f"@points: {points:g} is outside 0 to max_points ({most:g})")


class _TopicCounts(Struct):
    questions: Count
    lessons: Count
    cases: Count = 0


class _CourseTopic(Struct):
    id: Text
    label: Text
    short: Text = ""


class _Content(Struct):
    fingerprint: Text
    topics: Annotated[dict[Text, _TopicCounts], Meta(max_length=1000)]
    course_id: Text = ""
    course_version: Text = ""
    course_title: Text = ""
    course_topics: Annotated[list[_CourseTopic], Meta(max_length=1000)] = []


class _Learner(_Timed):
    id: Id
    display_name: Text
    program: Text | None = None
    level: Text | None = None
    created_at: dt.datetime | None = None


class _Lesson(_Timed):
    lesson_id: Text
    position: Count
    completed: bool
    topic: Text | None = None
    updated_at: dt.datetime | None = None


class _Attempt(_Timed):
    id: Text
    mode: Text | None = None
    topics: SmallList | None = None
    count: Count | None = None
    difficulty: Text | None = None
    pool: Text | None = None
    time_limit_s: Count | None = None
    seed: Annotated[int, Meta(ge=-(2**63), le=2**63 - 1)] | None = None
    question_ids: SmallList | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None


class _Case(_Scored):
    id: Text
    case_id: Text
    choice_path: SmallList
    points: Points
    max_points: Points
    critical_errors: SmallList
    started_at: dt.datetime
    title: Text | None = None
    topic: Text | None = None
    finished_at: dt.datetime | None = None


ConfidenceName = Literal["sure", "unsure", "guess"]
"""A response's stated confidence, as an export writes it."""
ErrorTagName = Literal["not_known", "misread", "reasoning", "slip", "disagree"]
"""Why a miss was wrong, as an export writes it."""
ErrorComment = Annotated[str, Meta(max_length=COMMENT_MAX)]
"""The comment kept with a "disagree with the key" tag."""


class _Response(_Scored):
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
    confidence: ConfidenceName | None = None
    error_tag: ErrorTagName | None = None
    error_comment: ErrorComment = ""


class _Due(_Timed):
    question_id: Text
    due: dt.datetime


class _Doc(_Timed):
    format: Literal["vpkp-tutor/learner-export"]
    format_version: Annotated[int, Meta(ge=1, le=FORMAT_VERSION)]
    app_version: Text
    content: _Content
    learner: _Learner
    lesson_progress: list[_Lesson]
    case_runs: list[_Case]
    responses: list[_Response]
    attempts: list[_Attempt]
    flags: SmallList
    exported_at: dt.datetime
    review_due: list[_Due] | None = None
    """Absent from exports made before the schedule was exported."""


class _Head(Struct):
    """Just enough to tell another kind of file or a newer export from a damaged one."""

    format: Any = None
    format_version: Any = None


@dataclass(frozen=True, slots=True)
class ExportedResponse:
    """A response read back from an export, with the question facts it carried."""

    event: ResponseEvent
    meta: QuestionMeta


@dataclass(frozen=True, slots=True)
class CaseRunInfo:
    """A case run read back from an export, with the case's title and topic."""

    run: CaseRun
    title: str
    topic: str


@dataclass(frozen=True, slots=True)
class LearnerExport:
    """A JSON export read back."""

    source: str
    app_version: str
    exported_at: dt.datetime
    fingerprint: str
    topic_totals: dict[str, dict[str, int]]
    learner: Learner
    course: Course
    """The course the export was made in (id, version, topics; blank in older exports)."""
    lesson_progress: tuple[tuple[LessonProgress, str], ...]
    """Each lesson's progress with the lesson's topic."""
    case_runs: tuple[CaseRunInfo, ...]
    responses: tuple[ExportedResponse, ...]
    attempts: tuple[dict[str, Any], ...]
    flags: tuple[str, ...]
    review_due: tuple[tuple[str, dt.datetime], ...] | None = None
    """The spaced-review schedule at export (None: the export does not carry it)."""


_TYPE_NAMES = {"str": "text", "int": "a whole number", "float": "a number", "bool": "true/false",
               "array": "a list", "object": "an object", "null": "null", "datetime":
               "a timestamp"}
_EXPECTED = re.compile(r"Expected `([^`]*)`, got `([^`]*)`")
_MISSING = re.compile(r"Object missing required field `([^`]*)`")
_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<![0-9a-fA-F]{2}\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def _kind(name: str) -> str:
    return " or ".join(dict.fromkeys(_TYPE_NAMES.get(k.strip(), k.strip())
                                     for k in name.split("|")))


def _located(source: str, exc: msgspec.ValidationError) -> ExportError:
    """msgspec's `message - at `$.a[0].b`` as `file: a[0].b: message` in plain words."""
    text = str(exc)
    message, _, at = text.rpartition(" - at `") if " - at `" in text else (text, "", "$`")
    where = at.rstrip("`").removeprefix("$").removeprefix(".") or "top level"
    if message.startswith("@"):  # a field named by a check after decoding
        field, _, message = message[1:].partition(": ")
        where = field if where == "top level" else f"{where}.{field}"
    elif m := _MISSING.match(message):
        message = f"missing field {m.group(1)!r}"
    elif m := _EXPECTED.match(message):
        message = f"expected {_kind(m.group(1))}, got {_kind(m.group(2))}"
        if where.endswith(".answer"):
            message = f"not an answer: {message}"
        if "datetime" in m.group(1) and m.group(2) == "str":
            message = "not an ISO 8601 timestamp"
    elif message.startswith("Invalid RFC3339"):
        message = "not an ISO 8601 timestamp"
    elif message.startswith("Expected `") or message.startswith("Number out of range"):
        message = (message.replace("Expected `float`", "expected a number")
                   .replace("Expected `int`", "expected a whole number")
                   .replace("Expected `str` of length", "expected text of length")
                   .replace("Expected `array` of length", "expected a list of length")
                   .replace("Expected `object` of length", "expected an object of length")
                   .replace("Number out of range", "number out of range"))
    return ExportError(f"{source}: {where}: {message}")


def _line_col(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - data.rfind(b"\n", 0, offset)
    return f"{line}:{column}"


def _not_json(source: str, data: bytes, exc: msgspec.DecodeError) -> ExportError:
    if lone := _LONE_SURROGATE.search(data):
        return ExportError(f"{source}:{_line_col(data, lone.start())}: not valid text: a lone "
                           f"surrogate {lone.group().decode('ascii')} is not a character")
    message = str(exc)
    if m := re.search(r"\(byte (\d+)\)", message):
        return ExportError(f"{source}:{_line_col(data, int(m.group(1)))}: not valid JSON: "
                           f"{message[:m.start()].strip().removeprefix('JSON is malformed: ')}")
    return ExportError(f"{source}: not valid JSON: {message}")


def read_export(path: Path, limit: int = MAX_EXPORT_BYTES) -> LearnerExport:
    """Parse and check a JSON export of at most `limit` bytes (a regular file); ExportError
    names the file and the field of the first problem."""
    source = str(path)
    data = read_bounded(Path(path), limit)
    data = data.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark, as some editors save
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExportError(f"{source}: cannot read: not UTF-8 text (byte {exc.start})"
                          ) from None
    try:
        doc = msgspec.json.decode(data, type=_Doc)
    except msgspec.ValidationError as exc:
        raise _explain(source, data, exc) from None
    except msgspec.DecodeError as exc:
        raise _not_json(source, data, exc) from None
    except RecursionError:
        raise ExportError(f"{source}: not a VP/KP Tutor learner export: nested too deeply"
                          ) from None
    return _build(source, doc)


def _explain(source: str, data: bytes, exc: msgspec.ValidationError) -> ExportError:
    """The clearest message for a file that failed the schema: another kind of file and a
    newer export are said so; otherwise the field at fault."""
    try:
        head = msgspec.json.decode(data, type=_Head)
    except RecursionError:  # deep nesting elsewhere: the field at fault says most
        return _located(source, exc)
    except (msgspec.DecodeError, msgspec.ValidationError):
        head = None
    if head is None or head.format != FORMAT_NAME:
        return ExportError(f"{source}: top level: not a VP/KP Tutor learner export (format "
                           f"{FORMAT_NAME!r})")
    version = head.format_version
    if type(version) is int and version > FORMAT_VERSION:
        return ExportError(f"{source}: format_version: {version} is newer than this app "
                           f"reads ({FORMAT_VERSION}); upgrade VP/KP Tutor")
    return _located(source, exc)


def _at(when: dt.datetime | None) -> dt.datetime:
    assert when is not None  # required fields are set by the schema
    return when


def _build(source: str, doc: _Doc) -> LearnerExport:
    """Domain objects from a document that passed the schema."""
    lr = doc.learner
    learner = Learner(id=lr.id, display_name=lr.display_name, program=lr.program or "",
                      level=lr.level or "", created_at=lr.created_at)
    lid = learner.id
    responses = []
    for i, r in enumerate(doc.responses):
        try:
            answer = answer_from_json(r.answer)
        except ValueError as exc:
            raise ExportError(f"{source}: responses[{i}].answer: {exc}") from None
        level = confidence_from(r.confidence)
        record = ResponseRecord(r.attempt_id, r.question_id, r.content_hash, answer, r.points,
                                r.max_points, r.correct, r.seconds, _at(r.answered_at),
                                confidence=int(level) if level else None,
                                error_tag=r.error_tag,
                                error_comment=r.error_comment if r.error_tag else "")
        meta = QuestionMeta(r.topic or "", tuple(r.objectives or ()), r.type or "",
                            r.difficulty or "")
        responses.append(ExportedResponse(ResponseEvent(r.id, lid, r.mode, record), meta))
    return LearnerExport(
        source=source, app_version=doc.app_version, exported_at=_at(doc.exported_at),
        fingerprint=doc.content.fingerprint,
        topic_totals={t: {"questions": c.questions, "lessons": c.lessons, "cases": c.cases}
                      for t, c in doc.content.topics.items()},
        learner=learner,
        course=Course(id=doc.content.course_id, title=doc.content.course_title,
                      version=doc.content.course_version,
                      topics=tuple(Topic(t.id, t.label, i, t.short)
                                   for i, t in enumerate(doc.content.course_topics))),
        lesson_progress=tuple(
            (LessonProgress(p.lesson_id, p.position, p.completed, p.updated_at), p.topic or "")
            for p in doc.lesson_progress),
        case_runs=tuple(
            CaseRunInfo(CaseRun(id=c.id, learner_id=lid, case_id=c.case_id,
                                choice_path=tuple(c.choice_path), points=int(c.points),
                                max_points=int(c.max_points),
                                critical_errors=tuple(c.critical_errors),
                                started_at=_at(c.started_at), finished_at=c.finished_at),
                        c.title or "", c.topic or "")
            for c in doc.case_runs),
        responses=tuple(responses),
        attempts=tuple(msgspec.structs.asdict(a) for a in doc.attempts),
        flags=tuple(doc.flags),
        review_due=None if doc.review_due is None else tuple(
            (d.question_id, _at(d.due)) for d in doc.review_due),
    )
