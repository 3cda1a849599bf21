"""Skeletons for `vpkp-tutor new lesson|question|case PATH`: commented YAML that validates
as written, to be filled in.

Every question type has a template (a test checks that each type the schema knows has one
and that each validates). The text in a skeleton is a placeholder saying what to write; no
clinical statement is made. A skeleton is written only where nothing exists (never over a
file), and only to the path named.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

KINDS = ("lesson", "question", "case")

_HEAD = """\
{modeline}# A {what} for VP/KP Tutor. Replace every placeholder, then:
#   vpkp-tutor preview {path}     (see it as a learner will; reloads on save)
#   vpkp-tutor validate {path}    (every problem, with its code; see docs/authoring.md)
"""

_REFERENCE = """\
{indent}references:            # structured (title, year, url or doi, kind) or free text
{indent}  - title: Replace with the source this is based on
{indent}    year: {year}
{indent}    kind: other          # guideline, trial, review, coding-source, textbook or other
{indent}    url: https://example.org/replace-with-the-source
"""

LESSON = """\
kind: lesson
id: {id}
title: Replace with the lesson's title
topic: {topic}
summary: Replace with one sentence on what the lesson teaches.
estimated_minutes: 10
last_reviewed: {today}       # the day you last checked it against its sources
objectives:                  # questions and cases name these ids in their 'objectives'
  - id: {id}.first-objective
    text: Replace with what the learner should be able to do.
{references}steps:                       # shown one at a time
  - title: Replace with the first step's heading
    body: |
      Replace with the teaching text (Markdown: **bold**, lists, short tables).
    # diagram: |              # optional monospace drawing, shown as written
    # checks: [question-id]   # optional questions answered in place
"""

_QUESTION_HEAD = """\
kind: questions
questions:
  - id: {id}
    type: {type}
    topic: {topic}
    objectives: [{objective}]   # objective ids declared by a lesson
    difficulty: medium          # easy, medium or hard
    last_reviewed: {today}
    stem: |
      Replace with the vignette and the lead-in question (Markdown).
"""

_QUESTION_TAIL = """\
    explanation: |
      Replace with the teaching point shown after the answer.
{references}"""


def _options(n: int, what: str = "option") -> str:
    lines = ["    options:"]
    for i in range(n):
        lines.append(f"      - text: Replace with {what} {'ABCDEFGH'[i]}")
        lines.append(f"        explanation: Replace with why {what} {'ABCDEFGH'[i]} is right or "
                     "wrong.")
    return "\n".join(lines) + "\n"


QUESTION_BODIES: dict[str, str] = {
    "single_best": _options(4) + "    key: A                      # the one best option\n",
    "multiple_response": (
        "    # say 'Select all that apply.' in the stem, not how many to pick\n"
        + _options(4) + "    keys: [A, C]                # every correct option\n"),
    "true_false": (
        "    # the stem is a statement; the options are exactly True then False\n"
        "    options:\n"
        "      - text: \"True\"\n"
        "        explanation: Replace with why the statement is or is not true.\n"
        "      - text: \"False\"\n"
        "        explanation: Replace with why the statement is or is not false.\n"
        "    key: A\n"),
    "ordering": (
        "    # list the options in the CORRECT order; the learner sees them shuffled\n"
        + _options(4, "step")),
    "matching": (
        "    pairs:                      # each left side has its own right side\n"
        "      - left: Replace with prompt 1\n"
        "        right: Replace with answer 1\n"
        "        explanation: Replace with why they match.\n"
        "      - left: Replace with prompt 2\n"
        "        right: Replace with answer 2\n"
        "        explanation: Replace with why they match.\n"
        "      - left: Replace with prompt 3\n"
        "        right: Replace with answer 3\n"
        "        explanation: Replace with why they match.\n"
        "    distractors: [Replace with an answer that matches nothing]\n"),
    "numeric": (
        "    answer: 10                  # the correct value\n"
        "    tolerance: 0.5              # accepted distance from it\n"
        "    unit: mm                    # shown beside the answer box\n"),
    "trajectory": (
        "    # a needle-trajectory drill on a schematic vertebra (mm and degrees); the\n"
        "    # validator checks that a safe full-marks path exists\n"
        "    geometry:\n"
        "      level: L3                 # T1-T12 or L1-L5\n"
        "      side: right               # the pedicle used, as seen on AP\n"
        "      approach: transpedicular  # or parapedicular\n"
        "      plan: bipedicular         # or unilateral (one needle, a medial target)\n"
        "      body: {width: 46, depth: 34, height: 27}\n"
        "      pedicle: {width: 10, height: 15, length: 20, offset: 13, medial_angle: 18}\n"),
    "short_answer": (
        "    # the learner types a word or phrase; it is compared trimmed, spaces collapsed,\n"
        "    # letter case ignored unless 'case_sensitive: true'\n"
        "    answers:\n"
        "      - text: Replace with the accepted answer\n"
        "      - text: Replace with another way to write it\n"
        "        weight: 0.5             # optional: part marks (default 1, full marks)\n"
        "        feedback: Replace with what to say to this answer.\n"),
}
"""The type-specific part of each question type's skeleton."""

