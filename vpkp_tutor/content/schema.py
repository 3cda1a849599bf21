"""The schema of authored YAML: one pydantic model per file kind and per nested part.

These models check structure and types only (pydantic reports every error in one pass);
rules that need positions or other files live in `checks.py`. The same models produce the
JSON Schema printed by `vpkp-tutor schema`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    FiniteFloat,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from vpkp_tutor.domain.model import Difficulty, Topic

ID_PATTERN = r"^[a-z][a-z0-9._-]*$"
LETTER_PATTERN = r"^[A-J]$"
NUMERIC_LIMIT = 1_000_000_000
"""Largest size of a numeric answer or tolerance: far beyond any clinical quantity, and
small enough that every sum and range the app and its exports compute stays finite."""


def _yaml_bool(value: Any) -> Any:
    """Accept only true/false (YAML 1.2); reject the YAML 1.1 yes/no/on/off family."""
    if isinstance(value, str):
        lowered = value.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        raise PydanticCustomError(
            "yaml_bool",
            "expected true or false, got '{value}' (yes/no/on/off are not booleans here)",
            {"value": value},
        )
    return value


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1)]
Letter = Annotated[str, StringConstraints(pattern=LETTER_PATTERN)]
YamlBool = Annotated[bool, BeforeValidator(_yaml_bool)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class ObjectiveModel(_Strict):
    """A learning objective declared by a lesson."""

    id: Id = Field(description="Stable objective id, unique across lessons.")
    text: Text = Field(description="What the learner should be able to do.")


class StepModel(_Strict):
    """One step of a lesson."""

    title: Text = Field(description="Heading of the step.")
    body: Text = Field(description="Markdown teaching text.")
    diagram: str | None = Field(None, description="Monospace drawing shown verbatim.")
    checks: list[Id] = Field(default_factory=list, description="Question ids answered in place.")


class LessonModel(_Strict):
    """A lesson file (`kind: lesson`)."""

    kind: Literal["lesson"]
    id: Id
    title: Text
    topic: Topic
    summary: Text
    estimated_minutes: int = Field(ge=1, le=120)
    last_reviewed: dt.date
    objectives: list[ObjectiveModel] = Field(min_length=1)
    references: list[Text] = Field(min_length=1)
    steps: list[StepModel] = Field(min_length=1)


class OptionModel(_Strict):
    """An answer option (or ordering item) with its explanation."""

    text: Text
    explanation: Text


class PairModel(_Strict):
    """A matching pair."""

    left: Text
    right: Text
    explanation: Text


class _QuestionBase(_Strict):
    id: Id
    topic: Topic
    objectives: list[Id] = Field(min_length=1)
    difficulty: Difficulty
    stem: Text = Field(description="Markdown: vignette and lead-in.")
    explanation: Text = Field(description="Markdown: the overall teaching point.")
    references: list[Text] = Field(min_length=1)
    tags: list[Text] = Field(default_factory=list)
    last_reviewed: dt.date


class SingleBestModel(_QuestionBase):
    """One keyed option among 3–6."""

    type: Literal["single_best"]
    options: list[OptionModel] = Field(min_length=3, max_length=6)
    key: Letter


class MultipleResponseModel(_QuestionBase):
    """One or more keyed options among 3–8; partial credit."""

    type: Literal["multiple_response"]
    options: list[OptionModel] = Field(min_length=3, max_length=8)
    keys: list[Letter] = Field(min_length=1)


class TrueFalseModel(_QuestionBase):
    """A statement in the stem; options exactly True and False."""

    type: Literal["true_false"]
    options: list[OptionModel] = Field(min_length=2, max_length=2)
    key: Letter


class OrderingModel(_QuestionBase):
    """Items listed in the correct order; shown shuffled."""

    type: Literal["ordering"]
    options: list[OptionModel] = Field(min_length=3, max_length=8)


class MatchingModel(_QuestionBase):
    """Left prompts matched to right answers."""

    type: Literal["matching"]
    pairs: list[PairModel] = Field(min_length=2, max_length=8)
    distractors: list[Text] = Field(default_factory=list)


class NumericModel(_QuestionBase):
    """A number within a tolerance."""

    type: Literal["numeric"]
    answer: FiniteFloat = Field(ge=-NUMERIC_LIMIT, le=NUMERIC_LIMIT,
                                description="The correct value (finite, at most 10^9 in size).")
    tolerance: FiniteFloat = Field(ge=0, le=NUMERIC_LIMIT,
                                   description="Accepted distance from the answer (0 to 10^9).")
    unit: str = ""


QuestionModel = Annotated[
    SingleBestModel
    | MultipleResponseModel
    | TrueFalseModel
    | OrderingModel
    | MatchingModel
    | NumericModel,
    Field(discriminator="type"),
]


class QuestionsFileModel(_Strict):
    """A question file (`kind: questions`)."""

    kind: Literal["questions"]
    questions: list[QuestionModel] = Field(min_length=1)


class QuestionsEnvelope(_Strict):
    """A question file's outer shape; each item is then validated on its own so that one
    broken question does not hide the problems of the others."""

    kind: Literal["questions"]
    questions: list[Any] = Field(min_length=1)


class ChoiceModel(_Strict):
    """A choice at a case node."""

    id: Id
    text: Text
    feedback: Text
    score: int = Field(0, ge=0, le=10)
    next: Id | None = None
    critical: YamlBool = False


class OutcomeModel(_Strict):
    """How a case ends at an end node."""

    kind: Literal["good", "acceptable", "poor"]
    text: Text


class NodeModel(_Strict):
    """A point in a case."""

    id: Id
    narrative: Text
    findings: list[Text] = Field(default_factory=list)
    choices: list[ChoiceModel] = Field(default_factory=list)
    outcome: OutcomeModel | None = None


class CaseModel(_Strict):
    """A case file (`kind: case`)."""

    kind: Literal["case"]
    id: Id
    title: Text
    topic: Topic
    objectives: list[Id] = Field(default_factory=list)
    last_reviewed: dt.date
    references: list[Text] = Field(min_length=1)
    vignette: Text
    start: Id
    nodes: list[NodeModel] = Field(min_length=1)
    expert_path: list[Id] = Field(min_length=1)
    debrief: Text


MODELS: dict[str, type[BaseModel]] = {
    "lesson": LessonModel,
    "questions": QuestionsFileModel,
    "case": CaseModel,
}
"""The model for each `kind:`."""
