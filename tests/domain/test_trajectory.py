"""The needle-trajectory drill: stepping, the medial-wall rule, partial credit, the answer
string and the geometry checks."""

from __future__ import annotations

import msgspec
import pytest

from vpkp_tutor.domain import trajectory as t
from vpkp_tutor.domain.model import Difficulty, DrillGeometry, Question, Trajectory
from vpkp_tutor.domain.scoring import judge, score

L3 = DrillGeometry(
    level="L3", side="right", approach="transpedicular", plan="bipedicular",
    body_width=46, body_depth=34, body_height=27, pedicle_width=10, pedicle_height=15,
    pedicle_length=20, pedicle_offset=13, medial_angle=18, midline_tolerance=0.35,
)
"""Right pedicle: oval centred at x=13, medial wall at 8, lateral wall at 18."""
T5_PARA = msgspec.structs.replace(L3, level="T5", side="left", approach="parapedicular",
                                  body_width=30, body_depth=25, body_height=18,
                                  pedicle_width=4, pedicle_height=10, pedicle_offset=10,
                                  medial_angle=8, midline_tolerance=0.4)


def drill(g: DrillGeometry = L3) -> Trajectory:
    return Trajectory(id="d", topic="vp_technique", objectives=("o",),  # type: ignore[arg-type]
                      difficulty=Difficulty.MEDIUM, stem="s", explanation="e",
                      references=("r",), geometry=g)


def run(g: DrillGeometry, entry: tuple[int, int], moves: str, final: bool = True) -> str:
    """Step a needle: `moves` is a string of a (advance), w (withdraw), h/l/k/j (aim
    left/right/up/down)."""
    n = t.Needle(*entry)
    n = t.advance(n)
    states = [n]
    for m in moves:
        n = {"a": t.advance, "w": t.withdraw}.get(m, lambda x: x)(n)
        if m in "hljk":
            dx, dy = {"h": (-1, 0), "l": (1, 0), "k": (0, 1), "j": (0, -1)}[m]
            n = t.aim(n, dx, dy)
        states.append(n)
    return t.encode(states, final)


def test_the_ideal_path_earns_full_marks_and_reaches_the_anterior_third() -> None:
    v = t.judge_geometry(L3, t.ideal_answer(L3))
    assert v.score.correct and v.never_event is None
    last = t.tip_of(v.ideal[-1], L3)
    assert last.z >= 2 / 3 * L3.body_depth and abs(last.x) <= 0.35 * 23
    assert t.geometry_problems(L3) == []


def test_crossing_the_medial_wall_before_the_posterior_wall_is_a_never_event() -> None:
    # from the centre of the pedicle, aimed 30° medially: the tip crosses x=8 at depth ≈ 9,
    # while z is still ≈ -12 (behind the posterior body wall)
    answer = run(L3, (13, 0), "hhhhhhhhhhhhhhh" + "a" * 8)
    v = t.judge_geometry(L3, answer)
    assert v.never_event is not None and "stop and redirect" in v.never_event
    assert v.score.points == 0.0
    assert "never event" in v.safety.note.lower()


def test_reaching_the_medial_wall_only_after_the_posterior_wall_is_safe() -> None:
    answer = t.ideal_answer(L3)
    v = t.judge_geometry(L3, answer)
    tips = v.tips
    # the path does go medial to the wall, but only once past the posterior wall
    assert any(p.x < t.medial_wall(L3) for p in tips)
    assert all(p.z >= 0 for p in tips if p.x < t.medial_wall(L3))
    assert v.safety.points == v.safety.max_points


def test_the_rule_is_checked_between_steps_not_only_at_them() -> None:
    """A single step that jumps from lateral of the wall and behind the posterior wall to
    medial of it and in the body crosses the forbidden corner: the segment is checked."""
    g = L3
    # a segment from (9, z=-1) to (7, z=+1) crosses x=8 exactly where z=0: not a breach
    assert not t._breach(g, t.Point(9, 0, -1), t.Point(7, 0, 1))
    # …but from (9, z=-2) to (7, z=0) it is medial at z=-1
    assert t._breach(g, t.Point(9, 0, -2), t.Point(7, 0, 0))
    # neither end is in the forbidden corner, yet the segment passes through it
    assert t._breach(g, t.Point(9, 0, -3), t.Point(5, 0, 0))
    # the same on the left side, mirrored
    left = msgspec.structs.replace(g, side="left")
    assert t._breach(left, t.Point(-9, 0, -3), t.Point(-5, 0, 0))
    assert not t._breach(left, t.Point(-9, 0, -3), t.Point(-12, 0, 0))
    assert t._breach(left, t.Point(9, 0, -3), t.Point(12, 0, 0))  # across the midline


