"""The educator's commands: `validate` (with `--format`, `--strict`, `--watch`), `new` and
`preview`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vpkp_tutor.content.loader import Validation
    from vpkp_tutor.domain.model import ContentProblem

FORMATS = ("text", "json", "github")


def add_studio_commands(sub: Any) -> None:
    """Register `validate`, `new` and `preview` on the command parser."""
    p = sub.add_parser(
        "validate", help="check lessons, questions and cases",
        description="Check content files; print every problem once as "
                    "path:line:col: severity: message [CODE name]. Exit 1 on any error. "
                    "The codes are explained in docs/authoring.md.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or folders (default: the bundled content); each is checked "
                        "against the course it belongs to")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (default), json, or github (annotations for GitHub Actions)")
    p.add_argument("--strict", action="store_true",
                   help="treat warnings (the content lint) as errors")
    p.add_argument("--no-lint", dest="lint", action="store_false",
                   help="skip the content lint (VP5xx warnings)")
    p.add_argument("--watch", action="store_true",
                   help="keep running; re-check whenever a file under PATH is saved")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "new", help="write a commented skeleton lesson, question or case",
        description="Write a skeleton that validates as written, to fill in. Never "
                    "overwrites a file.")
    p.add_argument("kind", choices=("lesson", "question", "case"), help="what to make")
    p.add_argument("path", metavar="PATH", help="the .yaml file to write (must not exist)")
    p.add_argument("--type", dest="qtype", metavar="TYPE",
                   help="question type (default single_best): single_best, "
                        "multiple_response, true_false, ordering, matching, numeric, "
                        "trajectory, short_answer")
    p.add_argument("--topic", metavar="TOPIC", help="the topic id (default: the course's first)")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser(
        "preview", help="show one lesson, question or case as a learner sees it",
        description="Open the app on FILE (or on the item ID in it: FILE#ID) as a learner "
                    "sees it, with its problems instead when it does not validate. Reloads "
                    "on every save.")
    p.add_argument("target", metavar="FILE[#ID]")
    p.set_defaults(func=cmd_preview)


# -- validate ------------------------------------------------------------------------------

def _shown(problem: ContentProblem, strict: bool) -> ContentProblem:
    """The problem as reported: with `--strict`, a warning is an error."""
    if strict and problem.severity == "warning":
        from msgspec import structs

        return structs.replace(problem, severity="error")
    return problem


def render_problem(problem: ContentProblem, fmt: str) -> str:
    """One problem as a line of the chosen format (json: one object per line)."""
    from vpkp_tutor.content.codes import name_of

    name = name_of(problem.code)
    if fmt == "json":
        return json.dumps({
            "path": problem.path, "line": problem.line, "column": problem.column,
            "severity": problem.severity, "code": problem.code, "name": name,
            "message": problem.message,
        }, ensure_ascii=False)
    if fmt == "github":
        level = {"error": "error", "warning": "warning"}.get(problem.severity, "notice")

        def prop(text: str) -> str:
            return (text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
                    .replace(":", "%3A").replace(",", "%2C"))

        message = problem.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return (f"::{level} file={prop(problem.path)},line={problem.line},"
                f"col={problem.column},title={prop(f'{problem.code} {name}')}::{message}")
    tag = f" [{problem.code} {name}]" if problem.code else ""
    return f"{problem}{tag}"


def _summary(result: Validation, missing: int, strict: bool) -> tuple[str, int, int]:
    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    shown = [_shown(p, strict) for p in result.problems]
    errors = sum(p.severity == "error" for p in shown) + missing
    warnings = sum(p.severity == "warning" for p in shown)
    text = (f"checked {n(result.files_checked, 'file')}: {n(result.lessons, 'lesson')}, "
            f"{n(result.questions, 'question')} and {n(result.cases, 'case')} loaded; "
            f"{n(errors, 'error')}, {n(warnings, 'warning')}"
            + (f"; {n(len(result.skipped_files), 'file')} left out"
               if result.skipped_files else "")
            + (f"; {n(result.items_left_out, 'question')} left out"
               if result.items_left_out else ""))
    return text, errors, warnings


def _report(result: Validation, missing: Sequence[str], args: argparse.Namespace) -> int:
    fmt = args.format
    problems = [_shown(p, args.strict) for p in result.problems]
    summary, errors, warnings = _summary(result, len(missing), args.strict)
    if fmt == "json":
        print(json.dumps({
            "problems": [json.loads(render_problem(p, "json")) for p in problems]
            + [{"path": m, "line": 1, "column": 1, "severity": "error", "code": "VP001",
                "name": "unreadable-file", "message": "no such file or folder"}
               for m in missing],
            "files_checked": result.files_checked, "lessons": result.lessons,
            "questions": result.questions, "cases": result.cases,
            "errors": errors, "warnings": warnings,
            "files_left_out": list(result.skipped_files),
        }, ensure_ascii=False, indent=2))
    else:
        for p in problems:
            print(render_problem(p, fmt))
        print(summary)
    return 1 if errors else 0


def cmd_validate(args: argparse.Namespace) -> int:
    """`vpkp-tutor validate [PATH…] [--format F] [--strict] [--watch]`."""
    from vpkp_tutor.content import bundled_paths
    from vpkp_tutor.content.loader import validate_paths

    content = [*(getattr(args, "content", None) or []), *(getattr(args, "add", None) or [])]
    for flag in ("content", "add"):  # they name what the app would load: it must be there
        for p in getattr(args, flag, None) or []:
            if not os.path.lexists(p):
                print(f"vpkp-tutor: error: --{flag} {p}: no such file or folder",
                      file=sys.stderr)
                return 2
    missing = [p for p in args.paths if not os.path.lexists(p)]
    if args.format != "json":
        for p in missing:
            print(f"{p}: error: no such file or folder [VP001 unreadable-file]", file=sys.stderr)
    named = [p for p in [*args.paths, *content] if p not in missing]
    if missing and not named:
        if args.format == "json":
            print(json.dumps({"problems": [], "files_checked": 0, "errors": len(missing),
                              "missing": missing}))
        else:
            print(f"checked 0 files; {len(missing)} error{'s' if len(missing) > 1 else ''}")
        return 1
    targets = [Path(p) for p in named] or bundled_paths()
    if args.watch:
        return _watch(targets, args)
    result = validate_paths(targets, lint=args.lint)
    return _report(result, missing, args)


def _watch(targets: list[Path], args: argparse.Namespace) -> int:
    """Check once, then again after every change under the targets, until interrupted.
    Only what changed is read, checked and linted again (`content.recheck`). When the
    watcher is idle after a check, the heap is settled: one collection, then what is alive
    (the content kept for the next check) is kept out of later collections, so that no full
    collection over a large course lands inside a re-check or its report."""
    try:
        import watchfiles
    except ImportError:  # pragma: no cover - a dependency of the package
        print("vpkp-tutor: error: --watch needs the 'watchfiles' package", file=sys.stderr)
        return 2
    from vpkp_tutor.content.loader import Checker

    checker = Checker(targets, lint=args.lint)
    code = _report(checker.check(), [], args)
    roots = [str(t) for t in targets]
    ready = False
    unsettled = True
    try:
        for changes in watchfiles.watch(*roots, debounce=100, step=20, rust_timeout=200,
                                        yield_on_timeout=True, watch_filter=_content_filter,
                                        raise_interrupt=False):
            if not changes:  # the watcher is running: say so once
                if not ready:
                    print("watching for changes (Ctrl+C to stop)", flush=True)
                    ready = True
                if unsettled:
                    _settle_heap()
                    unsettled = False
                continue
            changed = sorted({os.path.relpath(p) for _, p in changes})
            print(f"\n— changed: {', '.join(changed)}", flush=True)
            code = _report(checker.check(), [], args)
            sys.stdout.flush()
            unsettled = True
    except KeyboardInterrupt:  # pragma: no cover - raise_interrupt=False handles it
        pass
    finally:
        import gc

        gc.unfreeze()
    return code


def _settle_heap() -> None:
    import gc

    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _content_filter(change: Any, path: str) -> bool:
    return path.endswith((".yaml", ".yml"))


# -- new ------------------------------------------------------------------------------------

def cmd_new(args: argparse.Namespace) -> int:
    """`vpkp-tutor new lesson|question|case PATH [--type TYPE] [--topic T]`."""
    from vpkp_tutor import cli_out
    from vpkp_tutor.content.scaffold import ScaffoldError, write_new

    path = Path(args.path)
    try:
        made = write_new(args.kind, path, qtype=args.qtype, topic=args.topic)
    except ScaffoldError as exc:
        return cli_out.fail(str(exc))
    print(f"wrote {made.path} ({args.kind} '{made.id}')")
    if made.note:
        print(f"note: {made.note}")
    print(f"next: fill in the placeholders, then `vpkp-tutor preview {made.path}` and "
          f"`vpkp-tutor validate {made.path}`")
    return 0


# -- preview --------------------------------------------------------------------------------

def cmd_preview(args: argparse.Namespace) -> int:
    """`vpkp-tutor preview FILE[#ID]`: the app on one item, reloading on save."""
    from vpkp_tutor import cli_out

    raw: str = args.target
    file, _, item = raw.partition("#")
    path = Path(file)
    if not path.is_file():
        return cli_out.fail(f"{file}: no such file" if not os.path.lexists(file)
                            else f"{file}: not a file; preview one .yaml file")
    if path.name == "course.yaml":
        return cli_out.fail(f"{file}: the course's manifest, not a lesson, question or case; "
                            "preview one of the course's files (validate checks the manifest)")
    from vpkp_tutor.bootstrap import NEEDS_A_TERMINAL, is_terminal

    stdout = cli_out.unwrapped(sys.stdout)
    if not (is_terminal(sys.stdin) and is_terminal(sys.__stderr__)):
        return cli_out.fail(f"{NEEDS_A_TERMINAL}: preview draws the item on the terminal")
    del stdout
    from vpkp_tutor.tui.preview import PreviewApp

    app = PreviewApp(path, item or None)
    app.run()
    return app.return_code or 0
