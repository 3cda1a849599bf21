"""Courses: a folder with a manifest, `course.yaml`, and its content folders.

The manifest names the course (id, title, version), declares its topics (id, label, order),
says where objectives are declared (by the lessons) and may give objectives an external
code, and holds the settings of the content lint. Items name a topic by its id; an id the
course does not declare is a located error in the item's file.

    course-folder/
      course.yaml
      lessons/  question_bank/  cases/     (any of them; all the YAML below them is read)

Finding manifests (`find_manifest`, `course_folders`) needs no YAML; reading one
(`read_course`) imports YAML and the schema, and so runs only when the content cache
misses or a command checks content.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from vpkp_tutor.domain.model import ContentProblem, Course, LintSettings, Topic

if TYPE_CHECKING:
    from pydantic import BaseModel

MANIFEST = "course.yaml"
"""The file that makes a folder a course."""
SET_FOLDERS = ("lessons", "question_bank", "cases")
"""A course's content folders: those of these that exist beside its manifest."""


def find_manifest(folder: Path) -> Path | None:
    """The manifest of the course in this folder, or None when it is not a course."""
    manifest = folder / MANIFEST
    return manifest if manifest.is_file() else None


def course_folders(manifest: Path) -> list[Path]:
    """The content folders of the course whose manifest this is."""
    root = manifest.parent
    return [root / name for name in SET_FOLDERS if (root / name).is_dir()]


def enclosing_manifest(target: Path) -> Path | None:
    """The manifest of the course a file or folder lies in (the nearest folder above it,
    or itself, holding a `course.yaml`), or None."""
    here = Path(os.path.abspath(target))
    for folder in (here, *here.parents):
        manifest = find_manifest(folder)
        if manifest is not None:
            return manifest
    return None


class CourseSource(NamedTuple):
    """What to load: a course's manifest and the folders and files read into it."""

    manifest: Path
    paths: tuple[Path, ...]


class CourseError(ValueError):
    """The command line names content that cannot be opened as one course."""


def _as_manifest(path: Path) -> Path | None:
    """The manifest a `--content` path names: a course folder's, or the manifest itself."""
    if path.is_dir():
        return find_manifest(path)
    return path if path.name == MANIFEST and path.is_file() else None


def resolve_sources(content: Sequence[Path], added: Sequence[Path] = ()
                    ) -> list[CourseSource]:
    """What `--content` and `--add` open: one source per course, in the order named.

    A `--content` course folder (one with a `course.yaml`) is opened instead of the bundled
    course; several course folders open several courses (the same one named twice counts
    once). Other `--content` folders and files are read in place of the bundled items, as
    items of that course (the bundled course when no course folder is named), or beside the
    one course folder named; beside several courses they are refused (which course would
    they belong to?). `--add` folders and files are read beside each course's own content
    (so beside whichever course is open); a course given to `--add` is refused."""
    from vpkp_tutor.content import bundled_manifest, bundled_paths

    for p in added:
        if _as_manifest(p) is not None:
            raise CourseError(f"--add {p}: is a course (it has a {MANIFEST}); open it with "
                              f"--content {p}, or add only its item folders")
    courses: dict[str, tuple[Path, Path]] = {}  # real manifest path -> (as named, manifest)
    loose: list[Path] = []
    for p in content:
        manifest = _as_manifest(p)
        if manifest is None:
            loose.append(p)
        else:
            courses.setdefault(os.path.realpath(manifest), (p, manifest))
    if len(courses) > 1 and loose:
        named = ", ".join(str(p) for p, _ in courses.values())
        raise CourseError(f"--content {loose[0]}: a folder of items (no {MANIFEST}) beside "
                          f"several courses ({named}): which course is it part of? Read it "
                          f"beside whichever course is open with --add {loose[0]}")
    if not courses:
        return [CourseSource(bundled_manifest(), tuple([*(loose or bundled_paths()), *added]))]
    bundled = os.path.realpath(bundled_manifest())
    return [CourseSource(manifest, tuple([
        *(bundled_paths() if real == bundled else course_folders(manifest)), *loose, *added]))
        for real, (_, manifest) in courses.items()]