def test_partial_credit_entry_on_the_pedicle_but_not_the_corner() -> None:
    ideal = t.ideal_path(L3)
    first = ideal[0]
    # same aim and depth, but from the lower lateral part of the oval
    states = [s._replace(ey=-2) for s in ideal]
    v = t.judge_geometry(L3, t.encode(states, True))
    assert v.entry.points == pytest.approx(t.ENTRY_POINTS / 2)
    assert "low" in v.entry.note and "superolateral" in v.entry.note
    assert first.ey > 0 and v.never_event is None


def test_entry_off_the_pedicle_scores_no_entry_points() -> None:
    v = t.judge_geometry(L3, run(L3, (30, 0), "a", final=True))
    assert v.entry.points == 0 and "off the pedicle" in v.entry.note


def test_final_position_in_the_middle_third_earns_half_the_lateral_share() -> None:
    ideal = list(t.ideal_path(L3))
    # stop when the tip is in the middle third of the body
    states = [s for s in ideal if t.tip_of(s, L3).z < 0.6 * L3.body_depth]
    tip = t.tip_of(states[-1], L3)
    assert 1 / 3 <= tip.z / L3.body_depth < 2 / 3
    v = t.judge_geometry(L3, t.encode(states, True))
    assert "middle third" in v.position.note
    assert v.position.points < v.position.max_points
    assert v.score.points == pytest.approx(v.entry.points + v.safety.points + v.position.points)


def test_going_through_the_anterior_cortex_costs_safety_and_position() -> None:
    ideal = list(t.ideal_path(L3))
    n = ideal[-1]
    while t.tip_of(n, L3).z <= L3.body_depth:
        n = t.advance(n)
        ideal.append(n)
    v = t.judge_geometry(L3, t.encode(ideal, True))
    assert "anterior cortex" in v.safety.note and v.safety.points == t.SAFETY_POINTS / 2
    assert v.position.points == 0


def test_no_final_position_declared_scores_no_position() -> None:
    v = t.judge_geometry(L3, t.encode(t.ideal_path(L3), final=False))
    assert v.position.points == 0 and v.never_event is None


def test_a_unilateral_plan_explains_the_medial_target() -> None:
    g = msgspec.structs.replace(L3, plan="unilateral", midline_tolerance=0.1)
    ideal = list(t.ideal_path(L3))  # aims only near the midline within 0.35
    lateral = [s._replace(ax=s.ax + 6) for s in ideal]  # 6° less medial
    v = t.judge_geometry(g, t.encode(lateral, True))
    assert "one needle" in v.position.note


def test_parapedicular_entry_beside_the_lateral_wall() -> None:
    v = t.judge_geometry(T5_PARA, t.ideal_answer(T5_PARA))
    assert v.score.correct, (v.entry, v.safety, v.position)
    assert "lateral" in v.entry.note
    on_pedicle = t.judge_geometry(T5_PARA, run(T5_PARA, (-10, 0), "a"))
    assert on_pedicle.entry.points == t.ENTRY_POINTS / 2


def test_stepping_keys() -> None:
    n = t.Needle(13, 0)
    assert t.move_entry(n, 1, -1) == t.Needle(14, -1)
    n = t.advance(n)
    assert n.entered and t.move_entry(n, 1, 0) == n  # the contact point is fixed once made
    n = t.aim(n, -1, 1)
    assert (n.ax, n.ay) == (-t.AIM_STEP, t.AIM_STEP)
    n = t.advance(n)
    assert n.depth == t.DEPTH_STEP
    n = t.withdraw(t.withdraw(n))
    assert not n.entered and (n.ex, n.ey) == (13, 0)  # back to placing the contact point
    for _ in range(100):
        n = t.aim(t.advance(n), 1, 1) if n.entered else t.advance(n)
    assert n.ax == t.MAX_ANGLE and n.depth <= t.MAX_DEPTH


def test_the_tip_moves_in_both_views_together() -> None:
    n = t.Needle(13, 0, -10, -6, 10, True)
    p = t.tip_of(n, L3)
    assert p.x < 13 and p.y < 0 and p.z > -20


