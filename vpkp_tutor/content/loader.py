"""Load content files into a ContentBank: read, validate, check, and keep what is sound.

Every mistake is reported once:

- a file is checked whole: a reading problem that leaves a value (a duplicate key, an alias)
  does not stop the schema check of the rest of the file;
- what has an error is left out at the smallest safe unit: one question of a question file
  (the file's other questions load), else the whole file (a lesson, a case, a question file
  whose header is wrong; listed in `ContentBank.skipped_files`);
- links into what was left out (a lesson's check naming a left-out question, a question
  testing an objective of a left-out lesson) are not errors of their own: each referring file
  gets one note, "not checked because FILE has errors" (VP404); a file that does not parse
  tells nothing of what it holds, so while there is one, any link found nowhere else is
  noted so too.

Nothing in here raises for bad content: every problem becomes a located `ContentProblem`
with a stable code (`content.codes`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, assert_never

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from vpkp_tutor.content.recheck import Recheck
    from vpkp_tutor.content.schema import OptionModel, QuestionModel

from vpkp_tutor.content.checks import (
    Held,
    Located,
    check_case,
    check_cross_references,
    check_question,
    check_reviewed,
)
from vpkp_tutor.content.files import WalkNote, discover
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
        references=_references(m.references),
        steps=tuple(Step(s.title, s.body, s.diagram, tuple(s.checks)) for s in m.steps),
        source=source,
    )


def _question(m: QuestionModel, source: str) -> Question:
    from vpkp_tutor.content import schema as s  # imported already: `m` was validated by it

    common: dict[str, Any] = dict(
        id=m.id, topic=m.topic, objectives=tuple(m.objectives),
        difficulty=Difficulty(m.difficulty), stem=m.stem, explanation=m.explanation,
        references=_references(m.references), tags=tuple(m.tags), last_reviewed=m.last_reviewed,
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


def _references(refs: Sequence[Any]) -> tuple[str, ...]:
    """References as the text shown: free text as written; a structured one as
    "Authors. Title (year). url-or-doi"."""
    out: list[str] = []
    for r in refs:
        if isinstance(r, str):
            out.append(r)
            continue
        link = r.url or (f"doi:{r.doi}" if r.doi else "")
        head = f"{r.authors}. " if r.authors else ""
        out.append(f"{head}{r.title} ({r.year}).{' ' + link if link else ''}")
    return tuple(out)


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
        references=_references(m.references), objectives=tuple(m.objectives),
        last_reviewed=m.last_reviewed, source=source,
    )


class _Parsed:
    """What one file contributed."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.lessons: list[Located[Lesson]] = []
        self.questions: list[Located[Question]] = []
        self.cases: list[Located[Case]] = []
        self.whole_bad = False
        """True when the file is left out whole."""
        self.file: Path | None = None
        """The file as found."""
        self.fresh = True
        """False when a re-check found the file's bytes unchanged (and reused this)."""
        self.base_problems: list[ContentProblem] = []
        """The file's own problems, before the cross-file checks (for a re-check)."""
        self.bad_items: set[int] = set()
        """Indices of the questions left out of a question file."""
        self.course: Course | None = None
        """The course the file was checked against (a re-check reuses it only for the same)."""

    def sort_out(self) -> None:
        """Decide from the file's errors what is left out: the questions whose lines hold
        an error, or the whole file when an error lies outside every question (or the file
        is not a question file)."""
        errors = [pr.line for pr in self.doc.problems if pr.severity == "error"]
        self.bad_items = set()
        self.whole_bad = False
        if not errors:
            return
        spans = _question_spans(self.doc)
        if spans is None:
            self.whole_bad = True
            return
        import bisect

        starts = [a for a, _ in spans]
        for line in errors:
            i = bisect.bisect_right(starts, line) - 1
            if i < 0 or line >= spans[i][1]:
                self.whole_bad = True
                return
            self.bad_items.add(i)

    def good_questions(self) -> list[Located[Question]]:
        """The questions that load."""
        if self.whole_bad:
            return []
        return [x for x in self.questions if x.path[1] not in self.bad_items]

    @property
    def loads_anything(self) -> bool:
        """False when the file is left out whole."""
        return not self.whole_bad

    @property
    def left_out(self) -> bool:
        """True when the file has errors and nothing of it loads."""
        if self.whole_bad:
            return True
        return bool(self.bad_items) and not self.good_questions()


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
              + did_you_mean(topic, course.topic_ids), "VP206")


