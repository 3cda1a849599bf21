"""Command-line entry point: argument parsing and dispatch.

`vpkp-tutor` with no command opens the study app; `validate` and `schema` serve educators;
`locate`, `export` and `report` serve learners and program directors. Only the app command
imports Textual.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from vpkp_tutor import __version__


def _cmd_validate(args: argparse.Namespace) -> int:
    from vpkp_tutor.content import bundled_paths
    from vpkp_tutor.content.loader import load_content

    paths = [Path(p) for p in args.paths] or bundled_paths()
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        print(f"{p}: error: no such file or folder", file=sys.stderr)
    bank = load_content([p for p in paths if p.exists()])
    for problem in bank.problems:
        print(problem)
    errors = len(bank.errors) + len(missing)
    warnings = len(bank.warnings)

    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    print(
        f"checked {n(bank.files_checked, 'file')}: {n(len(bank.lessons), 'lesson')}, "
        f"{n(len(bank.questions), 'question')} and {n(len(bank.cases), 'case')} loaded; "
        f"{n(errors, 'error')}, {n(warnings, 'warning')}"
        + (f"; {n(len(bank.skipped_files), 'file')} left out" if bank.skipped_files else "")
    )
    return 1 if errors else 0


def _cmd_schema(args: argparse.Namespace) -> int:
    import json

    from vpkp_tutor.content.schema import MODELS

    schema = MODELS[args.kind].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"VP/KP Tutor {args.kind} file"
    print(json.dumps(schema, indent=2))
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    import gc

    # Start-up allocates much and frees little: no collection until the first screen is
    # drawn (the app takes this pause over and ends it then; see tui/gc_pacing.py).
    gc.disable()
    try:
        return _run(args)
    finally:
        gc.enable()


def _run(args: argparse.Namespace) -> int:
    from vpkp_tutor.bootstrap import Settings, run_app

    if args.learner is not None:  # refused before anything opens
        from vpkp_tutor.services.learners import learner_name

        try:
            learner_name(args.learner)
        except ValueError as exc:
            print(f"vpkp-tutor: error: --learner: {exc}", file=sys.stderr)
            return 2

    return run_app(
        Settings(
            data_dir=Path(args.data_dir) if args.data_dir else None,
            learner=args.learner,
            content_paths=tuple(Path(p) for p in args.content) if args.content else (),
        )
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = argparse.ArgumentParser(
        prog="vpkp-tutor",
        description="A terminal tutor for vertebroplasty and kyphoplasty.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="where progress is stored (default: the user data folder; "
                             "also VPKP_TUTOR_DATA)")
    parser.add_argument("--learner", metavar="NAME",
                        help="open the app as this learner (name or id), skipping the picker")
    parser.add_argument("--content", metavar="PATH", action="append",
                        help="load content from this folder instead of the bundled content "
                             "(repeatable)")
    parser.set_defaults(func=_cmd_run)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser("validate", help="check lessons, questions and cases",
                       description="Check content files; print every problem as "
                                   "path:line:col: severity: message. Exit 1 on any error.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or folders (default: the bundled content)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of a content file kind")
    p.add_argument("kind", nargs="?", default="questions", choices=["lesson", "questions", "case"])
    p.set_defaults(func=_cmd_schema)

    try:
        from vpkp_tutor.cli_store import add_store_commands
    except ImportError:  # pragma: no cover - store commands not installed
        pass
    else:
        add_store_commands(sub)
    from vpkp_tutor.cli_config import add_config_commands
    from vpkp_tutor.cli_learners import add_learner_commands

    add_config_commands(sub)
    add_learner_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        sys.stdout.flush()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`vpkp-tutor bindings | head`): stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
