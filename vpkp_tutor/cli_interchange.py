"""The `import` and `export-items` commands: question banks in GIFT, Aiken and Moodle XML.

    vpkp-tutor import FILE… --to COURSE_DIR [--topic T] [--format F] [--dry-run] [--force]
    vpkp-tutor export-items COURSE_DIR|FILE --format gift|moodle-xml -o PATH [--force]

A bad file ends in located messages (`path:line:col: message`) on stderr and exit status 1
(2 for a usage error), and nothing is written. Neither command imports Textual; the parser
libraries are imported only when a file of their format is read or written.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

FORMATS = ("gift", "aiken", "moodle-xml")
"""`--format` choices (`interchange.formats.FORMATS`; a test keeps them equal)."""
ENCODINGS = ("utf-8", "cp1252", "latin-1", "utf-16")
"""`--encoding` choices (`interchange.source.ENCODINGS`)."""


def add_interchange_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Add `import` and `export-items` to the CLI (importing nothing more: the parser is
    built when the study app starts too)."""
    p = subparsers.add_parser(
        "import", help="import question banks (GIFT, Aiken, Moodle XML) into a course folder",
        description="Read question banks and write them as the app's YAML into COURSE_DIR "
                    "(question_bank/<name>.yaml, and a small lesson declaring the objective "
                    "they test unless --objective is given). The files are validated before "
                    "they are moved into place; every item skipped or changed is listed with "
                    "its file:line. See docs/importing.md.")
    p.add_argument("files", nargs="+", metavar="FILE", help="bank files to import")
    p.add_argument("--to", required=True, metavar="COURSE_DIR", dest="course",
                   help="the course folder to write into (created when missing)")
    p.add_argument("--topic", metavar="T",
                   help="topic id of the imported questions whose category names no "
                        "topic (required unless every category does)")
    p.add_argument("--format", choices=FORMATS, dest="fmt",
                   help="the files' format (default: guessed from the name and content)")
    p.add_argument("--objective", metavar="ID",
                   help="an objective already declared by a lesson of the course, for every "
                        "imported question (default: a new lesson declares one)")
    p.add_argument("--encoding", choices=ENCODINGS,
                   help="read the files in this encoding (default: UTF-8, with or without "
                        "a byte-order mark)")
    p.add_argument("--dry-run", action="store_true",
                   help="show what would be written, and write nothing")
    p.add_argument("--force", action="store_true", help="replace files that exist already")
    p.set_defaults(func=cmd_import)

    e = subparsers.add_parser(
        "export-items", help="write questions as GIFT or Moodle XML",
        description="Write the questions of a course folder or content file as a GIFT or "
                    "Moodle XML bank, for an LMS. Question ids travel as GIFT titles and "
                    "Moodle idnumbers. See docs/importing.md for what each format keeps.")
    e.add_argument("source", metavar="COURSE_DIR|FILE", help="content to export")
    e.add_argument("--format", choices=("gift", "moodle-xml"), required=True, dest="fmt")
    e.add_argument("-o", "--output", required=True, metavar="PATH",
                   help="the file to write (written whole or not at all)")
    e.add_argument("--force", action="store_true", help="replace PATH if it exists")
    e.set_defaults(func=cmd_export_items)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _topics(course_dir: Path) -> list[str] | str:
    """The topic ids of the course the import goes into: its own manifest's, else (a folder
    of local items beside the bundled course) the bundled course's; or why the course's
    manifest cannot be used."""
    from vpkp_tutor.content import bundled_manifest
    from vpkp_tutor.content.course import read_course

    manifest = course_dir / "course.yaml"
    course, problems = read_course(manifest if manifest.is_file() else bundled_manifest())
    if course is None:
        first = f": {problems[0]}" if problems else ""
        return (f"--to {course_dir}: its course.yaml has errors{first} (see `vpkp-tutor "
                f"validate {manifest}`)")
    return [t.id for t in course.topics]