CASE = """\
kind: case
id: {id}
title: Replace with the case's title
topic: {topic}
objectives: [{objective}]
last_reviewed: {today}
{references}vignette: |
  Replace with the patient's story as the learner first meets it (Markdown).
start: decide                # the first node
nodes:
  - id: decide
    narrative: |
      Replace with what the learner sees at this point.
    findings:                  # optional short findings, shown as a list
      - Replace with a finding
    choices:                   # at most 9; keys 1-9
      - id: better-choice
        text: Replace with the better choice
        score: 2               # 0-10; the expert path should score most
        next: good-end
        feedback: Replace with why this choice is better.
      - id: weaker-choice
        text: Replace with a weaker choice
        score: 0
        next: poor-end
        feedback: Replace with why this choice is weaker.
      # a never event (patient harm) ends the case at once:
      # - id: never-event
      #   text: ...
      #   critical: true       # no 'next'
      #   feedback: ...
  - id: good-end
    narrative: |
      Replace with what happens after the better choice.
    outcome:
      kind: good               # good, acceptable or poor
      text: Replace with the outcome.
  - id: poor-end
    narrative: |
      Replace with what happens after the weaker choice.
    outcome:
      kind: poor
      text: Replace with the outcome.
expert_path: [better-choice]   # the choices an expert makes, from 'start' to an end
debrief: |
  Replace with the teaching summary shown at the end.
"""


class ScaffoldError(Exception):
    """Why a skeleton cannot be written (the message is for the user)."""


@dataclass(frozen=True, slots=True)
class Scaffold:
    """What `new` wrote."""

    path: Path
    id: str
    note: str = ""


def item_id(path: Path, suffix: str = "") -> str:
    """An id from a file name: lowercase letters, digits, '.', '-' and '_', starting with
    a letter (`My Lesson.yaml` → `my-lesson`)."""
    stem = re.sub(r"[^a-z0-9._-]+", "-", path.stem.lower()).strip("-._")
    if not stem or not stem[0].isalpha():
        stem = f"item-{stem}" if stem else "item"
    return stem + suffix


def _modeline(path: Path, kind: str) -> str:
    """The editor's schema modeline: the course's `schemas/KIND.json` when there is one
    above the file; else where `vpkp-tutor schema KIND -o …` should write it (the course
    folder, or the file's own folder), with a comment saying so."""
    from vpkp_tutor.content.course import SET_FOLDERS, enclosing_manifest

    here = path.resolve().parent
    for folder in (here, *here.parents):
        candidate = folder / "schemas" / f"{kind}.json"
        if candidate.is_file():
            return f"# yaml-language-server: $schema={os.path.relpath(candidate, here)}\n"
    manifest = enclosing_manifest(here)
    # the course folder (not `question_bank/`, though it may hold `cases/`)
    root = manifest.parent if manifest is not None else next(
        (f for f in (here, *here.parents) if f.name not in SET_FOLDERS
         and any((f / name).is_dir() for name in SET_FOLDERS)), here)
    target = os.path.relpath(root / "schemas" / f"{kind}.json", here)
    shown = os.path.relpath(root / "schemas" / f"{kind}.json")
    return (f"# yaml-language-server: $schema={target}\n"
            f"# (for completion and checks as you type: vpkp-tutor schema {kind} -o {shown})\n")


def question_types() -> list[str]:
    """The question types the schema knows, in its order."""
    import typing

    from vpkp_tutor.content.schema import QuestionModel

    union = typing.get_args(QuestionModel)[0]
    return [typing.get_args(m.model_fields["type"].annotation)[0]
            for m in typing.get_args(union)]


