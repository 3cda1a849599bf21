"""Hostile text for the display- and export-injection tests, and content files full of it.

`PAYLOAD` mixes Textual/Rich markup (an action link, a file link, an unbalanced bracket),
ANSI/OSC/DCS escape sequences (colour, clear screen, window title, hyperlink, clipboard,
reset), C0 and C1 control characters and bidirectional overrides. `write_content` writes a
lesson, a question of every type and a case whose every text field carries it, as YAML
with the raw characters escaped (`\\e`, `\\x9b`, `\\u202e` …), the way an editor would save
them.
"""

from __future__ import annotations

import json
from pathlib import Path

CLICK_QUIT = "[@click=app.quit]Quit now[/]"
FILE_LINK = "[link=file:///etc/passwd]x[/link]"
STYLED = "[bold red]plain[/]"
UNBALANCED = "open [bracket [/] and ]"
MARKUP = (CLICK_QUIT, FILE_LINK, STYLED, UNBALANCED)
"""Markup that must be shown exactly as typed."""

ESCAPES = (
    "\x1b[31mRED\x1b[0m", "\x1b[2J", "\x1b]0;PWNED-TITLE\x07",
    "\x1b]8;;file:///etc/passwd\x1b\\LINK\x1b]8;;\x1b\\", "\x1b]52;c;cHduZWQ=\x07",
    "\x1bP1$qm\x1b\\", "\x9b31mC1", "\x1bc",
)
"""Terminal escape sequences (7-bit and 8-bit)."""
CONTROLS = "nul\x00 bel\x07 bs\x08 vt\x0b ff\x0c cr\r so\x0e esc\x1b del\x7f nel\x85 csi\x9b"
"""C0 and C1 control characters."""
BIDI = "abc\u202eevil\u202c \u2066iso\u2069 \u202dlro\u202c"
"""Bidirectional overrides and isolates."""
PAYLOAD = " ".join((*MARKUP, *ESCAPES, CONTROLS, BIDI))
"""Everything at once."""

FORBIDDEN = frozenset(
    [chr(c) for c in range(0x00, 0x20) if chr(c) not in "\t\n"]
    + [chr(c) for c in range(0x7f, 0xa0)]
    + [chr(c) for c in (*range(0x202a, 0x202f), *range(0x2066, 0x206a))]
)
"""Characters that must never survive into displayed text."""


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML) with every control
    character escaped."""
    return json.dumps(text, ensure_ascii=True)


def hostile(label: str) -> str:
    """The payload, tagged with where it appears."""
    return q(f"{label}: {PAYLOAD}")


def write_content(root: Path) -> Path:
    """Write a hostile lesson, six hostile questions and a hostile case under `root`."""
    (root / "lessons").mkdir(parents=True)
    (root / "question_bank" / "cases").mkdir(parents=True)
    (root / "lessons" / "hostile.yaml").write_text(f"""kind: lesson
id: hostile-lesson
title: {hostile("lesson title")}
topic: anatomy
summary: {hostile("summary")}
estimated_minutes: 5
last_reviewed: 2026-11-01
objectives:
  - id: host.one
    text: {hostile("objective")}
references: [{hostile("lesson reference")}]
steps:
  - title: {hostile("step title")}
    body: {hostile("step body")}
    diagram: {hostile("diagram")}
    checks: [host-sb]
  - title: Second step
    body: Plain text.
""", encoding="utf-8")
    common = f"""    topic: anatomy
    objectives: [host.one]
    difficulty: easy
    last_reviewed: 2026-11-01
    stem: {{stem}}
    explanation: {hostile("explanation")}
    references: [{hostile("question reference")}]"""

    def opts(n: int, texts: tuple[str, ...] = ()) -> str:
        return "\n".join(f"      - text: {texts[i] if texts else hostile(f'option {i}')}\n"
                         f"        explanation: {hostile(f'option {i} why')}" for i in range(n))

    questions = [
        ("host-sb", "single_best", f"    options:\n{opts(3)}\n    key: A"),
        ("host-mr", "multiple_response", f"    options:\n{opts(3)}\n    keys: [A, C]"),
        ("host-tf", "true_false", f"    options:\n{opts(2, ('True', 'False'))}\n    key: B"),
        ("host-or", "ordering", f"    options:\n{opts(3)}"),
        ("host-ma", "matching", "    pairs:\n" + "\n".join(
            f"      - left: {hostile(f'left {i}')}\n        right: {hostile(f'right {i}')}\n"
            f"        explanation: {hostile(f'pair {i} why')}" for i in range(2))
         + f"\n    distractors: [{hostile('distractor')}]"),
        ("host-nu", "numeric", f"    answer: 3\n    tolerance: 0\n    unit: {hostile('unit')}"),
    ]
    body = "kind: questions\nquestions:\n" + "\n".join(
        f"  - id: {qid}\n    type: {qtype}\n"
        + common.replace("{stem}", hostile(f"stem {qid}")) + "\n" + extra
        for qid, qtype, extra in questions)
    (root / "question_bank" / "hostile.yaml").write_text(body + "\n", encoding="utf-8")
    (root / "question_bank" / "cases" / "hostile.yaml").write_text(f"""kind: case
id: hostile-case
title: {hostile("case title")}
topic: complications
last_reviewed: 2026-11-01
references: [{hostile("case reference")}]
vignette: {hostile("vignette")}
start: n1
nodes:
  - id: n1
    narrative: {hostile("narrative")}
    findings: [{hostile("finding")}]
    choices:
      - id: good
        text: {hostile("choice good")}
        feedback: {hostile("feedback good")}
        score: 2
        next: end
      - id: never
        text: {hostile("choice never")}
        feedback: {hostile("feedback never")}
        critical: true
  - id: end
    narrative: {hostile("end narrative")}
    outcome:
      kind: good
      text: {hostile("outcome")}
expert_path: [good]
debrief: {hostile("debrief")}
""", encoding="utf-8")
    return root
