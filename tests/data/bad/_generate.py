"""Regenerate the bad-content corpus: `python tests/data/bad/_generate.py`.

Every file written here is broken in one way; the corpus test loads each beside a valid
lesson and expects a located error, no traceback, within a second and bounded memory.
The 50 MB file is made at test time instead of being stored.
"""

from __future__ import annotations

import codecs
from pathlib import Path

HERE = Path(__file__).resolve().parent

LESSON = """\
kind: lesson
id: bad-lesson
title: A lesson
topic: anatomy
summary: Used to make broken variants.
estimated_minutes: 5
last_reviewed: 2026-11-01
objectives:
  - id: bad.one
    text: Know the broken fixture.
references: ["Fixture reference"]
steps:
  - title: Step one
    body: Some text.
    checks: [good-q001]
"""

QUESTION = """\
kind: questions
questions:
  - id: bad-q001
    type: single_best
    topic: anatomy
    objectives: [good.one]
    difficulty: easy
    last_reviewed: 2026-11-01
    stem: Which one?
    options:
      - text: First
        explanation: Right.
      - text: Second
        explanation: Wrong.
      - text: Third
        explanation: Wrong.
    key: A
    explanation: Because.
    references: [Fixture]
"""

NUMERIC = """\
kind: questions
questions:
  - id: bad-q002
    type: numeric
    topic: billing
    objectives: [good.one]
    difficulty: easy
    last_reviewed: 2026-11-01
    stem: 20% of 500?
    answer: 100
    tolerance: 0.01
    unit: USD
    explanation: Because.
    references: [Fixture]
"""

CASE = """\
kind: case
id: bad-case
title: A case
topic: complications
last_reviewed: 2026-11-01
references: [Fixture]
vignette: Someone arrives.
start: a
nodes:
  - id: a
    narrative: Start.
    choices:
      - id: go
        text: Go
        feedback: Good.
        score: 2
        next: b
      - id: never
        text: Never
        feedback: Never do this.
        critical: true
  - id: b
    narrative: End.
    outcome:
      kind: good
      text: Fine.
expert_path: [go]
debrief: Done.
"""


