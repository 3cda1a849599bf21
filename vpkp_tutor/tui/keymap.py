"""Keymaps: every key binding of the app has an id (`home.lessons`, `quiz.flag`, …); a keymap
is a JSON object stored in the `keymap` setting that moves bindings by id, e.g.
`{"quiz.flag": "f", "home.lessons": "f5"}` (several keys: `"f,ctrl+f"`).

`parse_keymap` checks a keymap's shape (and, given the known ids, its ids); `bindings` lists
every binding with an id. The app checks only the shape at start-up, so listing the ids —
which imports every screen — happens only in `vpkp-tutor bindings` and `vpkp-tutor config`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Collection
from typing import NamedTuple

SCREEN_MODULES = (
    "vpkp_tutor.tui.app",
    "vpkp_tutor.tui.screens.learner",
    "vpkp_tutor.tui.screens.home",
    "vpkp_tutor.tui.screens.library",
    "vpkp_tutor.tui.screens.lesson",
    "vpkp_tutor.tui.screens.quiz_builder",
    "vpkp_tutor.tui.screens.quiz",
    "vpkp_tutor.tui.screens.results",
    "vpkp_tutor.tui.screens.review",
    "vpkp_tutor.tui.screens.cases",
    "vpkp_tutor.tui.screens.case",
    "vpkp_tutor.tui.screens.debrief",
    "vpkp_tutor.tui.screens.progress",
    "vpkp_tutor.tui.screens.settings",
    "vpkp_tutor.tui.dialogs.help",
    "vpkp_tutor.tui.dialogs.confirm",
    "vpkp_tutor.tui.dialogs.export",
    "vpkp_tutor.tui.dialogs.problems",
    "vpkp_tutor.tui.widgets.answers",
)
"""Every module that defines bindings."""


class BindingInfo(NamedTuple):
    """A binding that a keymap can move."""

    id: str
    keys: str
    """Default keys, comma-separated."""
    description: str
    where: str
    """The screen, dialog or widget class that owns it."""


def bindings() -> list[BindingInfo]:
    """Every binding with an id, sorted by id (one entry per id)."""
    import importlib

    from textual.binding import Binding
    from textual.dom import DOMNode

    for name in SCREEN_MODULES:
        importlib.import_module(name)
    found: dict[str, BindingInfo] = {}
    pending: list[type] = [DOMNode]
    seen: set[type] = set()
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        pending.extend(cls.__subclasses__())
        if not cls.__module__.startswith("vpkp_tutor."):
            continue
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id and binding.id not in found:
                found[binding.id] = BindingInfo(
                    binding.id, binding.key, binding.description or binding.action,
                    cls.__name__)
    return sorted(found.values())


def parse_keymap(raw: str, known: Collection[str] | None = None) -> dict[str, str]:
    """The keymap in `raw` (JSON) as binding id → keys. ValueError, with a message naming
    the problem, when it is not a JSON object of non-empty key strings or (when `known` is
    given) names an unknown binding id."""
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"a keymap is a JSON object such as "
                         f'{{"quiz.flag": "f"}}; this is not JSON ({exc})') from None
    if not isinstance(value, dict):
        raise ValueError('a keymap is a JSON object such as {"quiz.flag": "f"}')
    keymap: dict[str, str] = {}
    for binding_id, keys in value.items():
        if known is not None and binding_id not in known:
            close = difflib.get_close_matches(binding_id, list(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"no binding has the id {binding_id!r}{hint} "
                             "(`vpkp-tutor bindings` lists them)")
        if not isinstance(keys, str) or not keys.strip() or any(
                not k.strip() or " " in k.strip() for k in keys.split(",")):
            raise ValueError(f"the keys for {binding_id!r} must be text such as \"f\" or "
                             f"\"f,ctrl+f\", not {json.dumps(keys)}")
        keymap[binding_id] = ",".join(k.strip() for k in keys.split(","))
    return keymap
