"""The schema of authored YAML: one pydantic model per file kind and per nested part.

These models check structure and types only (pydantic reports every error in one pass);
rules that need positions or other files live in `checks.py`. The same models produce the
JSON Schema printed by `vpkp-tutor schema`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    FiniteFloat,
    StringConstraints,
    Tag,
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


MAX_TEXT_CHARS = 1_000
"""Longest plain text: a title, summary, option, finding, reference, choice…"""
MAX_MARKDOWN_CHARS = 6_000
"""Longest Markdown text (a step body, stem, explanation, narrative…), in characters."""
MAX_BLOCKS = 40
"""Most Markdown blocks in one text: paragraphs, headings, lists and list items, quotes,
tables, code blocks and rules, nested ones included (each is a widget on screen)."""
MAX_TABLE_ROWS = 10
"""Most rows in a Markdown table, below its header row."""
MAX_TABLE_COLUMNS = 6
"""Most columns in a Markdown table."""
MAX_CODE_LINES = 30
"""Most lines in a Markdown code block."""
MAX_DIAGRAM_LINES = 60
"""Most lines in a step's diagram."""
MAX_DIAGRAM_WIDTH = 200
"""Widest line of a step's diagram, in characters."""
_NESTED_MARKERS = re.compile(r"^[ \t]*(?:[>*+-]|\d{1,9}[.)])[ \t]*(?:[>*+-]|\d{1,9}[.)])(?:[ \t]|$)",
                             re.MULTILINE)
"""A line that opens two blocks at once (`> > quote`, `- - item`)."""
_TOKENS_PER_PLAIN_LINE = 3
"""Blocks a line without nested markers can open at most (list, item, paragraph)."""


def _markdown_limits(text: str) -> str:
    """Refuse Markdown too big to show at once (see the MAX_ constants). Most texts are
    short and plain, and are cleared without parsing them."""
    lines = text.count("\n") + 1
    if lines == 1:  # one line opens at most 20 nested blocks (markdown-it's maxNesting)
        return text
    complex_ = (
        lines * _TOKENS_PER_PLAIN_LINE > MAX_BLOCKS
        or "|" in text or "```" in text or "~~~" in text or "\n    " in text or "\t" in text
        or _NESTED_MARKERS.search(text) is not None
    )
    if not complex_:
        return text
    from markdown_it import MarkdownIt

    blocks = rows = columns = 0
    in_table, table_line = False, 1
    for token in MarkdownIt("gfm-like").parse(text):
        first = token.map[0] + 1 if token.map else 1
        kind = token.type
        if kind == "table_open":
            in_table, rows, table_line = True, 0, first
        elif kind == "table_close":
            in_table = False
            if rows - 1 > MAX_TABLE_ROWS:
                _too_big(f"has a table (line {table_line} of the text) with {rows - 1} rows "
                         f"below its header; the limit is {MAX_TABLE_ROWS}")
        elif kind == "tr_open":
            rows, columns = rows + 1, 0
        elif kind in ("th_open", "td_open"):
            columns += 1
            if columns > MAX_TABLE_COLUMNS:
                _too_big(f"has a table (line {table_line} of the text) with more than "
                         f"{MAX_TABLE_COLUMNS} columns")
        elif kind in ("fence", "code_block"):
            n = token.content.count("\n")
            if n > MAX_CODE_LINES:
                _too_big(f"has a code block (line {first} of the text) of {n} lines; "
                         f"the limit is {MAX_CODE_LINES}")
        if kind == "table_open" or (not in_table and not token.hidden and (
                token.nesting == 1 or kind in ("fence", "code_block", "hr", "html_block"))):
            blocks += 1
            if blocks > MAX_BLOCKS:
                _too_big(f"has more than {MAX_BLOCKS} Markdown blocks (paragraphs, "
                         "headings, lists and list items, quotes, tables, code blocks)")
    return text


def _too_big(what: str) -> None:
    raise PydanticCustomError("content_limit", "{what} — split it or shorten it",
                              {"what": what})


