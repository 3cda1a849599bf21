"""Finding content files: the YAML files under the given files and folders.

One walk serves both the loader (which reads the files) and the content cache (which only
stats them), so the two always agree on which files make up the content. Kept apart from
the loader so that a content-cache hit needs neither YAML nor the schema.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

SUFFIXES = (".yaml", ".yml")
"""File name endings that hold content."""


def content_files(root: str) -> Iterator[tuple[str, str]]:
    """(path, path relative to `root`) of every content file below `root`, sorted by name
    within each folder; `root` itself when it is a file. Uses scandir: no path objects and
    no extra system calls, which matters for the cache check at every start."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except NotADirectoryError:
        yield root, os.path.basename(root)
        return
    for entry in entries:
        if entry.is_dir():
            for path, rel in content_files(entry.path):
                yield path, f"{entry.name}/{rel}"
        elif entry.name.endswith(SUFFIXES) and entry.is_file():
            yield entry.path, entry.name


def discover(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """Content files under the given files and folders, with a stable fingerprint name
    (`<folder name>/<relative path>`, or the file name for a file given directly)."""
    found: list[tuple[Path, str]] = []
    for root in paths:
        if root.is_dir():
            found.extend((Path(p), f"{root.name}/{rel}") for p, rel in content_files(str(root)))
        else:
            found.append((root, root.name))
    return found