def _question_spans(doc: Document) -> list[tuple[int, int]] | None:
    """For a question file read into a value: each question's lines [first, next item's
    first) — the last question ends at the first top-level key after the list. None when
    the file is not such a file (or could not be read)."""
    value = doc.value
    if doc.fatal or not isinstance(value, dict) or value.get("kind") != "questions":
        return None
    items = value.get("questions")
    if not isinstance(items, list) or not items:
        return None
    starts = [doc.where(("questions", i))[0] for i in range(len(items))]
    if starts != sorted(starts) or len(set(starts)) != len(starts):
        return None  # flow style (several items on one line): no safe split
    list_line = doc.where(("questions",), key=True)[0]
    after = [line for path, (line, _) in doc.key_positions.items()
             if len(path) == 1 and line > list_line]
    end = min(after, default=1 << 60)
    return [(a, b) for a, b in zip(starts, [*starts[1:], end], strict=True)]


def _validate(doc: Document, today: dt.date, course: Course) -> _Parsed:
    """Schema-validate a parsed document and convert it to domain objects."""
    from pydantic import ValidationError

    from vpkp_tutor.content.errors import report_validation_error
    from vpkp_tutor.content.schema import MODELS

    parsed = _Parsed(doc)
    if doc.fatal:
        return parsed
    value = doc.value
    if not isinstance(value, dict):
        doc.error(*doc.where(()),
                  "a content file is a mapping starting with 'kind: lesson', "
                  "'kind: questions' or 'kind: case'", "VP201")
        return parsed
    kind = value.get("kind")
    if kind not in KINDS:
        if kind is None:
            doc.error(*doc.where(()), "missing required field 'kind' (lesson, questions or case)",
                      "VP202")
        else:
            from vpkp_tutor.content.errors import did_you_mean

            doc.error(*doc.where(("kind",)),
                      f"'{kind}' is not a valid kind; expected lesson, questions or case"
                      + did_you_mean(str(kind), KINDS), "VP202")
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
        check_reviewed(doc, (), lesson.last_reviewed, today, course.lint.review_period_months)
        seen: set[str] = set()
        for i, o in enumerate(lesson.objectives):
            if o.id in seen:
                doc.error(*doc.where(("objectives", i, "id")),
                          f"objective id '{o.id}' is used twice in this lesson", "VP307")
            seen.add(o.id)
        parsed.lessons.append(Located(lesson, doc, ()))
    else:
        case = _case(m, doc.path)
        check_reviewed(doc, (), case.last_reviewed, today, course.lint.review_period_months)
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
        check_reviewed(doc, path, q.last_reviewed, today, course.lint.review_period_months)
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
    documents: Mapping[str, Document] | None = None,
) -> ContentBank:
    """Load every content file under `paths` into a ContentBank (never raises for content),
    as content of the course whose manifest is `manifest` (default: the bundled course).
    `display` names each file in problems and sources (default: the path as found).
    `documents` (by the real path of a file) are files already read by their writer: each
    is validated as given instead of being read again (`vpkp-tutor import` describes the
    files it writes, see `interchange.writer`)."""
    return _load(paths, today, display=display, manifest=manifest,
                 documents=documents).bank


class Loaded(NamedTuple):
    """A bank with what each file contributed (for the lint and for `--watch`)."""

    bank: ContentBank
    files: list[_Parsed]
    notes: list[WalkNote]


def _load(
    paths: Sequence[Path],
    today: dt.date | None = None,
    *,
    display: Callable[[Path], str] | None = None,
    manifest: Path | None = None,
    reuse: Recheck | None = None,
    lint: bool = False,
    documents: Mapping[str, Document] | None = None,
) -> Loaded:
    """Read, validate and cross-check the files under `paths` as content of the course
    whose manifest is `manifest` (default: the bundled course). `reuse` (what the last
    check of the same files kept, updated here) lets a re-check skip the files that did
    not change (`validate --watch`, the preview's reload; see `content.recheck`)."""
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
    if reuse is not None:
        reuse.begin(course, today)
    for path, name in files:
        shown = name_of(path)
        if reuse is not None:
            p, sha = reuse.parsed(path, shown, functools.partial(
                lambda path, shown: _validate(read_document(path, shown), today, course),
                path, shown))
        else:
            given = documents.get(os.path.realpath(path)) if documents else None
            p = _validate(read_document(path, shown) if given is None
                          else dataclasses.replace(given, path=shown), today, course)
            sha = hashlib.sha256(p.doc.raw).digest()
        p.file = path
        p.course = course
        digest.update(os.fsencode(name) + b"\0" + sha)
        parsed.append(p)
    if reuse is not None:
        reuse.forget_missing({p.doc.path for p in parsed})
    held = _held(parsed)
    if reuse is None or not reuse.same_links(parsed, held):
        before = [len(p.doc.problems) for p in parsed]
        check_cross_references(  # every item that passed its schema, even in a failed file
            [x for p in parsed for x in p.lessons],
            [x for p in parsed for x in p.questions],
            [x for p in parsed for x in p.cases],
            held,
        )
        if reuse is not None:
            reuse.keep_links(parsed, held, [p.doc.problems[n:] for p, n in zip(
                parsed, before, strict=True)])
    course_problems.extend(_check_codes(course, manifest, name_of(manifest), parsed))
    for p in parsed:
        p.sort_out()
    if lint:
        _lint(parsed, course, reuse)
    walk_problems = [ContentProblem(name_of(Path(n.path)), 1, 1, n.message, "error", "VP008")
                     for n in notes]
    problems = tuple(
        sorted(
            [*walk_problems, *course_problems,
             *(prob for p in parsed for prob in p.doc.problems)],
            key=lambda pr: (pr.path, pr.line, pr.column),
        )
    )
    good = [p for p in parsed if p.loads_anything]
    bank = ContentBank(
        lessons=tuple(x.item for p in good for x in p.lessons),
        questions=tuple(x.item for p in good for x in p.good_questions()),
        cases=tuple(x.item for p in good for x in p.cases),
        problems=problems,
        skipped_files=tuple(p.doc.path for p in parsed if p.left_out),
        fingerprint=digest.hexdigest()[:16],
        files_checked=len(files),
        course=course,
    )
    return Loaded(bank, parsed, list(notes))


