"""The settings commands: `config` shows and changes the app's settings (theme, desired
retention, keymap) and `bindings` lists the key bindings a keymap can move.

    vpkp-tutor config                          every setting, its value and its default
    vpkp-tutor config desired_retention 0.85   change one (checked first)
    vpkp-tutor config keymap --unset           back to the default

A value that is not allowed is refused with one line saying why (exit 2); nothing is stored.
"""

from __future__ import annotations

import argparse
import difflib
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from vpkp_tutor.cli_out import describe, fail, say, warn

if TYPE_CHECKING:
    from vpkp_tutor.services.settings import Setting


def _configurable() -> dict[str, Setting]:
    """The settings `config` shows and changes (others, such as the last learner, are the
    app's own), from the one list of settings."""
    from vpkp_tutor.services.settings import SETTINGS

    return {key: setting for key, setting in SETTINGS.items() if setting.in_config}


def _check(key: str, raw: str) -> str:
    """The text to store for setting `key`, or ValueError saying why `raw` is not allowed."""
    from vpkp_tutor.services.settings import check, stored_text
    from vpkp_tutor.tui.rules import TextualRules

    return stored_text(key, check(key, raw, TextualRules()))


def _default(key: str) -> str:
    from vpkp_tutor.services.settings import DEFAULTS, SETTINGS, current_text

    return "" if SETTINGS[key].quiet_default else current_text(DEFAULTS, key)


def add_config_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Add `config` and `bindings` to the CLI."""
    p = subparsers.add_parser(
        "config", help="show or change settings (theme, desired retention, keymap)",
        description="Without KEY: every setting with its value and default. With KEY: its "
                    "value. With KEY VALUE: check the value and store it. --unset puts the "
                    "default back.")
    p.add_argument("key", nargs="?", metavar="KEY",  # (the list is not imported here)
                   help="a setting's name; without it, every setting is listed")
    p.add_argument("value", nargs="?", metavar="VALUE", help="the new value")
    p.add_argument("--unset", action="store_true", help="go back to the default")
    p.set_defaults(func=cmd_config)

    p = subparsers.add_parser(
        "bindings", help="list the key bindings a keymap can move",
        description="Every key binding with its id, default keys, what it does and where; "
                    "a keymap (`vpkp-tutor config keymap`) moves bindings by id.")
    p.set_defaults(func=cmd_bindings)


def cmd_config(args: argparse.Namespace) -> int:
    """Show or change settings."""
    from vpkp_tutor.storage import StoreError, open_store, resolve_paths

    settings = _configurable()
    key: str | None = args.key
    if key is not None and key not in settings:
        close = difflib.get_close_matches(key, list(settings), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return fail(f"no setting is called {key!r}; {hint}settings: {', '.join(settings)}")
    if args.unset and (key is None or args.value is not None):
        return fail("--unset takes a setting name and no value")
    new_value: str | None = None
    if key is not None and args.value is not None:
        try:
            new_value = _check(key, args.value)
        except ValueError as exc:
            return fail(f"{key}: {exc}")
    data_dir = getattr(args, "data_dir", None)
    paths = resolve_paths(Path(data_dir) if data_dir else None)
    try:
        stored = paths.db_path.exists()
    except OSError as exc:  # a folder on the way that cannot be entered
        return fail(f"cannot look in the data folder {paths.data_dir} ({describe(exc)})", 1)
    if new_value is None and not args.unset and not stored:
        _show({}, key)  # nothing stored yet: every setting has its default
        return 0
    try:
        store = open_store(paths.data_dir, daily_backups=False)
    except StoreError as exc:
        hint = "; `vpkp-tutor recover` shows the way out" if exc.recoverable else ""
        return fail(f"{exc}{hint}")
    for notice in store.notices:  # a -wal set aside on opening
        warn(notice)
    try:
        if args.unset:
            assert key is not None  # checked above
            removed = store.delete_setting(key)
            say(f"{key}: back to the default" if removed else f"{key}: already the default")
        elif new_value is not None:
            assert key is not None
            store.set_setting(key, new_value)
            say(f"{key} = {new_value}")
            advice = settings[key].advice
            said = advice(new_value) if advice is not None else None
            if said:
                warn(said)
        else:
            _show({name: store.get_setting(name, "") for name in settings}, key)
    finally:
        store.close()
    return 0


def _show(values: dict[str, str], key: str | None) -> None:
    """Print one setting's value (the one that applies), or every setting with its value
    (or default) and help. A stored value that is not allowed (written by hand or by an
    older version) is left out by the app: it is shown as such, with a warning."""
    settings = _configurable()
    names = list(settings) if key is None else [key]
    refused: dict[str, str] = {}
    for name in names:
        value = values.get(name, "")
        try:
            if value:
                _check(name, value)
        except ValueError as exc:
            refused[name] = value
            warn(f"the stored {name} is not used ({exc}); `vpkp-tutor config {name} "
                 "--unset` removes it")
    if key is not None:
        stored = values.get(key, "")
        say(stored if stored and key not in refused else _default(key))
        return
    width = max(map(len, settings))
    for name, info in settings.items():
        default = _default(name)
        value = values.get(name, "")
        if name in refused:
            value += "  (not used: the default applies)"
        say(f"{name:<{width}}  " + (value or f"(default{': ' + default if default else ''})"))
        for line in textwrap.wrap(info.help, 76 - width):
            say(f"{'':<{width}}  {line}")


def cmd_bindings(args: argparse.Namespace) -> int:
    """List the bindings a keymap can move."""
    from vpkp_tutor.tui.keymap import bindings

    rows = bindings()
    widths = [max(len(getattr(b, f)) for b in rows) for f in ("id", "keys", "description")]
    say(f"{'id':<{widths[0]}}  {'keys':<{widths[1]}}  {'does':<{widths[2]}}  where")
    for b in rows:
        say(f"{b.id:<{widths[0]}}  {b.keys:<{widths[1]}}  {b.description:<{widths[2]}}  "
              f"{b.where}")
    return 0
