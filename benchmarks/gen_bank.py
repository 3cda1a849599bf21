"""Generate a synthetic content bank of realistic size and shape for benchmarks.

    python benchmarks/gen_bank.py OUT_DIR --questions 10000 --lessons 200 --cases 200

Questions come 100 to a file, in every type, with stems, options and explanations of
typical length; lessons have 8 steps with a diagram and checks; cases have 6 decision
points. The output validates with zero problems.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path


def _bundled_topics() -> list[str]:
    """The bundled course's topic ids, from its manifest."""
    from vpkp_tutor.content import bundled_manifest
    from vpkp_tutor.content.course import read_course

    course, problems = read_course(bundled_manifest())
    assert course is not None, problems
    return [t.id for t in course.topics]


TOPICS = _bundled_topics()
WORDS = ("vertebral body pedicle cortex cement needle fluoroscopy fracture oedema balloon "
         "cavity leakage venous plexus posterior wall anterior third injection viscosity "
         "kyphoplasty vertebroplasty sham trial outcome pain function coding bundled add-on "
         "osteoporosis denosumab rebound liaison service referral imaging STIR SPECT").split()


def sentence(rng: random.Random, n: int) -> str:
    """A sentence of n pseudo-clinical words."""
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def block(text: str, indent: int) -> str:
    """A YAML literal block scalar."""
    pad = " " * indent
    return "|\n" + "\n".join(pad + line for line in text.splitlines()) + "\n"


def lesson(i: int, rng: random.Random) -> str:
    """One lesson file; declares objectives gen.<i>.<k>."""
    topic = TOPICS[i % len(TOPICS)]
    objectives = "".join(
        f"  - id: gen.l{i}.o{k}\n    text: {sentence(rng, 10)}\n" for k in range(5)
    )
    steps = ""
    for s in range(8):
        body = "\n\n".join(sentence(rng, 25) for _ in range(4))
        steps += f"  - title: Step {s + 1} {rng.choice(WORDS)}\n    body: {block(body, 6)}"
        if s % 3 == 0:
            steps += "    diagram: |\n      +-----+\n      | (o) |\n      +-----+\n"
        if s % 2 == 0:
            steps += f"    checks: [gen-q{(i * 50 + s) % max(1, N_QUESTIONS):05d}]\n"
    return (
        f"kind: lesson\nid: gen-lesson-{i:04d}\ntitle: Generated lesson {i}\ntopic: {topic}\n"
        f"summary: {sentence(rng, 20)}\nestimated_minutes: 12\nlast_reviewed: 2026-11-01\n"
        f"objectives:\n{objectives}references:\n  - \"Generated reference {i}\"\n"
        f"steps:\n{steps}"
    )


N_QUESTIONS = 0


def question(qid: int, rng: random.Random, n_lessons: int) -> str:
    """One question item (indented for a `questions:` list)."""
    lesson_i = qid % n_lessons
    objective = f"gen.l{lesson_i}.o{qid % 5}"
    kind = ["single_best"] * 6 + ["multiple_response", "true_false", "ordering", "matching",
                                  "numeric"]
    qtype = kind[qid % len(kind)]
    head = (
        f"  - id: gen-q{qid:05d}\n    type: {qtype}\n    topic: {TOPICS[lesson_i % len(TOPICS)]}\n"
        f"    objectives: [{objective}]\n    difficulty: {['easy', 'medium', 'hard'][qid % 3]}\n"
        f"    last_reviewed: 2026-11-01\n    tags: [generated, {rng.choice(WORDS)}]\n"
        f"    stem: {block(sentence(rng, 45) + chr(10) + chr(10) + '**' + sentence(rng, 10) + '**', 6)}"
    )
    tail = (
        f"    explanation: {block(sentence(rng, 40), 6)}"
        f"    references:\n      - \"Generated reference {qid}\"\n"
    )

    def options(n: int) -> str:
        return "    options:\n" + "".join(
            f"      - text: {sentence(rng, 7)[:-1]} {k}\n"
            f"        explanation: {sentence(rng, 22)}\n"
            for k in range(n)
        )

    if qtype == "single_best":
        body = options(4) + f"    key: {'ABCD'[qid % 4]}\n"
    elif qtype == "multiple_response":
        body = options(5) + "    keys: [A, C]\n"
    elif qtype == "true_false":
        body = ("    options:\n      - text: \"True\"\n        explanation: Yes.\n"
                "      - text: \"False\"\n        explanation: No.\n    key: A\n")
    elif qtype == "ordering":
        body = options(5)
    elif qtype == "matching":
        body = "    pairs:\n" + "".join(
            f"      - left: {sentence(rng, 4)[:-1]} {k}\n        right: \"225{10 + k}\"\n"
            f"        explanation: {sentence(rng, 15)}\n"
            for k in range(4)
        )
    else:
        body = "    answer: 100\n    tolerance: 0.5\n    unit: USD\n"
    return head + body + tail


