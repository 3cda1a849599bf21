"""xAPI 1.0.3 statements, one JSON object per line, that a Learning Record Store accepts.

- actor: an Agent identified by an account (`homePage`, `name` = the opaque learner id;
  the display name is never sent);
- verbs: ADL `answered` (each response), `completed` (a submitted quiz, a finished case, a
  completed lesson), `passed` / `failed` (quizzes and cases, pass mark 70%);
- objects: activities with definitions; questions are `cmi.interaction` activities with the
  interaction type of their question type and a `correctResponsesPattern`;
- result: score (scaled, raw, min, max), success, completion, response, duration;
- context: `registration` = the quiz attempt or case run id (a UUID);
- ids: statement ids are name-based UUIDs (version 5), so exporting twice yields the same
  statements and an LRS stores them once; timestamps are ISO 8601 UTC.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, assert_never
from urllib.parse import quote

from vpkp_tutor.domain.model import (
    ContentBank,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    ShortAnswer,
    SingleBest,
    TrueFalse,
)
from vpkp_tutor.domain.progress import (
    Attempt,
    CaseRun,
    LessonProgress,
    ResponseEvent,
    iso_utc,
    time_used,
)
from vpkp_tutor.domain.scoring import case_passed
from vpkp_tutor.export.files import atomic_text
from vpkp_tutor.export.record import LearnerData, finite

XAPI_VERSION = "1.0.3"
"""The xAPI version the statements follow."""
HOME_PAGE = "https://vpkp-tutor.invalid"
"""Account home page of the actor (the app, not a real site)."""
ACTIVITY_BASE = "https://vpkp-tutor.invalid/xapi/"
"""Prefix of activity and extension IRIs."""
LANG = "en-US"
"""Language of definition texts."""
PASS_MARK = 0.7
"""Share of points needed to pass a quiz (cases use their own rule, also 70%)."""
VERBS = {
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
}
"""ADL verb IRIs."""
INTERACTION_TYPES: dict[type[Question], str] = {
    SingleBest: "choice",
    MultipleResponse: "choice",
    TrueFalse: "true-false",
    Ordering: "sequencing",
    Matching: "matching",
    Numeric: "numeric",
    ShortAnswer: "fill-in",
}
"""xAPI interaction type of each question type (a test checks that every type has one)."""
ACTIVITY_TYPES = {
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "case": "http://adlnet.gov/expapi/activities/simulation",
}
"""ADL activity types."""
_NAMESPACE = uuid.UUID("6f1d7c52-3c7e-5b8e-9a59-4c1b8d0e2f10")


def activity_id(kind: str, ident: str) -> str:
    """The IRI of an activity: `<base><kind>/<percent-encoded id>`."""
    return f"{ACTIVITY_BASE}{kind}/{quote(ident, safe='')}"


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def duration(seconds: float) -> str:
    """ISO 8601 duration with 0.01 s precision, e.g. `PT12.5S` (an unknown time is 0)."""
    text = f"{max(0.0, finite(seconds)):.2f}".rstrip("0").rstrip(".")
    return f"PT{text}S"


def _score(points: float, max_points: float) -> dict[str, float]:
    if max_points <= 0:
        return {}
    raw = max(0.0, min(points, max_points))
    return {"scaled": round(raw / max_points, 6), "raw": raw, "min": 0, "max": max_points}


def _lang(text: str) -> dict[str, str]:
    return {LANG: text}


def _is_true(question: TrueFalse, key: str | None) -> bool:
    """Whether the keyed/chosen letter of a true/false question means `true`."""
    letters = "ABCDEFGHIJ"
    if key is None or key not in letters[: len(question.options)]:
        return False
    return question.options[letters.index(key)].text.strip().casefold() in {"true", "t", "yes"}


def interaction(question: Question) -> dict[str, Any]:
    """Activity definition of a question: interaction type, components and correct pattern."""
    letters = "ABCDEFGHIJ"
    d: dict[str, Any] = {
        "type": ACTIVITY_TYPES["question"], "name": _lang(question.id),
        "description": _lang(question.stem),
        "interactionType": INTERACTION_TYPES[type(question)],
    }
    match question:
        case SingleBest() | MultipleResponse():
            d["choices"] = [{"id": letters[i], "description": _lang(o.text)}
                            for i, o in enumerate(question.options)]
            keys = (question.key,) if isinstance(question, SingleBest) else question.keys
            d["correctResponsesPattern"] = ["[,]".join(k for k in keys if k)]
        case TrueFalse():
            d["correctResponsesPattern"] = [
                "true" if _is_true(question, question.key) else "false"]
        case Ordering():
            d["choices"] = [{"id": f"item{i}", "description": _lang(o.text)}
                            for i, o in enumerate(question.options)]
            d["correctResponsesPattern"] = ["[,]".join(f"item{i}"
                                                       for i in range(len(question.options)))]
        case Matching():
            rights = question.right_choices
            d["source"] = [{"id": f"p{i}", "description": _lang(p.left)}
                           for i, p in enumerate(question.pairs)]
            d["target"] = [{"id": f"t{j}", "description": _lang(r)}
                           for j, r in enumerate(rights)]
            d["correctResponsesPattern"] = ["[,]".join(
                f"p{i}[.]t{rights.index(p.right)}" for i, p in enumerate(question.pairs))]
        case Numeric():
            answer = question.answer
            tol = question.tolerance
            d["correctResponsesPattern"] = [
                f"{_num(answer - tol)}[:]{_num(answer + tol)}" if tol > 0 else _num(answer)]
        case ShortAnswer():
            case_rule = "{case_matters=true}" if question.case_sensitive else ""
            d["correctResponsesPattern"] = [
                case_rule + a.text for a in question.answers if a.weight >= 1.0 - 1e-9]
        case _:
            assert_never(question)
    return d


def _num(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def response_text(question: Question, answer: Any) -> str:
    """The learner's response in the interaction type's response format ("" when the stored
    answer does not have the shape the question's type needs — say, the question changed
    type since it was answered)."""
    try:
        return _response_text(question, answer)
    except (TypeError, ValueError, OverflowError):
        return ""


def _response_text(question: Question, answer: Any) -> str:
    if answer is None:
        return ""
    match question:
        case SingleBest():
            return str(answer)
        case TrueFalse():
            return "true" if _is_true(question, str(answer)) else "false"
        case Numeric():
            value = float(answer)
            return _num(value) if math.isfinite(value) else ""
        case ShortAnswer():
            return answer if isinstance(answer, str) else ""
        case MultipleResponse() | Ordering() | Matching() if not isinstance(answer, tuple | list):
            return ""
        case MultipleResponse():
            return "[,]".join(str(a) for a in answer)
        case Ordering():
            return "[,]".join(f"item{i}" for i in answer)
        case Matching():
            rights = question.right_choices
            return "[,]".join(f"p{i}[.]t{rights.index(r)}" for i, r in enumerate(answer)
                              if r is not None and r in rights)
        case _:
            assert_never(question)


class _Builder:
    def __init__(self, data: LearnerData, bank: ContentBank) -> None:
        self.bank = bank
        self.actor = {"objectType": "Agent",
                      "account": {"homePage": HOME_PAGE, "name": data.learner.id}}
        self.learner_id = data.learner.id

    def statement(self, verb: str, obj: dict[str, Any], when: dt.datetime, key: str,
                  result: dict[str, Any] | None = None,
                  context: dict[str, Any] | None = None) -> dict[str, Any]:
        stamp = iso_utc(when)
        sid = uuid.uuid5(_NAMESPACE, f"{self.learner_id}|{verb}|{key}|{stamp}")
        st: dict[str, Any] = {
            "id": str(sid), "version": XAPI_VERSION, "actor": self.actor,
            "verb": {"id": VERBS[verb], "display": _lang(verb)},
            "object": {"objectType": "Activity", **obj}, "timestamp": stamp,
        }
        if result:
            st["result"] = result
        if context:
            st["context"] = context
        return st

    def answered(self, event: ResponseEvent) -> dict[str, Any]:
        r = event.record
        if self.bank.has_question(r.question_id):
            q = self.bank.question(r.question_id)
            definition = interaction(q)
            response = response_text(q, r.answer)
        else:
            definition = {"type": ACTIVITY_TYPES["question"], "name": _lang(r.question_id)}
            response = ""
        result = {"score": _score(r.points, r.max_points), "success": r.correct,
                  "completion": True, "response": response, "duration": duration(r.seconds)}
        if not result["score"]:
            del result["score"]
        if r.attempt_id.startswith("lesson:"):
            parent = {"id": activity_id("lesson", r.attempt_id.removeprefix("lesson:")),
                      "objectType": "Activity"}
        else:
            parent = {"id": activity_id("quiz", event.mode), "objectType": "Activity"}
        context: dict[str, Any] = {
            "contextActivities": {"parent": [parent]},
            "extensions": {f"{ACTIVITY_BASE}ext/content-hash": r.content_hash,
                           f"{ACTIVITY_BASE}ext/mode": event.mode},
        }
        if _is_uuid(r.attempt_id):
            context["registration"] = str(uuid.UUID(r.attempt_id))
        obj = {"id": activity_id("question", r.question_id), "definition": definition}
        return self.statement("answered", obj, r.answered_at, event.id, result, context)

    def quiz(self, attempt: Attempt, points: float, max_points: float,
             seconds: float) -> Iterator[dict[str, Any]]:
        if attempt.finished_at is None:
            return
        mode = attempt.settings.mode.value
        obj = {"id": activity_id("quiz", mode), "definition": {
            "type": ACTIVITY_TYPES["quiz"], "name": _lang(f"VP/KP Tutor quiz ({mode} mode)")}}
        score = _score(points, max_points)
        passed = bool(score) and score["scaled"] >= PASS_MARK - 1e-9
        result: dict[str, Any] = {"completion": True, "success": passed,
                                  "duration": duration(seconds)}
        if score:
            result["score"] = score
        context = {"registration": attempt.id} if _is_uuid(attempt.id) else None
        for verb in ("completed", "passed" if passed else "failed"):
            yield self.statement(verb, obj, attempt.finished_at, attempt.id, result, context)

    def case(self, run: CaseRun) -> Iterator[dict[str, Any]]:
        if run.finished_at is None:
            return
        title = run.case_id
        if any(c.id == run.case_id for c in self.bank.cases):
            title = self.bank.case(run.case_id).title
        obj = {"id": activity_id("case", run.case_id), "definition": {
            "type": ACTIVITY_TYPES["case"], "name": _lang(title)}}
        score = {} if run.critical_errors else _score(run.points, run.max_points)
        if run.critical_errors and run.max_points > 0:
            score = {"scaled": 0.0, "raw": 0, "min": 0, "max": run.max_points}
        passed = case_passed(run.points, run.max_points, bool(run.critical_errors), True)
        result: dict[str, Any] = {"completion": True, "success": passed,
                                  "duration": duration((run.finished_at - run.started_at)
                                                       .total_seconds())}
        if score:
            result["score"] = score
        if run.critical_errors:
            result["extensions"] = {f"{ACTIVITY_BASE}ext/critical-errors":
                                    list(run.critical_errors)}
        context = {"registration": run.id} if _is_uuid(run.id) else None
        for verb in ("completed", "passed" if passed else "failed"):
            yield self.statement(verb, obj, run.finished_at, run.id, result, context)

    def lesson(self, progress: LessonProgress) -> Iterator[dict[str, Any]]:
        if not progress.completed or progress.updated_at is None:
            return
        title = next((x.title for x in self.bank.lessons if x.id == progress.lesson_id),
                     progress.lesson_id)
        obj = {"id": activity_id("lesson", progress.lesson_id), "definition": {
            "type": ACTIVITY_TYPES["lesson"], "name": _lang(title)}}
        yield self.statement("completed", obj, progress.updated_at, progress.lesson_id,
                             {"completion": True})


def statements(data: LearnerData, bank: ContentBank) -> Iterator[dict[str, Any]]:
    """Every statement for the learner: answers (streamed), then quizzes, cases, lessons."""
    b = _Builder(data, bank)
    totals: dict[str, list[float]] = {}
    for event in data.responses():
        yield b.answered(event)
        t = totals.setdefault(event.record.attempt_id, [0.0, 0.0])
        t[0] += event.record.points
        t[1] += event.record.seconds
    for attempt in data.attempts:
        points, seconds = totals.get(attempt.id, [0.0, 0.0])
        yield from b.quiz(attempt, points, float(len(attempt.question_ids)),
                          time_used(attempt, seconds))
    for run in data.case_runs:
        yield from b.case(run)
    for progress in data.lesson_progress:
        yield from b.lesson(progress)


_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})
"""Characters some readers take for line ends; escaped so each statement stays one line."""


def jsonl(statement: dict[str, Any]) -> str:
    """One statement as one line of standard JSON. Besides the escapes JSON requires, the
    characters that `str.splitlines` and some other readers treat as line breaks (U+0085,
    U+2028, U+2029) are written as escapes too."""
    return json.dumps(statement, ensure_ascii=False, allow_nan=False).translate(_LINE_BREAKS)


def write_xapi(data: LearnerData, bank: ContentBank, path: Path) -> Path:
    """Write the statements as JSON lines (one statement per line, UTF-8)."""
    with atomic_text(path, newline="\n") as out:
        for st in statements(data, bank):
            out.write(jsonl(st) + "\n")
    return path