def variants() -> dict[str, bytes | str]:
    """Every broken file, by name."""
    out: dict[str, bytes | str] = {}

    # YAML syntax
    syntax = {
        "unclosed_flow_list": LESSON.replace("[good-q001]", "[good-q001"),
        "unclosed_flow_map": CASE.replace("start: a", "start: {a: b"),
        "unclosed_double_quote": LESSON.replace('["Fixture reference"]', '["Fixture reference]'),
        "unclosed_single_quote": LESSON.replace("title: A lesson", "title: 'A lesson"),
        "colon_in_plain_text": LESSON.replace("title: A lesson", "title: Note: a lesson"),
        "bad_indentation": LESSON.replace("    text: Know", "     text: Know"),
        "stray_dash_in_mapping": LESSON.replace("topic: anatomy", "topic: anatomy\n- stray"),
        "unexpected_close_bracket": LESSON.replace("[good-q001]", "good-q001]"),
        "at_sign_start": LESSON.replace("title: A lesson", "title: @lesson"),
        "backtick_start": LESSON.replace("title: A lesson", "title: `lesson`"),
        "bogus_directive": "%FOO bar\n---\n" + LESSON,
        "block_scalar_bad_indent": LESSON.replace("body: Some text.", "body: |\nSome text."),
        "question_mark_key": LESSON.replace("topic: anatomy", "? [a, b]\n: c\ntopic: anatomy"),
        "two_documents": LESSON + "---\n" + LESSON,
        "garbage_text": "this is not yaml: [ at all\n  : :\n",
        "only_a_scalar": "just some words\n",
        "only_a_list": "- a\n- b\n",
        "binary_junk": bytes(range(1, 32)) * 4,
        "unterminated_block_seq": QUESTION.replace("      - text: Second", "    - text: Second"),
        "anchor_without_node": LESSON.replace("title: A lesson", "title: &"),
    }
    out.update({f"syntax_{k}.yaml": v for k, v in syntax.items()})

    # tabs
    out["tab_indent_lesson.yaml"] = LESSON.replace("  - title: Step one", "\t- title: Step one")
    out["tab_indent_question.yaml"] = QUESTION.replace("    type:", "\ttype:")
    out["tab_after_key.yaml"] = LESSON.replace("  - id: bad.one", "\t- id: bad.one")

    # wrong types
    types = {
        "title_is_list": ("lesson", LESSON.replace("title: A lesson", "title: [a, b]")),
        "title_is_mapping": ("lesson", LESSON.replace("title: A lesson", "title: {a: b}")),
        "minutes_is_text": ("lesson", LESSON.replace("minutes: 5", "minutes: five")),
        "minutes_is_float": ("lesson", LESSON.replace("minutes: 5", "minutes: 5.5")),
        "minutes_too_big": ("lesson", LESSON.replace("minutes: 5", "minutes: 500")),
        "steps_is_mapping": ("lesson", LESSON.replace(
            "  - title: Step one", "  title: Step one").replace("    body", "  body").replace(
            "    checks", "  checks")),
        "references_is_text": ("lesson", LESSON.replace('["Fixture reference"]', "Fixture")),
        "options_is_text": ("q", QUESTION.replace("    options:\n", "    options: many\n    x:\n")),
        "answer_is_text": ("q", NUMERIC.replace("answer: 100", "answer: a hundred")),
        "answer_is_nan": ("q", NUMERIC.replace("answer: 100", "answer: .nan")),
        "answer_is_infinite": ("q", NUMERIC.replace("answer: 100", "answer: .inf")),
        "tolerance_negative": ("q", NUMERIC.replace("tolerance: 0.01", "tolerance: -1")),
        "key_is_number": ("q", QUESTION.replace("key: A", "key: 1")),
        "key_is_list": ("q", QUESTION.replace("key: A", "key: [A, B]")),
        "score_is_text": ("case", CASE.replace("score: 2", "score: high")),
        "score_too_big": ("case", CASE.replace("score: 2", "score: 99")),
        "checks_is_mapping": ("lesson", LESSON.replace("[good-q001]", "{a: b}")),
        "date_is_text": ("lesson", LESSON.replace("2026-11-01", "last week")),
        "date_impossible": ("lesson", LESSON.replace("2026-11-01", "2026-13-45")),
        "date_is_time": ("lesson", LESSON.replace("2026-11-01", "12:30")),
        "difficulty_unknown": ("q", QUESTION.replace("difficulty: easy", "difficulty: trivial")),
        "topic_unknown": ("q", QUESTION.replace("topic: anatomy", "topic: anatomie")),
        "type_unknown": ("q", QUESTION.replace("type: single_best", "type: essay")),
        "type_missing": ("q", QUESTION.replace("    type: single_best\n", "")),
        "outcome_kind_unknown": ("case", CASE.replace("kind: good\n", "kind: great\n")),
        "id_uppercase": ("lesson", LESSON.replace("id: bad-lesson", "id: Bad-Lesson")),
        "id_with_space": ("q", QUESTION.replace("id: bad-q001", "id: bad q001")),
        "option_empty_text": ("q", QUESTION.replace("text: Second", 'text: ""')),
        "too_few_options": ("q", QUESTION.replace(
            "      - text: Third\n        explanation: Wrong.\n", "").replace(
            "      - text: Second\n        explanation: Wrong.\n", "")),
        "null_title": ("lesson", LESSON.replace("title: A lesson", "title:")),
    }
    out.update({f"type_{k}.yaml": v for k, (_, v) in types.items()})

    # missing fields
    for field in ("id", "title", "topic", "summary", "estimated_minutes", "last_reviewed",
                  "objectives", "references", "steps"):
        lines = LESSON.splitlines(keepends=True)
        start = next(i for i, line in enumerate(lines) if line.startswith(f"{field}:"))
        end = start + 1
        while end < len(lines) and lines[end].startswith(" "):
            end += 1
        out[f"missing_lesson_{field}.yaml"] = "".join(lines[:start] + lines[end:])
    for field in ("stem", "explanation", "references", "key", "options", "objectives"):
        lines = QUESTION.splitlines(keepends=True)
        start = next(i for i, line in enumerate(lines) if line.startswith(f"    {field}:"))
        end = start + 1
        while end < len(lines) and lines[end].startswith("      "):
            end += 1
        out[f"missing_question_{field}.yaml"] = "".join(lines[:start] + lines[end:])
    for field in ("vignette", "start", "nodes", "expert_path", "debrief"):
        lines = CASE.splitlines(keepends=True)
        start = next(i for i, line in enumerate(lines) if line.startswith(f"{field}:"))
        end = start + 1
        while end < len(lines) and lines[end].startswith(" "):
            end += 1
        out[f"missing_case_{field}.yaml"] = "".join(lines[:start] + lines[end:])
    out["missing_kind.yaml"] = LESSON.replace("kind: lesson\n", "")

    # duplicate keys and ids
    out["dupkey_top.yaml"] = LESSON.replace("topic: anatomy", "topic: anatomy\ntopic: imaging")
    out["dupkey_nested.yaml"] = QUESTION.replace("    key: A", "    key: A\n    key: B")
    out["dupkey_flow.yaml"] = CASE.replace("start: a", "start: a\nexpert_path: [go]")
    out["dupid_option_text.yaml"] = QUESTION.replace("text: Third", "text: First")
    out["dupid_case_nodes.yaml"] = CASE.replace("  - id: b\n", "  - id: a\n").replace(
        "next: b", "next: a")
    out["dupid_case_choices.yaml"] = CASE.replace("id: never", "id: go")
    out["dupid_questions_in_file.yaml"] = QUESTION + QUESTION.split("questions:\n", 1)[1]
    out["dupid_objectives.yaml"] = LESSON.replace(
        "objectives:\n", "objectives:\n  - id: bad.one\n    text: Again.\n")

    # broken references
    out["ref_step_check.yaml"] = LESSON.replace("[good-q001]", "[no-such-question]")
    out["ref_question_objective.yaml"] = QUESTION.replace("[good.one]", "[no.such]")
    out["ref_case_next.yaml"] = CASE.replace("next: b", "next: nowhere")
    out["ref_case_start.yaml"] = CASE.replace("start: a", "start: z")
    out["ref_case_expert_path.yaml"] = CASE.replace("expert_path: [go]", "expert_path: [never]")
    out["ref_case_expert_unknown.yaml"] = CASE.replace("expert_path: [go]", "expert_path: [fly]")
    out["ref_case_unreachable.yaml"] = CASE.replace(
        "expert_path:",
        "  - id: island\n    narrative: Nobody.\n    outcome: {kind: poor, text: x}\nexpert_path:",
    )
    out["ref_case_dead_end.yaml"] = CASE.replace(
        "    outcome:\n      kind: good\n      text: Fine.\n", "")
    out["ref_case_critical_next.yaml"] = CASE.replace(
        "        critical: true", "        critical: true\n        next: b")
    out["ref_case_choice_no_next.yaml"] = CASE.replace("        next: b\n", "")
    out["ref_key_out_of_range.yaml"] = QUESTION.replace("key: A", "key: D")

    # encodings
    text = LESSON.replace("A lesson", "Caf\u00e9 lesson")
    out["enc_latin1.yaml"] = text.encode("latin-1")
    out["enc_cp1252_quotes.yaml"] = text.replace("A lesson", "\u201cq\u201d").encode("cp1252")
    out["enc_utf16_le_bom.yaml"] = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    out["enc_utf16_be_bom.yaml"] = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    out["enc_utf16_le_nobom.yaml"] = text.encode("utf-16-le")
    out["enc_utf32.yaml"] = text.encode("utf-32")
    out["enc_invalid_continuation.yaml"] = LESSON.encode().replace(b"A lesson", b"A \xc3( lesson")
    out["enc_bom_then_latin1.yaml"] = codecs.BOM_UTF8 + text.encode("latin-1")
    out["enc_crlf_with_error.yaml"] = LESSON.replace("minutes: 5", "minutes: x").replace(
        "\n", "\r\n")
    out["enc_nul_byte.yaml"] = LESSON.replace("A lesson", "A\x00lesson")

    # empty
    out["empty.yaml"] = ""
    out["empty_whitespace.yaml"] = "   \n\n  \n"
    out["empty_comments.yaml"] = "# nothing here\n# at all\n"
    out["empty_document_marker.yaml"] = "---\n...\n"

    # aliases and bombs
    bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        bomb.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    out["alias_billion_laughs.yaml"] = "kind: lesson\n" + "\n".join(bomb) + "\n"
    out["alias_as_key.yaml"] = LESSON.replace("title: A lesson", "title: &t A lesson\n*t : x")
    out["alias_merge_key.yaml"] = LESSON.replace(
        "steps:\n", "base: &b {title: x}\nsteps:\n  - <<: *b\n    body: y\n")
    out["alias_simple.yaml"] = LESSON.replace("summary: Used", "summary: &s Used").replace(
        "    body: Some text.", "    body: *s")

    # deep nesting
    out["deep_flow_10000.yaml"] = "kind: lesson\ntitle: " + "[" * 10000 + "]" * 10000 + "\n"
    out["deep_block_10000.yaml"] = "kind: lesson\n" + "".join(
        "  " * i + "- \n" for i in range(0, 2000)
    )
    out["deep_map_200.yaml"] = "kind: lesson\n" + "".join(
        "  " * i + f"k{i}:\n" for i in range(200)
    )

    # YAML 1.1 booleans where a boolean is expected, and lookalikes where numbers are
    for word in ("yes", "no", "on", "off", "y", "Y", "NO", "True1"):
        out[f"yaml11_critical_{word}.yaml"] = CASE.replace("critical: true", f"critical: {word}")
    out["yaml11_minutes_sexagesimal.yaml"] = LESSON.replace("minutes: 5", "minutes: 1:30")
    out["yaml11_minutes_octal.yaml"] = LESSON.replace("minutes: 5", "minutes: 0o17x")

    # unknown keys
    out["unknown_top.yaml"] = LESSON.replace("summary:", "sumary:")
    out["unknown_step.yaml"] = LESSON.replace("    body:", "    bdy:")
    out["unknown_option.yaml"] = QUESTION.replace("        explanation: Right.",
                                                  "        explanaton: Right.")
    out["unknown_choice.yaml"] = CASE.replace("        feedback: Good.", "        feeback: Good.")
    out["unknown_kind.yaml"] = LESSON.replace("kind: lesson", "kind: quiz")
    out["unknown_question_field.yaml"] = QUESTION.replace("    key: A", "    key: A\n    hint: x")
    return out


def main() -> None:
    """Write the corpus next to this script."""
    for old in HERE.glob("*.yaml"):
        old.unlink()
    for name, content in variants().items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (HERE / name).write_bytes(data)
    (HERE / "_good").mkdir(exist_ok=True)
    print(f"wrote {len(variants())} files to {HERE}")


if __name__ == "__main__":
    main()
