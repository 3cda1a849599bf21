"""JSON export: a learner's full record, enough to rebuild it elsewhere, and its reader.

The file is one JSON object (see docs/progress-and-exports.md): format and app version, the
content bank's fingerprint and per-topic totals, the learner, lesson progress, attempts,
case runs, flags, and finally the responses — written one by one, so the export streams.
`read_export` parses a file back into domain objects and reports any problem as an
`ExportError` naming the file and the field.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vpkp_tutor import __version__
from vpkp_tutor.domain.model import ContentBank
from vpkp_tutor.domain.progress import (
    CaseRun,
    Learner,
    LessonProgress,
    ResponseEvent,
    ResponseRecord,
    answer_from_json,
    iso_utc,
    parse_utc,
)
from vpkp_tutor.export.files import ExportError, atomic_text
from vpkp_tutor.export.record import (
    FORMAT_NAME,
    FORMAT_VERSION,
    LearnerData,
    QuestionMeta,
    bank_topic_totals,
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
        "content": {"fingerprint": bank.fingerprint, "topics": bank_topic_totals(bank)},
        "learner": {"id": lr.id, "display_name": lr.display_name, "program": lr.program,
                    "level": lr.level, "created_at": _opt_iso(lr.created_at)},
        "lesson_progress": [
            {"lesson_id": p.lesson_id,
             "topic": lessons[p.lesson_id].topic.value if p.lesson_id in lessons else "",
             "position": p.position, "completed": p.completed,
             "updated_at": _opt_iso(p.updated_at)}
            for p in data.lesson_progress
        ],
        "attempts": [
            {"id": a.id, "mode": a.settings.mode.value,
             "topics": [t.value for t in a.settings.topics], "count": a.settings.count,
             "difficulty": a.settings.difficulty.value if a.settings.difficulty else None,
             "pool": a.settings.pool.value, "time_limit_s": a.settings.time_limit_s,
             "seed": a.settings.seed, "question_ids": list(a.question_ids),
             "started_at": iso_utc(a.started_at), "finished_at": _opt_iso(a.finished_at)}
            for a in data.attempts
        ],
        "case_runs": [
            {"id": r.id, "case_id": r.case_id,
             "title": cases[r.case_id].title if r.case_id in cases else "",
             "topic": cases[r.case_id].topic.value if r.case_id in cases else "",
             "choice_path": list(r.choice_path), "points": r.points,
             "max_points": r.max_points, "critical_errors": list(r.critical_errors),
             "started_at": iso_utc(r.started_at), "finished_at": _opt_iso(r.finished_at)}
            for r in data.case_runs
        ],
        "flags": list(data.flags),
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
    }


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
    lesson_progress: tuple[tuple[LessonProgress, str], ...]
    """Each lesson's progress with the lesson's topic."""
    case_runs: tuple[CaseRunInfo, ...]
    responses: tuple[ExportedResponse, ...]
    attempts: tuple[dict[str, Any], ...]
    flags: tuple[str, ...]


class _Reader:
    """Typed field access that reports where a bad value is."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, why: str) -> ExportError:
        return ExportError(f"{self.source}: {where}: {why}")

    def get(self, obj: Any, key: str, kind: type | tuple[type, ...], where: str,
            optional: bool = False) -> Any:
        if not isinstance(obj, dict):
            raise self.fail(where, "expected an object")
        if key not in obj:
            if optional:
                return None
            raise self.fail(where, f"missing field {key!r}")
        value = obj[key]
        if value is None and optional:
            return None
        ok = isinstance(value, kind) and not (isinstance(value, bool) and bool not in (
            kind if isinstance(kind, tuple) else (kind,)))
        if not ok:
            raise self.fail(f"{where}.{key}", f"expected {_kind_name(kind)}, got {value!r:.60}")
        return value

    def time(self, obj: Any, key: str, where: str, optional: bool = False) -> dt.datetime | None:
        text = self.get(obj, key, str, where, optional)
        if text is None:
            return None
        try:
            return parse_utc(text)
        except ValueError:
            raise self.fail(f"{where}.{key}", f"not an ISO 8601 timestamp: {text!r}") from None

    def list(self, obj: Any, key: str, where: str) -> list[Any]:
        return list(self.get(obj, key, list, where))


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "text", int: "a number", float: "a number", bool: "true/false",
             list: "a list", dict: "an object"}
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


