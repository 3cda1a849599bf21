"""The `learners` command: list the learner profiles, rename one, delete one.

    vpkp-tutor learners                      name, program, PGY, answers, last active, id
    vpkp-tutor learners rename OLD NEW       refused when another learner is called NEW
    vpkp-tutor learners delete NAME [--yes]  asks first; keeps a backup and says where

A learner is named by display name (case and spacing do not matter), id, or the start of
an id as listed (at least 6 characters). A failure ends in one clear message on stderr and
exit code 2 (1 when a deletion is declined); nothing is changed by a failure. None of them
imports Textual.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vpkp_tutor.services.learners import LearnerServices, LearnerSummary
    from vpkp_tutor.storage.paths import StorePaths
    from vpkp_tutor.storage.store import SqliteProgressStore


def add_learner_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Add `learners` (with `rename` and `delete`) to the CLI."""
    p = subparsers.add_parser(
        "learners", help="list, rename or delete learner profiles",
        description="Without a command: list every learner with program, PGY level, answers "
                    "recorded and last activity. A learner is named by display name (case "
                    "and spacing do not matter), id, or the start of an id as listed.")
    p.set_defaults(func=cmd_list)
    sub = p.add_subparsers(title="commands", metavar="COMMAND")
    r = sub.add_parser("rename", help="give a learner another name",
                       description="Rename a learner; refused when another learner already "
                                   "has the new name (case and spacing do not matter).")
    r.add_argument("old", metavar="OLD", help="display name or id of the learner")
    r.add_argument("new", metavar="NEW", help="the new display name")
    r.set_defaults(func=cmd_rename)
    d = sub.add_parser("delete", help="delete a learner and all their progress",
                       description="Delete a learner and everything recorded for them. On a "
                                   "terminal you are asked to type the name first; a backup "
                                   "of the whole database is taken before and its path "
                                   "printed.")
    d.add_argument("name", metavar="NAME", help="display name or id of the learner")
    d.add_argument("--yes", action="store_true",
                   help="do not ask (for scripts; needed when not on a terminal)")
    d.set_defaults(func=cmd_delete)


def _fail(message: str, code: int = 2) -> int:
    print(f"vpkp-tutor: error: {message}", file=sys.stderr)
    return code


def _paths(args: argparse.Namespace) -> StorePaths:
    from vpkp_tutor.storage import resolve_paths

    data_dir = getattr(args, "data_dir", None)
    return resolve_paths(Path(data_dir) if data_dir else None)


def _open(args: argparse.Namespace, *, reading: bool = False
          ) -> tuple[SqliteProgressStore, LearnerServices] | str:
    """The store and the learner services, or the message saying why they cannot open.
    With `reading` (the list), a database that cannot be written is opened read-only."""
    from vpkp_tutor.domain.model import ContentBank
    from vpkp_tutor.services.learners import LearnerServices
    from vpkp_tutor.storage import StoreError, open_store
    from vpkp_tutor.storage.store import open_store_for_reading

    paths = _paths(args)
    if not paths.db_path.exists():
        return f"no progress stored yet in {paths.data_dir}"
    try:
        store = (open_store_for_reading(paths.data_dir) if reading
                 else open_store(paths.data_dir, daily_backups=False))
    except StoreError as exc:
        hint = "; `vpkp-tutor recover` shows the way out" if exc.recoverable else ""
        return f"{exc}{hint}"
    from vpkp_tutor.cli_out import warn

    for notice in store.notices:  # a -wal set aside on opening
        warn(notice)
    return store, LearnerServices(ContentBank(), store)


def cmd_list(args: argparse.Namespace) -> int:
    """Print every learner as a table."""
    if not _paths(args).db_path.exists():
        print("No learners yet.")
        return 0
    opened = _open(args, reading=True)
    if isinstance(opened, str):
        return _fail(opened)
    store, services = opened
    try:
        summaries = services.learner_summaries()
    finally:
        store.close()
    if not summaries:
        print("No learners yet.")
        return 0
    print_table(summaries)
    return 0


