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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, assert_never

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from vpkp_tutor.content.schema import OptionModel, QuestionModel

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
    AcceptedAnswer,
    Case,
    CaseNode,
    Choice,
    ContentBank,
    ContentProblem,
    Course,
    Difficulty,
    DrillGeometry,
    Lesson,
    Matching,
    MatchPair,
    MultipleResponse,
    Numeric,
    Objective,
    Option,
    Ordering,
    Outcome,
    Question,
    ShortAnswer,
    SingleBest,
    Step,
    Trajectory,
    TrueFalse,
)

KINDS = ("lesson", "questions", "case")


def _display(path: Path) -> str:
    return str(path)


def _lesson(m: Any, source: str) -> Lesson:
    return Lesson(
        id=m.id, title=m.title, topic=m.topic, summary=m.summary,
        objectives=tuple(Objective(o.id, o.text) for o in m.objectives),
        estimated_minutes=m.estimated_minutes, last_reviewed=m.last_reviewed,
        references=tuple(m.references),
        steps=tuple(Step(s.title, s.body, s.diagram, tuple(s.checks)) for s in m.steps),
        source=source,
    )


def _question(m: QuestionModel, source: str) -> Question:
    from vpkp_tutor.content import schema as s  # imported already: `m` was validated by it

    common: dict[str, Any] = dict(
        id=m.id, topic=m.topic, objectives=tuple(m.objectives),
        difficulty=Difficulty(m.difficulty), stem=m.stem, explanation=m.explanation,
        references=tuple(m.references), tags=tuple(m.tags), last_reviewed=m.last_reviewed,
        source=source,
    )
    match m:
        case s.SingleBestModel():
            return SingleBest(**common, options=_options(m.options), key=m.key)
        case s.MultipleResponseModel():
            return MultipleResponse(**common, options=_options(m.options), keys=tuple(m.keys))
        case s.TrueFalseModel():
            return TrueFalse(**common, options=_options(m.options), key=m.key)
        case s.OrderingModel():
            return Ordering(**common, options=_options(m.options))
        case s.MatchingModel():
            return Matching(
                **common,
                pairs=tuple(MatchPair(p.left, p.right, p.explanation) for p in m.pairs),
                distractors=tuple(m.distractors),
            )
        case s.NumericModel():
            return Numeric(**common, answer=float(m.answer), tolerance=float(m.tolerance),
                           unit=m.unit)
        case s.TrajectoryModel():
            return Trajectory(**common, geometry=_geometry(m.geometry))
        case s.ShortAnswerModel():
            return ShortAnswer(
                **common,
                answers=tuple(AcceptedAnswer(a.text, float(a.weight), a.feedback)
                              for a in m.answers),
                case_sensitive=m.case_sensitive,
            )
        case _:
            assert_never(m)


DEFAULT_MIDLINE_TOLERANCE = {"bipedicular": 0.35, "unilateral": 0.2}
"""Share of the body's half-width that counts as near the midline, when a drill gives none."""


def _geometry(m: Any) -> DrillGeometry:
    tolerance = m.midline_tolerance
    return DrillGeometry(
        level=m.level, side=m.side, approach=m.approach, plan=m.plan,
        body_width=float(m.body.width), body_depth=float(m.body.depth),
        body_height=float(m.body.height), pedicle_width=float(m.pedicle.width),
        pedicle_height=float(m.pedicle.height), pedicle_length=float(m.pedicle.length),
        pedicle_offset=float(m.pedicle.offset), medial_angle=float(m.pedicle.medial_angle),
        midline_tolerance=float(DEFAULT_MIDLINE_TOLERANCE[m.plan] if tolerance is None
                                else tolerance),
    )


def _options(models: Sequence[OptionModel]) -> tuple[Option, ...]:
    return tuple(Option(o.text, o.explanation) for o in models)


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
        id=m.id, title=m.title, topic=m.topic, vignette=m.vignette, start=m.start,
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


