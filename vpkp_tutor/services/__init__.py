"""The one facade the UI talks to: content queries, quizzes, cases, progress and exports.

The TUI (and the CLI) call these methods; they never touch `content/`, `storage/` or
`export/` directly. Every method that records something commits it before returning, so an
answer the screen has acknowledged is on disk.

CONTRACT — the signatures of `Services` (its methods live in the modules of this package, one
per concern: `catalogue`, `quizzes`, `cases`, `progress`; what they share is in `base`) are
agreed between the store and the TUI. Methods may be added; changing an existing signature
must be announced here and both sides updated. Added so far: `resolve_learner`, `case_run`,
`cases_by_topic`, `learner_summaries`, `open_learner`, `rename_learner`, `delete_learner`
(and `create_learner` now refuses a name another learner has, raising
`learners.NameTakenError`), `export_formats`, and the typed settings: `settings`,
`load_settings`, `save_settings` (replacing `get_setting`, `set_setting` and
`desired_retention`; `mastery` is gone, unused).

Errors the UI should show (unknown learner, attempt, question or case; nothing to quiz on;
a closed attempt; a numeric answer that is not a finite number) are raised as ValueError
with a readable message.
"""

from __future__ import annotations

from vpkp_tutor.services.base import utc_now
from vpkp_tutor.services.cases import CaseServices
from vpkp_tutor.services.catalogue import CatalogueServices
from vpkp_tutor.services.learners import LearnerServices
from vpkp_tutor.services.progress import ProgressServices

__all__ = ["Services", "utc_now"]


class Services(CatalogueServices, LearnerServices, CaseServices, ProgressServices):
    """Facade over the content bank and the progress store."""
