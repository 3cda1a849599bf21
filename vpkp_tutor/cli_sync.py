"""The `sync` command: send the xAPI outbox to the Learning Record Store.

    vpkp-tutor sync --learner NAME|ID      one learner's statements
    vpkp-tutor sync --all                  every learner's
    vpkp-tutor sync --status [--all]       how many wait and when they were last sent
    vpkp-tutor sync --learner X --account NAME   the program-issued xAPI account name

Before sending, the learner's whole history is brought into the outbox (records from
before the outbox, a question edited since, changed settings: see `services.sync`). Batches
of `lrs_batch_size` statements go as JSON arrays; network errors, timeouts, 5xx and 429 are
retried with exponential back-off; a 4xx stops the sync with the LRS's message. A statement
leaves the outbox only once the LRS acknowledged it, so a sync that stopped part-way loses
nothing and the next one goes on. Exit status: 0 done, 1 the LRS failed or refused, 2 a
usage or settings problem. The LRS secret is never printed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt

    from vpkp_tutor.domain.model import ContentBank
    from vpkp_tutor.export.cohort import CohortReport
    from vpkp_tutor.storage.outbox import Outbox
    from vpkp_tutor.storage.store import SqliteProgressStore


def add_sync_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `sync` to the CLI."""
    p = subparsers.add_parser(
        "sync", help="send xAPI statements to the Learning Record Store",
        description="Send the learners' xAPI statements to the LRS set with `vpkp-tutor "
                    "config lrs_endpoint URL` (key and secret from VPKP_TUTOR_LRS_KEY and "
                    "VPKP_TUTOR_LRS_SECRET, or the 0600 file set with `config "
                    "lrs_credentials_file PATH`). Statements are removed from the outbox "
                    "only once the LRS has them; an interrupted sync is completed by the "
                    "next.")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--all", action="store_true", help="every learner")
    p.add_argument("--status", action="store_true",
                   help="only say how many statements wait and when some were last sent")
    p.add_argument("--account", metavar="NAME", default=None,
                   help="set the learner's program-issued xAPI account name, which their "
                        "statements then carry (\"\" removes it: the learner id again)")
    p.set_defaults(func=cmd_sync)


def _fail(message: str, code: int = 2) -> int:
    print(f"vpkp-tutor: error: {message}", file=sys.stderr)
    return code


def _status_line(outbox: Outbox, learner_ids: list[str]) -> str:
    """`12 waiting · last sent 10:42` (local time; a date when not today)."""
    import datetime as dt

    waiting = outbox.waiting(learner_ids)
    last = outbox.last_sent(learner_ids)
    if last is None:
        return f"{waiting} waiting · never sent"
    local = last.astimezone()
    when = (local.strftime("%H:%M") if local.date() == dt.datetime.now().astimezone().date()
            else local.strftime("%Y-%m-%d %H:%M"))
    return f"{waiting} waiting · last sent {when}"


def _open(args: argparse.Namespace
          ) -> tuple[list[ContentBank], SqliteProgressStore] | str:
    """The courses named (several with `--content A --content B`) and the store, or why
    they cannot be opened."""
    from vpkp_tutor.bootstrap import CourseOpenError, LaunchOptions, lines, load_banks
    from vpkp_tutor.storage import StoreError, open_store, resolve_paths

    data_dir = getattr(args, "data_dir", None)
    paths = resolve_paths(Path(data_dir) if data_dir else None)
    if not paths.db_path.exists():
        return f"no progress stored yet in {paths.data_dir}"
    try:
        store = open_store(paths.data_dir, daily_backups=False)
    except StoreError as exc:
        hint = "; `vpkp-tutor recover` shows the way out" if exc.recoverable else ""
        return f"{exc}{hint}"
    for notice in store.notices:
        print(f"vpkp-tutor: warning: {notice}", file=sys.stderr)
    content = tuple(Path(p) for p in (getattr(args, "content", None) or ()))
    added = tuple(Path(p) for p in (getattr(args, "add", None) or ()))
    try:
        return load_banks(LaunchOptions(data_dir=paths.data_dir, content_paths=content,
                                        added_paths=added)), store
    except CourseOpenError as exc:
        store.close()
        return f"cannot open the course:{lines(str(exc))}"
    except BaseException:
        store.close()
        raise


