"""A full disk while the app writes: recognised however it shows, said once, and the app
stays open (what was not saved can be done again once there is room). What counts as a full
disk is the store's own test (`storage.is_disk_full`, through services)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from textual.app import App
from textual.widget import Widget

from vpkp_tutor.services import is_disk_full

__all__ = ["is_disk_full", "saved", "saved_value"]

T = TypeVar("T")


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