NUM = (int, float)


def read_export(path: Path) -> LearnerExport:
    """Parse and check a JSON export; ExportError names the file and the problem."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"{source}: cannot read: {getattr(exc, 'strerror', None) or exc}"
                          ) from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportError(f"{source}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"
                          ) from None
    rd = _Reader(source)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise rd.fail("top level", f"not a VP/KP Tutor learner export (format {FORMAT_NAME!r})")
    version = rd.get(doc, "format_version", int, "top level")
    if version > FORMAT_VERSION:
        raise rd.fail("format_version", f"{version} is newer than this app reads "
                      f"({FORMAT_VERSION}); upgrade VP/KP Tutor")
    content = rd.get(doc, "content", dict, "top level")
    lr = rd.get(doc, "learner", dict, "top level")
    learner = Learner(
        id=rd.get(lr, "id", str, "learner"), display_name=rd.get(lr, "display_name", str,
                                                                 "learner"),
        program=rd.get(lr, "program", str, "learner", True) or "",
        level=rd.get(lr, "level", str, "learner", True) or "",
        created_at=rd.time(lr, "created_at", "learner", True))
    if not learner.id:
        raise rd.fail("learner.id", "empty learner id")
    return LearnerExport(
        source=source,
        app_version=rd.get(doc, "app_version", str, "top level"),
        exported_at=rd.time(doc, "exported_at", "top level") or dt.datetime.now(dt.UTC),
        fingerprint=rd.get(content, "fingerprint", str, "content"),
        topic_totals=_topic_totals(rd, rd.get(content, "topics", dict, "content")),
        learner=learner,
        lesson_progress=tuple(_lessons(rd, rd.list(doc, "lesson_progress", "top level"))),
        case_runs=tuple(_cases(rd, learner.id, rd.list(doc, "case_runs", "top level"))),
        responses=tuple(_responses(rd, learner.id, rd.list(doc, "responses", "top level"))),
        attempts=tuple(_attempts(rd, rd.list(doc, "attempts", "top level"))),
        flags=tuple(str(f) for f in rd.list(doc, "flags", "top level")),
    )


def _topic_totals(rd: _Reader, topics: dict[str, Any]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for topic, counts in topics.items():
        where = f"content.topics.{topic}"
        out[topic] = {k: int(rd.get(counts, k, int, where)) for k in ("questions", "lessons")}
        out[topic]["cases"] = int(rd.get(counts, "cases", int, where, True) or 0)
    return out


def _attempts(rd: _Reader, items: list[Any]) -> Iterator[dict[str, Any]]:
    for i, a in enumerate(items):
        rd.get(a, "id", str, f"attempts[{i}]")
        yield a


def _lessons(rd: _Reader, items: list[Any]) -> Iterator[tuple[LessonProgress, str]]:
    for i, p in enumerate(items):
        w = f"lesson_progress[{i}]"
        yield LessonProgress(
            lesson_id=rd.get(p, "lesson_id", str, w), position=rd.get(p, "position", int, w),
            completed=rd.get(p, "completed", bool, w),
            updated_at=rd.time(p, "updated_at", w, True),
        ), rd.get(p, "topic", str, w, True) or ""


def _cases(rd: _Reader, learner_id: str, items: list[Any]) -> Iterator[CaseRunInfo]:
    for i, c in enumerate(items):
        w = f"case_runs[{i}]"
        run = CaseRun(
            id=rd.get(c, "id", str, w), learner_id=learner_id,
            case_id=rd.get(c, "case_id", str, w),
            choice_path=tuple(str(x) for x in rd.list(c, "choice_path", w)),
            points=int(rd.get(c, "points", NUM, w)),
            max_points=int(rd.get(c, "max_points", NUM, w)),
            critical_errors=tuple(str(x) for x in rd.list(c, "critical_errors", w)),
            started_at=rd.time(c, "started_at", w) or dt.datetime.now(dt.UTC),
            finished_at=rd.time(c, "finished_at", w, True))
        yield CaseRunInfo(run, rd.get(c, "title", str, w, True) or "",
                          rd.get(c, "topic", str, w, True) or "")


def _responses(rd: _Reader, learner_id: str, items: list[Any]) -> Iterator[ExportedResponse]:
    for i, r in enumerate(items):
        yield _response_fast(r, learner_id) or _response_checked(rd, learner_id, i, r)


_NUMBER_TYPES = frozenset((int, float))
_OPTIONAL_TEXT = frozenset((str, type(None)))
_OPTIONAL_LIST = frozenset((list, type(None)))


def _response_fast(r: Any, learner_id: str) -> ExportedResponse | None:
    """A well-formed response checked in bulk (a few type tests on a dict straight from
    `json.loads`); None when anything is off, and `_response_checked` says what."""
    if type(r) is not dict:
        return None
    try:
        rid, attempt_id, mode, question_id = (
            r["id"], r["attempt_id"], r["mode"], r["question_id"])
        content_hash, answered_at, correct = r["content_hash"], r["answered_at"], r["correct"]
        points, max_points, seconds = r["points"], r["max_points"], r["seconds"]
    except KeyError:
        return None
    get = r.get
    topic, objectives, qtype, difficulty = (
        get("topic"), get("objectives"), get("type"), get("difficulty"))
    if not (type(rid) is str and type(attempt_id) is str and type(mode) is str
            and type(question_id) is str and type(content_hash) is str
            and type(answered_at) is str and type(correct) is bool
            and type(points) in _NUMBER_TYPES and type(max_points) in _NUMBER_TYPES
            and type(seconds) in _NUMBER_TYPES and type(topic) in _OPTIONAL_TEXT
            and type(qtype) in _OPTIONAL_TEXT and type(difficulty) in _OPTIONAL_TEXT
            and type(objectives) in _OPTIONAL_LIST):
        return None
    try:
        answer = answer_from_json(get("answer"))
        when = parse_utc(answered_at)
    except ValueError:
        return None
    record = ResponseRecord(attempt_id, question_id, content_hash, answer, float(points),
                            float(max_points), correct, float(seconds), when)
    meta = QuestionMeta(topic or "", tuple(map(str, objectives)) if objectives else (),
                        qtype or "", difficulty or "")
    return ExportedResponse(ResponseEvent(rid, learner_id, mode, record), meta)


def _response_checked(rd: _Reader, learner_id: str, i: int, r: Any) -> ExportedResponse:
    """One response checked field by field; ExportError names the field and why."""
    w = f"responses[{i}]"
    try:
        answer = answer_from_json(r.get("answer") if isinstance(r, dict) else None)
    except ValueError as exc:
        raise rd.fail(f"{w}.answer", str(exc)) from None
    record = ResponseRecord(
        attempt_id=rd.get(r, "attempt_id", str, w), question_id=rd.get(
            r, "question_id", str, w),
        content_hash=rd.get(r, "content_hash", str, w), answer=answer,
        points=float(rd.get(r, "points", NUM, w)),
        max_points=float(rd.get(r, "max_points", NUM, w)),
        correct=rd.get(r, "correct", bool, w), seconds=float(rd.get(r, "seconds", NUM, w)),
        answered_at=rd.time(r, "answered_at", w) or dt.datetime.now(dt.UTC))
    meta = QuestionMeta(
        topic=rd.get(r, "topic", str, w, True) or "",
        objectives=tuple(str(x) for x in (rd.get(r, "objectives", list, w, True) or ())),
        type=rd.get(r, "type", str, w, True) or "",
        difficulty=rd.get(r, "difficulty", str, w, True) or "")
    event = ResponseEvent(id=rd.get(r, "id", str, w), learner_id=learner_id,
                          mode=rd.get(r, "mode", str, w), record=record)
    return ExportedResponse(event, meta)
