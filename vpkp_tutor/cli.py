"""Command-line entry point: argument parsing and dispatch.

`vpkp-tutor` with no command opens the study app; `validate`, `new`, `preview` and `schema`
serve educators (`cli_studio`);
`locate`, `export` and `report` serve learners and program directors. Only the app command
imports Textual.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from vpkp_tutor import __version__


def _cmd_schema(args: argparse.Namespace) -> int:
    import json

    from vpkp_tutor.content.schema import MODELS

    schema = MODELS[args.kind].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"VP/KP Tutor {args.kind} file"
    text = json.dumps(schema, indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return 0
    import tempfile

    out = Path(args.output)
    if out.is_dir():
        print(f"vpkp-tutor: error: -o {out}: is a folder; give a file name, e.g. "
              f"{out / (args.kind + '.json')}", file=sys.stderr)
        return 2
    if out.exists() and not args.force and not _our_schema(out):
        print(f"vpkp-tutor: error: -o {out}: exists already and is not a schema this command "
              "wrote; give --force to replace it", file=sys.stderr)
        return 2
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        why = ("a part of the path is a file, not a folder" if isinstance(
            exc, FileExistsError | NotADirectoryError) else exc.strerror or exc)
        print(f"vpkp-tutor: error: cannot write {out}: {why}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


def _our_schema(path: Path) -> bool:
    """True when `path` holds a schema written by `vpkp-tutor schema` (rewritten freely: a
    newer version's schema replaces an older one)."""
    import json

    try:
        if not path.is_file() or path.stat().st_size > 10_000_000:
            return False
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and str(data.get("title", "")).startswith("VP/KP Tutor ")


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
    from vpkp_tutor import cli_out
    from vpkp_tutor.bootstrap import NEEDS_A_TERMINAL, LaunchOptions, is_terminal, run_app

    if args.learner is not None:  # refused before anything opens
        from vpkp_tutor.services.learners import learner_name

        try:
            learner_name(args.learner)
        except ValueError as exc:
            print(f"vpkp-tutor: error: --learner: {exc}", file=sys.stderr)
            return 2

    stdout = cli_out.unwrapped(sys.stdout)  # the prompt before the app needs the terminal
    if is_terminal(sys.stdin) and is_terminal(stdout) and not is_terminal(sys.__stderr__):
        return cli_out.fail(f"{NEEDS_A_TERMINAL}; the app draws on standard error, which "
                            "is not one")
    return run_app(
        LaunchOptions(
            data_dir=Path(args.data_dir) if args.data_dir else None,
            learner=args.learner,
            content_paths=tuple(Path(p) for p in args.content) if args.content else (),
            added_paths=tuple(Path(p) for p in args.add) if args.add else (),
        ),
        sys.stdin, stdout,
    )


BUNDLED = "bundled"
"""`--content bundled` names the bundled course (beside others: `--content bundled --content
COURSE`); a folder of that name is `./bundled`."""


GLOBAL_OPTIONS = ("data_dir", "learner", "content", "add")
"""The options every command takes, before or after the command's name."""


def _add_global_options(parser: argparse.ArgumentParser, *, after: bool) -> None:
    """--data-dir, --learner, --content and --add. On a command (`after`), each is stored under
    its own name (`data_dir_after` …) and merged by `_merge_global_options`, so a value
    given before the command is not overwritten by the command's defaults."""
    def dest(name: str) -> dict[str, object]:
        return {"dest": f"{name}_after", "default": argparse.SUPPRESS} if after else {}

    options: list[tuple[tuple[str, ...], dict[str, object]]] = [
        (("--data-dir",), {"metavar": "DIR", **dest("data_dir"),
                           "help": "where progress is stored (default: the user data folder; "
                                   "also VPKP_TUTOR_DATA)"}),
        (("--learner",), {"metavar": "NAME", **dest("learner"),
                          "help": "the learner (name or id): the app opens as this learner, "
                                  "skipping the picker; export exports this learner"}),
        (("--content",), {"metavar": "PATH", "action": "append", **dest("content"),
                          "help": "open this course folder (one with a course.yaml) instead "
                                  f"of the bundled course (`{BUNDLED}` names the bundled "
                                  "course); repeat it to open several courses: the app opens "
                                  "the first (or the one the learner chose last) and Home "
                                  "switches (s), export writes them all; a folder or file of "
                                  "items is read in place of the bundled items, or beside the "
                                  "one course named"}),
        (("--add",), {"metavar": "PATH", "action": "append", **dest("add"),
                      "help": "read this folder or file of items beside the open course's "
                              "own content, e.g. local questions beside the bundled bank "
                              "(repeatable)"}),
    ]
    for flags, kwargs in options:
        # `export` has its own --learner (the same meaning): that one stays
        with contextlib.suppress(argparse.ArgumentError):
            parser.add_argument(*flags, **kwargs)  # type: ignore[arg-type]


def _merge_global_options(args: argparse.Namespace) -> None:
    """One value per global option: given after the command it wins over before (for
    --content and --add, both lists are loaded, in order). `--content bundled` becomes the
    bundled course's folder."""
    for name in GLOBAL_OPTIONS:
        after = getattr(args, f"{name}_after", None)
        if after is None:
            continue
        delattr(args, f"{name}_after")
        if name in ("content", "add"):
            after = [*(getattr(args, name, None) or ()), *after]
        setattr(args, name, after)
    content = getattr(args, "content", None)
    if content and BUNDLED in content:
        from vpkp_tutor.content import bundled_manifest

        args.content = [str(bundled_manifest().parent) if p == BUNDLED else p
                        for p in content]


INPUTS = {"content": "--content", "add": "--add", "paths": "", "exports": "", "restore": "--restore"}
"""Options and arguments that name files to read: (dest, how the message names it)."""
SELF_CHECKED = frozenset({"paths", "exports"})
"""Inputs whose readers refuse a FIFO, device or socket themselves, with a located message
(`validate` reports it as the file's error; the export reader opens regular files only)."""
OUTPUTS = {"output": "-o"}
"""Options that name a file to write."""


def _check_paths(args: argparse.Namespace) -> str | None:
    """Why a path on the command line cannot be used, or None when all can. A --content
    path must exist; no file to read may be a FIFO, device or socket (reading one waits
    forever or never ends); no file to write may be one either (an export is written beside
    it and moved into its place, which would replace it)."""
    import os
    import stat

    def kind(raw: str) -> str | None:
        """None for a regular file, a folder or nothing there; else what it is."""
        try:
            mode = os.stat(raw).st_mode
        except (OSError, ValueError):
            return None  # missing or unreadable: the command says so in its own words
        if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
            return None
        return ("a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a device")

    for dest in ("data_dir", *INPUTS, *OUTPUTS):
        value = getattr(args, dest, None)
        for raw in [value] if isinstance(value, str) else value or ():
            if "\x00" in raw:  # only from a program calling main(), never from a shell
                return f"{raw}: a path cannot hold a NUL character"
    data_dir = getattr(args, "data_dir", None)
    if data_dir == "":  # `--data-dir "$UNSET"` must not fall back to the usual folder
        return "--data-dir: an empty path names no folder"
    if data_dir and os.path.exists(data_dir) and not os.path.isdir(data_dir):
        data_kind = kind(data_dir) or "a file"
        return (f"cannot open the progress database in {data_dir}: it is {data_kind}, not a "
                "folder; choose another folder with --data-dir DIR")
    for flag, raw in [*(("--content", r) for r in args.content or ()),
                      *(("--add", r) for r in getattr(args, "add", None) or ())]:
        try:
            os.stat(raw)
        except FileNotFoundError:
            return f"{flag} {raw}: no such file or folder"
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            return f"{flag} {raw}: cannot be read ({reason[:1].lower() + reason[1:]})"
    for dest, flag in INPUTS.items():
        if dest in SELF_CHECKED:
            continue
        value = getattr(args, dest, None)
        for raw in [value] if isinstance(value, str) else value or ():
            if dest == "restore" and raw == "latest":
                continue
            what = kind(raw)
            if what:
                return (f"{flag + ' ' if flag else ''}{raw}: is {what}, not a file or folder "
                        "that can be read")
    for dest, flag in OUTPUTS.items():
        value = getattr(args, dest, None)
        what = kind(value) if isinstance(value, str) else None
        if what:
            return f"{flag} {value}: is {what}; name a file to write (it is replaced)"
    return None


class _NotTheApp(Exception):
    """The command line is not a plain start of the app (see `_parse`)."""


class _AppOnlyParser(argparse.ArgumentParser):
    """The top-level options alone: a usage error here means "parse again with every
    command" rather than an exit."""

    def error(self, message: str) -> NoReturn:
        raise _NotTheApp(message)


def _top_parser(cls: type[argparse.ArgumentParser] = argparse.ArgumentParser
                ) -> argparse.ArgumentParser:
    """The parser's top level: the app's options, before any command."""
    parser = cls(
        prog="vpkp-tutor",
        description="A terminal tutor for vertebroplasty and kyphoplasty.",
        epilog="--data-dir, --learner, --content and --add may be given before or after the "
               "command's name.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_global_options(parser, after=False)
    parser.set_defaults(func=_cmd_run)
    return parser


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line. Opening the app (no command: the common case, and the one
    whose start-up is timed) needs only the top-level options, so those are tried first;
    anything else — a command, --help, an error — is parsed by the parser of every command,
    which then gives the same result and messages as always."""
    args_list = sys.argv[1:] if argv is None else list(argv)
    if not any(a in ("-h", "--help") for a in args_list):
        try:
            args, extra = _top_parser(_AppOnlyParser).parse_known_args(args_list)
        except _NotTheApp:
            pass
        else:
            if not extra:
                return args
    return build_parser().parse_args(args_list)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = _top_parser()
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    from vpkp_tutor.cli_studio import add_studio_commands

    add_studio_commands(sub)  # validate, new, preview

    p = sub.add_parser("schema", help="print the JSON Schema of a content file kind")
    p.add_argument("kind", nargs="?", default="questions",
                   choices=["lesson", "questions", "case", "course"],
                   help="the kind of file (default: questions)")
    p.add_argument("-o", "--output", metavar="PATH",
                   help="write the schema to PATH (its folder is created) instead of printing it; "
                        "a schema written before is replaced, any other file only with --force")
    p.add_argument("--force", action="store_true",
                   help="replace PATH even when it is not a schema this command wrote")
    p.set_defaults(func=_cmd_schema)

    from vpkp_tutor.cli_config import add_config_commands
    from vpkp_tutor.cli_interchange import add_interchange_commands
    from vpkp_tutor.cli_learners import add_learner_commands
    from vpkp_tutor.cli_report import add_report_command
    from vpkp_tutor.cli_store import add_store_commands
    from vpkp_tutor.cli_sync import add_sync_command

    add_store_commands(sub)
    add_report_command(sub)
    add_sync_command(sub)
    add_config_commands(sub)
    add_learner_commands(sub)
    add_interchange_commands(sub)
    for command in sub.choices.values():
        _add_global_options(command, after=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Everything printed is cleaned (`cli_out`). A failure of the environment ends in one line
    on stderr, never a traceback: standard output closed or full (exit 1), a file or folder
    that cannot be read or written (exit 1), a --content path that does not exist (exit 2).
    """
    from vpkp_tutor import cli_out

    _fill_closed_descriptors()
    with cli_out.cleaned_output():
        try:
            return _main(argv)
        except KeyboardInterrupt:
            return 130
        except BrokenPipeError:  # the reader went away (`vpkp-tutor bindings | head`)
            _discard_stdout()
            return 141
        except cli_out.OutputError as exc:
            _discard_stdout()
            return cli_out.fail(str(exc), 1)
        except PermissionError as exc:  # a folder on the way that cannot be entered
            return cli_out.fail(f"{cli_out.describe(exc)} (check the permissions of the "
                                "folders on the way, or choose another data folder with "
                                "--data-dir DIR)", 1)
        except OSError as exc:
            return cli_out.fail(cli_out.describe(exc), 1)


def _main(argv: Sequence[str] | None) -> int:
    from vpkp_tutor import cli_out

    try:
        args = _parse(argv)
    except SystemExit as exc:  # usage errors (2), --help and --version (0)
        sys.stdout.flush()
        return exc.code if isinstance(exc.code, int) else 2
    _merge_global_options(args)
    problem = _check_paths(args)
    if problem:
        return cli_out.fail(problem)
    if args.func is not _cmd_run and cli_out.stdout_closed():
        return cli_out.fail("standard output is closed: nothing could be shown (send it to "
                            "a file, or to /dev/null, instead)", 1)
    code: int = args.func(args)
    sys.stdout.flush()
    return code


def _fill_closed_descriptors() -> None:
    """Open /dev/null on standard input, output or error when closed (`>&-`), so that no
    file opened later (the progress database, an export) takes descriptor 0, 1 or 2 and
    receives what is meant for the terminal. `sys.stdout` stays None: the command still
    knows that its output is closed."""
    import os

    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            opened = os.open(os.devnull, os.O_RDWR)
            if opened != fd:  # pragma: no cover - a lower descriptor was free
                os.dup2(opened, fd)
                os.close(opened)


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so that what is still buffered for it goes
    nowhere (rather than failing again, with a traceback, as the interpreter exits)."""
    import contextlib
    import os

    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
