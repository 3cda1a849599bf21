"""The store's commands: `locate`, `export`, `report` and `recover` (added to the CLI's
subparsers).

None of them imports Textual. Every failure the user can cause — an unknown learner, an
unwritable output path, a malformed export — ends in one clear line on stderr and exit
code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.table import Table
    from rich.text import Text

    from vpkp_tutor.export.cohort import CohortReport


def add_store_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `locate`, `export`, `report` and `recover` to the CLI."""
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
                    + "; ".join(f"{f.name}: {f.about}" for f in FORMATS) + ".")
    p.add_argument("--learner", dest="export_learner", metavar="ID|NAME",
                   help="learner id or display name (default: the global --learner)")
    p.add_argument("--format", dest="export_format", choices=NAMES,
                   required=True, help="output format")
    p.add_argument("-o", "--output", metavar="PATH", required=True, help="file to write")
    p.add_argument("--force", action="store_true",
                   help="overwrite the output file(s) if they exist")
    p.set_defaults(func=cmd_export)

    p = subparsers.add_parser(
        "report",
        help="merge learners' JSON exports into a cohort summary (and a CSV with -o)",
        description="Merge JSON exports (the same export twice counts once) and print a "
                    "summary; with -o, also write a cohort CSV (one row per learner and "
                    "topic). Every export is checked before use: a file that is not a "
                    "learner export, too large, or holds a value out of range is refused "
                    "with its name and the field.")
    p.add_argument("exports", nargs="*", metavar="EXPORT.json", help="learner JSON exports")
    from vpkp_tutor.cli_sync import add_lrs_report_options

    add_lrs_report_options(p)
    p.add_argument("-o", "--output", metavar="PATH", default=None,
                   help="also write the cohort CSV to PATH (default: print only)")
    p.add_argument("--force", action="store_true",
                   help="overwrite the cohort CSV if it exists")
    p.add_argument("--top", type=int, default=10, metavar="N",
                   help="how many most-missed items to list (default: 10)")
    p.set_defaults(func=cmd_report)

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
    from vpkp_tutor.bootstrap import LaunchOptions, load_bank
    from vpkp_tutor.export import ExportError, OutputExists
    from vpkp_tutor.services import Services
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
        services = Services(
            load_bank(LaunchOptions(data_dir=paths.data_dir, content_paths=content)), store)
        learner = services.resolve_learner(who)
        written = services.export(learner.id, args.export_format, output,
                                  overwrite=args.force)
    except (ExportError, OutputExists) as exc:
        return _fail(str(exc))
    except ValueError as exc:
        return _fail(str(exc))
    finally:
        store.close()
    for path in output_paths(args.export_format, written):
        print(f"wrote {path}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Merge JSON exports and print the cohort summary; with -o, write the cohort CSV."""
    import os

    from vpkp_tutor.export import ExportError, OutputExists
    from vpkp_tutor.export.cohort import build_report, write_cohort_csv
    from vpkp_tutor.export.files import check_output
    from vpkp_tutor.services.progress import protected_paths
    from vpkp_tutor.storage import resolve_paths

    output = Path(args.output) if args.output else None
    data_dir = getattr(args, "data_dir", None)
    protected = protected_paths(resolve_paths(Path(data_dir) if data_dir else None))
    try:
        if output is not None:  # before reading the exports: a refusal costs nothing
            if any(os.path.realpath(output) == os.path.realpath(p) for p in args.exports):
                return _fail(f"cannot write {output}: it is one of the exports being read")
            check_output(output, protected, overwrite=args.force)
        if getattr(args, "lrs", False) or not args.exports:
            from vpkp_tutor.cli_sync import lrs_report

            found = lrs_report(args)
            if isinstance(found, str):
                return _fail(found)
            report = found
        else:
            report = build_report([Path(p) for p in args.exports],
                                  most_missed=max(0, args.top))
        written = (write_cohort_csv(report, output, protected=protected, overwrite=args.force)
                   if output else None)
    except (ExportError, OutputExists) as exc:
        return _fail(str(exc))
    print_report(report)
    if written is not None:
        print(f"\nwrote {written} (one row per learner and topic)")
    return 0


def print_report(report: CohortReport) -> None:
    """Print the cohort summary: one line per learner (overall accuracy, share of the bank
    answered, lessons, critical errors and a compact accuracy-by-topic grid, with a cohort
    line at the foot), the case runs ended by a critical error and the most-missed items.
    The full learner × topic detail is in the cohort CSV. Every string from the export
    files is shown as one line of plain text: an export is a file anyone can edit, so escape
    sequences and control characters in it never reach the terminal."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from vpkp_tutor.domain.progress import clean_name
    from vpkp_tutor.export.record import topic_label

    def plain(value: str) -> Text:
        return Text(clean_name(value))

    console = Console(highlight=False)
    n = len(report.learners)
    console.print(f"[bold]Cohort report[/bold]: {n} learner{'s' if n != 1 else ''}"
                  + (f", {report.duplicates_ignored} duplicate responses counted once"
                     if report.duplicates_ignored else ""))
    if report.fingerprint_mismatch:
        console.print("[bold yellow]Warning:[/bold yellow] these exports come from different "
                      "versions of the content; scores may not be comparable:")
        for fp, sources in report.fingerprints.items():
            console.print(plain(f"  {fp[:16] or '(none)'}: " + ", ".join(sources)))

    console.print("\n[bold]Learners[/bold]: accuracy and completion in %, overall and by topic")
    console.print(_learner_table(report, plain))
    topics = dict.fromkeys(row.topic for row in report.rows)
    console.print(plain("Acc: points scored of those available. Items: share of the bank's "
                        "questions answered. Crit: case runs ended by a critical error. "
                        "–: nothing answered. Topics: " + ", ".join(
                            f"{_topic_code(t)} {topic_label(t)}" for t in topics) + "."),
                  style="dim")

    if report.critical_cases:
        console.print("\n[bold]Cases ended by a critical error[/bold]")
        cases = Table(box=box.SIMPLE, padding=(0, 1, 0, 0), show_edge=False)
        for col in ("Learner", "Case", "Critical choice"):
            cases.add_column(col)
        for c in report.critical_cases:
            cases.add_row(plain(c.learner.display_name), plain(c.title),
                          plain(", ".join(c.critical_errors)))
        console.print(cases)
    else:
        console.print("\nNo case ended in a critical error.")

    if report.most_missed:
        console.print("\n[bold]Most-missed items[/bold]")
        missed = Table(box=box.SIMPLE, padding=(0, 1, 0, 0), show_edge=False)
        for col in ("Question", "Topic", "Misses", "Learners"):
            missed.add_column(col, justify="right" if col in ("Misses", "Learners") else "left")
        for item in report.most_missed:
            missed.add_row(plain(item.question_id), plain(topic_label(item.topic)),
                           f"{item.misses}/{item.responses}", str(item.learners_missing))
        console.print(missed)


def _topic_code(topic: str) -> str:
    """A topic's heading in the printed report's grid (three letters at most)."""
    from vpkp_tutor.domain.model import Topic

    codes: dict[str, str] = {
        Topic.ANATOMY: "Ana", Topic.PATIENT_SELECTION: "Sel", Topic.IMAGING: "Img",
        Topic.VP_TECHNIQUE: "VP", Topic.KP_TECHNIQUE: "KP", Topic.COMPLICATIONS: "Cmp",
        Topic.EVIDENCE: "Evd", Topic.BILLING: "Bil", Topic.AFTERCARE: "Aft"}
    return codes.get(topic) or topic[:3].title() or "–"


def _percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}" if whole else "–"


def _learner_table(report: CohortReport, plain: Callable[[str], Text]) -> Table:
    """One line per learner with a cohort line at the foot."""
    from collections import Counter, defaultdict

    from rich import box
    from rich.table import Table

    from vpkp_tutor.export.cohort import TopicRow

    rows: dict[str, dict[str, TopicRow]] = defaultdict(dict)
    for row in report.rows:
        rows[row.learner.id][row.topic] = row
    topics = list(dict.fromkeys(row.topic for row in report.rows))
    critical = Counter(c.learner.id for c in report.critical_cases)

    def sums(lines: list[TopicRow]) -> list[str]:
        return [
            _percent(sum(r.points for r in lines), sum(r.max_points for r in lines)),
            _percent(sum(r.items_answered for r in lines), sum(r.items_in_bank for r in lines)),
            f"{sum(r.lessons_completed for r in lines)}/{sum(r.lessons_total for r in lines)}",
        ]

    everyone = [*report.rows]
    cohort = [*sums(everyone), str(sum(critical.values()))] + [
        _percent(sum(r.points for r in everyone if r.topic == t),
                 sum(r.max_points for r in everyone if r.topic == t)) for t in topics]
    table = Table(box=box.SIMPLE, padding=0, show_edge=False, show_footer=True)
    table.add_column("Learner", footer=f"Cohort ({len(report.learners)})", no_wrap=True,
                     overflow="ellipsis", max_width=18)
    for col, foot in zip(("Acc", "Items", "Lessons", "Crit"), cohort[:4], strict=True):
        table.add_column(col, footer=foot, justify="right", no_wrap=True)
    table.add_column("│", footer="│", width=1)  # overall | by topic
    for topic, foot in zip(topics, cohort[4:], strict=True):
        table.add_column(plain(_topic_code(topic)), footer=foot, justify="right",
                         no_wrap=True, min_width=3)
    for m in report.learners:
        mine = rows.get(m.learner.id, {})
        table.add_row(plain(m.learner.display_name), *sums(list(mine.values())),
                      str(critical[m.learner.id]), "│",
                      *[_percent(r.points, r.max_points) if (r := mine.get(t)) else "–"
                        for t in topics])
    return table


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