def print_table(summaries: list[LearnerSummary]) -> None:
    """Name, program, PGY, answers, last active and short id, one learner a line. Names are
    shown as plain text (never markup or escape sequences)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from vpkp_tutor.domain.progress import clean_name
    from vpkp_tutor.services.learners import name_key

    table = Table(box=box.SIMPLE, padding=(0, 1, 0, 0), show_edge=False)
    for column, right in (("Name", False), ("Program", False), ("PGY", False),
                          ("Answers", True), ("Last active", False), ("ID", False)):
        table.add_column(column, justify="right" if right else "left",
                         no_wrap=column in ("Answers", "Last active", "ID"))
    for s in summaries:
        learner = s.learner
        table.add_row(Text(clean_name(learner.display_name)),
                      Text(clean_name(learner.program) or "–"),
                      Text(clean_name(learner.level) or "–"),
                      str(s.answers), s.last_active_text, s.short_id)
    console = Console(highlight=False)
    console.print(table)
    n = len(summaries)
    console.print(f"{n} learner{'' if n == 1 else 's'}", style="dim")
    keys = [name_key(s.learner.display_name) for s in summaries]
    shared = list({k: s.learner.display_name for s, k in zip(summaries, keys, strict=True)
                   if keys.count(k) > 1}.values())
    if shared:
        console.print(Text(
            "Some learners share a name (" + ", ".join(shared) + "); give each a name of "
            "their own: vpkp-tutor learners rename ID NEW-NAME"))


def cmd_rename(args: argparse.Namespace) -> int:
    """Rename a learner, refusing a name another learner has."""
    import sqlite3

    from vpkp_tutor.services.learners import NameTakenError, learner_name

    try:
        learner_name(args.new)
    except ValueError as exc:
        return _fail(f"NEW: {exc}")
    opened = _open(args)
    if isinstance(opened, str):
        return _fail(opened)
    store, services = opened
    try:
        before, after = services.rename_learner(args.old, args.new)
    except NameTakenError as exc:
        taken = services.learner_summaries([exc.existing])[0]
        return _fail(f"another learner is already called {exc.existing.display_name!r} "
                     f"({taken.describe()}); choose another name")
    except ValueError as exc:
        return _fail(str(exc))
    except (sqlite3.Error, OSError) as exc:
        return _fail(f"could not rename: {exc}; nothing was changed")
    finally:
        store.close()
    print(f"renamed {before.display_name!r} to {after.display_name!r}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    """Delete a learner after confirmation, keeping a backup first."""
    import datetime as dt
    import shlex
    import sqlite3

    from vpkp_tutor.services.learners import name_key

    opened = _open(args)
    if isinstance(opened, str):
        return _fail(opened)
    store, services = opened
    try:
        try:
            learner = services.resolve_learner(args.name)
        except ValueError as exc:
            return _fail(str(exc))
        summary = services.learner_summaries([learner])[0]
        from vpkp_tutor.storage import StoreError

        try:  # a study app open on this database would fail on its next answer
            store.hold_alone()
        except StoreError as exc:
            return _fail(f"{exc}; nothing was deleted")
        if not args.yes:
            from vpkp_tutor.bootstrap import is_terminal
            from vpkp_tutor.cli_out import unwrapped

            if not (is_terminal(sys.stdin) and is_terminal(unwrapped(sys.stdout))):
                return _fail("deleting a learner needs confirmation: run this on a terminal, "
                             "or add --yes")
            print(f"This deletes {summary.describe()}\nand all their progress.")
            print(f"Type the name ({learner.display_name}) to delete, or press Enter to keep: ",
                  end="", flush=True)
            answer = sys.stdin.readline()
            if not answer.strip() or name_key(answer) != name_key(learner.display_name):
                print("Nothing was deleted.")
                return 1
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        target = store.paths.backups_dir / f"pre-delete-{summary.short_id}-{stamp}.sqlite3"
        try:
            backup = store.backup(target)
        except (sqlite3.Error, OSError) as exc:
            return _fail(f"could not back up the database before deleting ({exc}); "
                         "nothing was deleted")
        try:
            services.delete_learner(learner.id)
        except (sqlite3.Error, OSError) as exc:
            return _fail(f"could not delete: {exc}; nothing was deleted")
    finally:
        store.close()
    print(f"deleted {learner.display_name!r} and their progress ({summary.answers} "
          f"answer{'' if summary.answers == 1 else 's'})")
    where = f"--data-dir {shlex.quote(str(store.paths.data_dir))} " if args.data_dir else ""
    print(f"a backup taken just before is at {backup}\n"
          f"(`vpkp-tutor {where}recover --restore {shlex.quote(str(backup))}` puts it back, "
          "replacing the whole database)")
    return 0
