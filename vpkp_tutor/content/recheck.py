"""What a re-check keeps from the last check of the same content (`validate --watch`, the
preview's reload), so that checking again after one file was saved reads, parses and
lints that file only.

- Each file's parse and schema result is kept with the file's identity and times (device,
  inode, size, modification and change time). A file whose `stat()` still gives the same is
  taken as unchanged without being read — but only when its last change lies more than
  `RACY_SECONDS` before the moment it was read, so that a save landing within the same tick
  of the file system's clock as the read is never missed (the file is then read and its
  bytes compared, as git does for a "racily clean" file). The change time cannot be set by
  a program, so a copy that restores an old modification time is still seen.
- Each file's item warnings of the content lint are kept with the set of its questions that
  loaded (a question left out for an error elsewhere — a link to a deleted lesson — is not
  linted, as in a full check).
- The checks between files (`checks.check_cross_references`) are kept with everything they
  read: each file's item ids, declared objectives, steps' checks and objectives named, with
  their positions, and what was left out (`checks.Held`). When none of it changed — an edit
  to a stem, an option, an explanation — their problems are taken as they were; otherwise
  the checks run again over the whole content.
- The near-duplicate index (`lint.NearDuplicates`) keeps the bank's MinHash buckets and
  the pairs found, and compares only the stems that changed.

A result is what a full check of the same files gives, problem for problem
(tests/content/test_recheck.py compares them over many edits).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vpkp_tutor.content.lint import NearDuplicates

if TYPE_CHECKING:
    from vpkp_tutor.content.checks import Held
    from vpkp_tutor.content.loader import _Parsed
    from vpkp_tutor.domain.model import ContentProblem, Course

RACY_SECONDS = 2.0
"""A file changed less than this long before it was read is read again at the next check
(covers file systems whose clock ticks in steps of up to two seconds)."""

StatKey = tuple[int, int, int, int, int]

_now = time.time_ns
"""The wall clock, in nanoseconds (as the file system's times are)."""


def stat_key(st: os.stat_result) -> StatKey:
    """What tells that a file changed without reading it."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@dataclass(slots=True)
class _Entry:
    parsed: _Parsed
    raw: bytes
    digest: bytes
    """sha256 of the bytes (part of the bank's fingerprint)."""
    key: StatKey | None
    read_at_ns: int
    """The wall clock when the bytes were read."""
    lint_for: tuple[bool, frozenset[int]] | None = None
    """What was left out of the file when the kept lint warnings were found (None: none
    kept)."""
    lint: list[ContentProblem] = field(default_factory=list)
    links: Links | None = None
    """What the checks between files read from this file (see `_links`)."""

    def trusted(self, key: StatKey | None) -> bool:
        """True when `key` shows the file unchanged since it was read, beyond doubt."""
        return (key is not None and key == self.key
                and key[4] < self.read_at_ns - int(RACY_SECONDS * 1e9))


class Recheck:
    """Kept between checks of the same content (see the module doc)."""

    def __init__(self) -> None:
        self.files: dict[str, _Entry] = {}
        self.near = NearDuplicates()
        self._links: tuple[list[Links], Held] | None = None
        self._link_problems: dict[str, list[ContentProblem]] = {}
        self._against: tuple[Course, dt.date] | None = None

    def begin(self, course: Course, today: dt.date) -> None:
        """Start a check against `course` on `today`: what was kept for another course or
        day (dates are checked against today) is dropped."""
        if self._against != (course, today):
            self.files.clear()
            self._links = None
            self._against = (course, today)

    def parsed(
        self, path: Path, shown: str, validate: Callable[[], _Parsed],
    ) -> tuple[_Parsed, bytes]:
        """The file's parse and schema result and the sha256 of its bytes: kept when the
        file did not change, else `validate()` (which reads it). Call `begin` first."""
        from vpkp_tutor.content.yamlsource import read_document

        read_at = _now()
        try:
            key: StatKey | None = stat_key(os.stat(path))
        except OSError:
            key = None  # reading it reports why
        old = self.files.get(shown)
        if old is not None and old.trusted(key):
            p = old.parsed
        else:
            doc = read_document(path, shown, parse=False) if old is not None else None
            if old is not None and doc is not None and not doc.problems and doc.raw == old.raw:
                old.key, old.read_at_ns = key, read_at
                p = old.parsed
            else:
                p = validate()
                p.base_problems = list(p.doc.problems)
                self.files[shown] = _Entry(p, p.doc.raw, hashlib.sha256(p.doc.raw).digest(),
                                           key, read_at)
                p.fresh = True
                return p, self.files[shown].digest
        p.doc.problems[:] = p.base_problems
        p.fresh = False
        return p, self.files[shown].digest

    def forget_missing(self, present: set[str]) -> None:
        """Drop what is kept for files no longer found."""
        for name in [n for n in self.files if n not in present]:
            del self.files[name]

    def _file_links(self, p: _Parsed) -> Links:
        entry = self.files.get(p.doc.path)
        if entry is None or entry.parsed is not p:
            return _links(p)
        if entry.links is None:
            entry.links = _links(p)
        return entry.links

    def same_links(self, parsed: list[_Parsed], held: Held) -> bool:
        """True when the checks between files read the same as last time: their problems
        are then added to the files as they were."""
        if self._links is None:
            return False
        links, was_held = self._links
        if was_held != held or links != [self._file_links(p) for p in parsed]:
            return False
        for p in parsed:
            p.doc.problems.extend(self._link_problems[p.doc.path])
        return True

    def keep_links(self, parsed: list[_Parsed], held: Held,
                   problems: list[list[ContentProblem]]) -> None:
        """Keep what the checks between files read and found (per file), for `same_links`."""
        self._links = ([self._file_links(p) for p in parsed], held)
        self._link_problems = {p.doc.path: found for p, found in zip(parsed, problems,
                                                                     strict=True)}

    def lint_warnings(self, p: _Parsed) -> list[ContentProblem] | None:
        """The file's kept item warnings when they are for the same loaded questions."""
        entry = self.files.get(p.doc.path)
        if entry is None or entry.parsed is not p or entry.lint_for is None:
            return None
        return entry.lint if entry.lint_for == _loaded(p) else None

    def keep_lint_warnings(self, p: _Parsed, warnings: list[ContentProblem]) -> None:
        """Keep the file's item warnings for the next check."""
        entry = self.files.get(p.doc.path)
        if entry is not None and entry.parsed is p:
            entry.lint_for, entry.lint = _loaded(p), warnings


Site = tuple[str, tuple[int, int]]
Links = tuple[str, tuple[object, ...], tuple[object, ...], tuple[object, ...]]


def _links(p: _Parsed) -> Links:
    """Everything `check_cross_references` reads from one file's items: their ids, the
    objectives they declare or name, the lessons' checks, each with where it stands."""
    doc = p.doc

    def sites(values: Iterable[str], *path: str | int) -> tuple[Site, ...]:
        return tuple((v, doc.where((*path, i))) for i, v in enumerate(values))

    return (
        doc.path,
        tuple((x.item.id, doc.where((*x.path, "id")),
               tuple((o.id, doc.where((*x.path, "objectives", i, "id")))
                     for i, o in enumerate(x.item.objectives)),
               tuple(sites(step.checks, *x.path, "steps", i, "checks")
                     for i, step in enumerate(x.item.steps)),
               doc.where(x.path)) for x in p.lessons),
        tuple((x.item.id, doc.where((*x.path, "id")),
               sites(x.item.objectives, *x.path, "objectives"), doc.where(x.path))
              for x in p.questions),
        tuple((x.item.id, doc.where((*x.path, "id")),
               sites(x.item.objectives, *x.path, "objectives"), doc.where(x.path))
              for x in p.cases),
    )


def _loaded(p: _Parsed) -> tuple[bool, frozenset[int]]:
    """Which of the file's items load: for a file unchanged since it was parsed, its items
    are the same, and which of them load follows from what `sort_out` left out."""
    return p.whole_bad, frozenset(p.bad_items)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic cyclic garbage collection inside the block. A check allocates a lot and
    frees little, and each full collection would walk the whole bank (a 10,000-question
    bank's objects) for nothing; what the block leaves behind is collected later."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
