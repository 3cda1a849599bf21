"""`vpkp-tutor report`: merge learners' JSON exports into the program director's report —
a printed summary with the item flags, and on request a cohort CSV (-o), an item analysis
CSV (--csv) and a self-contained HTML report (--html).

Every failure the user can cause (a bad export, an output that cannot be written) ends in
one line on stderr naming the file, exit 2, and nothing written.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from vpkp_tutor.domain.model import ContentBank
    from vpkp_tutor.export.cohort import CohortReport
    from vpkp_tutor.report.build import DirectorReport

ITEM_COLUMNS = (
    "question_id", "topic", "type", "n", "facility", "point_biserial", "upper_lower",
    "flags", "options", "option_proportions", "option_point_biserials", "keys",
    "disagree", "disagree_comments", "confident_errors",
)
"""Header of the item analysis CSV (one row per item). `disagree`: answers whose learner
tagged the miss "disagree with the key"; `disagree_comments`: their comments (those
written, oldest first) as a JSON array of strings; `confident_errors`: answers stated
"sure" that missed full marks."""


def add_report_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]
                       ) -> None:
    """Add `report` to the CLI."""
    p = subparsers.add_parser(
        "report",
        help="merge learners' JSON exports into a cohort report (HTML with --html)",
        description="Merge JSON exports (files, or folders of *.json; the same export twice "
                    "counts once) and print a summary with the item analysis flags. With "
                    "--html, write a self-contained report for a program director (who is "
                    "behind and on what, objective heat map, item analysis, case outcomes); "
                    "with --csv, the item analysis as CSV; with -o, the cohort CSV (one row "
                    "per learner and topic). Every export is checked before use: a file that "
                    "is not a learner export, too large, or holds a value out of range is "
                    "refused with its name and the field.")
    p.add_argument("exports", nargs="*", metavar="EXPORT.json|FOLDER",
                   help="learner JSON exports, or folders holding them")
    from vpkp_tutor.cli_sync import add_lrs_report_options

    add_lrs_report_options(p)
    p.add_argument("-o", "--output", metavar="PATH", default=None,
                   help="also write the cohort CSV to PATH")
    p.add_argument("--html", metavar="PATH", default=None,
                   help="write the HTML report to PATH")
    p.add_argument("--csv", dest="items_csv", metavar="PATH", default=None,
                   help="write the item analysis (one row per item) to PATH")
    p.add_argument("--anonymise", "--anonymize", action="store_true",
                   help="show stable codes instead of learners' names in the HTML report")
    p.add_argument("--threshold", type=_fraction, default=None, metavar="0..1",
                   help="mastery under which a learner is behind on an objective "
                        "(default: 0.6)")
    p.add_argument("--min-n", type=_count(1), default=None, metavar="N",
                   help="fewest answers for an item to be flagged (default: 10)")
    p.add_argument("--force", action="store_true",
                   help="overwrite output files that exist")
    p.add_argument("--top", type=_count(0), default=10, metavar="N",
                   help="how many most-missed items to list (default: 10)")
    p.set_defaults(func=cmd_report)


def _fraction(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{raw} is not between 0 and 1")
    return value


def _count(least: int) -> Callable[[str], int]:
    """An argument type: a whole number of at least `least`."""

    def count(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"{raw} is less than {least}")
        return value

    return count


def _fail(message: str) -> int:
    from vpkp_tutor.cli_out import fail

    return fail(message)


def expand_exports(raw: list[str]) -> list[Path]:
    """Files as given; a folder gives its *.json files (sorted). ExportError for a folder
    without any."""
    from vpkp_tutor.export import ExportError

    paths: list[Path] = []
    for item in raw:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".json"
                           and not p.name.startswith("."))
            if not found:
                raise ExportError(f"{path}: a folder with no JSON exports (*.json) in it")
            paths.extend(found)
        else:
            paths.append(path)
    return paths


def _output_kind(raw: str) -> str | None:
    try:
        mode = os.stat(raw).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"


def cmd_report(args: argparse.Namespace) -> int:
    """Merge JSON exports, print the summary and write what was asked for."""
    from vpkp_tutor.bootstrap import CourseOpenError, lines
    from vpkp_tutor.export import ExportError, OutputExists
    from vpkp_tutor.export.files import check_output
    from vpkp_tutor.report.forked import beside, heap_set_aside
    from vpkp_tutor.services.progress import protected_paths
    from vpkp_tutor.storage import resolve_paths

    outputs = [(flag, Path(value)) for flag, value in (
        ("-o", args.output), ("--html", args.html), ("--csv", args.items_csv)) if value]
    data_dir = getattr(args, "data_dir", None)
    protected = protected_paths(resolve_paths(Path(data_dir) if data_dir else None))
    cohort = None
    if getattr(args, "lrs", False) or not args.exports:
        from vpkp_tutor.cli_sync import lrs_report

        found = lrs_report(args)
        if isinstance(found, str):
            return _fail(found)
        cohort = found
    try:
        exports = expand_exports(args.exports)
        real_inputs = {os.path.realpath(p) for p in exports}
        seen: dict[str, str] = {}
        for flag, out in outputs:  # before reading the exports: a refusal costs nothing
            if kind := _output_kind(str(out)):
                return _fail(f"{flag} {out}: is {kind}; name a file to write (it is replaced)")
            real = os.path.realpath(out)
            if real in real_inputs:
                return _fail(f"cannot write {out}: it is one of the exports being read")
            if real in seen:
                return _fail(f"{flag} {out}: the same file as {seen[real]}")
            seen[real] = flag
            check_output(out, protected, overwrite=args.force)
        report = _build(args, exports, cohort)
        with heap_set_aside():  # (its objects live to the end)
            summary = beside(lambda: summary_text(report), len(report.cohort.answers))
            written = _write(args, report, protected)
            text = summary()
    except (ExportError, OutputExists) as exc:
        return _fail(str(exc))
    except CourseOpenError as exc:  # --html and --csv read one course's content
        return _fail(f"cannot open the course:{lines(str(exc))}")
    sys.stdout.write(text)
    for path, what in written:
        print(f"wrote {path} ({what})")
    return 0


def _build(args: argparse.Namespace, exports: list[Path],
           cohort: CohortReport | None = None) -> DirectorReport:
    from vpkp_tutor.report.build import NO_COURSE, build_director_report, course_from_bank
    from vpkp_tutor.report.items import MIN_N
    from vpkp_tutor.report.rollup import BELOW

    course = NO_COURSE
    if args.html or args.items_csv:  # stems, options and objectives come from the content
        course = course_from_bank(_load_bank(args))
    return build_director_report(
        exports, course, anonymise=args.anonymise,
        threshold=BELOW if args.threshold is None else args.threshold,
        min_n=MIN_N if args.min_n is None else max(1, args.min_n),
        most_missed=max(0, args.top), cohort=cohort)


def _load_bank(args: argparse.Namespace) -> ContentBank:
    from vpkp_tutor.bootstrap import LaunchOptions, load_bank

    data_dir = getattr(args, "data_dir", None)
    content = tuple(Path(p) for p in (getattr(args, "content", None) or ()))
    added = tuple(Path(p) for p in (getattr(args, "add", None) or ()))
    return load_bank(LaunchOptions(data_dir=Path(data_dir) if data_dir else None,
                                   content_paths=content, added_paths=added))


def _write(args: argparse.Namespace, report: DirectorReport,
           protected: tuple[Path, ...]) -> list[tuple[Path, str]]:
    from vpkp_tutor.export.cohort import write_cohort_csv
    from vpkp_tutor.report.html import write_html

    written: list[tuple[Path, str]] = []
    if args.output:
        written.append((write_cohort_csv(report.cohort, Path(args.output), protected=protected,
                                         overwrite=args.force),
                        "one row per learner and topic"))
    if args.items_csv:
        written.append((write_items_csv(report, Path(args.items_csv), protected, args.force),
                        "item analysis, one row per item"))
    if args.html:
        written.append((write_html(report, Path(args.html), protected=protected,
                                   overwrite=args.force,
                                   topic_label=lambda t: report.cohort.topic(t).label),
                        "HTML report"))
    return written


def write_items_csv(report: DirectorReport, path: Path, protected: tuple[Path, ...] = (),
                    overwrite: bool = False) -> Path:
    """The item analysis as CSV (formula-safe writer, written atomically)."""
    import json

    from vpkp_tutor.export.csv_safe import SafeCsvWriter
    from vpkp_tutor.export.files import atomic_text, check_output

    def num(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    def per_option(values: list[tuple[str, float | None]]) -> str:  # "A=0.25;B=-0.10"
        return ";".join(f"{x}={'' if v is None else f'{v:.4f}'}" for x, v in values)

    check_output(path, protected, overwrite)
    with atomic_text(path, newline="") as stream:
        writer = SafeCsvWriter(stream, ITEM_COLUMNS)
        for s in report.items:
            d = report.disagree.get(s.question_id)
            writer.writerow((
                s.question_id, s.topic, s.type, s.n, num(s.facility), num(s.point_biserial),
                num(s.upper_lower), ";".join(s.flags), ";".join(o.letter for o in s.options),
                per_option([(o.letter, o.proportion) for o in s.options]),
                per_option([(o.letter, o.point_biserial) for o in s.options]),
                ";".join(o.letter for o in s.options if o.keyed),
                d.count if d else 0,
                json.dumps([a.comment for a in d.comments], ensure_ascii=False) if d else "[]",
                report.confident_errors.get(s.question_id, 0)))
    return path


def summary_text(report: DirectorReport) -> str:
    """The cohort summary and the item flags as `print_report` and `print_flags` print them
    to this terminal (worked out beside the HTML for a large cohort, printed after it)."""
    from rich.console import Console

    console = Console(highlight=False)
    with console.capture() as captured:
        print_report(report.cohort, console)
        print_flags(report, console)
    return captured.get()


def print_flags(report: DirectorReport, console: Console | None = None) -> None:
    """The item analysis flags, counted, and the flagged items (worst first)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from vpkp_tutor.domain.progress import clean_name
    from vpkp_tutor.report.items import FLAG_LABELS

    console = console or Console(highlight=False)
    counts: dict[str, int] = {}
    for s in report.items:
        for f in s.flags:
            counts[f] = counts.get(f, 0) + 1
    flagged = [s for s in report.items if s.flags and not s.suppressed]
    few = counts.get("too_few", 0)
    console.print(f"\n[bold]Item flags[/bold]: {len(flagged)} of {len(report.items)} items"
                  + (f" ({few} with too few answers to judge, under {report.min_n})"
                     if few else ""))
    if not flagged:
        return
    entries = [f"{FLAG_LABELS[f]}: {n}" for f, n in counts.items() if f != "too_few"]
    line = ""
    for entry in entries:  # whole entries per line: a count stays beside its flag
        if line and len(line) + len(entry) + 2 > max(40, console.width - 2):
            console.print("  " + line + ",")
            line = ""
        line = f"{line}, {entry}" if line else entry
    console.print("  " + line)
    table = Table(box=box.SIMPLE, padding=(0, 1, 0, 0), show_edge=False)
    for col in ("Question", "n", "Facility", "r", "Flags"):
        table.add_column(col, justify="left" if col in ("Question", "Flags") else "right")
    for s in flagged[:15]:
        table.add_row(Text(clean_name(s.question_id)), str(s.n), f"{s.facility:.2f}",
                      "–" if s.point_biserial is None else f"{s.point_biserial:.2f}",
                      ", ".join(FLAG_LABELS[f] for f in s.flags))
    console.print(table)
    if len(flagged) > 15:
        console.print(f"  … and {len(flagged) - 15} more (all in --csv and --html)",
                      style="dim")


