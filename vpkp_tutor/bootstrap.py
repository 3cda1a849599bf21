"""Wiring: launch options → content → store → services → app.

`make_app(options, content, store)` is the single factory used by the CLI and by the tests,
so both run the same app the same way. `run_app` opens the store before the TUI starts; when
the database is damaged or from a newer app it offers, in the terminal, to restore the
newest backup or start fresh (the file is always kept), or prints the commands that do so.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TextIO

from msgspec import Struct
from msgspec.structs import replace

from vpkp_tutor.domain.model import ContentBank, Course
from vpkp_tutor.services import Services

if TYPE_CHECKING:
    from vpkp_tutor.storage.base import StoreError
    from vpkp_tutor.storage.store import SqliteProgressStore
    from vpkp_tutor.tui.app import VpkpApp


class LaunchOptions(Struct, frozen=True):
    """What the command line asked for when launching the app (its settings, which persist,
    are `services.settings.AppSettings`)."""

    data_dir: Path | None = None
    """Where progress lives; None means the default (VPKP_TUTOR_DATA or the user data dir)."""
    learner: str | None = None
    """Learner name or id to open as, skipping the picker."""
    content_paths: tuple[Path, ...] = ()
    """`--content`: course folders (several open several courses), or folders of items;
    empty means the bundled course."""
    added_paths: tuple[Path, ...] = ()
    """`--add`: folders of items read beside the open course's own content."""
    course: Path | None = None
    """The manifest of the course to open when `content_paths` names several (None: the
    app opens the first; a command that reads one course refuses several)."""


class CourseOpenError(ValueError):
    """The course named on the command line cannot be opened (its manifest has errors, or
    it is not one course where one is needed); the message says where."""


class OpenCourse(NamedTuple):
    """One of several courses named on the command line: its manifest and what it declares."""

    manifest: Path
    course: Course


def check_course(options: LaunchOptions) -> tuple[OpenCourse, ...]:
    """Refuse, with CourseOpenError, content that cannot be opened: a course given to
    --add, items beside several courses, or a course manifest with errors (read here only
    for a course other than the bundled one, whose manifest the content cache holds, unless
    several courses are named). With several courses, return them in the order named (two
    folders of one course id are refused: progress is kept per course id); with one, ()."""
    from vpkp_tutor.content import bundled_manifest
    from vpkp_tutor.content.course import CourseError, read_course, resolve_sources

    try:
        sources = resolve_sources(options.content_paths, options.added_paths)
    except CourseError as exc:
        raise CourseOpenError(str(exc)) from None
    if len(sources) == 1 and sources[0].manifest == bundled_manifest():
        return ()
    opened: list[OpenCourse] = []
    for source in sources:
        course, problems = read_course(source.manifest)
        if course is None:
            raise CourseOpenError("\n".join(str(p) for p in problems))
        twin = next((o for o in opened if o.course.id == course.id), None)
        if twin is not None:
            raise CourseOpenError(
                f"{source.manifest}: the course id '{course.id}' is also the id of "
                f"{twin.manifest}; progress is kept per course id, so two courses open at "
                "once need two ids")
        opened.append(OpenCourse(source.manifest, course))
    return tuple(opened) if len(opened) > 1 else ()


def lines(message: str) -> str:
    """A message after a colon: on the same line when it is one line, else below it."""
    return f"\n{message}" if "\n" in message else f" {message}"


def load_bank(options: LaunchOptions) -> ContentBank:
    """Load the course named by the options (the bundled course by default; among several,
    `options.course`), through the content cache in the data folder. A course whose
    manifest has errors is refused with CourseOpenError (items with errors are left out, as
    always), and so are several courses when `options.course` does not say which."""
    from vpkp_tutor.content.cache import load_cached
    from vpkp_tutor.content.course import CourseError, resolve_sources, several_courses
    from vpkp_tutor.storage.paths import resolve_data_dir

    try:
        sources = resolve_sources(options.content_paths, options.added_paths)
    except CourseError as exc:
        raise CourseOpenError(str(exc)) from None
    source = sources[0]
    if len(sources) > 1:
        chosen = [s for s in sources if s.manifest == options.course]
        if not chosen:
            raise CourseOpenError(several_courses(sources))
        source = chosen[0]
    bank = load_cached(list(source.paths), resolve_data_dir(options.data_dir) / "cache",
                       manifest=source.manifest)
    if not bank.course.id:
        shown = bank.course.source or str(source.manifest)
        problems = [str(p) for p in bank.problems if p.path == str(source.manifest)]
        raise CourseOpenError("\n".join(problems) or f"{shown}: the course cannot be read")
    return bank


