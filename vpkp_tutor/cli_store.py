"""The store's commands: `locate`, `export` and `recover` (added to the CLI's subparsers;
`report` is in `cli_report`).

None of them imports Textual. Every failure the user can cause — an unknown learner, an
unwritable output path, a malformed export — ends in one clear line on stderr and exit
code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_store_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `locate`, `export` and `recover` to the CLI."""
    p = subparsers.add_parser(
        "locate", help="print where progress and backups live",
        description="Print the data folder, the progress database and the backups folder "
                    "(honours --data-dir and VPKP_TUTOR_DATA); settings are kept in the "
                    "database.")
    p.set_defaults(func=cmd_locate)

    from vpkp_tutor.export.formats import FORMATS, NAMES

    p = subparsers.add_parser(
        "export", help=f"export a learner's scores ({', '.join(NAMES)})",
        description="Write one learner's scores. "
                    + "; ".join(f"{f.name}: {f.about}" for f in FORMATS) + ". With "
                    "several courses (--content A --content B), csv and xapi write every "
                    "course's scores into one file, each row or statement naming its course; "
                    "json holds one course.")
    p.add_argument("--learner", dest="export_learner", metavar="ID|NAME",
                   help="learner id or display name (default: the global --learner)")
    p.add_argument("--format", dest="export_format", choices=NAMES,
                   required=True, help="output format")
    p.add_argument("-o", "--output", metavar="PATH", required=True, help="file to write")
    p.add_argument("--force", action="store_true",
                   help="overwrite the output file(s) if they exist")
    p.set_defaults(func=cmd_export)

    p = subparsers.add_parser(
        "recover", help="check the progress database; restore a backup or start fresh",
        description="Without options: check the progress database and list the backups. "
                    "--restore puts a backup in place of the database; --fresh starts an "
                    "empty one. Either way the current file is never deleted: it is renamed "
                    "to progress.damaged-<time>.sqlite3 in the data folder.")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--restore", metavar="latest|PATH",
                     help="restore the newest good backup (latest) or the backup at PATH")
    how.add_argument("--fresh", action="store_true",
                     help="set the current database aside and start an empty one")
    p.set_defaults(func=cmd_recover)


def _fail(message: str) -> int:
    from vpkp_tutor.cli_out import fail

    return fail(message)


