"""Finding content files: the YAML files under the given files and folders.

Kept apart from the loader so that a content-cache hit needs neither YAML nor the schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SUFFIXES = (".yaml", ".yml")
"""File name endings that hold content."""


def discover(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """Content files under the given files and folders, with a stable fingerprint name."""
    found: list[tuple[Path, str]] = []
    for root in paths:
        if root.is_dir():
            for f in sorted(root.rglob("*")):
                if f.suffix in SUFFIXES and f.is_file():
                    found.append((f, f"{root.name}/{f.relative_to(root).as_posix()}"))
        else:
            found.append((root, root.name))
    return found