def case(i: int, rng: random.Random, n_lessons: int) -> str:
    """One case file with six decision points and a never event."""
    nodes = ""
    for d in range(6):
        nodes += (
            f"  - id: n{d}\n    narrative: {block(sentence(rng, 40), 6)}"
            f"    findings:\n      - {sentence(rng, 8)}\n    choices:\n"
            f"      - id: best{d}\n        text: {sentence(rng, 8)}\n        score: 3\n"
            f"        next: {'n' + str(d + 1) if d < 5 else 'end'}\n"
            f"        feedback: {sentence(rng, 20)}\n"
            f"      - id: weak{d}\n        text: {sentence(rng, 8)}\n        score: 1\n"
            f"        next: {'n' + str(d + 1) if d < 5 else 'poor'}\n"
            f"        feedback: {sentence(rng, 20)}\n"
            f"      - id: never{d}\n        text: {sentence(rng, 8)}\n        critical: true\n"
            f"        feedback: {sentence(rng, 20)}\n"
        )
    nodes += (
        "  - id: end\n    narrative: Done.\n    outcome: {kind: good, text: Well managed.}\n"
        "  - id: poor\n    narrative: Done.\n    outcome: {kind: poor, text: Poorly managed.}\n"
    )
    path = ", ".join(f"best{d}" for d in range(6))
    return (
        f"kind: case\nid: gen-case-{i:04d}\ntitle: Generated case {i}\n"
        f"topic: {TOPICS[i % len(TOPICS)]}\nobjectives: [gen.l{i % n_lessons}.o0]\n"
        f"last_reviewed: 2026-11-01\nreferences: [\"Generated reference\"]\n"
        f"vignette: {block(sentence(rng, 60), 2)}start: n0\nnodes:\n{nodes}"
        f"expert_path: [{path}]\ndebrief: {block(sentence(rng, 80), 2)}"
    )


def generate(out: Path, questions: int, lessons: int, cases: int, seed: int = 7) -> None:
    """Write the bank under `out` (lessons/, question_bank/, question_bank/cases/)."""
    global N_QUESTIONS
    N_QUESTIONS = questions
    rng = random.Random(seed)
    (out / "lessons").mkdir(parents=True, exist_ok=True)
    (out / "question_bank" / "cases").mkdir(parents=True, exist_ok=True)
    for i in range(lessons):
        (out / "lessons" / f"gen-{i:04d}.yaml").write_text(lesson(i, rng), encoding="utf-8")
    for start in range(0, questions, 100):
        items = "".join(question(q, rng, lessons) for q in range(start, min(questions, start + 100)))
        (out / "question_bank" / f"gen-{start // 100:04d}.yaml").write_text(
            "kind: questions\nquestions:\n" + items, encoding="utf-8"
        )
    for i in range(cases):
        (out / "question_bank" / "cases" / f"gen-{i:04d}.yaml").write_text(
            case(i, rng, lessons), encoding="utf-8"
        )


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--lessons", type=int, default=200)
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    generate(args.out, args.questions, args.lessons, args.cases)
    print(f"wrote {args.questions} questions, {args.lessons} lessons, {args.cases} cases "
          f"to {args.out}")


if __name__ == "__main__":
    main()