def print_report(report: CohortReport, console: Console | None = None) -> None:
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

    def plain(value: str) -> Text:
        return Text(clean_name(value))

    console = console or Console(highlight=False)
    n = len({m.learner.id for m in report.learners})
    courses = len({m.course.id for m in report.learners})
    console.print(f"[bold]Cohort report[/bold]: {n} learner{'s' if n != 1 else ''}"
                  + (f" in {courses} courses (a row per learner and course)"
                     if courses > 1 else "")
                  + (f", {report.duplicates_ignored} duplicate responses counted once"
                     if report.duplicates_ignored else ""))
    if report.fingerprint_mismatch:
        console.print("[bold yellow]Warning:[/bold yellow] these exports come from different "
                      "versions of the content; scores may not be comparable:")
        for fp, sources in report.fingerprints.items():
            console.print(plain(f"  {fp[:16] or '(none)'}: " + ", ".join(sources)))

    console.print("\n[bold]Learners[/bold]: accuracy and completion in %, overall and by topic")
    for i, table in enumerate(_learner_tables(report, plain, console)):
        if i:
            console.print()  # (topics that did not fit beside the others)
        console.print(table)
    topics = dict.fromkeys(row.topic for row in report.rows)
    heads = headings(report, topics)
    console.print(plain("Acc: points scored of those available. Items: share of the bank's "
                        "questions answered. Crit: case runs ended by a critical error. "
                        "–: nothing answered. Topics: " + ", ".join(
                            f"{heads[t]} {report.topic(t).label}"
                            for t in topics) + "."),
                  style="dim")

    if report.critical_cases:
        console.print("\n[bold]Cases ended by a critical error[/bold]")
        cases = Table(box=box.SIMPLE, padding=(0, 1, 0, 0), show_edge=False)
        for col in ("Learner", "Case", "Critical choice"):
            cases.add_column(col)
        several = len({m.course.id for m in report.learners}) > 1
        for c in report.critical_cases:
            who = f"{c.learner.display_name} ({c.course_id})" if several else (
                c.learner.display_name)
            cases.add_row(plain(who), plain(c.title),
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
            missed.add_row(plain(item.question_id), plain(report.topic(item.topic).label),
                           f"{item.misses}/{item.responses}", str(item.learners_missing))
        console.print(missed)


def headings(report: CohortReport, topics: Iterable[str]) -> dict[str, str]:
    """Each topic's column heading: its short heading, or, where two topics share one (a
    course without `short:`, see VP511), the start of its id, so the columns can be told
    apart."""
    codes = {t: report.topic(t).code for t in topics}
    shared = {c.lower() for c in codes.values() if sum(
        x.lower() == c.lower() for x in codes.values()) > 1}
    return {t: t[:4].title() if c.lower() in shared else c for t, c in codes.items()}


def _percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}" if whole else "–"


