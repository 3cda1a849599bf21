"""Authored YAML → domain objects, with every problem located as `path:line:col`.

`bundled_paths()` finds the content that ships with the app: inside the installed wheel
(`vpkp_tutor/_bundled/`) or, in a checkout, the repository's `lessons/` and `question_bank/`.
"""

from __future__ import annotations

from pathlib import Path


def bundled_paths() -> list[Path]:
    """The folders holding the bundled lessons and question bank."""
    here = Path(__file__).resolve().parent.parent
    for root in (here / "_bundled", here.parent):
        lessons, bank = root / "lessons", root / "question_bank"
        if lessons.is_dir() and bank.is_dir():
            return [lessons, bank]
    return []
