"""Python's cyclic garbage collector during start-up.

A full collection walks every object the collector tracks — the content bank, the
stylesheet, every widget. `hold_start_up()` when the app starts and `settle_heap()` once its
first screen is drawn: no collection runs while the first screen is built (start-up
allocates a lot and frees little, so the dozens of collections it would trigger find next
to nothing), then one collection runs and what survives (the content bank, imported
modules, parsed CSS) is frozen so later collections skip it; `release_heap()` unfreezes it
when the app exits.

`let_go_of_old_styles()` is for screens that replace widgets as the learner moves on (the
quiz, from item to item): see its note.
"""

from __future__ import annotations

import gc

_held = False


def hold_start_up() -> None:
    """Pause automatic collection until `settle_heap` (or `release_heap`). This also takes
    over a pause begun earlier in start-up (`gc.disable()` before the heavy imports), which
    `settle_heap` then ends."""
    global _held
    gc.disable()
    _held = True


def settle_heap() -> None:
    """Collect once, keep everything alive now out of later collections, and resume
    automatic collection."""
    gc.collect()
    gc.freeze()
    resume_collection()


def release_heap() -> None:
    """Undo `settle_heap` and any hold, and empty the style cache that keeps removed widgets
    (see `let_go_of_old_styles`): the app is exiting."""
    resume_collection()
    let_go_of_old_styles()
    gc.unfreeze()


def resume_collection() -> None:
    """End the start-up hold (safe to call at any time)."""
    global _held
    if _held:
        _held = False
        gc.enable()


def let_go_of_old_styles() -> None:
    """Empty Textual's cache of widgets' background styles.

    That cache (`StylesCache.get_inner_outer`, an `lru_cache` on a method: Textual issue
    #6665, open in 8.2.8) keeps the last 1,024 style caches it was called on, each with its
    widget's rendered lines, long after the widget is removed: in a 200-item quiz it held
    about 26,000 objects that every full collection walked again. Emptying it frees the
    removed widgets' at once; a widget still shown fills it again when next drawn (two
    colour sums per widget)."""
    from textual._styles_cache import StylesCache

    clear = getattr(StylesCache.get_inner_outer, "cache_clear", None)
    if clear is not None:  # (a Textual that no longer caches them needs nothing)
        clear()


FULL_SOON = 8
"""Collections of the middle generation after which a full one is near: Python starts a
full collection after `gc.get_threshold()[2]` of them (10 by default)."""


def collect_if_due() -> None:
    """Run the full collection now if Python would soon start one by itself.

    For a moment when nothing waits on the app — just after a screen has drawn what a key
    asked for, while the learner reads it. A full collection walks every widget left behind
    since the last one (in a quiz, about 25 items' worth: 30–70 ms on the development
    machine); started by Python, it lands inside the handling of whatever key allocates
    next, and the learner waits for it."""
    if gc.isenabled() and gc.get_count()[2] >= min(FULL_SOON, gc.get_threshold()[2]):
        gc.collect()
