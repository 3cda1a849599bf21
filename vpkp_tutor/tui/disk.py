"""A full disk while the app writes: recognised however it shows, said once, and the app
stays open (what was not saved can be done again once there is room)."""

from __future__ import annotations

import errno
from collections.abc import Callable
from typing import Any, TypeVar

from textual.app import App
from textual.widget import Widget

T = TypeVar("T")

def is_disk_full(exc: BaseException) -> bool:
    """True when `exc` (or what caused it, or what it was raised while handling — SQLite
    may roll a full transaction back itself, so the rollback that follows fails too) says
    the disk, or the database's size limit, is full: SQLite's SQLITE_FULL ("database or
    disk is full"), a store error saying so, or ENOSPC from the operating system."""
    seen: BaseException | None = exc
    visited: set[int] = set()
    while seen is not None and id(seen) not in visited:
        visited.add(id(seen))
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            return True
        if getattr(seen, "sqlite_errorname", "") == "SQLITE_FULL":
            return True
        text = str(seen).lower()
        if "disk is full" in text or "disk full" in text or "no space left" in text:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def saved(node: Widget | App[Any], write: Callable[[], object], what: str) -> bool:
    """Run `write` (a services call that writes); True when it was saved. On a full disk
    tell the learner that `what` was not saved and return False instead of ending the app.
    Any other error is raised as before."""
    return saved_value(node, lambda: (write(), True)[1], what) is not None


def saved_value(node: Widget | App[Any], write: Callable[[], T], what: str) -> T | None:
    """`saved` for a write whose result is needed (never None when saved): the result, or
    None when the disk was full (and the learner has been told)."""
    try:
        return write()
    except Exception as exc:
        if not is_disk_full(exc):
            raise
        node.notify(f"The disk is full: {what} was not saved. Free some space and try again.",
                    title="Disk full", severity="error", timeout=10, markup=False)
        return None
