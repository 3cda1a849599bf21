"""Load content files into a ContentBank: read, validate, check, and keep what is sound.

A file with any error is left out whole (and listed in `ContentBank.skipped_files`); the
rest loads. Nothing in here raises for bad content: every problem becomes a located
`ContentProblem`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import TypeAdapter

from vpkp_tutor.content.checks import (
    Located,
    check_case,
    check_cross_references,
    check_question,
    check_reviewed,
)
from vpkp_tutor.content.files import discover
from vpkp_tutor.content.yamlsource import Document, read_document
from vpkp_tutor.domain.model import (
    Case,
    CaseNode,
    Choice,
    ContentBank,
    Difficulty,
    Lesson,
    MatchPair,
    Objective,
    Option,
    Outcome,
    Question,
    QuestionType,
    Step,
    Topic,
)

KINDS = ("lesson", "questions", "case")


def _display(path: Path) -> str:
    return str(path)


def _lesson(m: Any, source: str) -> Lesson:
    return Lesson(
        id=m.id, title=m.title, topic=Topic(m.topic), summary=m.summary,
        objectives=tuple(Objective(o.id, o.text) for o in m.objectives),
        estimated_minutes=m.estimated_minutes, last_reviewed=m.last_reviewed,
        references=tuple(m.references),
        steps=tuple(Step(s.title, s.body, s.diagram, tuple(s.checks)) for s in m.steps),
        source=source,
    )


def _question(m: Any, source: str) -> Question:
    qtype = QuestionType(m.type)
    kw: dict[str, Any] = {}
    if qtype in (QuestionType.SINGLE_BEST, QuestionType.TRUE_FALSE):
        kw["key"] = m.key
    if qtype is QuestionType.MULTIPLE_RESPONSE:
        kw["keys"] = tuple(m.keys)
    if qtype is QuestionType.MATCHING:
        kw["pairs"] = tuple(MatchPair(p.left, p.right, p.explanation) for p in m.pairs)
        kw["distractors"] = tuple(m.distractors)
    if qtype is QuestionType.NUMERIC:
        kw.update(answer=float(m.answer), tolerance=float(m.tolerance), unit=m.unit)
    if hasattr(m, "options"):
        kw["options"] = tuple(Option(o.text, o.explanation) for o in m.options)
    return Question(
        id=m.id, type=qtype, topic=Topic(m.topic), objectives=tuple(m.objectives),
        difficulty=Difficulty(m.difficulty), stem=m.stem, explanation=m.explanation,
        references=tuple(m.references), tags=tuple(m.tags), last_reviewed=m.last_reviewed,
        source=source, **kw,
    )


def _case(m: Any, source: str) -> Case:
    nodes = tuple(
        CaseNode(
            id=n.id, narrative=n.narrative, findings=tuple(n.findings),
            choices=tuple(
                Choice(c.id, c.text, c.feedback, c.score, c.next, c.critical) for c in n.choices
            ),
            outcome=Outcome(n.outcome.kind, n.outcome.text) if n.outcome else None,
        )
        for n in m.nodes
    )
    return Case(
        id=m.id, title=m.title, topic=Topic(m.topic), vignette=m.vignette, start=m.start,
        nodes=nodes, expert_path=tuple(m.expert_path), debrief=m.debrief,
        references=tuple(m.references), objectives=tuple(m.objectives),
        last_reviewed=m.last_reviewed, source=source,
    )


class _Parsed:
    """What one file contributed."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.lessons: list[Located[Lesson]] = []
        self.questions: list[Located[Question]] = []
        self.cases: list[Located[Case]] = []


