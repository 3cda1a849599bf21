"""Finding content files: the YAML files under the given files and folders.

One walk serves both the loader (which reads the files) and the content cache (which only
stats them), so the two always agree on which files make up the content. Kept apart from
the loader so that a content-cache hit needs neither YAML nor the schema.

A content folder is treated as possibly hostile. The walk

- follows a symbolic link only when it leads somewhere inside the content folder, so a link
  cannot pull in the home folder or the whole disk;
- reads each real folder once, so a link loop (or a chain of links to the same folders,
  which would otherwise be walked an exponential number of times) ends at once;
- goes at most `MAX_DEPTH` folders deep and stops after `MAX_FOLDERS` folders or
  `MAX_FILES` content files, saying so;
- lists a `.yaml` entry that is not a regular file (a FIFO, a device) as a problem instead
  of opening it.

What it leaves out is reported as a `WalkNote`, which the loader turns into a located error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

SUFFIXES = (".yaml", ".yml")
"""File name endings that hold content."""
MAX_DEPTH = 32
"""Deepest folder nesting walked below a content folder."""
MAX_FOLDERS = 10_000
"""Most folders walked below one content folder."""
MAX_FILES = 20_000
"""Most content files taken from one content folder."""


class WalkNote(NamedTuple):
    """Something the walk left out, and why."""

    path: str
    message: str


class Walk:
    """What one walk found."""

    __slots__ = ("files", "folders", "notes")

    def __init__(self) -> None:
        self.files: list[tuple[str, str]] = []
        """(path, path relative to the root) of each content file, in walk order."""
        self.notes: list[WalkNote] = []
        """What was left out, and why."""
        self.folders = 0
        """How many folders were read (the walk's cost)."""


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class _Stop(Exception):
    """A limit was reached: the walk ends."""


def walk(root: str) -> Walk:
    """Every content file below `root`, sorted by name within each folder (`root` itself
    when it is not a folder). Uses scandir: no path objects and no extra system calls for
    plain entries, which matters for the cache check at every start. Raises OSError only
    when `root` itself cannot be examined."""
    found = Walk()
    st = os.stat(root)
    if not stat.S_ISDIR(st.st_mode):
        found.files.append((root, os.path.basename(root)))
        return found
    real_root = os.path.realpath(root)
    seen = {(st.st_dev, st.st_ino)}

    def note(path: str, message: str) -> None:
        found.notes.append(WalkNote(path, message))

    def visit(folder: str, rel: str, depth: int) -> None:
        found.folders += 1
        if found.folders > MAX_FOLDERS:
            note(root, f"more than {MAX_FOLDERS:,} folders below this content folder; "
                       "stopped there — is it the right folder?")
            raise _Stop
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            note(folder, f"cannot read folder: {exc.strerror or exc}")
            return
        for entry in entries:
            link = False
            try:
                link = entry.is_symlink()
                if link and not _inside(os.path.realpath(entry.path), real_root):
                    note(entry.path, "symbolic link leads outside the content folder "
                                     f"(to {os.path.realpath(entry.path)}); not followed")
                    continue
                if entry.is_dir():
                    est = entry.stat()
                    ident = (est.st_dev, est.st_ino)
                elif entry.name.endswith(SUFFIXES):
                    ident = None
                    regular = entry.is_file()  # no system call unless it is a link
                    if link and not regular:
                        entry.stat()  # a dangling link or a loop: say which
                else:
                    continue
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    note(entry.path, "symbolic link loop; not followed")
                elif link and exc.errno == errno.ENOENT:
                    note(entry.path, "symbolic link to nothing; left out")
                else:
                    note(entry.path, f"cannot read: {exc.strerror or exc}")
                continue
            if ident is not None:
                if ident in seen:
                    if link:
                        note(entry.path, "symbolic link to a folder already read (a loop or "
                                         "a second way in); not followed")
                    continue
                seen.add(ident)
                if depth >= MAX_DEPTH:
                    note(entry.path, f"folders nested more than {MAX_DEPTH} deep; not read")
                    continue
                visit(entry.path, f"{rel}{entry.name}/", depth + 1)
            elif regular:
                if len(found.files) >= MAX_FILES:
                    note(root, f"more than {MAX_FILES:,} content files below this content "
                               "folder; stopped there — is it the right folder?")
                    raise _Stop
                found.files.append((entry.path, f"{rel}{entry.name}"))
            else:
                note(entry.path, "not a regular file (a pipe, device or socket); left out")

    with contextlib.suppress(_Stop):
        visit(root, "", 0)
    return found


def discover(paths: Iterable[Path]) -> tuple[list[tuple[Path, str]], list[WalkNote]]:
    """Content files under the given files and folders, with a stable fingerprint name
    (`<folder name>/<relative path>`, or the file name for a file given directly), and
    what the walk left out. A path that cannot be examined is returned as a file, so that
    reading it reports why."""
    found: list[tuple[Path, str]] = []
    notes: list[WalkNote] = []
    seen: set[str] = set()  # a file named twice, or reached by a link and by name, once

    def add(path: Path, name: str) -> None:
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            found.append((path, name))

    for root in paths:
        try:
            result = walk(str(root))
        except OSError:
            add(root, root.name)
            continue
        notes.extend(result.notes)
        if not result.folders:  # a file named directly
            add(root, root.name)
        else:
            for p, rel in result.files:
                add(Path(p), f"{root.name}/{rel}")
    return found, notes