def _lint(parsed: list[_Parsed], course: Course, reuse: Recheck | None) -> None:
    """The content lint over what loads. A re-check lints again only the files whose loaded
    items changed (the others' item warnings are kept), and compares only the changed stems
    for near-duplicates."""
    from vpkp_tutor.content.course import lint_settings
    from vpkp_tutor.content.lint import lint as run_lint
    from vpkp_tutor.content.lint import lint_items, near_duplicates

    settings = lint_settings(course)
    good = [p for p in parsed if p.loads_anything]
    if reuse is None:
        run_lint([x for p in good for x in p.lessons],
                 [x for p in good for x in p.good_questions()],
                 [x for p in good for x in p.cases], settings)
        return
    for p in good:
        kept = reuse.lint_warnings(p)
        if kept is not None:
            p.doc.problems.extend(kept)
            continue
        before = len(p.doc.problems)
        lint_items(p.lessons, p.good_questions(), p.cases, settings)
        reuse.keep_lint_warnings(p, p.doc.problems[before:])
    near_duplicates([x for p in good for x in p.good_questions()], reuse.near)


def _ids(items: Any, key: str = "id") -> list[str]:
    """The text `key` of each mapping in a raw list (what a broken file still tells)."""
    if not isinstance(items, list):
        return []
    return [x[key] for x in items if isinstance(x, dict) and isinstance(x.get(key), str)]


UNREADABLE = frozenset({"VP001", "VP002", "VP003", "VP004", "VP005", "VP006"})
"""Problems after which a file's value is partial or none (the YAML stops being read at a
syntax error): what the file holds cannot be told from it."""


def _held(parsed: list[_Parsed]) -> Held:
    """What did not pass its schema, as far as the raw values of its files tell."""
    held = Held()
    for p in parsed:
        value = p.doc.value
        kind = value.get("kind") if isinstance(value, dict) else None
        if kind not in ("lesson", "case", "questions") or any(
                pr.code in UNREADABLE for pr in p.doc.problems):
            if any(pr.severity == "error" for pr in p.doc.problems):
                held.unreadable.append(p.doc.path)
            continue
        if kind == "lesson" and not p.lessons:
            for oid in _ids(value.get("objectives")):
                held.objectives.setdefault(oid, p.doc.path)
        elif kind == "case" and not p.cases and isinstance(value.get("objectives"), list):
            held.used_objectives.update(
                o for o in value["objectives"] if isinstance(o, str))
        elif kind == "questions" and isinstance(value.get("questions"), list):
            passed = {x.path[1] for x in p.questions}
            for i, item in enumerate(value["questions"]):
                if i in passed or not isinstance(item, dict):
                    continue
                if isinstance(item.get("id"), str):
                    held.questions.setdefault(item["id"], p.doc.path)
                objectives = item.get("objectives")
                if isinstance(objectives, list):
                    held.used_objectives.update(o for o in objectives if isinstance(o, str))
    return held


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
                    + did_you_mean(oid, declared), "VP402")
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
        if members and folder.name in SET_FOLDERS and any(
                (folder.parent / name).is_dir() for name in SET_FOLDERS):
            continue  # `question_bank/cases/` inside a course: the course is above
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
    items_left_out: int = 0
    """Questions left out of files whose other questions load."""

    @property
    def errors(self) -> int:
        """How many problems are errors."""
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        """How many problems are warnings."""
        return sum(p.severity == "warning" for p in self.problems)


