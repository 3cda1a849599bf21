"""Learner profiles: what a name may be, finding a learner by name or id, creating, renaming
and deleting one, and a summary of each (answers, last active).

Names are unique: two names are the same when they differ only in case or spacing (see
`name_key`). A database written before names were unique may still hold two learners with
one name; looking such a name up raises `AmbiguousLearnerError`, whose message lists the
candidates and says how to tell them apart.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from vpkp_tutor.domain.progress import Learner, clean_name
from vpkp_tutor.services.base import ServicesBase, new_id
from vpkp_tutor.storage.store import NameTakenError, name_key

__all__ = [
    "MAX_NAME_LENGTH",
    "AmbiguousLearnerError",
    "LearnerSummary",
    "NameTakenError",
    "UnknownLearnerError",
    "learner_name",
    "name_key",
]

MAX_NAME_LENGTH = 60
"""The longest display name, in characters (after cleaning)."""
SHORT_ID = 8
"""How many characters of an id are shown to tell learners apart."""
MIN_ID_PREFIX = 6
"""The shortest id prefix accepted in place of a whole id."""
_BLANK = frozenset("\u115f\u1160\u180e\u2800\u3164\uffa0")
"""Characters that are not whitespace or format characters yet draw nothing."""


def learner_name(text: str) -> str:
    """`text` as a learner's display name (one line of plain text, see `clean_name`), or
    ValueError saying why it cannot be one: it must show at least one visible character
    once control and format characters are removed, and be at most `MAX_NAME_LENGTH`
    characters long. The one rule for every place a name is accepted."""
    name = clean_name(text)
    if not any(_visible(ch) for ch in name):
        raise ValueError("a learner name needs at least one visible character")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"a learner name can be at most {MAX_NAME_LENGTH} characters "
                         f"(this one has {len(name)})")
    return name


def _visible(ch: str) -> bool:
    return not ch.isspace() and ch not in _BLANK and not unicodedata.category(ch).startswith("C")


@dataclass(frozen=True, slots=True)
class LearnerSummary:
    """A learner with how much they have done: enough to tell two profiles apart."""

    learner: Learner
    """The profile."""
    answers: int
    """Answers recorded (quizzes, reviews and lesson checks)."""
    last_active: dt.datetime | None
    """When they last answered, started a quiz or case, or read a lesson (UTC), if ever."""

    @property
    def short_id(self) -> str:
        """The start of the id, enough to pick this learner on the command line."""
        return self.learner.id[:SHORT_ID]

    @property
    def last_active_text(self) -> str:
        """Last activity in local time, or "never"."""
        if self.last_active is None:
            return "never"
        return self.last_active.astimezone().strftime("%Y-%m-%d %H:%M")

    def describe(self) -> str:
        """One line: name · program · level · answers · last active · id."""
        learner = self.learner
        parts = [learner.display_name, learner.program, learner.level,
                 f"{self.answers} answer{'' if self.answers == 1 else 's'}",
                 f"last active {self.last_active_text}", f"id {self.short_id}"]
        return " · ".join(p for p in parts if p)


class UnknownLearnerError(ValueError):
    """No learner has this id or name."""


class AmbiguousLearnerError(ValueError):
    """More than one learner has this name (a database from before names were unique)."""

    def __init__(self, name: str, candidates: list[LearnerSummary]) -> None:
        fewest = min(candidates, key=lambda c: (c.answers, c.learner.id))
        lines = "\n".join(f"  {c.describe()}" for c in candidates)
        super().__init__(
            f"{len(candidates)} learners are called {name!r}:\n{lines}\n"
            "Give each a name of their own, e.g. "
            f"`vpkp-tutor learners rename {fewest.short_id} \"{fewest.learner.display_name} 2\"`"
            " (an id as listed also picks one learner)")
        self.candidates = candidates
        """The learners with that name."""


class LearnerServices(ServicesBase):
    """Learner profiles."""

    def list_learners(self) -> list[Learner]:
        """All learner profiles, by display name."""
        return self.store.list_learners()

    def learner_summaries(self, learners: list[Learner] | None = None) -> list[LearnerSummary]:
        """Each learner (all by default) with answers and last activity, by display name."""
        activity = self.store.learner_activity()
        return [LearnerSummary(x, *activity.get(x.id, (0, None)))
                for x in (self.store.list_learners() if learners is None else learners)]

    def create_learner(self, display_name: str, program: str = "", level: str = "") -> Learner:
        """Create a profile with a new opaque id. The name must pass `learner_name`
        (ValueError otherwise) and be free: `NameTakenError` (a ValueError naming the
        existing learner) when another learner has it. Program and level are cleaned the
        same way."""
        name = learner_name(display_name)
        learner = Learner(id=new_id().hex, display_name=name, program=clean_name(program),
                          level=clean_name(level), created_at=self.clock())
        self.store.add_learner(learner, unique=True)
        return learner

    def find_learner(self, name_or_id: str) -> Learner | None:
        """A learner by exact id, else the one learner with this name; None when there is
        none, or more than one (see `resolve_learner`)."""
        try:
            return self.resolve_learner(name_or_id)
        except ValueError:
            return None

    def resolve_learner(self, name_or_id: str) -> Learner:
        """A learner by exact id, else by name (`name_key`), else by a unique id prefix of
        at least `MIN_ID_PREFIX` characters. `AmbiguousLearnerError` when several learners
        have the name, `UnknownLearnerError` when nothing matches (both ValueError, with a
        readable message)."""
        learner = self.store.get_learner(name_or_id)
        if learner is not None:
            return learner
        matches = self.store.find_learners(clean_name(name_or_id))
        if len(matches) > 1:
            raise AmbiguousLearnerError(clean_name(name_or_id), self.learner_summaries(matches))
        if matches:
            return matches[0]
        prefix = name_or_id.strip().lower()
        if len(prefix) >= MIN_ID_PREFIX:
            by_id = [x for x in self.store.list_learners() if x.id.startswith(prefix)]
            if len(by_id) == 1:
                return by_id[0]
        known = ", ".join(x.display_name for x in self.store.list_learners()) or "none yet"
        raise UnknownLearnerError(f"no learner with id or name {clean_name(name_or_id)!r} "
                                  f"(learners: {known})")

    def open_learner(self, name_or_id: str) -> Learner:
        """The learner to open the app as: found as by `resolve_learner`, or created with
        this name when there is none (ValueError for a name that cannot be one, or one
        several learners share)."""
        try:
            return self.resolve_learner(name_or_id)
        except UnknownLearnerError:
            pass
        try:
            return self.create_learner(name_or_id)
        except NameTakenError as exc:  # created by another program a moment ago
            return exc.existing

    def rename_learner(self, name_or_id: str, new_name: str) -> tuple[Learner, Learner]:
        """Rename the learner `name_or_id` (found as by `resolve_learner`); returns the
        learner before and after. ValueError for a name that cannot be one;
        `NameTakenError` when another learner has it."""
        learner = self.resolve_learner(name_or_id)
        name = learner_name(new_name)
        try:
            return learner, self.store.rename_learner(learner.id, name)
        except KeyError:
            raise UnknownLearnerError(f"the learner {learner.display_name!r} was deleted "
                                      "meanwhile") from None

    def delete_learner(self, learner_id: str) -> bool:
        """Delete a learner and all their progress, and forget them as the last learner and
        their last course (in the same transaction); True when there was one. Callers take
        a backup first (`store.backup`)."""
        from msgspec.structs import replace

        from vpkp_tutor.services.settings import LAST_COURSES, LAST_LEARNER

        deleted = self.store.delete_learner(learner_id, forget_setting=LAST_LEARNER,
                                            forget_entry_in=LAST_COURSES)
        settings = self._settings  # forgotten in the store too:
        if settings.last_learner == learner_id:
            settings = replace(settings, last_learner="")
        if learner_id in settings.last_courses:
            settings = replace(settings, last_courses={
                k: v for k, v in settings.last_courses.items() if k != learner_id})
        self._settings = settings
        return deleted