def _diagram_limits(text: str) -> str:
    """Refuse a diagram taller or wider than `MAX_DIAGRAM_LINES` × `MAX_DIAGRAM_WIDTH`."""
    lines = text.splitlines()
    if len(lines) > MAX_DIAGRAM_LINES:
        _too_big(f"has {len(lines)} lines; the limit is {MAX_DIAGRAM_LINES}")
    widest = max((len(line) for line in lines), default=0)
    if widest > MAX_DIAGRAM_WIDTH:
        _too_big(f"has a line {widest} characters wide; the limit is "
                 f"{MAX_DIAGRAM_WIDTH}")
    return text


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT_CHARS)]
Letter = Annotated[str, StringConstraints(pattern=LETTER_PATTERN)]
YamlBool = Annotated[bool, BeforeValidator(_yaml_bool)]
Markdown = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_MARKDOWN_CHARS),
    AfterValidator(_markdown_limits),
]
"""Markdown text shown on screen, within the size limits."""
Diagram = Annotated[str, AfterValidator(_diagram_limits)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class ReferenceModel(_Strict):
    """A structured reference (the free-form text form is accepted too)."""

    title: Text = Field(description="Title of the work cited.")
    year: int = Field(ge=1800, le=2200, description="Year of publication.")
    url: Text | None = Field(None, description="Where it can be read.")
    doi: Text | None = Field(None, description="Its DOI (10.xxxx/…).")
    kind: Literal["guideline", "trial", "review", "coding-source", "textbook", "other"]
    authors: Text | None = Field(None, description="Authors or issuing body.")


def _reference_form(value: Any) -> str:
    return "structured-reference" if isinstance(value, dict) else "text-reference"


Reference = Annotated[
    Annotated[Text, Tag("text-reference")]
    | Annotated[ReferenceModel, Tag("structured-reference")],
    Discriminator(_reference_form),
]
"""A reference: free text, or structured fields (a mapping)."""


class ObjectiveModel(_Strict):
    """A learning objective declared by a lesson."""

    id: Id = Field(description="Stable objective id, unique across lessons.")
    text: Text = Field(description="What the learner should be able to do.")


class StepModel(_Strict):
    """One step of a lesson."""

    title: Text = Field(description="Heading of the step.")
    body: Markdown = Field(description="Markdown teaching text.")
    diagram: Diagram | None = Field(None, description="Monospace drawing shown verbatim.")
    checks: list[Id] = Field(default_factory=list, max_length=10,
                             description="Question ids answered in place.")


class LessonModel(_Strict):
    """A lesson file (`kind: lesson`)."""

    kind: Literal["lesson"]
    id: Id
    title: Text
    topic: Topic
    summary: Text
    estimated_minutes: int = Field(ge=1, le=120)
    last_reviewed: dt.date
    objectives: list[ObjectiveModel] = Field(min_length=1, max_length=30)
    references: list[Reference] = Field(min_length=1, max_length=60)
    steps: list[StepModel] = Field(min_length=1, max_length=60)


class OptionModel(_Strict):
    """An answer option (or ordering item) with its explanation."""

    text: Text
    explanation: Markdown


class PairModel(_Strict):
    """A matching pair."""

    left: Text
    right: Text
    explanation: Markdown


class _QuestionBase(_Strict):
    id: Id
    topic: Topic
    objectives: list[Id] = Field(min_length=1, max_length=30)
    difficulty: Difficulty
    stem: Markdown = Field(description="Markdown: vignette and lead-in.")
    explanation: Markdown = Field(description="Markdown: the overall teaching point.")
    references: list[Reference] = Field(min_length=1, max_length=60)
    tags: list[Text] = Field(default_factory=list, max_length=20)
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
    distractors: list[Text] = Field(default_factory=list, max_length=8)


class NumericModel(_QuestionBase):
    """A number within a tolerance."""

    type: Literal["numeric"]
    answer: FiniteFloat = Field(ge=-NUMERIC_LIMIT, le=NUMERIC_LIMIT,
                                description="The correct value (finite, at most 10^9 in size).")
    tolerance: FiniteFloat = Field(ge=0, le=NUMERIC_LIMIT,
                                   description="Accepted distance from the answer (0 to 10^9).")
    unit: Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)] = ""


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
    feedback: Markdown
    score: int = Field(0, ge=0, le=10)
    next: Id | None = None
    critical: YamlBool = False
    deliberate: YamlBool = Field(
        False, description="A critical choice on a billing or coding decision is meant so "
                           "(silences lint VP510).")


class OutcomeModel(_Strict):
    """How a case ends at an end node."""

    kind: Literal["good", "acceptable", "poor"]
    text: Text


class NodeModel(_Strict):
    """A point in a case."""

    id: Id
    narrative: Markdown
    findings: list[Text] = Field(default_factory=list, max_length=20)
    choices: list[ChoiceModel] = Field(default_factory=list, max_length=9,
                                       description="At most 9: one digit key each.")
    outcome: OutcomeModel | None = None


class CaseModel(_Strict):
    """A case file (`kind: case`)."""

    kind: Literal["case"]
    id: Id
    title: Text
    topic: Topic
    objectives: list[Id] = Field(default_factory=list, max_length=30)
    last_reviewed: dt.date
    references: list[Reference] = Field(min_length=1, max_length=60)
    vignette: Markdown
    start: Id
    nodes: list[NodeModel] = Field(min_length=1, max_length=100)
    expert_path: list[Id] = Field(min_length=1, max_length=100)
    debrief: Markdown


MODELS: dict[str, type[BaseModel]] = {
    "lesson": LessonModel,
    "questions": QuestionsFileModel,
    "case": CaseModel,
}
"""The model for each `kind:`."""