def cmd_import(args: argparse.Namespace) -> int:
    """Import the files (see the module docstring)."""
    import gc

    # A large bank becomes hundreds of thousands of small objects that all live until the
    # files are written, and almost none form cycles (under 3,000 garbage objects for
    # 10,000 questions, also when the validator refuses 3,000 of them): the cycle
    # collector would only walk live objects again and again (a third of the CPU time of
    # a 10,000-question import with the default thresholds). It is off while importing.
    was_on = gc.isenabled()
    gc.disable()
    try:
        return _import(args)
    finally:
        if was_on:
            gc.enable()


def _import(args: argparse.Namespace) -> int:
    from vpkp_tutor.interchange import importer

    files = [Path(f) for f in args.files]
    for f in files:
        if not f.is_file():
            _err(f"vpkp-tutor: error: {f}: no such file" if not f.exists()
                 else f"vpkp-tutor: error: {f}: not a file")
            return 2
    course = Path(args.course)
    if course.exists() and not course.is_dir():
        _err(f"vpkp-tutor: error: --to {course}: not a folder")
        return 2
    topics = _topics(course)
    if isinstance(topics, str):
        _err(f"vpkp-tutor: error: {topics}")
        return 2
    if args.topic is not None and args.topic not in topics:
        _err(f"vpkp-tutor: error: --topic {args.topic}: not a topic (one of "
             f"{', '.join(topics)})")
        return 2
    if args.objective is not None:
        problem = _objective_problem(course, args.objective)
        if problem:
            _err(f"vpkp-tutor: error: --objective {args.objective}: {problem}")
            return 2
    try:
        plan = importer.plan_import(files, course, topic=args.topic, fmt=args.fmt,
                                    objective=args.objective, encoding=args.encoding,
                                    topics=topics)
        total = sum(len(f.mapped.imported) for f in plan.files)
        if not total:
            _report(plan, dry_run=args.dry_run)
            _err("vpkp-tutor: error: nothing to import: no item could be carried over")
            return 1
        clash = importer.conflicts(plan, args.force)
        if clash:
            for c in clash:
                _err(str(c))
            _err("vpkp-tutor: error: nothing was written")
            return 1
        created = not course.exists()
        try:
            stage = importer.stage_and_validate(plan, course, dry_run=args.dry_run)
        except BaseException:
            if created and not args.dry_run:  # leave no empty course folder behind
                import shutil

                shutil.rmtree(course, ignore_errors=True)
            raise
        if args.dry_run or not plan.writes:
            import shutil

            shutil.rmtree(stage, ignore_errors=True)
            if created and not args.dry_run:
                shutil.rmtree(course, ignore_errors=True)
            if not plan.writes:
                _report(plan, dry_run=args.dry_run)
                _err("vpkp-tutor: error: nothing to import: the validator refused every item")
                return 1
        else:
            importer.commit(plan, stage, course)
    except importer.ImportFailed as exc:
        for p in exc.problems:
            _err(str(p))
        _err("vpkp-tutor: error: nothing was written")
        return exc.code
    _report(plan, dry_run=args.dry_run)
    return 0


def _objective_problem(course: Path, objective: str) -> str | None:
    """Why `objective` cannot be given to imported questions in `course`, or None."""
    from vpkp_tutor.content.course import find_manifest
    from vpkp_tutor.content.loader import load_content

    folders = [course / n for n in ("lessons", "question_bank", "cases") if (course / n).is_dir()]
    declared = {o.id for lesson in load_content(folders, manifest=find_manifest(course)).lessons
                for o in lesson.objectives} if folders else set()
    if objective in declared:
        return None
    return (f"no sound lesson in {course} declares it (leave --objective out to have one "
            "written)")


