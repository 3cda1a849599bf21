"""Load content files into a ContentBank: read, validate, check, and keep what is sound.

Every mistake is reported once:

- a file is checked whole: a reading problem that leaves a value (a duplicate key, an alias)
  does not stop the schema check of the rest of the file;
- what has an error is left out at the smallest safe unit: one question of a question file
  (the file's other questions load), else the whole file (a lesson, a case, a question file
  whose header is wrong; listed in `ContentBank.skipped_files`);
- links into what was left out (a lesson's check naming a left-out question, a question
  testing an objective of a left-out lesson) are not errors of their own: each referring file
  gets one note, "not checked because FILE has errors" (VP404).

Nothing in here raises for bad content: every problem becomes a located `ContentProblem`
with a stable code (`content.codes`).
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
    Case,
    CaseNode,
    Choice,
    ContentBank,
    ContentProblem,
    Difficulty,
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
    SingleBest,
    Step,
    Topic,
    TrueFalse,
)

KINDS = ("lesson", "questions", "case")


def _display(path: Path) -> str:
    return str(path)


def _lesson(m: Any, source: str) -> Lesson:
    return Lesson(
        id=m.id, title=m.title, topic=Topic(m.topic), summary=m.summary,
        objectives=tuple(Objective(o.id, o.text) for o in m.objectives),
        estimated_minutes=m.estimated_minutes, last_reviewed=m.last_reviewed,
        references=_references(m.references),
        steps=tuple(Step(s.title, s.body, s.diagram, tuple(s.checks)) for s in m.steps),
        source=source,
    )


def _question(m: QuestionModel, source: str) -> Question:
    from vpkp_tutor.content import schema as s  # imported already: `m` was validated by it

    common: dict[str, Any] = dict(
        id=m.id, topic=Topic(m.topic), objectives=tuple(m.objectives),
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
        case _:
            assert_never(m)


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
        id=m.id, title=m.title, topic=Topic(m.topic), vignette=m.vignette, start=m.start,
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
        self.base_problems: list[ContentProblem] = []
        """The file's own problems, before the cross-file checks (for a re-check)."""
        self.bad_items: set[int] = set()
        """Indices of the questions left out of a question file."""

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


def _validate(doc: Document, today: dt.date, review_months: int = 24) -> _Parsed:
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
        _validate_questions(doc, today, parsed, review_months)
        return parsed
    model = MODELS[kind]
    try:
        m = model.model_validate(value)
    except ValidationError as exc:
        report_validation_error(doc, model, exc)
        return parsed
    if kind == "lesson":
        lesson = _lesson(m, doc.path)
        check_reviewed(doc, (), lesson.last_reviewed, today, review_months)
        seen: set[str] = set()
        for i, o in enumerate(lesson.objectives):
            if o.id in seen:
                doc.error(*doc.where(("objectives", i, "id")),
                          f"objective id '{o.id}' is used twice in this lesson", "VP307")
            seen.add(o.id)
        parsed.lessons.append(Located(lesson, doc, ()))
    else:
        case = _case(m, doc.path)
        check_reviewed(doc, (), case.last_reviewed, today, review_months)
        check_case(doc, (), case)
        parsed.cases.append(Located(case, doc, ()))
    return parsed


