"""An import, end to end: read each bank file, map its items, write the YAML into a
temporary folder inside the course, validate it with the course's own content, and only
then move the files into place. A failure leaves the course as it was."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vpkp_tutor.interchange.formats import guess_format, reader
from vpkp_tutor.interchange.mapping import Imported, Mapped, Report, slug, to_app
from vpkp_tutor.interchange.source import ImportError_, Located
from vpkp_tutor.interchange.writer import Written, lesson_yaml, questions_file

if TYPE_CHECKING:
    from vpkp_tutor.content.yamlsource import Document

QUESTIONS_FOLDER = "question_bank"
LESSONS_FOLDER = "lessons"
STAGING_PREFIX = ".vpkp-import-"
PER_FILE = 1_000
"""Most questions written to one YAML file (the loader refuses files over 5 MB)."""


class ImportFailed(Exception):
    """The import cannot go on; `problems` say where and why (nothing was written)."""

    def __init__(self, problems: list[Located], code: int = 1) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems
        self.code = code


@dataclass
class FilePlan:
    """What one bank file becomes."""

    source: str
    fmt: str
    target: Path
    mapped: Mapped

    def parts(self) -> list[tuple[Path, list[Imported]]]:
        """The files written for this bank: `<name>.yaml`, or `<name>-01.yaml`… when it
        holds more than `PER_FILE` questions."""
        items = self.mapped.imported
        chunks = [items[i:i + PER_FILE] for i in range(0, len(items), PER_FILE)]
        if len(chunks) <= 1:
            return [(self.target, items)] if items else []
        width = len(str(len(chunks)))
        return [(self.target.with_name(f"{self.target.stem}-{n:0{width + 1}d}.yaml"), c)
                for n, c in enumerate(chunks, start=1)]


@dataclass
class Plan:
    """Everything an import writes, and its report."""

    files: list[FilePlan] = field(default_factory=list)
    lesson: tuple[Path, str] | None = None
    dropped: list[Report] = field(default_factory=list)
    """Items the validator refused (with its message), left out."""

    @property
    def writes(self) -> list[Path]:
        out = [path for f in self.files for path, _ in f.parts()]
        if self.lesson is not None:
            out.append(self.lesson[0])
        return out


def plan_import(files: list[Path], course: Path, *, topic: str | None, fmt: str | None = None,
                objective: str | None = None, encoding: str | None = None,
                today: dt.date | None = None, topics: Sequence[str] = ()) -> Plan:
    """Read and map every file (ImportFailed on a file that cannot be read). A category
    (GIFT `$CATEGORY:`, Moodle XML category) whose last part is one of `topics` puts its
    questions under that topic; the others go under `topic` (without one, each question
    must have such a category, else it is an error at its line)."""
    today = today or dt.date.today()
    plan = Plan()
    errors: list[Located] = []
    stems: set[str] = set()
    base_objective = objective
    if objective is None:
        names = "-".join(slug(f.stem) or "bank" for f in files)
        if len(names) > 40:  # cut at a word
            names = names[:41].rsplit("-", 1)[0]
        names = names.strip("-") or "bank"
        objective = f"imported.{names}"
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ImportFailed([Located(str(path), 1, 1, f"cannot be read: "
                                                         f"{exc.strerror or exc}")]) from None
        chosen = fmt
        if chosen is None:
            guess = guess_format(path.name, data[:4096])
            if guess.fmt is None:
                errors.append(Located(str(path), 1, 1, f"format not recognised ({guess.why}); "
                                                       "give --format gift|aiken|moodle-xml"))
                continue
            chosen = guess.fmt
        try:
            parsed = reader(chosen)(data, str(path), encoding)
        except ImportError_ as exc:
            errors.append(exc.where)
            continue
        if parsed.errors:
            errors += parsed.errors
            continue
        stem = slug(path.stem) or "bank"
        while stem in stems:
            stem += "-2"
        stems.add(stem)
        topic_of = {i.title: i.title.rsplit("/", 1)[-1].strip() for i in parsed.items
                    if i.type == "Category" and i.title
                    and i.title.rsplit("/", 1)[-1].strip() in topics}
        if topic is None:
            lost = [i for i in parsed.items if i.type != "Category"
                    and (i.category or "") not in topic_of]
            errors += [Located(str(path), i.line, 1, "no topic for this question: its category "
                                                     "names none; give --topic T")
                       for i in lost[:5]]
            if len(lost) > 5:
                errors.append(Located(str(path), lost[5].line, 1,
                                      f"… and {len(lost) - 5} more questions with no topic"))
            if lost:
                continue
        mapped = to_app(parsed.items, str(path), topic=topic or "", objective=objective,
                        prefix=stem, today=today, topic_of=topic_of)
        target = course / QUESTIONS_FOLDER / f"{stem}.yaml"
        plan.files.append(FilePlan(str(path), chosen, target, mapped))
    if errors:
        raise ImportFailed(errors)
    _unique_ids(plan)
    total = sum(len(f.mapped.imported) for f in plan.files)
    if base_objective is None and total:
        lesson_id = slug(objective.replace(".", "-"))
        plan.lesson = (course / LESSONS_FOLDER / f"{lesson_id}.yaml",
                       lesson_yaml(lesson_id, objective, topic or next(
                           i.data["topic"] for f in plan.files for i in f.mapped.imported),
                                   [Path(f.source).name for f in plan.files], today, total))
    return plan


def _unique_ids(plan: Plan) -> None:
    """Ids unique across all the files of one import."""
    used: set[str] = set()
    for f in plan.files:
        for item in f.mapped.imported:
            base = qid = item.data["id"]
            k = 2
            while qid in used:
                qid = f"{base}-{k}"
                k += 1
            if qid != base:
                item.data["id"] = qid
                f.mapped.changed.append(Report(f.source, item.line, f"id '{base}' is used by "
                                               f"another imported item; this one is '{qid}'",
                                               qid))
            used.add(qid)


def conflicts(plan: Plan, force: bool) -> list[Located]:
    """Files the import would replace (refused without --force)."""
    if force:
        return []
    return [Located(str(p), 1, 1, "exists already; give --force to replace it")
            for p in plan.writes if os.path.lexists(p)]


def _existing_content(course: Path, replaced: set[str]) -> list[Path]:
    from vpkp_tutor.content.files import discover

    folders = [course / n for n in (LESSONS_FOLDER, QUESTIONS_FOLDER, "cases")
               if (course / n).is_dir()]
    files, _ = discover(folders)
    return [p for p, _ in files if os.path.realpath(p) not in replaced]


def stage_and_validate(plan: Plan, course: Path, today: dt.date | None = None, *,
                       dry_run: bool = False) -> Path:
    """Write the plan into a temporary folder inside `course` (for a dry run: in the
    system's temporary folder, so that nothing is created) and validate it with the
    course's other content; items the validator refuses are left out (and reported), and
    the files rewritten. Returns the staging folder (the caller moves or removes it)."""
    from vpkp_tutor.content.course import find_manifest
    from vpkp_tutor.content.loader import load_content

    manifest = find_manifest(course)  # the course's own topics (else the bundled course's)
    if dry_run:
        stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX))
    else:
        course.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=course))
    try:
        replaced = {os.path.realpath(p) for p in plan.writes}
        existing = _existing_content(course, replaced)
        for _ in range(3):
            staged, described = _write_stage(plan, stage, course)
            bank = load_content([*existing, stage], today=today, documents=described,
                                manifest=manifest)
            ours = [p for p in bank.errors if os.path.realpath(p.path).startswith(
                os.path.realpath(stage) + os.sep)]
            if not ours:
                return stage
            if not _drop_refused(plan, staged, ours):
                raise ImportFailed([Located(p.path, p.line, p.column, p.message)
                                    for p in ours])
        raise ImportFailed([Located(str(course), 1, 1, "the imported items do not validate")])
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _write_stage(plan: Plan, stage: Path, course: Path,
                 ) -> tuple[dict[str, tuple[FilePlan, list[Imported], list[int]]],
                            dict[str, Document]]:
    """Write the plan's files into `stage`. Returns, by real path, what each question file
    holds, and the description of each that reads back exactly as written (the loader
    validates it without reading the file again; the others it reads)."""
    for old in stage.iterdir():  # what an earlier round wrote (it may hold fewer files now)
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    staged: dict[str, tuple[FilePlan, list[Imported], list[int]]] = {}
    described: dict[str, Document] = {}
    for f in plan.files:
        for target, items in f.parts():
            written, starts = questions_file([i.data for i in items], Path(f.source).name)
            dest = stage / target.relative_to(course)
            dest.parent.mkdir(parents=True, exist_ok=True)
            data = written.text.encode("utf-8")
            dest.write_bytes(data)
            real = os.path.realpath(dest)
            staged[real] = (f, items, starts)
            document = _as_read(written, data, str(dest))
            if document is not None:
                described[real] = document
    if plan.lesson is not None:
        dest = stage / plan.lesson[0].relative_to(course)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(plan.lesson[1], encoding="utf-8")
    return staged, described


def _as_read(written: Written, data: bytes, path: str) -> Document | None:
    """The document the loader would read from `data`, or None when reading it could
    differ from `written`'s description or say more than its value: a file over the size
    limit, a text the reader would clean (with a warning) or a key it may read otherwise
    (`Written.exact`), or events libyaml does not give back as described."""
    from vpkp_tutor.content.yamlsource import MAX_FILE_BYTES
    from vpkp_tutor.content.yamlsource import Document as Read

    if not written.exact or len(data) > MAX_FILE_BYTES:
        return None
    if not written.reads_back():
        return None
    return Read(path, value=written.value, positions=written.positions,
                key_positions=written.key_positions, raw=data)


def _drop_refused(plan: Plan, staged: dict[str, tuple[FilePlan, list[Imported], list[int]]],
                  problems: Sequence[object]) -> bool:
    """Leave out each item a problem lies in; False when a problem lies in no item."""
    drop: dict[int, tuple[FilePlan, Imported, str]] = {}
    for p in problems:
        entry = staged.get(os.path.realpath(getattr(p, "path", "")))
        if entry is None:
            return False
        fplan, items, starts = entry
        line = getattr(p, "line", 0)
        index = max((i for i, s in enumerate(starts) if s <= line), default=-1)
        if index < 0:
            return False
        item = items[index]
        drop.setdefault(id(item), (fplan, item, getattr(p, "message", "")))
    for fplan, item, message in drop.values():
        fplan.mapped.imported.remove(item)
        fplan.mapped.skipped.append(Report(fplan.source, item.line,
                                           f"refused by the validator: {message}",
                                           item.data.get("id", "")))
        fplan.mapped.skipped_types[item.source_type] = (
            fplan.mapped.skipped_types.get(item.source_type, 0) + 1)
    if plan.lesson is not None and not any(f.mapped.imported for f in plan.files):
        plan.lesson = None
    return True


def commit(plan: Plan, stage: Path, course: Path) -> None:
    """Move the staged files into place (each an atomic rename) and remove the stage."""
    try:
        for target in plan.writes:
            src = stage / target.relative_to(course)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
