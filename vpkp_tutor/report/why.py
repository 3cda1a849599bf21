"""Why answers were wrong, across the cohort: the learners' own reasons for their misses.

After a miss a learner may tag it (`domain.confidence.ErrorTag`): did not know, misread the
question, reasoning error, slip, or disagree with the key (with a short comment for the
educator). The report shows

- the cohort's **error profile**: per topic, the answers that missed full marks and how many
  of them carry each tag (every merged answer counted once; a tag is the learner's own
  judgement, and untagged misses stay untagged);
- the **disagreements with the key** per item: how many answers were tagged "disagree", what
  each of those learners answered and their comment, to read beside the item's statistics
  (several learners disagreeing with an item flagged "possible miskey" is a strong signal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vpkp_tutor.domain.confidence import ErrorTag
from vpkp_tutor.export.cohort import moment

if TYPE_CHECKING:
    from vpkp_tutor.export.cohort import CohortReport

TAGS = tuple(ErrorTag)
"""The tags in the order the app offers them (keys 1–5), the order of `TopicErrors.counts`."""


@dataclass(frozen=True, slots=True)
class TopicErrors:
    """One topic's misses and the reasons the learners gave (or the whole cohort's: topic
    "")."""

    topic: str
    misses: int
    """Answers that did not earn full marks."""
    counts: tuple[int, ...]
    """Tagged answers per tag, in the order of `TAGS`."""

    @property
    def tagged(self) -> int:
        """Answers with a reason given."""
        return sum(self.counts)

    def count(self, tag: ErrorTag) -> int:
        """Answers tagged `tag`."""
        return self.counts[TAGS.index(tag)]


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One answer whose learner says the key is wrong."""

    learner: tuple[str, str]
    """(learner id, course id): the report's row."""
    answer: Any
    """What the learner answered (a letter, a number, a tuple or None)."""
    comment: str
    """The learner's comment ("" when none was written)."""
    answered_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ItemDisagreements:
    """An item's answers tagged "disagree with the key", oldest first."""

    question_id: str
    topic: str
    answers: tuple[Disagreement, ...]

    @property
    def count(self) -> int:
        """Answers tagged "disagree"."""
        return len(self.answers)

    @property
    def comments(self) -> tuple[Disagreement, ...]:
        """Those that carry a comment."""
        return tuple(d for d in self.answers if d.comment)


def error_profile(cohort: CohortReport, topics: Sequence[str] = ()
                  ) -> tuple[tuple[TopicErrors, ...], TopicErrors]:
    """Per topic (those in `topics` first, in that order, then any other with a miss), and
    for the whole cohort."""
    import numpy as np

    answers = cohort.answers
    ntags = len(TAGS)
    nt = max(1, len(answers.topics))
    tag_of = np.array([TAGS.index(ErrorTag(t)) if t else -1 for t, _ in answers.whys]
                      or [-1], dtype=np.int64)
    tag = tag_of[answers.why] if len(answers) else np.zeros(0, np.int64)
    tagged = tag >= 0
    counts = np.bincount(answers.topic[tagged] * ntags + tag[tagged],
                         minlength=nt * ntags).reshape(nt, ntags)
    misses = np.bincount(answers.topic[~answers.correct], minlength=nt)
    code = {t: i for i, t in enumerate(answers.topics)}
    shown = [t for t in dict.fromkeys(topics) if t in code]
    shown += [t for t in answers.topics if t not in shown
              and (misses[code[t]] or counts[code[t]].any())]
    rows = tuple(TopicErrors(t, int(misses[code[t]]), tuple(counts[code[t]].tolist()))
                 for t in shown)
    total = TopicErrors("", int(misses.sum()), tuple(counts.sum(axis=0).tolist()))
    return rows, total


def disagreements(cohort: CohortReport) -> dict[str, ItemDisagreements]:
    """Items with answers tagged "disagree with the key" → those answers, most disagreed
    with first."""
    import numpy as np

    answers = cohort.answers
    codes = [i for i, (t, _) in enumerate(answers.whys) if t == ErrorTag.DISAGREE]
    if not codes or not len(answers):
        return {}
    rows = np.nonzero(np.isin(answers.why, codes))[0]
    by_item: dict[str, list[Disagreement]] = {}
    topics: dict[str, str] = {}
    for i in rows[np.argsort(answers.answered_us[rows], kind="stable")].tolist():
        qid = answers.question_ids[answers.question[i]]
        m = cohort.learners[answers.learner[i]]
        by_item.setdefault(qid, []).append(Disagreement(
            (m.learner.id, m.course.id), answers.answer(i), answers.whys[answers.why[i]][1],
            moment(int(answers.answered_us[i]))))
        topics[qid] = answers.topics[answers.topic[i]]
    items = sorted(by_item.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return {qid: ItemDisagreements(qid, topics[qid], tuple(found)) for qid, found in items}


@dataclass(frozen=True, slots=True)
class Sureness:
    """The cohort's answers at one stated confidence (or none stated: `level` "")."""

    level: str
    """"sure", "unsure", "guess", or "" for answers given without a confidence."""
    answers: int
    right: int
    """Answers that earned full marks."""

    @property
    def share(self) -> float | None:
        """The share fully right (None with no answers)."""
        return self.right / self.answers if self.answers else None


LEVELS = ("sure", "unsure", "guess")
"""The stated confidences in the order of their keys (1, 2, 3)."""


def calibration(cohort: CohortReport) -> tuple[tuple[Sureness, ...], dict[str, int]]:
    """How often the cohort was right at each stated confidence (sure, unsure, guess, then
    none stated), and per item its confident errors — answers stated "sure" that missed
    full marks (a misconception, or a miskey, to read beside the item's statistics)."""
    import numpy as np

    answers = cohort.answers
    if not len(answers):
        return tuple(Sureness(level, 0, 0) for level in (*LEVELS, "")), {}
    sure = answers.sure.astype(np.int64)
    full = answers.fraction >= 1.0
    totals = np.bincount(sure, minlength=4)
    right = np.bincount(sure[full], minlength=4)
    rows = tuple(Sureness(level, int(totals[n]), int(right[n]))
                 for n, level in ((1, "sure"), (2, "unsure"), (3, "guess"), (0, "")))
    wrong = (sure == 1) & ~full
    per = np.bincount(answers.question[wrong], minlength=len(answers.question_ids))
    return rows, {answers.question_ids[i]: int(per[i]) for i in np.nonzero(per)[0].tolist()}
