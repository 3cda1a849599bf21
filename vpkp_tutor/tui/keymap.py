"""Keymaps: every key binding of the app has an id (`home.lessons`, `quiz.flag`, …); a keymap
is a JSON object stored in the `keymap` setting that moves bindings by id, e.g.
`{"quiz.flag": "x", "home.lessons": "f5"}` (several keys: `"x,ctrl+x"`).

`parse_keymap` checks a keymap as a whole: its shape, its ids, that every key is a key,
that no two bindings share a key where both apply, and that quitting stays possible;
`key_refused` is the check for one binding, used by the Settings screen too. `bindings`
lists every binding with an id (listing them imports every screen, so it happens only when
a keymap moves something). A stored keymap that fails the check is left out at start-up,
with a warning, rather than applied.
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
    "vpkp_tutor.tui.dialogs.course_picker",
    "vpkp_tutor.tui.widgets.answers",
    "vpkp_tutor.tui.preview",
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


EVERYWHERE = ("VpkpApp", "VpkpScreen")
"""Owners whose bindings apply on every screen."""
ANSWER_SCREENS = ("QuizScreen", "LessonScreen", "ReviewScreen", "PreviewScreen")
WITHIN = {"AnswerInput": ANSWER_SCREENS, "TrajectoryAnswer": ANSWER_SCREENS,
          "TextField": ANSWER_SCREENS}
"""Widgets with bindings of their own, and the screens they are shown on: a key of theirs
and a key of such a screen apply together (a drill's `f` on a quiz hides the quiz's)."""
QUIT = "app.quit"
"""The binding that must always have a key that works."""
MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
"""Modifiers a key name may start with (`ctrl+f`, `ctrl+shift+f`)."""


def _named_keys() -> frozenset[str]:
    """Keys known by name (`escape`, `f5`, `pageup`, …), without modifiers."""
    from textual.keys import Keys

    return frozenset(k.value.rpartition("+")[2] for k in Keys
                     if not k.value.startswith("<"))


def _character(base: str) -> str | None:
    """The printable character a key name stands for (`f`, `question_mark` → `?`)."""
    from textual.keys import key_to_character

    char = base if len(base) == 1 else key_to_character(base)
    return char if char is not None and len(char) == 1 and char.isprintable() else None


def key_problem(key: str) -> str | None:
    """Why `key` is not the name of a key Textual can report (None when it is). A key is
    an optional run of modifiers (`ctrl+`, `shift+`, `alt+` …) and a key: a printable
    character (`f`, `?`), its name (`question_mark`) or a named key (`escape`, `f5`).
    `F2` or `Ctrl+Q` is refused with the name in lower case offered."""
    problem = _key_problem(key)
    if problem is not None and key.lower() != key and _key_problem(key.lower()) is None:
        return f"{key!r} is not a key; key names are lower case: {key.lower()!r}"
    return problem


def _key_problem(key: str) -> str | None:
    *mods, base = key.split("+")
    if not base:
        return f"{key!r} names no key after the '+'"
    unknown = [m for m in mods if m not in MODIFIERS]
    if unknown or len(set(mods)) != len(mods):
        return (f"{key!r}: {unknown[0] if unknown else 'a repeated modifier'!r} is not a "
                f"modifier (modifiers: {', '.join(sorted(MODIFIERS))})")
    if base in _named_keys() or (_character(base) is not None and not base.isspace()):
        return None
    close = difflib.get_close_matches(base, list(_named_keys()), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{key!r} is not a key{hint}"


def normalise_key(key: str) -> str:
    """One name per key, as Textual reports it: `?` → `question_mark`, `ctrl+/` →
    `ctrl+slash`."""
    from textual.keys import KEY_NAME_REPLACEMENTS

    prefix, _, base = key.rpartition("+")
    if len(base) == 1 and not base.isalnum():
        import unicodedata

        try:
            name = unicodedata.name(base).lower().replace("-", "_").replace(" ", "_")
        except ValueError:
            name = base
        base = KEY_NAME_REPLACEMENTS.get(name, name)
    return f"{prefix}+{base}" if prefix else base


def _keys(keys: str) -> set[str]:
    return {normalise_key(k) for k in keys.split(",")}


def _typed_as_text(key: str) -> bool:
    """True when `key` is a character one types into a text field (no modifier but shift)."""
    *mods, base = key.split("+")
    return set(mods) <= {"shift"} and _character(base) is not None


def key_refused(binding: BindingInfo, keys: str, keymap: dict[str, str],
                infos: Collection[BindingInfo]) -> str | None:
    """Why `binding` may not move to `keys` (comma-separated) given the rest of `keymap`,
    or None when it may: a key that is not a key; a key another binding uses where both
    apply (on the same screen, or one of them everywhere); a quit key that is typed as
    text (it would quit while a name is typed)."""
    for key in keys.split(","):
        problem = key_problem(key)
        if problem:
            return problem
    if binding.id == QUIT and all(_typed_as_text(k) for k in keys.split(",")):
        return (f"the quit key must not be one typed as text ({keys!r}); use ctrl, alt or "
                "a named key such as f10")
    wanted = _keys(keys)
    for other in infos:
        if other.id == binding.id:
            continue
        shared = (other.where == binding.where or other.where in EVERYWHERE
                  or binding.where in EVERYWHERE
                  or binding.where in WITHIN.get(other.where, ())
                  or other.where in WITHIN.get(binding.where, ())
                  or (binding.where in WITHIN and other.where in WITHIN))
        taken = wanted & _keys(keymap.get(other.id, other.keys))
        if shared and taken:
            return f"{min(taken)} is already “{other.description}” ({other.id})"
    return None


def parse_keymap(raw: str, infos: Collection[BindingInfo] | None = None) -> dict[str, str]:
    """The keymap in `raw` (JSON) as binding id → keys, checked as the Settings screen
    checks a key: ValueError, with a message naming the problem, when it is not a JSON
    object of key names, names an unknown binding id, gives a binding a key that another
    binding uses where both apply, or leaves no quit key that works (see `key_refused`).
    `infos` are the bindings (default: `bindings()`, looked up only when the keymap moves
    any)."""
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"a keymap is a JSON object such as "
                         f'{{"quiz.flag": "x"}}; this is not JSON ({exc})') from None
    if not isinstance(value, dict):
        raise ValueError('a keymap is a JSON object such as {"quiz.flag": "x"}')
    keymap: dict[str, str] = {}
    for binding_id, keys in value.items():
        if not isinstance(keys, str) or not keys.strip() or any(
                not k.strip() or " " in k.strip() for k in keys.split(",")):
            raise ValueError(f"the keys for {binding_id!r} must be text such as \"f\" or "
                             f"\"f,ctrl+f\", not {json.dumps(keys)}")
        keymap[binding_id] = ",".join(k.strip() for k in keys.split(","))
    if not keymap:
        return keymap
    known = {b.id: b for b in (bindings() if infos is None else infos)}
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, list(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"no binding has the id {binding_id!r}{hint} "
                             "(`vpkp-tutor bindings` lists them)")
        problem = key_refused(known[binding_id], keys, keymap, known.values())
        if problem:
            raise ValueError(f"{binding_id}: {problem}")
    return keymap
