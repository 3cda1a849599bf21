"""xAPI 1.0.3 statements that a Learning Record Store accepts, checked by `xapi_check`.

- actor: an Agent identified by an account: `homePage` is the program's (setting
  `xapi_home_page`), `name` the program-issued account name of the learner or else the
  opaque learner id (the display name is never sent);
- verbs: ADL `answered` (each response), `completed` (a submitted quiz, a finished case, a
  completed lesson), `passed` / `failed` (quizzes and cases, pass mark 70%);
- objects: activities with definitions; questions are `cmi.interaction` activities with the
  interaction type of their question type and a `correctResponsesPattern`;
- result: score (scaled, raw, min, max), success, completion, response, duration; on an
  answer, the extensions `ext/confidence` and `ext/error-tag` / `ext/error-comment` when set
  (`record.confidence_extensions`);
- context: `registration` = the quiz attempt or case run id (a UUID); the course as a
  `grouping` activity (`course/<id>`) and its version as an extension;
- IRIs: activities and extensions live under the program's base (setting `xapi_base`);
- ids: name-based UUIDs (version 5) of the record the statement stands for (`key`) AND a
  digest of its content, so exporting twice yields the same statements (an LRS stores them
  once) and a statement whose content changed (the question was edited, the answer
  replaced) gets a new id; the earlier one is then voided (`voiding`);
- `version` is not set (the LRS sets it); timestamps are ISO 8601 UTC.

`keyed_statements` yields `(key, statement)` pairs; the outbox keeps the last statement of
each key, so a key's statement that changed is voided and replaced.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
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
    Trajectory,
    TrueFalse,
)
from vpkp_tutor.domain.progress import (
    Attempt,
    CaseRun,
    LessonProgress,
    ResponseEvent,
    iso_utc,
    parse_utc,
    time_used,
)
from vpkp_tutor.domain.scoring import case_passed
from vpkp_tutor.domain.trajectory import ANTERIOR_THIRD, judge_path, parse, tip_of
from vpkp_tutor.export.files import atomic_text
from vpkp_tutor.export.record import LearnerData, confidence_extensions, finite, json_answer
from vpkp_tutor.export.xapi_check import check

XAPI_VERSION = "1.0.3"
"""The xAPI version the statements follow (never written into them: the LRS sets it)."""
HOME_PAGE = "https://vpkp-tutor.invalid"
"""Default account home page, until the program sets `xapi_home_page`."""
ACTIVITY_BASE = "https://vpkp-tutor.invalid/xapi/"
"""Default prefix of activity and extension IRIs, until the program sets `xapi_base`."""
LANG = "en-US"
"""Language of definition texts."""
PASS_MARK = 0.7
"""Share of points needed to pass a quiz (cases use their own rule, also 70%)."""
VERBS = {
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "voided": "http://adlnet.gov/expapi/verbs/voided",
}
"""ADL verb IRIs."""
INTERACTION_TYPES: dict[type[Question], str] = {
    SingleBest: "choice",
    MultipleResponse: "choice",
    TrueFalse: "true-false",
    Ordering: "sequencing",
    Matching: "matching",
    Numeric: "numeric",
    Trajectory: "performance",
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




@dataclass(frozen=True, slots=True)
class XapiConfig:
    """Where a program's statements point: the base of activity and extension IRIs, the
    actor account's home page, and the learner's program-issued account name ("" = the
    learner id). `stored` gives the statement last queued for a key, if any (a removed
    question keeps the definition it was answered with; a completion keeps its time)."""

    base: str = ACTIVITY_BASE
    home_page: str = HOME_PAGE
    account_name: str = ""
    stored: Callable[[str], dict[str, Any] | None] | None = None

    def iri(self, kind: str, ident: str) -> str:
        """The IRI of an activity: `<base><kind>/<percent-encoded id>`."""
        return f"{base_iri(self.base)}{kind}/{quote(ident, safe='')}"

    def ext(self, name: str) -> str:
        """The IRI of an extension: `<base>ext/<name>`."""
        return f"{base_iri(self.base)}ext/{name}"


DEFAULT_CONFIG = XapiConfig()


def base_iri(base: str) -> str:
    """The base with one trailing slash."""
    return base.rstrip("/") + "/"


def activity_id(kind: str, ident: str, config: XapiConfig = DEFAULT_CONFIG) -> str:
    """The IRI of an activity: `<base><kind>/<percent-encoded id>`."""
    return config.iri(kind, ident)


def statement_id(learner_id: str, key: str, body: dict[str, Any]) -> str:
    """The id of a statement: a UUID (version 5) of the learner, the record key and a
    SHA-256 digest of the statement's content (everything but the id)."""
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False,
                                       separators=(",", ":")).encode()).hexdigest()
    return str(uuid.uuid5(_NAMESPACE, f"{learner_id}|{key}|{digest}"))