def load_banks(options: LaunchOptions) -> list[ContentBank]:
    """Every course the options name (one, or several in the order named), each loaded as
    `load_bank` loads it; for the commands that work over several courses."""
    from vpkp_tutor.content.course import CourseError, resolve_sources

    try:
        sources = resolve_sources(options.content_paths, options.added_paths)
    except CourseError as exc:
        raise CourseOpenError(str(exc)) from None
    if len(sources) == 1:
        return [load_bank(options)]
    return [load_bank(replace(options, course=s.manifest)) for s in sources]


def open_content(options: LaunchOptions, store: SqliteProgressStore,
                 courses: tuple[OpenCourse, ...] = ()) -> tuple[LaunchOptions, ContentBank]:
    """The content to open the app on, and the options it was opened with: the course the
    options name (of several — `courses`, from `check_course` — the one the `--learner`
    chose last, else the first). A `--learner` is found as `Services.open_learner` finds
    it (created when there is none) and the options then name them by id. CourseOpenError
    when the course cannot be opened; ValueError for a name that cannot be a learner's."""
    if courses:
        options = replace(options, course=courses[0].manifest)
    content = load_bank(options)
    if options.learner is None:
        return options, content
    services = make_services(options, content, store)
    learner = services.open_learner(options.learner)
    options = replace(options, learner=learner.id)
    wanted = services.settings.last_courses.get(learner.id)
    chosen = next((c.manifest for c in courses if c.course.id == wanted), options.course)
    if chosen != options.course:
        options = replace(options, course=chosen)
        content = load_bank(options)
    return options, content


def open_progress_store(options: LaunchOptions) -> SqliteProgressStore:
    """Open the progress store in the configured data folder; anything opening did that the
    user should know (a -wal file set aside) is said on stderr."""
    from vpkp_tutor.storage import open_store
    from vpkp_tutor.storage.paths import resolve_data_dir

    store = open_store(resolve_data_dir(options.data_dir))
    for notice in store.notices:
        print(f"vpkp-tutor: warning: {notice}", file=sys.stderr)
    return store


def make_services(
    options: LaunchOptions,
    content: ContentBank | None = None,
    store: SqliteProgressStore | None = None,
) -> Services:
    """Services over the given (or the configured) content and store."""
    return Services(
        content if content is not None else load_bank(options),
        store if store is not None else open_progress_store(options),
    )


def make_app(
    options: LaunchOptions, content: ContentBank, store: SqliteProgressStore,
    courses: tuple[OpenCourse, ...] | None = None,
) -> VpkpApp:
    """The study app over this content and store. When the options name several courses
    (`courses`, from `check_course`; read here when not given), `content` is one of them
    and the app can switch to the others ("Switch course"); "Reload content" reads the open
    one again."""
    from vpkp_tutor.tui.app import VpkpApp

    app = VpkpApp(make_services(options, content, store), learner=options.learner)
    if courses is None:
        courses = check_course(options) if len(options.content_paths) > 1 else ()
    if not courses:
        app.content_reload = lambda: load_bank(options)
        return app
    manifests = {c.course.id: c.manifest for c in courses}

    def load(course_id: str) -> ContentBank:
        bank = load_bank(replace(options, course=manifests[course_id]))
        if bank.course.id != course_id:  # its manifest was edited since the start
            raise CourseOpenError(f"{manifests[course_id]}: the course's id is now "
                                  f"'{bank.course.id}' (it was '{course_id}'); restart the "
                                  "app to open it")
        return bank

    app.courses = tuple(c.course for c in courses)
    app.course_loader = load
    app.content_reload = lambda: load(app.services.course.id)
    return app


NEEDS_A_TERMINAL = ("the study app needs a terminal: standard input and output must be a "
                    "terminal (the commands `vpkp-tutor --help` lists work without one)")
"""Why the app does not start when its input or output is not a terminal."""


def is_terminal(stream: TextIO | None) -> bool:
    """True when `stream` is open and is a terminal."""
    try:
        return stream is not None and not getattr(stream, "closed", False) and stream.isatty()
    except (OSError, ValueError):
        return False


def _nothing_to_report(options: LaunchOptions) -> bool:
    """True when there is no database yet and a usable place to create one: a start
    without a terminal then has no store problem to report and creates nothing."""
    import os

    from vpkp_tutor.storage import resolve_paths

    try:
        paths = resolve_paths(options.data_dir)
        if paths.db_path.exists() or paths.db_path.is_symlink():
            return False
        folder = paths.data_dir
        while not folder.exists():  # the nearest folder that exists
            if folder.parent == folder:
                return False
            folder = folder.parent
        return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)
    except OSError:  # a folder on the way that cannot be entered: opening says so
        return False


