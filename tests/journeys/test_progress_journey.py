"""After some answers, Home and Progress at 80×24 (by keyboard): mastery and accuracy each
explained in one line where they are shown; "Weakest objectives" never lists an objective
answered all correctly; the By-topic chart's labels sit on the line of their own bars."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.journeys.pilot import bundled, isolated_dirs, pilot_app  # noqa: F401  (fixtures)
from tests.tui.helpers import settle
from vpkp_tutor.domain.mastery import compute_mastery
from vpkp_tutor.domain.model import ContentBank, QuestionType, TopicId
from vpkp_tutor.domain.progress import Mastery
from vpkp_tutor.tui.app import VpkpApp
from vpkp_tutor.tui.screens.home import HomeScreen
from vpkp_tutor.tui.screens.progress import ProgressScreen
from vpkp_tutor.tui.widgets.bars import ACCURACY_HELP, MASTERY_HELP, percent

ROW = re.compile(r"^(?P<label>\S.*?)\s{2,}(?P<acc>[█░]+)\s+(?P<accp>\d+%)\s+(?P<mas>[█░]+)\s+"
                 r"(?P<masp>\d+%)$")


def answer(app: VpkpApp, content: ContentBank, plan: dict[TopicId, str]) -> None:
    """Answer the single-best questions of some topics: "right", "wrong" or "alternate"."""
    assert app.learner is not None
    lesson = content.lessons[0].id
    for i, q in enumerate(x for x in content.questions if x.type is QuestionType.SINGLE_BEST):
        how = plan.get(q.topic)
        if how is None or q.key is None:
            continue
        wrong = next(c for c in "ABCD" if c != q.key)
        right = how == "right" or (how == "alternate" and i % 2 == 0)
        app.services.answer_lesson_check(app.learner.id, lesson, q.id,
                                         q.key if right else wrong, 5.0)


def mastery(app: VpkpApp) -> tuple[dict[str, Mastery], dict[str, Mastery]]:
    """Mastery by topic value and by objective id, from the learner's stored responses."""
    assert app.learner is not None
    questions = app.services.content.question_meta
    responses = app.services.store.responses(app.learner.id)
    return (compute_mastery({q.id: (q.topic,) for q in questions}, responses),
            compute_mastery({q.id: q.objectives for q in questions}, responses))


def dashboard_text(app: VpkpApp) -> str:
    return str(app.screen.query_one("#dashboard").render())


async def test_home_and_progress_explain_and_rank_honestly(
    pilot_app: Callable[[], VpkpApp], bundled: ContentBank,  # noqa: F811
) -> None:
    app = pilot_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        # every answer right so far: nothing is weak
        answer(app, bundled, {"anatomy": "right"})
        app.screen.refresh_dashboard()
        await settle(pilot)
        text = dashboard_text(app)
        assert ACCURACY_HELP in text and MASTERY_HELP in text
        (none_yet,) = [x for x in text.split("\n") if x.startswith("Weakest objectives:")]
        assert none_yet.startswith("Weakest objectives: none yet")
        assert "…" not in none_yet and len(none_yet) <= 76  # read whole at 80 columns

        answer(app, bundled, {"imaging": "wrong", "evidence": "alternate"})
        app.screen.refresh_dashboard()
        await settle(pilot)
        text = dashboard_text(app)
        assert app.learner is not None
        _, by_objective = mastery(app)
        objective_text = {o.id: o.text for lesson in bundled.lessons for o in lesson.objectives}
        lines = text.split("\n")
        at = next(i for i, line in enumerate(lines) if line.startswith("Weakest objectives"))
        listed = [line for line in lines[at + 1:] if line.strip()]
        assert listed
        for line in listed:
            shown = line.split("%", 1)[1].strip().rstrip("…")
            keys = [k for k, t in objective_text.items() if t.startswith(shown)]
            assert keys, line
            assert all(by_objective[k].accuracy < 1.0 for k in keys), (
                f"an objective answered all correctly is listed as weak: {line}")
        perfect = [objective_text[k] for k, m in by_objective.items()
                   if m.answered_items and m.accuracy == 1.0 and k in objective_text]
        assert perfect  # the anatomy objectives, answered all correctly
        assert not any(t[:40] in text for t in perfect)

        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, ProgressScreen)
        await pilot.press("2")
        await settle(pilot)
        chart = str(app.screen.query_one("#chart-by-topic").render())
        assert ACCURACY_HELP in chart and MASTERY_HELP in chart
        by_topic, _ = mastery(app)
        labels = {t.label: t.id for t in app.services.topics()}
        rows = [m for m in map(ROW.match, chart.split("\n")) if m]
        assert {r["label"] for r in rows} == {'Anatomy', 'Imaging & classification',
                                               'Evidence'}
        for row in rows:
            m = by_topic[labels[row["label"]]]
            assert row["accp"] == percent(m.accuracy), row.group(0)
            assert row["masp"] == percent(m.value), row.group(0)
            width = len(row["acc"])
            assert row["acc"].count("█") == round(m.accuracy * width), row.group(0)
            assert row["mas"].count("█") == round(m.value * width), row.group(0)