def voiding(statement: dict[str, Any], old_id: str, when: dt.datetime) -> dict[str, Any]:
    """The statement voiding the statement `old_id` (made by the same actor)."""
    return {
        "id": str(uuid.uuid5(_NAMESPACE, f"voided|{old_id}")),
        "actor": statement["actor"],
        "verb": {"id": VERBS["voided"], "display": {LANG: "voided"}},
        "object": {"objectType": "StatementRef", "id": old_id},
        "timestamp": iso_utc(when),
    }


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
        case Trajectory():
            d["steps"] = [{"id": step, "description": _lang(text)}
                          for step, text in PERFORMANCE_STEPS.items()]
            tol = question.geometry.midline_tolerance
            d["correctResponsesPattern"] = [
                f"depth[.]{_num(ANTERIOR_THIRD)}[:]1[,]midline[.]0[:]{_num(tol)}"]
        case ShortAnswer():
            case_rule = "{case_matters=true}" if question.case_sensitive else ""
            d["correctResponsesPattern"] = [
                case_rule + a.text for a in question.answers if a.weight >= 1.0 - 1e-9]
        case _:
            assert_never(question)
    return d


PERFORMANCE_STEPS = {
    "entry": "Bone contact on the AP view: x y, mm from the midline and mid-pedicle height",
    "path": "Every needle-tip position in order: x y z (mm; z from the posterior body wall, "
            "positive anterior), separated by semicolons",
    "depth": "Final tip depth on the lateral view, share of the body depth from the "
             "posterior wall (target: anterior third, from 0.667)",
    "midline": "Final tip distance from the midline on the AP view, share of the body's "
               "half-width",
    "outcome": "'never-event' when the tip crossed the medial pedicle wall on AP before "
               "passing the posterior body wall on lateral, else 'declared'",
}
"""The steps of a needle-trajectory drill's `performance` interaction."""


def _trajectory_response(question: Trajectory, answer: Any) -> str:
    path = parse(answer)
    if path is None:
        return ""
    g = question.geometry
    verdict = judge_path(question, answer)
    last = path.states[-1]
    tip = tip_of(last, g)
    steps = [
        f"entry[.]{last.ex} {last.ey}",
        "path[.]" + ";".join(f"{_num(round(p.x, 1))} {_num(round(p.y, 1))} "
                             f"{_num(round(p.z, 1))}" for p in verdict.tips),
        f"depth[.]{_num(round(tip.z / g.body_depth, 3))}",
        f"midline[.]{_num(round(abs(tip.x) / (g.body_width / 2), 3))}",
        "outcome[.]" + ("never-event" if verdict.never_event else
                        "declared" if path.final else "unfinished"),
    ]
    return "[,]".join(steps)


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
        case Trajectory():
            return _trajectory_response(question, answer)
        case _:
            assert_never(question)


