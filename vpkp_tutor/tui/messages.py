"""Messages that travel up to the app, which routes them to screens.

Widgets and screens post these; the app (the router) pushes the right screen. Tests watch
them through `run_test(message_hook=...)`.
"""

from __future__ import annotations

from textual.message import Message

from vpkp_tutor.domain.progress import Attempt, Learner


class LearnerChosen(Message):
    """A learner profile was picked or created."""

    def __init__(self, learner: Learner) -> None:
        super().__init__()
        self.learner = learner
        """The learner who will study."""


class OpenLesson(Message):
    """Open the reader on a lesson."""

    def __init__(self, lesson_id: str) -> None:
        super().__init__()
        self.lesson_id = lesson_id
        """The lesson to read."""


class OpenCase(Message):
    """Start a case."""

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id
        """The case to play."""


class RunQuiz(Message):
    """Run (or resume) a quiz attempt."""

    def __init__(self, attempt: Attempt) -> None:
        super().__init__()
        self.attempt = attempt
        """The attempt, with any answers given so far."""