def test_answer_string_round_trip_and_refusals() -> None:
    ideal = t.ideal_path(L3)
    text = t.encode(ideal, True)
    path = t.parse(text)
    assert path is not None and path.states == ideal and path.final
    for bad in ("", "F", "1,2,3", "E1 1,2,3", "E1,2 99,0,0", "E1,2 0,0,2 F 0,0,4", "Ex,y 0,0,0",
                None, 3.0, ("E1,2",)):
        assert t.parse(bad) is None, bad
        assert t.judge_geometry(L3, bad).score.points == 0


def test_withdrawing_and_re_entering_keeps_the_whole_path_for_safety() -> None:
    # pass 1: into the never-event corner; pass 2: the ideal path; the first pass counts
    bad = run(L3, (13, 0), "hhhhhhhhhhhhhhh" + "a" * 8, final=False)
    good = t.ideal_answer(L3)
    v = t.judge_geometry(L3, bad + " " + good)
    assert v.never_event is not None


def test_scoring_dispatches_trajectory_questions() -> None:
    q: Question = drill()
    assert score(q, t.ideal_answer(L3)).correct
    assert score(q, None).points == 0
    v = judge(q, t.ideal_answer(L3))
    assert isinstance(v, t.TrajectoryVerdict) and 0 <= v.score.fraction <= 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (dict(pedicle_offset=4), "pedicle_offset"),
        (dict(pedicle_height=30), "pedicle_height"),
        (dict(pedicle_width=24), "pedicle_width"),
        (dict(medial_angle=40), "medial_angle"),
        (dict(pedicle_length=40, pedicle_offset=14, pedicle_width=4, medial_angle=6),
         "geometry"),
    ],
)
def test_inconsistent_geometry_is_named(change: dict[str, float], field: str) -> None:
    g = msgspec.structs.replace(L3, **change)
    fields = [f for f, _ in t.geometry_problems(g)]
    assert field in fields, t.geometry_problems(g)


def test_the_shipped_drills_load_clean_across_thoracic_and_lumbar_levels() -> None:
    import datetime as dt
    from pathlib import Path

    from vpkp_tutor.content.loader import load_content

    root = Path(__file__).resolve().parents[2]
    bank = load_content([root / "question_bank", root / "lessons"], today=dt.date(2026, 12, 2))
    assert not bank.problems
    drills = [q for q in bank.questions if isinstance(q, Trajectory)]
    levels = {q.geometry.level[0] for q in drills}
    assert len(drills) >= 12 and levels == {"T", "L"}
    assert {q.geometry.approach for q in drills} == {"transpedicular", "parapedicular"}
    assert {q.geometry.plan for q in drills} == {"bipedicular", "unilateral"}
    for q in drills:
        assert t.judge_path(q, t.ideal_answer(q.geometry)).score.correct, q.id


def test_an_inconsistent_drill_is_one_located_error(tmp_path: object) -> None:
    import datetime as dt
    from pathlib import Path

    from vpkp_tutor.content.loader import load_content

    folder = Path(str(tmp_path)) / "question_bank"
    folder.mkdir()
    (folder / "d.yaml").write_text(
        "kind: questions\nquestions:\n  - id: d1\n    type: trajectory\n"
        "    topic: vp_technique\n    objectives: [o]\n    difficulty: easy\n"
        "    last_reviewed: 2026-12-01\n    stem: s\n    explanation: e\n"
        "    references: [r]\n    geometry:\n      level: L3\n      side: right\n"
        "      body: {width: 46, depth: 34, height: 27}\n"
        "      pedicle: {width: 10, height: 15, length: 20, offset: 13, medial_angle: 35}\n",
        encoding="utf-8")
    bank = load_content([folder], today=dt.date(2026, 12, 2))
    geometry = [p for p in bank.problems if "geometry" in p.message]
    assert len(geometry) == 1 and geometry[0].line == 16, bank.problems
    assert "medial_angle" in geometry[0].message or "converges" in geometry[0].message


def test_aiming_before_advancing_is_stored_once() -> None:
    """Successive states at depth 0 move no tip: only the last aim is kept in the answer."""
    n = t.advance(t.Needle(15, 4))
    states = [n]
    for _ in range(5):
        n = t.aim(n, -1, 0)
        states.append(n)
    n = t.advance(n)
    states.append(n)
    text = t.encode(states, True)
    assert text == f"E15,4 {-5 * t.AIM_STEP},0,0 {-5 * t.AIM_STEP},0,{t.DEPTH_STEP} F"
    path = t.parse(text)
    assert path is not None
    assert t.judge_geometry(L3, text).score == t.judge_geometry(
        L3, " ".join(["E15,4", *[f"{s.ax},{s.ay},{s.depth}" for s in states], "F"])).score