class _Builder:
    def __init__(self, learner_id: str, bank: ContentBank, config: XapiConfig) -> None:
        self.bank = bank
        self.config = config
        self.actor = actor(learner_id, config)
        self.learner_id = learner_id

    def statement(self, key: str, verb: str, obj: dict[str, Any], when: dt.datetime,
                  result: dict[str, Any] | None = None,
                  context: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        body: dict[str, Any] = {
            "actor": self.actor, "verb": {"id": VERBS[verb], "display": _lang(verb)},
            "object": {"objectType": "Activity", **obj}, "timestamp": iso_utc(when),
        }
        if result:
            body["result"] = result
        course = self.bank.course
        if course.id:  # every statement names its course (grouping) and the course's version
            context = dict(context or {})
            activities = dict(context.get("contextActivities", {}))
            activities["grouping"] = [{
                "objectType": "Activity", "id": self.config.iri("course", course.id),
                "definition": {"name": _lang(course.title or course.id)}}]
            context["contextActivities"] = activities
            context["extensions"] = {**context.get("extensions", {}),
                                     self.config.ext("course-version"): course.version}
        if context:
            body["context"] = context
        return key, {"id": statement_id(self.learner_id, key, body), **body}

    def stored(self, key: str) -> dict[str, Any] | None:
        return self.config.stored(key) if self.config.stored else None

    def answered(self, event: ResponseEvent) -> tuple[str, dict[str, Any]]:
        r = event.record
        key = f"answer:{event.id}"
        result: dict[str, Any] = {"score": _score(r.points, r.max_points),
                                  "success": r.correct, "completion": True,
                                  "duration": duration(r.seconds)}
        if self.bank.has_question(r.question_id):
            q = self.bank.question(r.question_id)
            definition = interaction(q)
            response = response_text(q, r.answer)
        else:
            kept = self.stored(key)
            if kept is not None and isinstance(kept.get("object", {}).get("definition"), dict):
                # the definition (and response) of the content the answer was given in
                definition = kept["object"]["definition"]
                response = str(kept.get("result", {}).get("response", ""))
            else:
                definition = {"type": ACTIVITY_TYPES["question"],
                              "name": _lang(r.question_id), "interactionType": "other"}
                stored = json_answer(r.answer)
                response = "" if stored is None else json.dumps(stored, ensure_ascii=False)
        if response:
            result["response"] = response
        if not result["score"]:
            del result["score"]
        if extensions := confidence_extensions(r, base_iri(self.config.base)):
            result["extensions"] = extensions
        if r.attempt_id.startswith("lesson:"):
            parent = {"id": self.config.iri("lesson", r.attempt_id.removeprefix("lesson:")),
                      "objectType": "Activity"}
        else:
            parent = {"id": self.config.iri("quiz", event.mode), "objectType": "Activity"}
        context: dict[str, Any] = {
            "contextActivities": {"parent": [parent]},
            "extensions": {self.config.ext("content-hash"): r.content_hash,
                           self.config.ext("mode"): event.mode},
        }
        if _is_uuid(r.attempt_id):
            context["registration"] = str(uuid.UUID(r.attempt_id))
        obj = {"id": self.config.iri("question", r.question_id), "definition": definition}
        return self.statement(key, "answered", obj, r.answered_at, result, context)

    def quiz(self, attempt: Attempt, points: float, max_points: float,
             seconds: float) -> Iterator[tuple[str, dict[str, Any]]]:
        if attempt.finished_at is None:
            return
        mode = attempt.settings.mode.value
        obj = {"id": self.config.iri("quiz", mode), "definition": {
            "type": ACTIVITY_TYPES["quiz"], "name": _lang(f"VP/KP Tutor quiz ({mode} mode)")}}
        score = _score(points, max_points)
        passed = bool(score) and score["scaled"] >= PASS_MARK - 1e-9
        result: dict[str, Any] = {"completion": True, "success": passed,
                                  "duration": duration(seconds)}
        if score:
            result["score"] = score
        context = {"registration": str(uuid.UUID(attempt.id))} if _is_uuid(attempt.id) \
            else None
        yield self.statement(f"quiz:{attempt.id}:completed", "completed", obj,
                             attempt.finished_at, result, context)
        yield self.statement(f"quiz:{attempt.id}:result", "passed" if passed else "failed",
                             obj, attempt.finished_at, result, context)

    def case(self, run: CaseRun) -> Iterator[tuple[str, dict[str, Any]]]:
        if run.finished_at is None:
            return
        title = run.case_id
        if any(c.id == run.case_id for c in self.bank.cases):
            title = self.bank.case(run.case_id).title
        obj = {"id": self.config.iri("case", run.case_id), "definition": {
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
            result["extensions"] = {self.config.ext("critical-errors"):
                                    list(run.critical_errors)}
        context = {"registration": str(uuid.UUID(run.id))} if _is_uuid(run.id) else None
        yield self.statement(f"case:{run.id}:completed", "completed", obj, run.finished_at,
                             result, context)
        yield self.statement(f"case:{run.id}:result", "passed" if passed else "failed", obj,
                             run.finished_at, result, context)

    def lesson(self, progress: LessonProgress) -> Iterator[tuple[str, dict[str, Any]]]:
        if not progress.completed or progress.updated_at is None:
            return
        when = progress.updated_at
        kept = self.stored(lesson_key(progress.lesson_id))
        if kept is not None:  # one "completed" per completion: its first time stays
            with contextlib.suppress(KeyError, TypeError, ValueError):
                when = parse_utc(str(kept["timestamp"]))
        yield self.lesson_completed(progress.lesson_id, when)

    def lesson_completed(self, lesson_id: str, when: dt.datetime) -> tuple[str, dict[str, Any]]:
        title = next((x.title for x in self.bank.lessons if x.id == lesson_id), lesson_id)
        obj = {"id": self.config.iri("lesson", lesson_id), "definition": {
            "type": ACTIVITY_TYPES["lesson"], "name": _lang(title)}}
        return self.statement(lesson_key(lesson_id), "completed", obj, when,
                              {"completion": True})


def lesson_key(lesson_id: str) -> str:
    """The record key of a lesson's completion (one per learner and lesson)."""
    return f"lesson:{lesson_id}:completed"


def actor(learner_id: str, config: XapiConfig = DEFAULT_CONFIG) -> dict[str, Any]:
    """The learner as an xAPI Agent: an account at the program's home page, named by the
    program-issued account name or else the opaque learner id."""
    return {"objectType": "Agent",
            "account": {"homePage": config.home_page,
                        "name": config.account_name or learner_id}}


def answer_statement(bank: ContentBank, event: ResponseEvent,
                     config: XapiConfig = DEFAULT_CONFIG) -> tuple[str, dict[str, Any]]:
    """The keyed `answered` statement of one response."""
    return _Builder(event.learner_id, bank, config).answered(event)


def lesson_statement(learner_id: str, bank: ContentBank, lesson_id: str, when: dt.datetime,
                     config: XapiConfig = DEFAULT_CONFIG) -> tuple[str, dict[str, Any]]:
    """The keyed `completed` statement of a lesson completed at `when`."""
    return _Builder(learner_id, bank, config).lesson_completed(lesson_id, when)


def quiz_statements(learner_id: str, bank: ContentBank, attempt: Attempt, points: float,
                    seconds: float, config: XapiConfig = DEFAULT_CONFIG,
                    ) -> list[tuple[str, dict[str, Any]]]:
    """The keyed `completed` and `passed`/`failed` of a submitted quiz."""
    return list(_Builder(learner_id, bank, config).quiz(
        attempt, points, float(len(attempt.question_ids)), seconds))


def case_statements(learner_id: str, bank: ContentBank, run: CaseRun,
                    config: XapiConfig = DEFAULT_CONFIG) -> list[tuple[str, dict[str, Any]]]:
    """The keyed `completed` and `passed`/`failed` of a finished case run."""
    return list(_Builder(learner_id, bank, config).case(run))


def keyed_statements(data: LearnerData, bank: ContentBank,
                     config: XapiConfig = DEFAULT_CONFIG,
                     ) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every statement for the learner with its record key: answers (streamed), then
    quizzes, cases, lessons."""
    b = _Builder(data.learner.id, bank, config)
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


def statements(data: LearnerData, bank: ContentBank,
               config: XapiConfig | None = None) -> Iterator[dict[str, Any]]:
    """Every statement for the learner (see `keyed_statements`), each checked against the
    xAPI rules (`xapi_check.InvalidStatement` names what one breaks)."""
    for _, st in keyed_statements(data, bank, config or data_config(data)):
        yield check(st)


def data_config(data: LearnerData) -> XapiConfig:
    """The xAPI settings that came with the learner's data (the defaults when none)."""
    found = getattr(data, "xapi", None)
    return found if isinstance(found, XapiConfig) else DEFAULT_CONFIG


_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})
"""Characters some readers take for line ends; escaped so each statement stays one line."""


def jsonl(statement: dict[str, Any]) -> str:
    """One statement as one line of standard JSON. Besides the escapes JSON requires, the
    characters that `str.splitlines` and some other readers treat as line breaks (U+0085,
    U+2028, U+2029) are written as escapes too."""
    return json.dumps(statement, ensure_ascii=False, allow_nan=False).translate(_LINE_BREAKS)


def write_xapi_lines(data: LearnerData, bank: ContentBank, path: Path) -> Path:
    """Write the statements as JSON lines (one statement per line, UTF-8; `.jsonl`)."""
    return write_xapi_lines_courses([(data, bank)], path)


def write_xapi_lines_courses(parts: Iterable[tuple[LearnerData, ContentBank]],
                             path: Path) -> Path:
    """`write_xapi_lines` over several courses, one part (the learner's data in a course and
    its content) after another; every statement names its course."""
    with atomic_text(path, newline="\n") as out:
        for data, bank in parts:
            for st in statements(data, bank):
                out.write(jsonl(st) + "\n")
    return path


def write_xapi(data: LearnerData, bank: ContentBank, path: Path) -> Path:
    """Write the statements as one JSON array (what an LRS's POST /statements takes),
    streaming one statement per line."""
    return write_xapi_courses([(data, bank)], path)


def write_xapi_courses(parts: Iterable[tuple[LearnerData, ContentBank]], path: Path) -> Path:
    """`write_xapi` over several courses, one part (the learner's data in a course and its
    content) after another; every statement names its course."""
    with atomic_text(path, newline="\n") as out:
        out.write("[")
        first = True
        for data, bank in parts:
            for st in statements(data, bank):
                out.write(("\n" if first else ",\n") + jsonl(st))
                first = False
        out.write("\n]\n")
    return path
