"""What `vpkp-tutor preview` needs below the TUI: the previewed file checked against its
course (re-checks read only changed files), and a throwaway progress store."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vpkp_tutor.content.recheck import Recheck
    from vpkp_tutor.domain.model import Case, ContentBank, ContentProblem, Lesson, Question
    from vpkp_tutor.storage.store import SqliteProgressStore


def code_name(code: str) -> str:
    """The name of a content problem's code (`VP101` → `duplicate-key`)."""
    from vpkp_tutor.content.codes import name_of

    return name_of(code)


def open_preview_store(folder: Path) -> SqliteProgressStore:
    """A progress store in `folder` (a temporary folder the preview removes). An author
    previewing an item sees its feedback at once: the confidence question a learner is
    asked after each answer is off here."""
    from msgspec.structs import replace

    from vpkp_tutor.services.settings import DEFAULTS, save_changes
    from vpkp_tutor.storage import open_store

    store = open_store(folder, daily_backups=False)
    save_changes(store, DEFAULTS, replace(DEFAULTS, ask_confidence=False))
    return store


@dataclass(slots=True)
class PreviewState:
    """What one check of the previewed file found."""

    kind: str = ""
    """'lesson', 'questions' or 'case' ('' when unknown)."""
    lesson: Lesson | None = None
    questions: tuple[Question, ...] = ()
    case: Case | None = None
    bank: ContentBank | None = None
    """The course's content (lessons' checks and cases need it)."""
    problems: list[ContentProblem] = field(default_factory=list)
    """The file's errors and warnings."""
    error: str = ""
    """Why nothing can be shown (the item is missing, or has errors)."""


class PreviewLoader:
    """Checks the previewed file against its course; re-checks read only changed files."""

    def __init__(self, file: Path, item: str | None) -> None:
        from vpkp_tutor.content import bundled_paths
        from vpkp_tutor.content.loader import content_set

        self.file = file
        self.item = item
        folders, manifest = content_set(file) or (bundled_paths(), None)
        self.manifest = manifest
        """The manifest of the file's course (None: the bundled course)."""
        real = os.path.realpath(file)
        inside = any(real.startswith(os.path.realpath(f) + os.sep) for f in folders)
        self.paths = list(folders) if inside else [*folders, file]
        self._reuse: Recheck | None = None

    def load(self) -> PreviewState:
        """Check the file (never raises for content)."""
        from vpkp_tutor.content.loader import _load
        from vpkp_tutor.content.recheck import Recheck, collector_paused

        if self._reuse is None:
            self._reuse = Recheck()
        with collector_paused():
            loaded = _load(self.paths, manifest=self.manifest, reuse=self._reuse)
        real = os.path.realpath(self.file)
        mine = next((p for p in loaded.files
                     if p.file is not None and os.path.realpath(p.file) == real), None)
        state = PreviewState(bank=loaded.bank)
        if mine is None:
            state.error = f"{self.file} is not a content file of this course"
            return state
        state.problems = sorted(mine.doc.problems, key=lambda p: (p.line, p.column))
        value = mine.doc.value
        state.kind = str(value.get("kind")) if isinstance(value, dict) else ""
        if mine.loads_anything and mine.lessons:
            state.lesson = mine.lessons[0].item
        if mine.loads_anything and mine.cases:
            state.case = mine.cases[0].item
        questions = tuple(x.item for x in mine.good_questions())
        ids = [x.item.id for x in mine.questions] + [x.item.id for x in mine.lessons] + [
            x.item.id for x in mine.cases]
        if self.item is not None:
            questions = tuple(q for q in questions if q.id == self.item)
            if state.lesson is not None and state.lesson.id != self.item:
                state.lesson = None
            if state.case is not None and state.case.id != self.item:
                state.case = None
            if not (questions or state.lesson or state.case):
                raw = _raw_ids(value)
                state.error = (f"'{self.item}' has errors" if self.item in raw or
                               self.item in ids else
                               f"no item '{self.item}' in {self.file}")
                return state
        state.questions = questions
        if not (questions or state.lesson or state.case):
            state.error = f"{self.file} has errors; nothing in it can be shown"
        return state


def _raw_ids(value: Any) -> set[str]:
    if not isinstance(value, dict):
        return set()
    ids = {value["id"]} if isinstance(value.get("id"), str) else set()
    items = value.get("questions")
    if isinstance(items, list):
        ids |= {q["id"] for q in items if isinstance(q, dict) and isinstance(q.get("id"), str)}
    return ids