def resolve_source(content: Sequence[Path], added: Sequence[Path] = ()) -> CourseSource:
    """What `--content` and `--add` open when one course is named (see `resolve_sources`);
    naming several is refused here (CourseError): the caller reads one course."""
    sources = resolve_sources(content, added)
    if len(sources) > 1:
        raise CourseError(several_courses(sources))
    return sources[0]


def several_courses(sources: Sequence[CourseSource]) -> str:
    """Why a command that reads one course refuses several."""
    named = ", ".join(str(s.manifest.parent) for s in sources)
    return (f"--content names {len(sources)} courses ({named}); this reads one course: "
            "name only that course's folder with --content")


def _model() -> type[BaseModel]:
    """The pydantic model of a manifest (in the schema module: pydantic is costly)."""
    from vpkp_tutor.content.schema import CourseModel

    return CourseModel


def read_course(manifest: Path, display: str | None = None
                ) -> tuple[Course | None, list[ContentProblem]]:
    """Read and check a manifest: the course (None when the manifest has errors) and every
    problem found, located in the manifest."""
    from pydantic import ValidationError

    from vpkp_tutor.content.errors import report_validation_error
    from vpkp_tutor.content.yamlsource import read_document

    doc = read_document(manifest, display)
    if doc.has_errors:
        return None, doc.problems
    if not isinstance(doc.value, dict):
        doc.error(*doc.where(()), "a course manifest is a mapping with id, title, version "
                                  "and topics", "VP201")
        return None, doc.problems
    model = _model()
    try:
        m: Any = model.model_validate(doc.value)
    except ValidationError as exc:
        report_validation_error(doc, model, exc)
        return None, doc.problems
    seen: dict[str, int] = {}
    for i, t in enumerate(m.topics):
        if t.id in seen:
            doc.error(*doc.where(("topics", i, "id")),
                      f"topic '{t.id}' is declared twice (first as topic {seen[t.id] + 1})",
                      "VP401")
        seen.setdefault(t.id, i)
    if doc.has_errors:
        return None, doc.problems
    headings: dict[str, int] = {}
    for i, t in enumerate(m.topics):
        heading = Topic(t.id, t.label, short=t.short).code
        if heading.lower() in headings:
            first = m.topics[headings[heading.lower()]]
            doc.warning(*doc.where(("topics", i, "label")),
                        f"topic '{t.id}' has the same short heading '{heading}' as topic "
                        f"'{first.id}' (the terminal cohort report heads its columns with it); "
                        "give one of them a `short:` of up to four characters", "VP511")
        headings.setdefault(heading.lower(), i)
    topics = sorted(
        (Topic(t.id, t.label, i if t.order is None else t.order, t.short)
         for i, t in enumerate(m.topics)),
        key=lambda t: t.order)
    course = Course(
        id=m.id, title=m.title, version=m.version, topics=tuple(topics),
        objective_codes=tuple(m.objectives.codes.items()),
        lint=LintSettings(m.lint.review_period_months,
                          tuple(d.lower() for d in m.lint.warned_source_domains)),
        source=doc.path,
    )
    return course, doc.problems


def manifest_schema() -> dict[str, Any]:
    """The JSON Schema of a course manifest."""
    return _model().model_json_schema()


def lint_settings(course: Course) -> LintSettings:
    """The course's lint settings (the typed accessor the content lint reads)."""
    return course.lint


__all__ = [
    "MANIFEST",
    "CourseError",
    "CourseSource",
    "course_folders",
    "enclosing_manifest",
    "find_manifest",
    "lint_settings",
    "manifest_schema",
    "read_course",
    "resolve_source",
    "resolve_sources",
    "several_courses",
]