def _report(plan: object, *, dry_run: bool) -> None:
    from vpkp_tutor.interchange.importer import Plan

    assert isinstance(plan, Plan)
    imported: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for f in plan.files:
        imported.update(i.data["type"] for i in f.mapped.imported)
        for r in f.mapped.skipped:
            skipped[_reason_kind(r.reason)] += 1
        for r in f.mapped.skipped:
            print(f"skipped {r}")
        for r in f.mapped.changed:
            print(f"changed {r}")
    verb = "would write" if dry_run else "wrote"
    for path in plan.writes:
        count = next((len(items) for f in plan.files for p, items in f.parts() if p == path),
                     None)
        what = f" ({count} question{'s' if count != 1 else ''})" if count is not None else \
            " (the lesson declaring the imported questions' objective)"
        print(f"{verb} {path}{what}")
    total = sum(imported.values())
    by_type = ", ".join(f"{n} {t}" for t, n in sorted(imported.items())) or "none"
    print(f"imported {total} question{'s' if total != 1 else ''}: {by_type}")
    if skipped:
        print(f"skipped {sum(skipped.values())}: "
              + ", ".join(f"{n} {why}" for why, n in sorted(skipped.items())))
    if dry_run:
        print("dry run: nothing was written")


def _reason_kind(reason: str) -> str:
    """A short name for the summary line."""
    for key, name in (("essay", "essay"), ("description", "description"),
                      ("validator", "refused by the validator"), ("options", "option count"),
                      ("pairs", "pair count"), ("credit", "no full-credit answer"),
                      ("full marks", "no full-credit answer")):
        if key in reason:
            return name
    return "other"


def cmd_export_items(args: argparse.Namespace) -> int:
    """Write the questions of a course or file as GIFT or Moodle XML."""
    from vpkp_tutor.content.loader import content_set, load_content
    from vpkp_tutor.export.files import ExportError, atomic_text

    source = Path(args.source)
    if not source.exists():
        _err(f"vpkp-tutor: error: {source}: no such file or folder")
        return 2
    out = Path(args.output)
    if out.is_dir():
        _err(f"vpkp-tutor: error: -o {out}: is a folder; give a file name")
        return 2
    if out.exists() and not args.force:
        _err(f"vpkp-tutor: error: -o {out}: exists already; give --force to replace it")
        return 2
    found = content_set(source)  # a file is loaded with the course it belongs to
    folders, manifest = found if found else ([], None)
    real = os.path.realpath(source)
    inside = any(real == os.path.realpath(f) or real.startswith(os.path.realpath(f) + os.sep)
                 for f in folders)
    if manifest is not None and real == os.path.realpath(manifest.parent):
        inside = True  # a course folder: its content folders (not its manifest as content)
    bank = load_content([*folders] if inside else [*folders, source], manifest=manifest)

    def mine(path: str) -> bool:
        here = os.path.realpath(path)
        return here == real or here.startswith(real + os.sep)

    errors = [p for p in bank.errors if mine(p.path)]
    if errors:
        for p in errors:
            _err(str(p))
        _err("vpkp-tutor: error: the content has errors; fix them first (nothing was "
             "written)")
        return 1
    questions = [q for q in bank.questions if mine(q.source)]
    if not questions:
        _err(f"vpkp-tutor: error: {source}: holds no questions")
        return 1
    if args.fmt == "gift":
        from vpkp_tutor.interchange.gift_writer import write_gift

        text, skipped = write_gift(questions)
    else:
        from vpkp_tutor.interchange.moodle_xml_writer import write_moodle_xml

        text, skipped = write_moodle_xml(questions)
    try:
        with atomic_text(out) as stream:
            stream.write(text)
    except ExportError as exc:
        _err(f"vpkp-tutor: error: {exc}")
        return 1
    for qid, why in skipped:
        print(f"skipped {qid}: {why}")
    n = len(questions) - len(skipped)
    print(f"wrote {out} ({n} question{'s' if n != 1 else ''}"
          + (f"; {len(skipped)} skipped" if skipped else "") + ")")
    return 0
