"""Case runs: starting a run, recording each choice (committed) and reading a run back."""

from __future__ import annotations

from collections.abc import Iterable

from msgspec.structs import replace

from vpkp_tutor.domain.progress import CaseRun
from vpkp_tutor.domain.scoring import CaseResult, case_fraction, score_case_run
from vpkp_tutor.services.base import ServicesBase, new_id


def best_result(runs: Iterable[CaseRun]) -> float | None:
    """The best finished result among `runs` (a never event scores 0), or None when none
    finished."""
    return max((case_fraction(r.points, r.max_points, bool(r.critical_errors))
                for r in runs if r.finished_at is not None), default=None)


class CaseServices(ServicesBase):
    """Branching cases."""

    # -- cases ---------------------------------------------------------------------------
    def start_case(self, learner_id: str, case_id: str) -> CaseRun:
        """Start and store a case run."""
        opening = score_case_run(self._case(case_id), ())
        run = CaseRun(id=str(new_id()), learner_id=learner_id, case_id=case_id,
                      choice_path=(), points=0, max_points=opening.max_points,
                      critical_errors=(), started_at=self.clock())
        self.store.save_case_run(run)
        return run

    def record_case_choice(self, run_id: str, choice_id: str) -> CaseResult:
        """Append a choice to a run (committed) and return the run's score so far."""
        run = self.store.get_case_run(run_id)
        if run is None:
            raise ValueError(f"unknown case run {run_id!r}")
        if run.finished_at is not None:
            raise ValueError("this case run has finished")
        case = self._case(run.case_id)
        try:
            case.choice(choice_id)
        except KeyError:
            raise ValueError(f"case {case.id!r} has no choice {choice_id!r}") from None
        path = (*run.choice_path, choice_id)
        result = score_case_run(case, path)
        from vpkp_tutor.services.sync import case_hook

        now = self.clock()
        done = replace(run, choice_path=path, points=result.points,
                       max_points=result.max_points, critical_errors=result.critical_errors,
                       finished_at=now if result.finished else None)
        self.store.save_case_run(done, end_node=result.end_node,
                                 outbox=case_hook(self.content, self._settings, done, now))
        return result

    def open_case_run(self, learner_id: str, case_id: str) -> tuple[CaseRun, CaseResult]:
        """The run to play, with its score so far: the learner's latest run of this case
        when it was left before its end (resumed where it was left), else a new run. A
        left run whose choices the case no longer offers in that order (the case was
        edited since) is left as it is, and a new run starts."""
        case = self._case(case_id)
        latest = next((r for r in self.store.case_runs(learner_id) if r.case_id == case_id),
                      None)
        if latest is not None and latest.finished_at is None:
            node = case.node(case.start)
            for choice_id in latest.choice_path:
                choice = next((c for c in node.choices if c.id == choice_id), None)
                if choice is None or choice.next is None or choice.critical:
                    break
                node = case.node(choice.next)
            else:
                return latest, score_case_run(case, latest.choice_path)
        return self.start_case(learner_id, case_id), score_case_run(case, ())

    def case_run(self, run_id: str) -> CaseRun:
        """A stored case run (ValueError when unknown)."""
        run = self.store.get_case_run(run_id)
        if run is None:
            raise ValueError(f"unknown case run {run_id!r}")
        return run

    def best_case_results(self, learner_id: str) -> dict[str, float]:
        """The learner's best finished result per case (a never event scores 0), by case id;
        a case with no finished run is absent."""
        runs: dict[str, list[CaseRun]] = {}
        for run in self.store.case_runs(learner_id):
            runs.setdefault(run.case_id, []).append(run)
        return {case_id: best for case_id, mine in runs.items()
                if (best := best_result(mine)) is not None}