def cmd_sync(args: argparse.Namespace) -> int:
    """Send (or show) the outbox."""
    who = getattr(args, "learner", None)
    if not who and not args.all:
        return _fail("say whose statements to send: --learner NAME|ID or --all")
    if args.account is not None and not who:
        return _fail("--account needs --learner NAME|ID (an account name is one learner's)")
    opened = _open(args)
    if isinstance(opened, str):
        return _fail(opened)
    banks, store = opened
    try:
        return _sync(banks, store, args, who)
    finally:
        store.close()


def _sync(banks: list[ContentBank], store: SqliteProgressStore, args: argparse.Namespace,
          who: str | None) -> int:
    from vpkp_tutor.lrs.client import LrsClient, LrsError
    from vpkp_tutor.lrs.credentials import CredentialsError, load_credentials
    from vpkp_tutor.services import Services
    from vpkp_tutor.services.sync import INVALID, catch_up, send
    from vpkp_tutor.storage import StoreError
    from vpkp_tutor.storage.outbox import Outbox

    services = Services(banks[0], store)
    outbox = Outbox(store)
    try:
        learners = ([services.resolve_learner(who)] if who
                    else store.list_learners())
    except ValueError as exc:
        return _fail(str(exc))
    ids = [x.id for x in learners]
    account = None if args.account is None else args.account.strip()
    if account is not None and (any(ord(c) < 32 for c in account) or len(account) > 200):
        return _fail("--account: one line of at most 200 characters")

    def set_account() -> None:
        """Store the account name (once nothing that stops the command is left to check)."""
        if account is not None:
            outbox.set_account_name(ids[0], account)
            print(f"xAPI account name of {learners[0].display_name}: "
                  f"{account or '(the learner id)'}")

    settings = services.settings
    if args.status:
        set_account()
        print(_status_line(outbox, ids))
        return 0
    if not settings.lrs_endpoint:
        return _fail("no Learning Record Store set: vpkp-tutor config lrs_endpoint URL "
                     "(its xAPI base, e.g. http://127.0.0.1:8100/xAPI/)")
    if not settings.xapi_base or not settings.xapi_home_page:
        return _fail("the statements must name your program first: vpkp-tutor config "
                     "xapi_base IRI (e.g. https://lms.example.org/xapi/vpkp/) and vpkp-tutor "
                     "config xapi_home_page URL (e.g. https://lms.example.org)")
    try:
        credentials = load_credentials(settings.lrs_credentials_file)
    except CredentialsError as exc:
        return _fail(str(exc))
    set_account()
    try:  # each course's history in turn (the store serves one course at a time)
        queued = 0
        for bank in banks:
            part = Services(bank, store)
            queued += sum(catch_up(outbox, part.content, settings, part.learner_data(i),
                                   part.clock()) for i in ids)
    except StoreError as exc:
        return _fail(str(exc))
    if INVALID:
        print(f"vpkp-tutor: warning: {len(INVALID)} statement(s) break xAPI rules and are "
              f"not sent; the first: {INVALID[0]}", file=sys.stderr)
    total = outbox.waiting(ids)
    sent = batches = 0
    client = LrsClient(settings.lrs_endpoint, credentials)
    try:
        def tick(done: int, whole: int) -> None:
            nonlocal sent
            sent = done

        sent, batches = send(outbox, client, ids, settings.lrs_batch_size, services.clock,
                             tick)
    except LrsError as exc:
        left = outbox.waiting(ids)
        return _fail(f"{exc}\n{sent} of {total} statements sent; {left} still waiting (run "
                     "`vpkp-tutor sync` again to send them)", 1)
    except StoreError as exc:
        return _fail(str(exc), 1)
    finally:
        client.close()
    new = f" ({queued} newly queued)" if queued else ""
    print(f"sent {sent} statement{'s' if sent != 1 else ''}{new} in {batches} "
          f"request{'s' if batches != 1 else ''} to {client.where}; "
          f"{_status_line(outbox, ids)}")
    return 0