def _validate(doc: Document, today: dt.date) -> _Parsed:
    """Schema-validate a parsed document and convert it to domain objects."""
    from pydantic import ValidationError

    from vpkp_tutor.content.errors import report_validation_error
    from vpkp_tutor.content.schema import MODELS

    parsed = _Parsed(doc)
    if doc.has_errors:
        return parsed
    value = doc.value
    if not isinstance(value, dict):
        doc.error(*doc.where(()),
                  "a content file is a mapping starting with 'kind: lesson', "
                  "'kind: questions' or 'kind: case'")
        return parsed
    kind = value.get("kind")
    if kind not in KINDS:
        if kind is None:
            doc.error(*doc.where(()), "missing required field 'kind' (lesson, questions or case)")
        else:
            from vpkp_tutor.content.errors import did_you_mean

            doc.error(*doc.where(("kind",)),
                      f"'{kind}' is not a valid kind; expected lesson, questions or case"
                      + did_you_mean(str(kind), KINDS))
        return parsed
    if kind == "questions":
        _validate_questions(doc, today, parsed)
        return parsed
    model = MODELS[kind]
    try:
        m = model.model_validate(value)
    except ValidationError as exc:
        report_validation_error(doc, model, exc)
        return parsed
    if kind == "lesson":
        lesson = _lesson(m, doc.path)
        check_reviewed(doc, (), lesson.last_reviewed, today)
        seen: set[str] = set()
        for i, o in enumerate(lesson.objectives):
            if o.id in seen:
                doc.error(*doc.where(("objectives", i, "id")),
                          f"objective id '{o.id}' is used twice in this lesson")
            seen.add(o.id)
        parsed.lessons.append(Located(lesson, doc, ()))
    else:
        case = _case(m, doc.path)
        check_reviewed(doc, (), case.last_reviewed, today)
        check_case(doc, (), case)
        parsed.cases.append(Located(case, doc, ()))
    return parsed


def _validate_questions(doc: Document, today: dt.date, parsed: _Parsed) -> None:
    """Validate a question file item by item, so every broken item is reported."""
    from pydantic import ValidationError

    from vpkp_tutor.content.errors import report_validation_error
    from vpkp_tutor.content.schema import QuestionsEnvelope, QuestionsFileModel

    try:
        envelope = QuestionsEnvelope.model_validate(doc.value)
    except ValidationError as exc:
        report_validation_error(doc, QuestionsFileModel, exc)
        return
    adapter = _question_adapter()
    for i, item in enumerate(envelope.questions):
        path = ("questions", i)
        try:
            qm = adapter.validate_python(item)
        except ValidationError as exc:
            report_validation_error(doc, QuestionsFileModel, exc, prefix=path)
            continue
        q = _question(qm, doc.path)
        check_reviewed(doc, path, q.last_reviewed, today)
        check_question(doc, path, q)
        parsed.questions.append(Located(q, doc, path))


@functools.cache
def _question_adapter() -> TypeAdapter[Any]:
    """One TypeAdapter for the question union, built on first use."""
    from pydantic import TypeAdapter

    from vpkp_tutor.content.schema import QuestionModel

    return TypeAdapter(QuestionModel)


def load_content(
    paths: Sequence[Path], today: dt.date | None = None
) -> ContentBank:
    """Load every content file under `paths` into a ContentBank (never raises for content)."""
    today = today or dt.date.today()
    files: list[tuple[Path, str]] = []
    real: set[str] = set()  # a folder or file named twice (or linked) is loaded once
    for found in discover(paths):
        if (r := os.path.realpath(found[0])) not in real:
            real.add(r)
            files.append(found)
    parsed: list[_Parsed] = []
    digest = hashlib.sha256()
    for path, name in files:
        doc = read_document(path, _display(path))
        digest.update(name.encode() + b"\0" + hashlib.sha256(doc.raw).digest())
        parsed.append(_validate(doc, today))
    check_cross_references(
        [x for p in parsed for x in p.lessons],
        [x for p in parsed for x in p.questions],
        [x for p in parsed for x in p.cases],
    )
    good = [p for p in parsed if not p.doc.has_errors]
    problems = tuple(
        sorted(
            (prob for p in parsed for prob in p.doc.problems),
            key=lambda pr: (pr.path, pr.line, pr.column),
        )
    )
    return ContentBank(
        lessons=tuple(x.item for p in good for x in p.lessons),
        questions=tuple(x.item for p in good for x in p.questions),
        cases=tuple(x.item for p in good for x in p.cases),
        problems=problems,
        skipped_files=tuple(p.doc.path for p in parsed if p.doc.has_errors),
        fingerprint=digest.hexdigest()[:16],
        files_checked=len(files),
    )


__all__ = ["load_content"]