class _Group:
    """Targets checked together (against the same course), and how they were named."""

    def __init__(self, paths: list[Path], manifest: Path | None) -> None:
        self.paths = paths
        self.manifest = manifest
        self.members: list[Path] = []
        self.reuse: Recheck | None = None
        self._reals: list[tuple[str, str]] = []
        self._owned: dict[str, str | None] = {}
        self._folders: dict[str, str] = {}

    def begin(self) -> None:
        """Start a check: links may have changed since the last one."""
        self._reals = [(os.path.realpath(m), str(m)) for m in self.members]
        self._owned.clear()
        self._folders.clear()

    def owned(self, path: Path) -> str | None:
        """How the caller named this file, when it is one of theirs; else None."""
        key = str(path)
        if key not in self._owned:
            self._owned[key] = self._find(path)
        return self._owned[key]

    def _find(self, path: Path) -> str | None:
        parent = str(path.parent)
        if parent not in self._folders:
            self._folders[parent] = os.path.realpath(parent)
        here = os.path.join(self._folders[parent], path.name)
        full = (here if path.name not in ("", ".", "..") and not os.path.islink(path)
                else os.path.realpath(path))  # the same as realpath(path), with fewer calls
        for real, shown in self._reals:
            if here == real or full == real:
                return shown
            if _inside(here, real):
                return os.path.join(shown, os.path.relpath(here, real))
        return None

    def display(self, path: Path) -> str:
        return self.owned(path) or str(path)


class Checker:
    """Checks the given files and folders as the app would load them: each against the
    content it belongs to (see `content_set`; a loose file against the bundled content,
    loose folders together, as `--content` would load them), reporting the targets' own
    problems only, each named as the caller named it. With `recheck`, checking again
    (`validate --watch`) reads, parses and lints again only what changed
    (`content.recheck`); the result is the same as a new Checker's."""

    def __init__(self, targets: Sequence[Path], *, lint: bool = True,
                 recheck: bool = True) -> None:
        from vpkp_tutor.content import bundled_paths
        from vpkp_tutor.content.course import MANIFEST
        from vpkp_tutor.content.recheck import Recheck

        self.lint = lint
        groups: dict[tuple[str, ...], _Group] = {}
        for target in targets:
            where = content_set(target)
            if where is None:  # loose: files with the bundle; folders together, as
                where = ([] if os.path.isdir(target) else bundled_paths()), None  # `--content`
            folders, manifest = where
            key = (*(os.path.realpath(p) for p in folders), str(manifest))
            group = groups.setdefault(key, _Group(list(folders), manifest))
            if recheck and group.reuse is None:
                group.reuse = Recheck()
            group.members.append(target)
            real = os.path.realpath(target)
            if target.name == MANIFEST and manifest is not None:
                continue  # the manifest itself: checked as the course's manifest
            if not any(_inside(real, os.path.realpath(p)) for p in group.paths) and not (
                    manifest is not None and real == os.path.realpath(manifest.parent)):
                group.paths.append(target)  # beside its course's folders, not inside them
        self.groups = list(groups.values())

    def check(self, today: dt.date | None = None) -> Validation:
        """Check (again) and report."""
        from vpkp_tutor.content.recheck import collector_paused

        with collector_paused():
            return self._check(today)

    def _check(self, today: dt.date | None) -> Validation:
        from vpkp_tutor.content import bundled_manifest

        problems: list[ContentProblem] = []
        files = lessons = questions = cases = left_out = 0
        skipped: list[str] = []
        for group in self.groups:
            group.begin()
            loaded = _load(group.paths, today, display=group.display, lint=self.lint,
                           manifest=group.manifest, reuse=group.reuse)
            bank = loaded.bank
            mine = {p.doc.path for p in loaded.files
                    if p.file is not None and group.owned(p.file) is not None}
            if group.manifest is not None and (shown := group.owned(group.manifest)):
                mine.add(shown)
            if not bank.course.id:  # the course cannot be read: that concerns every item
                mine.add(bank.course.source
                         or group.display(group.manifest or bundled_manifest()))
            files += len(mine)
            mine |= {name for n in loaded.notes if (name := group.owned(Path(n.path)))}
            problems.extend(p for p in bank.problems if p.path in mine)
            lessons += sum(x.source in mine for x in bank.lessons)
            questions += sum(x.source in mine for x in bank.questions)
            cases += sum(x.source in mine for x in bank.cases)
            skipped.extend(f for f in bank.skipped_files if f in mine)
            left_out += sum(len(p.bad_items) for p in loaded.files
                            if p.doc.path in mine and not p.left_out)
        return Validation(tuple(problems), files, lessons, questions, cases, tuple(skipped),
                          left_out)


def validate_paths(
    targets: Sequence[Path], today: dt.date | None = None, *, lint: bool = True
) -> Validation:
    """Check the given files and folders once (see `Checker`)."""
    return Checker(targets, lint=lint, recheck=False).check(today)


__all__ = ["Checker", "content_set", "load_content", "validate_paths"]