def _check_topic(doc: Document, path: tuple[str | int, ...], item: object,
                 course: Course) -> None:
    """A located error when the item names a topic its course does not declare (checked on
    the raw item, so that it is reported beside the item's schema errors)."""
    topic = item.get("topic") if isinstance(item, dict) else None
    if not isinstance(topic, str) or topic in course.topic_ids or not course.topics:
        return
    from vpkp_tutor.content.errors import did_you_mean

    ids = [f"'{t}'" for t in course.topic_ids]
    declared = ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} or {ids[-1]}"
    doc.error(*doc.where((*path, "topic")),
              f"'{topic}' is not a valid topic; expected {declared}"
              + did_you_mean(topic, course.topic_ids))


def _validate(doc: Document, today: dt.date, course: Course) -> _Parsed:
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
        _validate_questions(doc, today, parsed, course)
        return parsed
    model = MODELS[kind]
    _check_topic(doc, (), value, course)
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


def _validate_questions(doc: Document, today: dt.date, parsed: _Parsed, course: Course) -> None:
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
        _check_topic(doc, path, item, course)
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
    paths: Sequence[Path],
    today: dt.date | None = None,
    *,
    display: Callable[[Path], str] | None = None,
    manifest: Path | None = None,
) -> ContentBank:
    """Load every content file under `paths` into a ContentBank (never raises for content),
    as content of the course whose manifest is `manifest` (default: the bundled course).
    `display` names each file in problems and sources (default: the path as found)."""
    from vpkp_tutor.content.course import read_course

    today = today or dt.date.today()
    files, notes = discover(paths)
    name_of = display or _display
    parsed: list[_Parsed] = []
    digest = hashlib.sha256()
    if manifest is None:
        from vpkp_tutor.content import bundled_manifest

        manifest = bundled_manifest()
    read, course_problems = read_course(manifest, name_of(manifest))
    course = read or Course()
    digest.update(hashlib.sha256(repr(course).encode()).digest())
    for path, name in files:
        doc = read_document(path, name_of(path))
        digest.update(os.fsencode(name) + b"\0" + hashlib.sha256(doc.raw).digest())
        parsed.append(_validate(doc, today, course))
    check_cross_references(
        [x for p in parsed for x in p.lessons],
        [x for p in parsed for x in p.questions],
        [x for p in parsed for x in p.cases],
    )
    course_problems.extend(_check_codes(course, manifest, name_of(manifest), parsed))
    good = [p for p in parsed if not p.doc.has_errors]
    walk_problems = [ContentProblem(name_of(Path(n.path)), 1, 1, n.message) for n in notes]
    problems = tuple(
        sorted(
            [*walk_problems, *course_problems,
             *(prob for p in parsed for prob in p.doc.problems)],
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
        course=course,
    )


def _check_codes(course: Course, manifest: Path, shown: str,
                 parsed: Sequence[_Parsed]) -> list[ContentProblem]:
    """A warning for each objective code whose objective no loaded lesson declares."""
    if not course.objective_codes:
        return []
    declared = {o.id for p in parsed for x in p.lessons for o in x.item.objectives}
    missing = [oid for oid, _ in course.objective_codes if oid not in declared]
    if not missing:
        return []
    from vpkp_tutor.content.errors import did_you_mean
    from vpkp_tutor.content.yamlsource import read_document

    doc = read_document(manifest, shown)
    for oid in missing:
        doc.warning(*doc.where(("objectives", "codes", oid), key=True),
                    f"objective '{oid}' has a code but no lesson declares it"
                    + did_you_mean(oid, declared))
    return [p for p in doc.problems if p.severity == "warning"]


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def content_set(target: Path) -> tuple[list[Path], Path | None] | None:
    """The content folders a file or folder is checked with, and its course's manifest
    (None: the bundled course): the bundled content when it lies inside it; else the course
    it lies in (the nearest folder above it with a `course.yaml`, or else with any of
    `lessons/`, `question_bank/`, `cases/`); else None (a loose file or folder)."""
    from vpkp_tutor.content import bundled_paths
    from vpkp_tutor.content.course import SET_FOLDERS, course_folders, enclosing_manifest

    real = os.path.realpath(target)
    bundled = bundled_paths()
    if any(_inside(real, os.path.realpath(b)) for b in bundled):
        return bundled, None
    manifest = enclosing_manifest(target)
    if manifest is not None:
        return course_folders(manifest), manifest
    for folder in Path(os.path.abspath(target)).parents:
        members = [folder / name for name in SET_FOLDERS if (folder / name).is_dir()]
        if members:
            return members, None
    return None


class Validation(NamedTuple):
    """What validating some files found, counting only those files."""

    problems: tuple[ContentProblem, ...]
    files_checked: int
    lessons: int
    questions: int
    cases: int
    skipped_files: tuple[str, ...]

    @property
    def errors(self) -> int:
        """How many problems are errors."""
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        """How many problems are warnings."""
        return sum(p.severity == "warning" for p in self.problems)


def validate_paths(targets: Sequence[Path], today: dt.date | None = None) -> Validation:
    """Check the given files and folders as the app would load them: each against the
    content it belongs to (see `content_set`; a loose file against the bundled content,
    loose folders together, as `--content` would load them), reporting the targets' own problems only, each named as the
    caller named it."""
    from vpkp_tutor.content import bundled_manifest, bundled_paths
    from vpkp_tutor.content.course import MANIFEST

    groups: dict[tuple[str, ...], tuple[list[Path], list[Path], Path | None]] = {}
    for target in targets:
        where = content_set(target)
        if where is None:  # loose: files with the bundle; folders together, as
            where = ([] if os.path.isdir(target) else bundled_paths()), None  # `--content`
        folders, manifest = where
        key = (*(os.path.realpath(p) for p in folders), str(manifest))
        paths, members, _ = groups.setdefault(key, (list(folders), [], manifest))
        members.append(target)
        real = os.path.realpath(target)
        if target.name == MANIFEST and manifest is not None:
            continue  # the manifest itself: checked as the course's manifest
        if not any(_inside(real, os.path.realpath(p)) for p in paths) and not (
                manifest is not None and real == os.path.realpath(manifest.parent)):
            paths.append(target)  # beside its course's folders, not inside them
    problems: list[ContentProblem] = []
    files = lessons = questions = cases = 0
    skipped: list[str] = []
    for paths, members, manifest in groups.values():
        owners = [(os.path.realpath(m), str(m)) for m in members]

        def owned(path: Path, owners: list[tuple[str, str]] = owners) -> str | None:
            """How the caller named this file, when it is one of theirs; else None."""
            here = os.path.join(os.path.realpath(path.parent), path.name)
            for real, shown in owners:
                if here == real or os.path.realpath(path) == real:
                    return shown
                if _inside(here, real):
                    return os.path.join(shown, os.path.relpath(here, real))
            return None

        def display(path: Path, owned: Callable[[Path], str | None] = owned) -> str:
            return owned(path) or str(path)

        found, notes = discover(paths)
        mine = {name for p, _ in found if (name := owned(p)) is not None}
        bank = load_content(paths, today, display=display, manifest=manifest)
        if manifest is not None and (shown := owned(manifest)) is not None:
            mine.add(shown)
        if not bank.course.id:  # the course cannot be read: that concerns every item
            mine.add(bank.course.source or display(manifest or bundled_manifest()))
        files += len(mine)
        mine |= {name for n in notes if (name := owned(Path(n.path))) is not None}
        problems.extend(p for p in bank.problems if p.path in mine)
        lessons += sum(x.source in mine for x in bank.lessons)
        questions += sum(x.source in mine for x in bank.questions)
        cases += sum(x.source in mine for x in bank.cases)
        skipped.extend(f for f in bank.skipped_files if f in mine)
    return Validation(tuple(problems), files, lessons, questions, cases, tuple(skipped))


__all__ = ["content_set", "load_content", "validate_paths"]
