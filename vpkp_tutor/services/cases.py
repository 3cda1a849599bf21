"""Case runs: starting a run, recording each choice (committed) and reading a run back."""

from __future__ import annotations

from msgspec.structs import replace

from vpkp_tutor.domain.progress import CaseRun
from vpkp_tutor.domain.scoring import CaseResult, score_case_run
from vpkp_tutor.services.base import ServicesBase, new_id


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
        self.store.save_case_run(
            replace(run, choice_path=path, points=result.points, max_points=result.max_points,
                    critical_errors=result.critical_errors,
                    finished_at=self.clock() if result.finished else None),
            end_node=result.end_node)
        return result

    def case_run(self, run_id: str) -> CaseRun:
        """A stored case run (ValueError when unknown)."""
        run = self.store.get_case_run(run_id)
        if run is None:
            raise ValueError(f"unknown case run {run_id!r}")
        return run