def _validate_questions(
    doc: Document, today: dt.date, parsed: _Parsed, review_months: int = 24
) -> None:
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
        check_reviewed(doc, path, q.last_reviewed, today, review_months)
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
) -> ContentBank:
    """Load every content file under `paths` into a ContentBank (never raises for content).
    `display` names each file in problems and sources (default: the path as found)."""
    return _load(paths, today, display=display).bank


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
    reuse: dict[str, tuple[bytes, _Parsed]] | None = None,
    lint: bool = False,
) -> Loaded:
    """Read, validate and cross-check the files under `paths`. `reuse` (file name → its
    bytes and what they gave, updated here) lets a re-check skip the schema check of files
    whose bytes did not change (`validate --watch`)."""
    from vpkp_tutor.content.lint import course_settings

    today = today or dt.date.today()
    settings = course_settings(paths)
    files, notes = discover(paths)
    name_of = display or _display
    parsed: list[_Parsed] = []
    digest = hashlib.sha256()
    for path, name in files:
        shown = name_of(path)
        doc = read_document(path, shown, parse=False) if reuse is not None else None
        if doc is not None and reuse is not None:
            old = reuse.get(shown)
            if old is not None and old[0] == doc.raw and not doc.problems:
                p = old[1]
                p.doc.problems[:] = p.base_problems
            else:
                p = _validate(read_document(path, shown), today, settings.review_months)
                p.base_problems = list(p.doc.problems)
                reuse[shown] = (p.doc.raw, p)
        else:
            p = _validate(read_document(path, shown), today, settings.review_months)
        p.file = path
        digest.update(os.fsencode(name) + b"\0" + hashlib.sha256(p.doc.raw).digest())
        parsed.append(p)
    check_cross_references(  # every item that passed its schema, even in a failed file
        [x for p in parsed for x in p.lessons],
        [x for p in parsed for x in p.questions],
        [x for p in parsed for x in p.cases],
        _held(parsed),
    )
    for p in parsed:
        p.sort_out()
    if lint:
        from vpkp_tutor.content.lint import lint as run_lint

        good = [p for p in parsed if p.loads_anything]
        run_lint([x for p in good for x in p.lessons],
                 [x for p in good for x in p.good_questions()],
                 [x for p in good for x in p.cases], settings)
    walk_problems = [ContentProblem(name_of(Path(n.path)), 1, 1, n.message, "error", "VP008")
                     for n in notes]
    problems = tuple(
        sorted(
            [*walk_problems, *(prob for p in parsed for prob in p.doc.problems)],
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
    )
    return Loaded(bank, parsed, list(notes))


def _ids(items: Any, key: str = "id") -> list[str]:
    """The text `key` of each mapping in a raw list (what a broken file still tells)."""
    if not isinstance(items, list):
        return []
    return [x[key] for x in items if isinstance(x, dict) and isinstance(x.get(key), str)]


def _held(parsed: list[_Parsed]) -> Held:
    """What did not pass its schema, as far as the raw values of its files tell."""
    held = Held()
    for p in parsed:
        value = p.doc.value
        if not isinstance(value, dict):
            continue
        kind = value.get("kind")
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


SET_FOLDERS = ("lessons", "question_bank", "cases")
"""The folders that make a folder a course: its content set is these folders together."""


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def content_set(target: Path) -> list[Path] | None:
    """The content folders a file or folder is checked with: the bundled content when it
    lies inside it; else the course it lies in (the `lessons/`, `question_bank/` and
    `cases/` folders of the nearest folder above it that holds any of them); else None (a
    loose file or folder)."""
    from vpkp_tutor.content import bundled_paths

    real = os.path.realpath(target)
    bundled = bundled_paths()
    if any(_inside(real, os.path.realpath(b)) for b in bundled):
        return bundled
    for folder in Path(os.path.abspath(target)).parents:
        members = [folder / name for name in SET_FOLDERS if (folder / name).is_dir()]
        if members:
            return members
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

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self.members: list[Path] = []
        self.reuse: dict[str, tuple[bytes, _Parsed]] = {}

    def owned(self, path: Path) -> str | None:
        """How the caller named this file, when it is one of theirs; else None."""
        here = os.path.join(os.path.realpath(path.parent), path.name)
        for member in self.members:
            real, shown = os.path.realpath(member), str(member)
            if here == real or os.path.realpath(path) == real:
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
    problems only, each named as the caller named it. Checking again (`validate --watch`)
    reads into values only the files whose bytes changed."""

    def __init__(self, targets: Sequence[Path], *, lint: bool = True) -> None:
        from vpkp_tutor.content import bundled_paths

        self.lint = lint
        groups: dict[tuple[str, ...], _Group] = {}
        for target in targets:
            folders = content_set(target)
            if folders is None:  # loose: files with the bundle; folders together, as
                folders = [] if os.path.isdir(target) else bundled_paths()  # `--content`
            key = tuple(os.path.realpath(p) for p in folders)
            group = groups.setdefault(key, _Group(list(folders)))
            group.members.append(target)
            real = os.path.realpath(target)
            if not any(_inside(real, os.path.realpath(p)) for p in group.paths):
                group.paths.append(target)  # beside its course's folders, not inside them
        self.groups = list(groups.values())

    def check(self, today: dt.date | None = None) -> Validation:
        """Check (again) and report."""
        problems: list[ContentProblem] = []
        files = lessons = questions = cases = left_out = 0
        skipped: list[str] = []
        for group in self.groups:
            loaded = _load(group.paths, today, display=group.display, lint=self.lint,
                           reuse=group.reuse)
            bank = loaded.bank
            mine = {p.doc.path for p in loaded.files
                    if p.file is not None and group.owned(p.file) is not None}
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
    return Checker(targets, lint=lint).check(today)


__all__ = ["Checker", "content_set", "load_content", "validate_paths"]
