"""Python's cyclic garbage collector, kept off the key-press path.

A full collection walks every object the collector tracks — the content bank, the
stylesheet, every widget — and by default it starts whenever enough objects have been
allocated, which is often in the middle of drawing the next question (tens of
milliseconds). Two measures, both used by the app:

- `hold_start_up()` when the app starts and `settle_heap()` once its first screen is drawn:
  no collection runs while the first screen is built (start-up allocates a lot and frees
  little, so the dozens of collections it would trigger find next to nothing), then one
  collection runs and what survives (the content bank, imported modules, parsed CSS) is
  frozen so later collections skip it; `release_heap()` unfreezes it when the app exits.
- `hold_collection()` when a key starts work that ends in a new frame, and
  `resume_collection()` once that frame has been drawn: automatic collection waits and then
  runs as usual, after the frame (Textual does the same during smooth scrolling, see
  `App.PAUSE_GC_ON_SCROLL`).
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
    """Undo `settle_heap` and any hold (the app is exiting)."""
    resume_collection()
    gc.unfreeze()


def hold_collection() -> None:
    """Pause automatic collection until `resume_collection` (call it once the frame that
    ends the work has been drawn, e.g. through `call_after_refresh` after the work)."""
    global _held
    if _held or not gc.isenabled():
        return
    gc.disable()
    _held = True


def resume_collection() -> None:
    """End a hold started by `hold_collection` (safe to call at any time)."""
    global _held
    if _held:
        _held = False
        gc.enable()
