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
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from vpkp_tutor.cli_out import describe, fail, say, warn


class SettingInfo(NamedTuple):
    """A setting the user may change."""

    default: Callable[[], str]
    """The value used when none is stored (looked up where it is defined)."""
    help: str
    check: Callable[[str], str]
    """Returns the value to store, or raises ValueError saying why it is not allowed."""


def _default_theme() -> str:
    from vpkp_tutor.tui.app import DEFAULT_THEME

    return DEFAULT_THEME


def _default_retention() -> str:
    from vpkp_tutor.storage.review import DEFAULT_RETENTION

    return repr(DEFAULT_RETENTION)


def _check_theme(value: str) -> str:
    from textual.theme import BUILTIN_THEMES

    if value not in BUILTIN_THEMES:
        close = difflib.get_close_matches(value, list(BUILTIN_THEMES), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(f"no theme is called {value!r}; {hint}themes: "
                         + ", ".join(sorted(BUILTIN_THEMES)))
    return value


def _check_retention(value: str) -> str:
    from vpkp_tutor.storage.review import parse_retention

    return repr(parse_retention(value))


def _check_keymap(value: str) -> str:
    import json

    from vpkp_tutor.tui.keymap import parse_keymap

    keymap = parse_keymap(value)
    return json.dumps(keymap, ensure_ascii=False)


SETTINGS: dict[str, SettingInfo] = {
    "theme": SettingInfo(_default_theme, "colour theme (ctrl+t in the app)", _check_theme),
    "desired_retention": SettingInfo(
        _default_retention, "spaced review: the chance of recall aimed for when an item falls due, "
        "0.70–0.97 (higher: more frequent reviews)", _check_retention),
    "keymap": SettingInfo(
        str, 'keys moved by binding id, as JSON: {"quiz.flag": "f"} (see `vpkp-tutor '
        'bindings`)', _check_keymap),
}
"""The settings `config` shows and changes (others, such as the last learner, are the
app's own)."""


def add_config_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Add `config` and `bindings` to the CLI."""
    p = subparsers.add_parser(
        "config", help="show or change settings (theme, desired retention, keymap)",
        description="Without KEY: every setting with its value and default. With KEY: its "
                    "value. With KEY VALUE: check the value and store it. --unset puts the "
                    "default back.")
    p.add_argument("key", nargs="?", metavar="KEY", help=", ".join(SETTINGS))
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

    key: str | None = args.key
    if key is not None and key not in SETTINGS:
        close = difflib.get_close_matches(key, list(SETTINGS), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return fail(f"no setting is called {key!r}; {hint}settings: {', '.join(SETTINGS)}")
    if args.unset and (key is None or args.value is not None):
        return fail("--unset takes a setting name and no value")
    new_value: str | None = None
    if key is not None and args.value is not None:
        try:
            new_value = SETTINGS[key].check(args.value)
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
        else:
            _show({name: store.get_setting(name, "") for name in SETTINGS}, key)
    finally:
        store.close()
    return 0


def _show(values: dict[str, str], key: str | None) -> None:
    """Print one setting's value (the one that applies), or every setting with its value
    (or default) and help. A stored value that is not allowed (written by hand or by an
    older version) is left out by the app: it is shown as such, with a warning."""
    names = list(SETTINGS) if key is None else [key]
    refused: dict[str, str] = {}
    for name in names:
        value = values.get(name, "")
        try:
            if value:
                SETTINGS[name].check(value)
        except ValueError as exc:
            refused[name] = value
            warn(f"the stored {name} is not used ({exc}); `vpkp-tutor config {name} "
                 "--unset` removes it")
    if key is not None:
        stored = values.get(key, "")
        say(stored if stored and key not in refused else SETTINGS[key].default())
        return
    width = max(map(len, SETTINGS))
    for name, info in SETTINGS.items():
        default = info.default()
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