def render(kind: str, path: Path, *, qtype: str = "single_best", topic: str,
           objective: str, today: dt.date) -> tuple[str, str]:
    """The skeleton's text and its id."""
    year = today.year
    if kind == "lesson":
        ident = item_id(path)
        body = LESSON.format(id=ident, topic=topic, today=today,
                             references=_REFERENCE.format(indent="", year=year))
        schema, what = "lesson", "lesson"
    elif kind == "question":
        if qtype not in QUESTION_BODIES:
            raise ScaffoldError(f"no skeleton for question type '{qtype}'")
        ident = item_id(path, "-q001")
        body = (_QUESTION_HEAD.format(id=ident, type=qtype, topic=topic, today=today,
                                      objective=objective)
                + QUESTION_BODIES[qtype]
                + _QUESTION_TAIL.format(references=_REFERENCE.format(indent="    ",
                                                                     year=year)))
        schema, what = "questions", f"{qtype} question"
    else:
        ident = item_id(path)
        body = CASE.format(id=ident, topic=topic, today=today, objective=objective,
                           references=_REFERENCE.format(indent="", year=year))
        schema, what = "case", "three-node case"
    head = _HEAD.format(modeline=_modeline(path, schema), what=what, path=path)
    return head + body, ident


def course_objectives(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    """The topic ids (in the course's order) and the objectives (by topic) of the course a
    new file at `path` will belong to: the course whose folder it lies in, else the bundled
    course. Raises ScaffoldError when that course's manifest cannot be read."""
    from vpkp_tutor.content import bundled_paths
    from vpkp_tutor.content.loader import content_set, load_content

    folders, manifest = content_set(path) or (bundled_paths(), None)
    bank = load_content(folders, manifest=manifest)
    if not bank.course.topics:
        where = bank.course.source or str(manifest or "the bundled course.yaml")
        raise ScaffoldError(f"{where}: the course's manifest cannot be read; "
                            f"`vpkp-tutor validate {where}` shows why")
    by_topic: dict[str, list[str]] = {}
    for lesson in bank.lessons:
        by_topic.setdefault(lesson.topic, []).extend(o.id for o in lesson.objectives)
    return list(bank.course.topic_ids), by_topic


def topics(path: Path) -> list[str]:
    """The topic ids a skeleton at `path` may name: those of its course, in order."""
    return course_objectives(path)[0]


def write_new(kind: str, path: Path, *, qtype: str | None = None, topic: str | None = None,
              today: dt.date | None = None) -> Scaffold:
    """Write a skeleton to `path` (which must not exist; its folder must). Raises
    ScaffoldError with a message for the user."""
    if kind not in KINDS:
        raise ScaffoldError(f"'{kind}' is not something `new` makes; give lesson, question or "
                            "case")
    if qtype is not None and kind != "question":
        raise ScaffoldError("--type is for `new question`")
    qtype = qtype or "single_best"
    types = question_types()
    if qtype not in types:
        from vpkp_tutor.content.errors import did_you_mean

        raise ScaffoldError(f"'{qtype}' is not a question type; expected one of "
                            f"{', '.join(types)}{did_you_mean(qtype, types)}")
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise ScaffoldError(f"{path}: name a .yaml file")
    if os.path.lexists(path):
        raise ScaffoldError(f"{path}: already exists; `new` never overwrites a file — "
                            "choose another name")
    if not path.parent.is_dir():
        raise ScaffoldError(f"{path.parent}: no such folder")
    known, objectives = course_objectives(path)
    if topic is not None and topic not in known:
        from vpkp_tutor.content.errors import did_you_mean

        raise ScaffoldError(f"'{topic}' is not a topic of this course; expected one of "
                            f"{', '.join(known)}{did_you_mean(topic, known)}")
    note = ""
    objective = ""
    if kind != "lesson":
        taught = [t for t in known if objectives.get(t)]
        topic = topic or (taught[0] if taught else known[0])
        choices = objectives.get(topic) or [o for t in taught for o in objectives[t]]
        if choices:
            objective = choices[0]
        else:
            objective = "replace-with-an-objective-id"
            note = ("no lesson of this course declares an objective yet: write a lesson "
                    "first (`vpkp-tutor new lesson …`), then name one of its objectives")
    topic = topic or known[0]
    text, ident = render(kind, path, qtype=qtype, topic=topic, objective=objective,
                         today=today or dt.date.today())
    if kind == "case" and note:
        text = text.replace("objectives: [replace-with-an-objective-id]", "objectives: []")
    try:
        with open(path, "x", encoding="utf-8") as fh:  # "x": never over an existing file
            fh.write(text)
    except FileExistsError as exc:
        raise ScaffoldError(f"{path}: already exists; `new` never overwrites a file") from exc
    except OSError as exc:
        raise ScaffoldError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return Scaffold(path, ident, note)
