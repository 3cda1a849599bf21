"""Progress: mastery, the home dashboard, history, accuracy over time, and exports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from vpkp_tutor.domain.confidence import (
    CalibrationRow,
    ErrorTag,
    calibration,
    confidence_from,
    error_profile,
    error_tag_from,
)
from vpkp_tutor.domain.mastery import compute_mastery, weakest
from vpkp_tutor.domain.progress import (
    CaseRun,
    Dashboard,
    Mastery,
    QuizResult,
    ResponseRecord,
    TopicProgress,
)
from vpkp_tutor.services.base import ServicesBase, SharedSettings
from vpkp_tutor.services.quizzes import QuizServices

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from vpkp_tutor.domain.model import ContentBank
    from vpkp_tutor.export.formats import ExportFormat
    from vpkp_tutor.export.record import LearnerData
    from vpkp_tutor.storage.base import ProgressStore
    from vpkp_tutor.storage.paths import StorePaths


class ProgressServices(ServicesBase):
    """Mastery, the dashboard, history and exports (over the quizzes part, for the review
    queue and the results of attempts)."""

    def __init__(self, content: ContentBank, store: ProgressStore,
                 clock: Callable[[], dt.datetime], quizzes: QuizServices,
                 shared: SharedSettings | None = None) -> None:
        super().__init__(content, store, clock, shared)
        self.quizzes = quizzes

    # -- progress ------------------------------------------------------------------------
    def _mastery(self, responses: list[ResponseRecord]
                 ) -> tuple[dict[str, Mastery], dict[str, Mastery]]:
        """Mastery by topic value and by objective id (see domain.mastery for the formula)."""
        qs = self.content.question_meta
        return (compute_mastery({q.id: (q.topic,) for q in qs}, responses),
                compute_mastery({q.id: q.objectives for q in qs}, responses))

    def answered_by_course(self, learner_id: str) -> dict[str, int]:
        """Distinct questions the learner has answered in each course (by course id)."""
        return self.store.answered_by_course(learner_id)

    def dashboard(self, learner_id: str) -> Dashboard:
        """Everything the home screen shows."""
        learner = self.store.get_learner(learner_id)
        if learner is None:
            raise ValueError(f"unknown learner {learner_id!r}")
        responses = self.store.responses(learner_id)
        by_topic, by_objective = self._mastery(responses)
        progress = self.store.lesson_progress(learner_id)
        rows: list[TopicProgress] = []
        for topic in self.content.topics:
            lessons = [x for x in self.content.lessons if x.topic == topic.id]
            if not lessons and topic.id not in by_topic:
                continue
            done = sum(1 for x in lessons if x.id in progress and progress[x.id].completed)
            rows.append(TopicProgress(topic, done, len(lessons), by_topic.get(
                topic.id, Mastery(topic.id, 0.0, 0, 0, 0.0))))
        lesson_ids = {x.id for x in self.content.lessons}
        open_lessons = [p for p in progress.values() if not p.completed and p.lesson_id in
                        lesson_ids]
        epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
        return Dashboard(
            learner=learner, topics=tuple(rows), due_count=self.quizzes.due_count(learner_id),
            continue_lesson=max(open_lessons, key=lambda p: p.updated_at or epoch,
                                default=None),
            unfinished_attempt=self.store.latest_unfinished_attempt(learner_id),
            weakest_objectives=tuple(weakest(by_objective.values(), WEAKEST_OBJECTIVES)),
        )

    def history(self, learner_id: str) -> tuple[list[QuizResult], list[CaseRun]]:
        """Finished attempts and case runs, newest first."""
        results = [self.quizzes.result_of(a) for a in self.store.finished_attempts(learner_id)]
        runs = [r for r in self.store.case_runs(learner_id) if r.finished_at is not None]
        return results, runs

    def accuracy_over_time(self, learner_id: str) -> list[tuple[dt.date, float]]:
        """Share of points earned per day with any answer (local calendar days)."""
        points: dict[dt.date, float] = defaultdict(float)
        maxima: dict[dt.date, float] = defaultdict(float)
        for r in self.store.responses(learner_id):
            day = r.answered_at.astimezone().date()
            points[day] += r.points
            maxima[day] += r.max_points
        return [(day, points[day] / maxima[day] if maxima[day] else 0.0)
                for day in sorted(maxima)]

    def calibration(self, learner_id: str) -> tuple[CalibrationRow, ...]:
        """How often the learner was right at each stated confidence (sure, unsure,
        guess), over every answer with a stated confidence."""
        return calibration((confidence_from(c), ok)
                           for _q, c, ok, _t in self.store.confidence_rows(learner_id))

    def error_profile(self, learner_id: str) -> dict[str, dict[ErrorTag, int]]:
        """How many misses the learner tagged with each reason, per topic id (topics in
        the bank's order, then any no longer in the bank under "")."""
        pairs: list[tuple[str, ErrorTag]] = []
        for qid, _c, _ok, raw in self.store.confidence_rows(learner_id):
            tag = error_tag_from(raw)
            if tag is None:
                continue
            topic = self.content.meta(qid).topic if self.content.has_question(qid) else ""
            pairs.append((topic, tag))
        profile = error_profile(pairs)
        order = {t.id: i for i, t in enumerate(self.content.topics)}
        return dict(sorted(profile.items(), key=lambda kv: order.get(kv[0], len(order))))

    # -- export --------------------------------------------------------------------------
    def export_formats(self) -> tuple[ExportFormat, ...]:
        """The export formats (name, label, suffix …), the default first."""
        from vpkp_tutor.export.formats import FORMATS

        return FORMATS

    def export(self, learner_id: str, fmt: str, path: Path, *, overwrite: bool = False) -> Path:
        """Write the learner's scores in the format named `fmt` (one of `export_formats()`)
        to `path`; return the path (for CSV, the responses file; the summary file sits
        beside it). Raises ExportError for an unknown format. Refuses (ExportError)
        a path that is the progress database, its WAL/SHM/journal, a kept damaged copy or the
        backups, and (OutputExists) an existing file unless `overwrite`."""
        from vpkp_tutor.export import write_learner_export

        return write_learner_export(self.learner_data(learner_id), self.content, fmt, path,
                                    exported_at=self.clock(),
                                    protected=protected_paths(self.store.paths),
                                    overwrite=overwrite)

    def learner_data(self, learner_id: str) -> LearnerData:
        """Everything an export of the learner needs; the responses stream on demand."""
        from vpkp_tutor.export.record import LearnerData
        from vpkp_tutor.services.sync import learner_config

        learner = self.store.get_learner(learner_id)
        if learner is None:
            raise ValueError(f"unknown learner {learner_id!r}")
        return LearnerData(
            learner=learner,
            responses=lambda: self.store.iter_response_events(learner_id),
            attempts=tuple(self.store.attempt_headers(learner_id)),
            lesson_progress=tuple(self.store.lesson_progress(learner_id).values()),
            case_runs=tuple(reversed(self.store.case_runs(learner_id))),
            flags=tuple(sorted(self.store.flags(learner_id))),
            response_rows=lambda: self.store.response_rows(learner_id),
            xapi=learner_config(self.store, self._settings, learner_id),
            review_dues=tuple(self.store.card_dues(learner_id)),
        )


def export_courses(banks: Sequence[ContentBank], store: ProgressStore, learner_id: str,
                   fmt: str, path: Path, *, overwrite: bool = False,
                   clock: Callable[[], dt.datetime] | None = None) -> Path:
    """Write the learner's scores in several courses (`banks`, each a course's content)
    into one export (`export.write_learner_exports`: CSV and xAPI keep the courses apart
    row by row; JSON refuses several with ExportError). The store serves each course in
    turn while its part is written."""
    from vpkp_tutor.export import write_learner_exports
    from vpkp_tutor.services import Services, utc_now

    now = clock or utc_now

    def part(bank: ContentBank) -> Callable[[], tuple[LearnerData, ContentBank]]:
        def read() -> tuple[LearnerData, ContentBank]:
            services = Services(bank, store, now)  # the store now reads this course
            return services.learner_data(learner_id), bank

        return read

    return write_learner_exports([part(b) for b in banks], fmt, path, exported_at=now(),
                                 protected=protected_paths(store.paths), overwrite=overwrite)


def protected_paths(paths: StorePaths) -> tuple[Path, ...]:
    """What no export may write over: the progress database, its `-wal`, `-shm` and
    `-journal` files, the copies kept beside it (`progress.damaged-….sqlite3`) and the
    backups folder."""
    db = paths.db_path
    return (db, *(db.with_name(db.name + s) for s in ("-wal", "-shm", "-journal")),
            *sorted(paths.data_dir.glob(f"{db.stem}.*")), paths.backups_dir)


WEAKEST_OBJECTIVES = 5
"""How many weakest objectives the dashboard lists."""
