"""Authored YAML → domain objects, with every problem located as `path:line:col`.

`bundled_paths()` finds the content that ships with the app: inside the installed wheel
(`vpkp_tutor/_bundled/`) or, in a checkout, the repository's `lessons/` and `question_bank/`;
`bundled_manifest()` finds the bundled course's manifest (`course.yaml`) beside them.
"""

from __future__ import annotations

from pathlib import Path


def _bundled_root() -> Path | None:
    here = Path(__file__).resolve().parent.parent
    for root in (here / "_bundled", here.parent):
        if (root / "lessons").is_dir() and (root / "question_bank").is_dir():
            return root
    return None


def bundled_paths() -> list[Path]:
    """The folders holding the bundled lessons and question bank."""
    root = _bundled_root()
    return [root / "lessons", root / "question_bank"] if root else []


def bundled_manifest() -> Path:
    """The bundled course's manifest (`course.yaml` beside its lessons)."""
    root = _bundled_root()
    return (root or Path(__file__).resolve().parent.parent.parent) / "course.yaml"