def run_app(options: LaunchOptions, stdin: TextIO | None = None,
            stdout: TextIO | None = None) -> int:
    """Open the store (recovering if needed), load the content and run the app; return the
    exit code. Without a terminal (input from a file or /dev/null, output closed or sent
    to a file) the app does not start: a damaged store is reported with the commands that
    mend it (the store is opened first, so a store that cannot be used is reported
    first), else one line says a terminal is needed; exit status 2 either way."""
    import io

    from vpkp_tutor.storage import StoreError

    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    try:  # before anything opens: a course that cannot be opened is said at once
        courses = check_course(options)
    except CourseOpenError as exc:
        print(f"vpkp-tutor: error: cannot open the course:{lines(str(exc))}",
                  file=sys.stderr)
        return 2
    terminal = is_terminal(stdin) and is_terminal(stdout)
    if not terminal:  # stands for input and output that are not terminals (maybe closed)
        stdin = stdout = io.StringIO()
        if _nothing_to_report(options):  # say so without creating a database
            print(f"vpkp-tutor: error: {NEEDS_A_TERMINAL}", file=sys.stderr)
            return 2
    try:
        store = open_progress_store(options)
    except StoreError as exc:
        opened = recover_at_start(exc, options, stdin, stdout)
        if isinstance(opened, int):
            return opened
        store = opened
    if not terminal:
        store.close()
        print(f"vpkp-tutor: error: {NEEDS_A_TERMINAL}", file=sys.stderr)
        return 2
    try:
        try:  # of several courses, the one the learner chose last, else the first
            options, content = open_content(options, store, courses)
        except CourseOpenError as exc:
            print(f"vpkp-tutor: error: cannot open the course:{lines(str(exc))}",
                  file=sys.stderr)
            return 2
        except ValueError as exc:  # an ambiguous or impossible name: refused here
            print(f"vpkp-tutor: error: --learner: {exc}", file=sys.stderr)
            return 2
        app = make_app(options, content, store, courses)
        app.run()
    finally:
        store.close()
    return int(app.return_code or 0)


def recovery_commands(options: LaunchOptions) -> list[tuple[str, str]]:
    """(what it does, the exact command) for each way out of a broken database."""
    import shlex

    from vpkp_tutor.storage import resolve_paths

    data_dir = shlex.quote(str(resolve_paths(options.data_dir).data_dir))
    base = f"vpkp-tutor --data-dir {data_dir} recover"
    return [("see what is wrong and which backups exist", base),
            ("restore the newest good backup", f"{base} --restore latest"),
            ("restore a particular backup", f"{base} --restore PATH"),
            ("start with an empty database", f"{base} --fresh")]


def recover_at_start(error: StoreError, options: LaunchOptions, stdin: TextIO,
                     stdout: TextIO) -> SqliteProgressStore | int:
    """Explain why the store did not open and, on a terminal, offer to restore the newest
    backup or start fresh. Returns the opened store, or the exit code to stop with."""
    from vpkp_tutor.storage import StoreError, open_store, resolve_paths
    from vpkp_tutor.storage.guard import exclusive
    from vpkp_tutor.storage.recovery import aside_path, latest_backup, restore_backup, start_fresh

    print(f"vpkp-tutor: error: {error}", file=sys.stderr)
    if not error.recoverable:
        return 2
    paths = resolve_paths(options.data_dir)
    if not (stdin.isatty() and stdout.isatty()):
        print("\nYour progress file is kept as it is. To go on, run one of:", file=sys.stderr)
        for what, command in recovery_commands(options):
            print(f"  {command}\n      ({what})", file=sys.stderr)
        return 2
    now = dt.datetime.now(dt.UTC)
    backup = latest_backup(paths)
    aside = aside_path(paths, now)
    which = "damaged" if error.kind == error.DAMAGED else "current"
    choices = {"f": f"[f] start fresh (the {which} file is kept as {aside.name})",
               "q": "[q] quit"}
    if backup is not None:
        when = backup.taken_at.astimezone().strftime("%Y-%m-%d %H:%M")
        choices = {"r": f"[r] restore the backup from {when} ({backup.path})", **choices}
    stdout.write("\nWhat would you like to do?\n" + "\n".join(f"  {c}" for c in choices.values())
                 + "\n")
    while True:
        stdout.write(f"Choose {', '.join(choices)}: ")
        stdout.flush()
        answer = stdin.readline()
        if not answer:
            return 1
        key = answer.strip().lower()[:1]
        if key in choices:
            break
    if key == "q":
        return 1
    try:
        with exclusive(paths):  # refused while another copy has the database open
            if key == "r" and backup is not None:
                kept = restore_backup(paths, backup.path, now)
                stdout.write(f"Restored {backup.path.name}.")
            else:
                kept = start_fresh(paths, now)
                stdout.write("Starting with an empty progress database.")
        if kept is not None:
            stdout.write(f" The previous file is kept as {kept}.")
        stdout.write("\n")
        return open_store(paths.data_dir)
    except StoreError as exc:
        print(f"vpkp-tutor: error: {exc}", file=sys.stderr)
        return 2
