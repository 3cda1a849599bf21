"""Work done beside this process, in a forked copy of it, for a report over a large cohort:
the copy sees everything this process has read without it being sent, and only its result
comes back (through a pipe, as multiprocessing sends objects).

Only the command line forks (the app never builds a director's report), and only once the
cohort is large enough that the work takes longer than forking (a few milliseconds)."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

T = TypeVar("T")

PARALLEL_FROM = 50_000
"""Answers in a cohort from which parts of its report are worked out in a forked copy
(below it, each part takes less time than starting the copy)."""


@contextlib.contextmanager
def heap_set_aside() -> Iterator[None]:
    """Inside the block, what this process holds now is left out of the cycle collector
    (`gc.freeze`): for the objects of a large report (a million small ones, none in a
    cycle, kept to the end), so that no collection walks them here, nor in a copy forked
    inside the block, where walking them would also copy their pages. Measured over
    500 learners × 2,000 answers: the HTML and the summary each took a third less time."""
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    try:
        yield
    finally:
        if not frozen_before:  # (as it was, for a caller that goes on)
            gc.unfreeze()


def beside(work: Callable[[], T], answers: int) -> Callable[[], T]:
    """Start `work` in a forked copy of this process when `answers` reaches
    `PARALLEL_FROM` (and this system can fork), else do it now; the function returned
    gives its result, or raises what it raised. A copy that ends without a result (killed,
    say) costs time, not the result: the work is then done here."""
    if answers < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        value = work()
        return lambda: value
    context = multiprocessing.get_context("fork")
    # (multiprocessing flushes this process's output before forking: the copy never
    # writes it out again)
    receiving, sending = context.Pipe(duplex=False)
    copy = context.Process(target=_run, args=(work, sending), daemon=True)
    copy.start()
    sending.close()

    def result() -> T:
        try:
            done, value = receiving.recv()
        except (EOFError, OSError):  # no result sent: the copy did not finish
            return work()
        finally:
            receiving.close()
            copy.join()
        if not done:
            raise value
        return cast(T, value)

    return result


def _run(work: Callable[[], Any], sending: Any) -> None:
    try:
        sent: tuple[bool, Any] = (True, work())
    except Exception as exc:  # raised again where the result is asked for
        sent = (False, exc)
    with contextlib.suppress(Exception):  # one that cannot be sent: the work is done again
        sending.send(sent)
    sending.close()