# -- the director's side: `vpkp-tutor report --lrs` --------------------------------------


def add_lrs_report_options(p: argparse.ArgumentParser) -> None:
    """`--lrs`, `--since` and `--until` of `vpkp-tutor report`."""
    p.add_argument("--lrs", action="store_true",
                   help="read the cohort's statements from the LRS set with `config "
                        "lrs_endpoint` (under `config xapi_base`) instead of export files")
    p.add_argument("--since", metavar="YYYY-MM-DD", default=None,
                   help="with --lrs: only what happened on or after this day (UTC)")
    p.add_argument("--until", metavar="YYYY-MM-DD", default=None,
                   help="with --lrs: only what happened on or before this day (UTC)")
    p.add_argument("--page", type=int, default=None, help=argparse.SUPPRESS)


def _day(text: str | None, flag: str) -> dt.datetime | None:
    import datetime as dt

    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{flag}: {text!r} is not a day such as 2026-03-01") from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def lrs_report(args: argparse.Namespace) -> CohortReport | str:
    """The cohort report built from the LRS's statements, or why it cannot be."""
    import datetime as dt

    from vpkp_tutor.bootstrap import CourseOpenError, LaunchOptions, lines, load_bank
    from vpkp_tutor.export.cohort import report_of
    from vpkp_tutor.lrs.client import LrsClient, LrsError
    from vpkp_tutor.lrs.cohort import exports, fetch
    from vpkp_tutor.lrs.credentials import CredentialsError, load_credentials
    from vpkp_tutor.services.settings import AppSettings, load_settings
    from vpkp_tutor.storage import StoreError, resolve_paths
    from vpkp_tutor.storage.store import open_store_for_reading

    if not args.lrs:
        return "name the learners' JSON exports, or read the LRS with --lrs"
    if args.exports:
        return "read either export files or the LRS (--lrs), not both"
    try:
        since = _day(args.since, "--since")
        until = _day(args.until, "--until")
    except ValueError as exc:
        return str(exc)
    if until is not None:
        until += dt.timedelta(days=1)
    data_dir = getattr(args, "data_dir", None)
    paths = resolve_paths(Path(data_dir) if data_dir else None)
    settings = AppSettings()
    if paths.db_path.exists():
        try:
            store = open_store_for_reading(paths.data_dir)
        except StoreError as exc:
            return str(exc)
        try:
            settings = load_settings(store)[0]
        finally:
            store.close()
    if not settings.lrs_endpoint or not settings.xapi_base:
        return ("say where the statements are: vpkp-tutor config lrs_endpoint URL and "
                "vpkp-tutor config xapi_base IRI (the program's activity base)")
    try:
        credentials = load_credentials(settings.lrs_credentials_file)
    except CredentialsError as exc:
        return str(exc)
    content = tuple(Path(p) for p in (getattr(args, "content", None) or ()))
    added = tuple(Path(p) for p in (getattr(args, "add", None) or ()))
    try:  # the statements are read against one course's content
        bank = load_bank(LaunchOptions(data_dir=paths.data_dir, content_paths=content,
                                       added_paths=added))
    except CourseOpenError as exc:
        return f"cannot open the course:{lines(str(exc))}"
    try:
        with LrsClient(settings.lrs_endpoint, credentials) as client:
            found = exports(fetch(client, settings.xapi_base, since, until, args.page), bank,
                            settings.xapi_base, client.where, dt.datetime.now(dt.UTC))
    except LrsError as exc:
        return str(exc)
    if not found:
        return f"the LRS holds no statements under {settings.xapi_base} in that time"
    return report_of(found, most_missed=max(0, args.top))