def _learner_tables(report: CohortReport, plain: Callable[[str], Text],
                    console: Console) -> list[Table]:
    """The learner table, with as many topic columns as fit the width; the topics that do
    not fit follow in further tables (each with the learners' names), so none is lost."""
    from rich.measure import Measurement

    topics = list(dict.fromkeys(row.topic for row in report.rows))
    unbounded = console.options.update_width(10_000)  # (the width each table wants)
    tables = []
    overall = True
    while topics or overall:
        fit = len(topics)
        table = _learner_table(report, plain, topics[:fit], overall)
        while fit > (0 if overall else 1) and (
                Measurement.get(console, unbounded, table).maximum > console.width):
            fit -= 1
            table = _learner_table(report, plain, topics[:fit], overall)
        tables.append(table)
        topics = topics[fit:]
        overall = False
    return tables


def _learner_table(report: CohortReport, plain: Callable[[str], Text],
                   topics: list[str], overall: bool) -> Table:
    """One line per learner with a cohort line at the foot: the overall columns (when
    `overall`) and those of `topics`."""
    from collections import Counter, defaultdict

    from rich import box
    from rich.table import Table

    from vpkp_tutor.export.cohort import TopicRow

    rows: dict[tuple[str, str], dict[str, TopicRow]] = defaultdict(dict)
    for row in report.rows:  # a learner's courses are kept apart
        rows[row.learner.id, row.course.id][row.topic] = row
    several = len({m.course.id for m in report.learners}) > 1
    critical = Counter((c.learner.id, c.course_id) for c in report.critical_cases)

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
    if overall:
        for col, foot in zip(("Acc", "Items", "Lessons", "Crit"), cohort[:4], strict=True):
            table.add_column(col, footer=foot, justify="right", no_wrap=True)
    table.add_column("│", footer="│", width=1)  # overall | by topic
    heads = headings(report, dict.fromkeys(row.topic for row in report.rows))
    for topic, foot in zip(topics, cohort[4:], strict=True):
        table.add_column(plain(heads[topic]), footer=foot,
                         justify="right", no_wrap=True, min_width=3)
    for m in report.learners:
        mine = rows.get((m.learner.id, m.course.id), {})
        name = f"{m.learner.display_name} ({m.course.id})" if several else m.learner.display_name
        table.add_row(plain(name), *([*sums(list(mine.values())),
                                      str(critical[m.learner.id, m.course.id])] if overall
                                     else []), "│",
                      *[_percent(r.points, r.max_points) if (r := mine.get(t)) else "–"
                        for t in topics])
    return table