def cmd_locate(args: argparse.Namespace) -> int:
    """Print where data, the database and backups live."""
    from vpkp_tutor.storage.paths import resolve_paths

    data_dir = getattr(args, "data_dir", None)
    paths = resolve_paths(Path(data_dir) if data_dir else None)
    exists = "" if paths.db_path.exists() else "  (not created yet)"
    print(f"data:     {paths.data_dir}   [from {paths.source}]")
    print(f"database: {paths.db_path}{exists}")
    print(f"backups:  {paths.backups_dir}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export one learner's scores."""
    from vpkp_tutor.bootstrap import LaunchOptions, load_banks
    from vpkp_tutor.export import ExportError, OutputExists
    from vpkp_tutor.services import Services
    from vpkp_tutor.services.progress import export_courses
    from vpkp_tutor.storage import StoreError, resolve_paths
    from vpkp_tutor.storage.store import open_store_for_reading

    who = args.export_learner or getattr(args, "learner", None)
    if not who:
        return _fail("say whose scores to export: --learner ID|NAME")
    output = Path(args.output)
    data_dir = getattr(args, "data_dir", None)
    paths = resolve_paths(Path(data_dir) if data_dir else None)
    if not paths.db_path.exists():
        return _fail(f"no progress stored yet in {paths.data_dir}")
    from vpkp_tutor.export import output_paths
    from vpkp_tutor.export.files import check_outputs
    from vpkp_tutor.services.progress import protected_paths

    try:  # refused before the store is opened: a refusal touches nothing
        check_outputs(output_paths(args.export_format, output), protected_paths(paths),
                      args.force)
    except (ExportError, OutputExists) as exc:
        return _fail(str(exc))
    try:  # an export only reads: no daily backup; read-only when it cannot write
        store = open_store_for_reading(paths.data_dir)
    except StoreError as exc:
        hint = "; `vpkp-tutor recover` shows the way out" if exc.recoverable else ""
        return _fail(f"{exc}{hint}")
    for notice in store.notices:
        print(f"vpkp-tutor: warning: {notice}", file=sys.stderr)
    try:
        content = tuple(Path(p) for p in (getattr(args, "content", None) or ()))
        added = tuple(Path(p) for p in (getattr(args, "add", None) or ()))
        banks = load_banks(LaunchOptions(data_dir=paths.data_dir, content_paths=content,
                                         added_paths=added))
        services = Services(banks[0], store)
        learner = services.resolve_learner(who)
        if len(banks) > 1:  # several courses: one file, each row naming its course
            written = export_courses(banks, store, learner.id, args.export_format, output,
                                     overwrite=args.force)
        else:
            written = services.export(learner.id, args.export_format, output,
                                      overwrite=args.force)
        covered = {bank.course.id for bank in banks}
        elsewhere = {course: n for course, n in store.answered_by_course(learner.id).items()
                     if course not in covered and n}
    except (ExportError, OutputExists) as exc:
        return _fail(str(exc))
    except ValueError as exc:
        return _fail(str(exc))
    finally:
        store.close()
    for path in output_paths(args.export_format, written):
        print(f"wrote {path}")
    from vpkp_tutor.cli_out import warn

    for course, n in sorted(elsewhere.items()):
        warn(f"{learner.display_name} also answered {n} question{'s' if n != 1 else ''} in "
             f"the course {course!r}, which this export does not cover: name that course's "
             "folder with --content (or add it with --add) to export them")
    return 0


def cmd_recover(args: argparse.Namespace) -> int:
    """Check the database, or restore a backup / start fresh, keeping the current file.

    Exit status: 0 when all is well (or the recovery was made), 1 when the check finds a
    problem or the recovery is refused (the database is in use, or the file is not ours to
    replace), 2 for a request that cannot be carried out (no such backup)."""
    import datetime as dt

    from vpkp_tutor.bootstrap import LaunchOptions, recovery_commands
    from vpkp_tutor.storage import StoreError, open_store, resolve_paths
    from vpkp_tutor.storage.guard import StoreLock, exclusive, in_use_error, wal_path, wal_problem
    from vpkp_tutor.storage.health import check_existing
    from vpkp_tutor.storage.recovery import (
        latest_backup,
        list_backups,
        restore_backup,
        start_fresh,
    )

    data_dir = getattr(args, "data_dir", None)
    paths = resolve_paths(Path(data_dir) if data_dir else None)
    now = dt.datetime.now(dt.UTC)
    if not args.restore and not args.fresh:
        lock = StoreLock(paths)
        try:
            alone = lock.try_exclusive()
            in_use = "" if alone else str(in_use_error(paths, lock))
        finally:
            lock.release()
        kind, wal = "", wal_problem(paths) if alone else None
        if wal:  # checked first: reading the database would read through that -wal
            state, code = (f"{wal_path(paths)} was written for another database ({wal}); "
                           "the app will not apply it: the next start sets it aside, "
                           "unchanged"), 1
        else:
            try:
                exists = check_existing(paths)
                state, code = ("ok" if exists else "not created yet"), 0
            except StoreError as exc:
                state, code, kind = str(exc), 1, exc.kind
        print(f"database: {paths.db_path}\nstate:    {state}")
        if in_use:
            print("note:     " + in_use.replace(
                "; close it first", "; close it before restoring a backup or starting fresh"))
        backups = list_backups(paths)
        print(f"backups:  {paths.backups_dir}" + ("" if backups else "  (none)"))
        for b in backups:
            when = b.taken_at.astimezone().strftime("%Y-%m-%d %H:%M")
            print(f"  {when}  {b.path.name}" + (f"  (not usable: {b.problem})"
                                                if b.problem else ""))
        if kind in (StoreError.FOREIGN, StoreError.DENIED):
            return code  # nothing to restore over or set aside: the file is left alone
        print("\nTo restore a backup or start fresh (the current file is kept):")
        for what, command in recovery_commands(LaunchOptions(data_dir=paths.data_dir))[1:]:
            print(f"  {command}\n      ({what})")
        return code
    try:
        check_existing(paths)
    except StoreError as exc:
        if exc.kind in (StoreError.FOREIGN, StoreError.DENIED):
            print(f"vpkp-tutor: error: {exc}; recover will not replace it", file=sys.stderr)
            return 1
    try:
        with exclusive(paths):
            if args.fresh:
                kept = start_fresh(paths, now)
                done = "started an empty progress database"
            else:
                if args.restore == "latest":
                    info = latest_backup(paths)
                    if info is None:
                        return _fail(f"no usable backup in {paths.backups_dir}; "
                                     "use --fresh to start an empty database")
                    source = info.path
                else:
                    source = Path(args.restore).expanduser()
                    if not source.is_file():
                        return _fail(f"no backup file at {source}")
                kept = restore_backup(paths, source, now)
                done = f"restored {source}"
        open_store(paths.data_dir, daily_backups=False).close()
    except StoreError as exc:
        print(f"vpkp-tutor: error: {exc}", file=sys.stderr)
        return 1 if exc.kind == StoreError.BUSY else 2
    print(done + (f"; the previous file is kept as {kept}" if kept else ""))
    return 0
