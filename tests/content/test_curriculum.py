"""Quality checks on the bundled curriculum: validity, coverage, and item-writing rules."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest

from tests.bundled import bundled_bank as bank
from vpkp_tutor.domain.model import LETTERS, Question, QuestionType


def test_bundled_content_has_zero_problems() -> None:
    assert [str(p) for p in bank().problems] == []
    assert bank().skipped_files == ()


def test_bank_size_and_topic_coverage() -> None:
    questions = bank().questions
    assert len(questions) >= 250
    per_topic = Counter(q.topic for q in questions)
    topics = bank().course.topic_ids
    assert len(topics) == 9
    for topic in topics:
        assert per_topic[topic] >= 20, f"{topic}: {per_topic[topic]} questions"
    assert {q.type for q in questions} == set(QuestionType)
    assert {lesson.topic for lesson in bank().lessons} == set(topics)


def test_difficulty_is_spread() -> None:
    counts = Counter(q.difficulty for q in bank().questions)
    total = sum(counts.values())
    for difficulty, n in counts.items():
        assert n / total >= 0.15, f"{difficulty}: {n}/{total}"
    assert len(counts) == 3


def test_lessons_have_six_to_twelve_steps_and_embedded_checks() -> None:
    for lesson in bank().lessons:
        assert 6 <= len(lesson.steps) <= 12, lesson.id
        checks = [qid for step in lesson.steps for qid in step.checks]
        assert checks, f"{lesson.id} has no embedded checks"
        assert all(bank().has_question(qid) for qid in checks)


def _key_letters(q: Question) -> list[str]:
    return list(q.keys) if q.type is QuestionType.MULTIPLE_RESPONSE else [q.key or ""]


def test_key_positions_are_balanced() -> None:
    groups: dict[tuple[QuestionType, int], Counter[str]] = defaultdict(Counter)
    for q in bank().questions:
        if q.type in (QuestionType.SINGLE_BEST, QuestionType.MULTIPLE_RESPONSE) and len(
            q.options
        ) >= 4:
            groups[(q.type, len(q.options))].update(_key_letters(q))
    assert groups
    for (qtype, n), counts in groups.items():
        total = sum(counts.values())
        if total < 10:
            continue
        uniform = 100 / n
        for letter in LETTERS[:n]:
            share = 100 * counts[letter] / total
            assert abs(share - uniform) <= 10, (
                f"{qtype} with {n} options: {letter} is the key in {share:.0f}% "
                f"(uniform {uniform:.0f}%)"
            )


def test_key_is_rarely_the_longest_option() -> None:
    sba = [q for q in bank().questions if q.type is QuestionType.SINGLE_BEST]
    longest = [
        q.id for q in sba
        if len(q.options[LETTERS.index(q.key or "A")].text) == max(len(o.text) for o in q.options)
    ]
    assert len(longest) / len(sba) <= 0.35, f"{len(longest)}/{len(sba)} keyed longest"


def test_every_item_has_references_and_option_explanations() -> None:
    for q in bank().questions:
        assert q.references and all(r.strip() for r in q.references), q.id
        assert all(o.explanation.strip() for o in getattr(q, "options", ())), q.id
        assert all(p.explanation.strip() for p in getattr(q, "pairs", ())), q.id


def test_every_objective_is_tested_by_three_items() -> None:
    uses: Counter[str] = Counter()
    for q in bank().questions:
        uses.update(set(q.objectives))
    for case in bank().cases:
        uses.update(set(case.objectives))
    for lesson in bank().lessons:
        for objective in lesson.objectives:
            assert uses[objective.id] >= 3, f"{objective.id}: {uses[objective.id]} items"


BANNED_OPTIONS = re.compile(r"\b(all|none) of the above\b", re.IGNORECASE)
UNEMPHASISED_NEGATIVE = re.compile(r"(?<!\*\*)\b(NOT|EXCEPT|LEAST)\b(?!\*\*)")


@pytest.mark.parametrize("field", ["options", "stem"])
def test_item_writing_rules(field: str) -> None:
    for q in bank().questions:
        if field == "options":
            options = getattr(q, "options", ())
            assert not any(BANNED_OPTIONS.search(o.text) for o in options), q.id
        else:
            assert not UNEMPHASISED_NEGATIVE.search(q.stem), q.id


def test_cases_are_rich_enough() -> None:
    cases = bank().cases
    assert len(cases) >= 10
    for case in cases:
        decision_points = 0
        node = case.node(case.start)
        for cid in case.expert_path:
            decision_points += 1
            nxt = case.choice(cid).next
            assert nxt is not None
            node = case.node(nxt)
        assert node.is_end
        assert decision_points >= 4, f"{case.id}: {decision_points} decision points"
        assert any(c.critical for n in case.nodes for c in n.choices), case.id
        assert len(case.debrief) > 200, case.id
