"""The needle-trajectory drill: geometry, stepping, the safety rule and scoring (pure).

The vertebra is schematic (`DrillGeometry`, millimetres; axes in its docstring). The needle is
straight and pivots on its bone-contact point, which the learner places on the AP view:

- entry phase: the arrows move the bone-contact point by `GRID` mm on the AP view;
- needle phase: the arrows aim the needle by `AIM_STEP` degrees (left/right on the AP view,
  up/down on both views), advance and withdraw move the tip by `DEPTH_STEP` mm along it.
  Withdrawing to depth 0 and once more goes back to the entry phase.

The path is an answer string (`encode` / `parse`): `E<x>,<y>` for each bone contact, then
one `<ax>,<ay>,<depth>` token per needle state (angles in degrees on the AP and lateral
views, depth in mm), then `F` when the learner declared the final position. A path that ends
without `F` ended on a never event.

Scoring follows the fact sheet's technique section:

- entry (0.25): bone contact at the superolateral corner of the pedicle on AP (transpedicular);
  just lateral to the pedicle's lateral wall (parapedicular);
- path safety (0.35): the tip must not cross the medial pedicle wall on AP before it has passed
  the posterior body wall on lateral — crossing it is a never event that ends the drill and
  scores 0; leaving the pedicle (transpedicular) or the body through a cortex costs half each;
- final position (0.40), half on lateral and half on AP: anterior third (to quarter) of the
  body on lateral, and at or near the midline on AP (within the drill's
  `midline_tolerance`); each half is halved for the middle third on lateral, or for a tip in
  the medial half but not near the midline on AP.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

from msgspec import Struct

from vpkp_tutor.domain.model import DrillGeometry, Score, Trajectory

GRID = 1
"""Millimetres the bone-contact point moves per arrow key."""
AIM_STEP = 2
"""Degrees the needle turns per arrow key."""
DEPTH_STEP = 2
"""Millimetres the tip moves per advance or withdraw."""
MAX_ANGLE = 40
"""Largest aim, in degrees, either way on either view."""
MAX_DEPTH = 120
"""Deepest the needle goes, in mm."""

ENTRY_POINTS = 0.25
SAFETY_POINTS = 0.35
POSITION_POINTS = 0.40
ANTERIOR_THIRD = 2 / 3
"""Share of the body depth (from the posterior wall) where the anterior third begins."""
MIDDLE_THIRD = 1 / 3
MEDIAL_HALF = 0.5
"""A tip within this share of the half-width of the body is in its medial half."""
CORNER = 0.2
"""On the pedicle oval (radii 1), the superolateral corner is where both the lateral and the
cranial normalised offsets from the centre are at least this."""
EDGE_SLACK = 0.5
"""Millimetres the pedicle oval is widened by when judging an entry on its edge."""

SIDES = ("left", "right")
APPROACHES = ("transpedicular", "parapedicular")
PLANS = ("bipedicular", "unilateral")


class Point(NamedTuple):
    """A tip position, mm."""

    x: float
    y: float
    z: float


class Needle(NamedTuple):
    """The needle: bone contact on AP, aim (degrees) and depth (mm). `entered` is False in
    the entry phase (only the contact point is placed)."""

    ex: int
    ey: int
    ax: int = 0
    ay: int = 0
    depth: int = 0
    entered: bool = False

    @property
    def tip(self) -> Point:
        """Where the tip is."""
        return tip_of(self)


def side_sign(g: DrillGeometry) -> int:
    """+1 for the pedicle on the viewer's right of the AP view, -1 for the left."""
    return 1 if g.side == "right" else -1


def pedicle_centre_x(g: DrillGeometry) -> float:
    """x of the centre of the pedicle oval used."""
    return side_sign(g) * g.pedicle_offset


def medial_wall(g: DrillGeometry) -> float:
    """Distance from the midline to the medial wall of the pedicle on AP."""
    return g.pedicle_offset - g.pedicle_width / 2


def lateral_wall(g: DrillGeometry) -> float:
    """Distance from the midline to the lateral wall of the pedicle on AP."""
    return g.pedicle_offset + g.pedicle_width / 2


def entry_z(g: DrillGeometry) -> float:
    """z of the bone-contact point (the back of the pedicle)."""
    return -g.pedicle_length


def tip_of(n: Needle, g: DrillGeometry | None = None) -> Point:
    """The tip of needle `n` (z measured from the back of the pedicle when `g` is None)."""
    z0 = entry_z(g) if g is not None else 0.0
    tx, ty = math.tan(math.radians(n.ax)), math.tan(math.radians(n.ay))
    norm = math.sqrt(tx * tx + ty * ty + 1)
    d = n.depth if n.entered else 0
    return Point(n.ex + d * tx / norm, n.ey + d * ty / norm, z0 + d / norm)


def start(g: DrillGeometry) -> Needle:
    """The needle before the learner moves: contact point at the centre of the pedicle oval
    (rounded to the grid), in the entry phase."""
    return Needle(round(pedicle_centre_x(g)), 0)


# -- stepping ---------------------------------------------------------------------------------


def move_entry(n: Needle, dx: int, dy: int) -> Needle:
    """Move the bone-contact point (entry phase only)."""
    if n.entered:
        return n
    return n._replace(ex=n.ex + dx * GRID, ey=n.ey + dy * GRID)


def aim(n: Needle, dx: int, dy: int) -> Needle:
    """Turn the needle (needle phase only), within ±`MAX_ANGLE`."""
    if not n.entered:
        return n
    ax = max(-MAX_ANGLE, min(MAX_ANGLE, n.ax + dx * AIM_STEP))
    ay = max(-MAX_ANGLE, min(MAX_ANGLE, n.ay + dy * AIM_STEP))
    return n._replace(ax=ax, ay=ay)


def advance(n: Needle) -> Needle:
    """Make bone contact (entry phase) or push the tip one step deeper."""
    if not n.entered:
        return n._replace(entered=True, depth=0)
    return n._replace(depth=min(MAX_DEPTH, n.depth + DEPTH_STEP))


def withdraw(n: Needle) -> Needle:
    """Pull the tip back one step; at depth 0, go back to placing the contact point."""
    if not n.entered:
        return n
    if n.depth <= 0:
        return n._replace(entered=False, ax=0, ay=0, depth=0)
    return n._replace(depth=max(0, n.depth - DEPTH_STEP))


# -- the path as an answer ------------------------------------------------------------------


def encode(states: Sequence[Needle], final: bool) -> str:
    """The answer string of a sequence of needle states (entry-phase states are skipped; a
    new contact point starts with `E`; of successive states at depth 0, where aiming moves
    no tip, only the last is kept)."""
    tokens: list[str] = []
    contact: tuple[int, int] | None = None
    aiming = False  # the last token is a state at depth 0 (aiming moves no tip there)
    for n in states:
        if not n.entered:
            contact = None
            continue
        if contact != (n.ex, n.ey):
            contact = (n.ex, n.ey)
            tokens.append(f"E{n.ex},{n.ey}")
            aiming = False
        if aiming and n.depth == 0:
            tokens.pop()
        tokens.append(f"{n.ax},{n.ay},{n.depth}")
        aiming = n.depth == 0
    if final:
        tokens.append("F")
    return " ".join(tokens)


class Path(NamedTuple):
    """A parsed answer: the needle states in order and whether the final position was
    declared."""

    states: tuple[Needle, ...]
    final: bool


def parse(answer: object) -> Path | None:
    """Read an answer string; None when it is not a path (or is empty)."""
    if not isinstance(answer, str) or not answer.strip():
        return None
    states: list[Needle] = []
    contact: tuple[int, int] | None = None
    final = False
    try:
        for token in answer.split():
            if final:
                return None  # nothing may follow F
            if token == "F":
                final = True
            elif token.startswith("E"):
                x, y = (int(v) for v in token[1:].split(","))
                contact = (x, y)
            else:
                ax, ay, depth = (int(v) for v in token.split(","))
                if contact is None or not (abs(ax) <= MAX_ANGLE and abs(ay) <= MAX_ANGLE
                                           and 0 <= depth <= MAX_DEPTH):
                    return None
                states.append(Needle(contact[0], contact[1], ax, ay, depth, True))
    except ValueError:
        return None
    if not states or any(abs(c) > 1000 for s in states for c in (s.ex, s.ey)):
        return None
    return Path(tuple(states), final)


# -- the rules --------------------------------------------------------------------------------


class Part(NamedTuple):
    """One scored part of a drill: points out of its share, and why."""

    points: float
    max_points: float
    note: str


class TrajectoryVerdict(Struct, frozen=True):
    """The verdict on a drill: each part explained, the never event if any, the learner's
    tips and the ideal path."""

    entry: Part
    safety: Part
    position: Part
    never_event: str | None
    """Why the drill ended, when it ended on a never event."""
    tips: tuple[Point, ...]
    """The learner's tip positions, in order (empty when unanswered)."""
    ideal: tuple[Needle, ...]
    """The ideal path, state by state (for the replay)."""
    score: Score


def in_oval(g: DrillGeometry, x: float, y: float, slack: float = 0.0) -> bool:
    """(x, y) on the AP view lies within the pedicle oval used (widened by `slack` mm)."""
    rx, ry = g.pedicle_width / 2 + slack, g.pedicle_height / 2 + slack
    return ((x - pedicle_centre_x(g)) / rx) ** 2 + (y / ry) ** 2 <= 1.0 + 1e-9


def _entry_part(g: DrillGeometry, ex: int, ey: int) -> Part:
    s = side_sign(g)
    if g.approach == "parapedicular":
        beside = lateral_wall(g) <= s * ex <= lateral_wall(g) + 3 and abs(ey) <= g.pedicle_height / 2
        if beside:
            return Part(ENTRY_POINTS, ENTRY_POINTS,
                        "Entry beside the lateral wall of the pedicle: the parapedicular route "
                        "runs along the pedicle's lateral side into the body.")
        if in_oval(g, ex, ey, EDGE_SLACK):
            return Part(ENTRY_POINTS / 2, ENTRY_POINTS,
                        "Entry on the pedicle itself: a transpedicular start, not the planned "
                        "parapedicular route along the pedicle's lateral side.")
        return Part(0.0, ENTRY_POINTS,
                    "Entry neither on nor just lateral to the pedicle: the parapedicular route "
                    "starts beside the pedicle's lateral wall, within its height.")
    if not in_oval(g, ex, ey, EDGE_SLACK):
        return Part(0.0, ENTRY_POINTS,
                    "Entry off the pedicle on AP: a transpedicular needle makes bone contact "
                    "on the pedicle, at its superolateral (upper outer) corner.")
    u = s * (ex - pedicle_centre_x(g)) / (g.pedicle_width / 2 + EDGE_SLACK)
    v = ey / (g.pedicle_height / 2 + EDGE_SLACK)
    if u >= CORNER and v >= CORNER:
        return Part(ENTRY_POINTS, ENTRY_POINTS,
                    "Entry at the superolateral (upper outer) corner of the pedicle on AP.")
    where = "medial" if u < CORNER else "low"
    if u < CORNER and v < CORNER:
        where = "medial and low"
    return Part(ENTRY_POINTS / 2, ENTRY_POINTS,
                f"Entry on the pedicle but {where}: bone contact belongs at the superolateral "
                "(upper outer) corner, which leaves room to angle medially before the wall.")


def _breach(g: DrillGeometry, p: Point, q: Point) -> bool:
    """The segment p→q has a point medial to the medial pedicle wall on AP while not yet past
    the posterior body wall on lateral (both strictly)."""
    s, mw = side_sign(g), medial_wall(g)
    # f(t) = s*x - mw < 0 and g(t) = z < 0 for some t in [0, 1]
    lo, hi = 0.0, 1.0
    for a, b in ((s * p.x - mw, s * q.x - mw), (p.z, q.z)):
        # the t where a + (b - a) t < 0
        if a < -1e-9 and b < -1e-9:
            continue
        if a >= -1e-9 and b >= -1e-9:
            return False
        t = a / (a - b)
        if a < 0:
            hi = min(hi, t)
        else:
            lo = max(lo, t)
    return hi - lo > 1e-9


def _outside_body(g: DrillGeometry, p: Point) -> str | None:
    """Which cortex of the body a tip past the posterior wall has left through, if any."""
    if p.z <= 0:
        return None
    if p.z > g.body_depth:
        return "the anterior cortex"
    if abs(p.y) > g.body_height / 2:
        return "an endplate, toward the disc"
    if abs(p.x) > g.body_width / 2:
        return "the lateral wall of the body"
    return None


def _left_pedicle(g: DrillGeometry, p: Point) -> bool:
    """A tip still behind the posterior wall that lies outside the pedicle oval (other than
    medially, which is the never event)."""
    return p.z < 0 and not in_oval(g, p.x, p.y, EDGE_SLACK)


def never_event(g: DrillGeometry, before: Needle, after: Needle) -> bool:
    """Moving the needle from `before` to `after` breaks the medial-wall rule."""
    if not after.entered:
        return False
    a = tip_of(before, g) if before.entered and (before.ex, before.ey) == (after.ex, after.ey) \
        else tip_of(after._replace(depth=0), g)
    return _breach(g, a, tip_of(after, g))


NEVER_EVENT_NOTE = (
    "Never event: on AP the tip crossed the medial wall of the pedicle before, on lateral, it "
    "had passed the posterior wall of the body. Here the needle can enter the spinal canal. "
    "When the tip reaches the medial wall on AP while the lateral view shows it still behind "
    "the posterior wall, stop and redirect. The drill ends here and scores 0."
)


def _safety_part(g: DrillGeometry, tips_by_pass: list[list[Point]]) -> tuple[Part, bool]:
    """The safety part and whether a never event happened."""
    left_pedicle = False
    cortices: set[str] = set()
    for tips in tips_by_pass:
        for p, q in pairwise(tips):
            if _breach(g, p, q):
                return Part(0.0, SAFETY_POINTS, NEVER_EVENT_NOTE), True
        for p in tips:
            if g.approach == "transpedicular" and _left_pedicle(g, p):
                left_pedicle = True
            where = _outside_body(g, p)
            if where is not None:
                cortices.add(where)
    faults: list[str] = []
    if left_pedicle:
        faults.append("the track left the pedicle on AP before reaching the body (a "
                      "transpedicular needle stays inside the pedicle)")
    if cortices:
        faults.append("the tip left the body through " + " and ".join(sorted(cortices))
                      + " (a cortical break is a route for cement to leak)")
    points = max(0.0, SAFETY_POINTS * (1 - 0.5 * len(faults)))
    if not faults:
        return Part(SAFETY_POINTS, SAFETY_POINTS,
                    "Safe path: the tip stayed lateral to the medial pedicle wall on AP until it "
                    "had passed the posterior body wall on lateral."), False
    return Part(points, SAFETY_POINTS,
                "No never event, but " + "; ".join(faults) + "."), False


def _position_part(g: DrillGeometry, p: Point | None, final: bool) -> Part:
    if p is None or not final:
        return Part(0.0, POSITION_POINTS, "No final position was declared.")
    outside = _outside_body(g, p)
    if p.z <= 0:
        return Part(0.0, POSITION_POINTS,
                    "The tip never reached the vertebral body: on lateral it is still behind "
                    "the posterior wall. The target is the anterior third (to quarter).")
    if outside is not None:
        return Part(0.0, POSITION_POINTS,
                    f"The final tip lies outside the body, past {outside}.")
    depth = p.z / g.body_depth
    half = g.body_width / 2
    off = abs(p.x) / half
    if depth >= ANTERIOR_THIRD:
        lat, lat_note = 1.0, "in the anterior third of the body on lateral"
    elif depth >= MIDDLE_THIRD:
        lat, lat_note = 0.5, ("in the middle third on lateral (the target is the anterior "
                              "third, to quarter)")
    else:
        lat, lat_note = 0.0, ("in the posterior third on lateral, close to the posterior wall "
                              "(the target is the anterior third, to quarter)")
    if off <= g.midline_tolerance:
        ap, ap_note = 1.0, "at or near the midline on AP"
    elif off <= MEDIAL_HALF:
        ap, ap_note = 0.5, "medial but not near the midline on AP"
    else:
        ap, ap_note = 0.0, "far lateral on AP (the target is at or near the midline)"
    if g.plan == "unilateral" and ap < 1.0:
        ap_note += "; with one needle, a tip near the midline lets the cement cross it"
    return Part(round(POSITION_POINTS * (lat + ap) / 2, 6), POSITION_POINTS,
                f"Final tip {lat_note}, {ap_note}.")


def passes(states: Sequence[Needle], g: DrillGeometry) -> list[list[Point]]:
    """The tips of each pass (a pass starts at a new bone contact), from the contact point."""
    out: list[list[Point]] = []
    contact: tuple[int, int] | None = None
    for n in states:
        if contact != (n.ex, n.ey):
            contact = (n.ex, n.ey)
            out.append([tip_of(n._replace(depth=0), g)])
        out[-1].append(tip_of(n, g))
    return out


def judge_path(question: Trajectory, answer: object) -> TrajectoryVerdict:
    """The verdict on a drill answer (see the module docstring for the rules)."""
    return judge_geometry(question.geometry, answer)


def judge_geometry(g: DrillGeometry, answer: object, *, ideal: bool = True,
                   ) -> TrajectoryVerdict:
    """The verdict on a path through the vertebra `g` (with the ideal path unless `ideal`
    is False)."""
    best = ideal_path(g) if ideal else ()
    path = parse(answer)
    if path is None:
        none = "Not attempted."
        return TrajectoryVerdict(Part(0.0, ENTRY_POINTS, none), Part(0.0, SAFETY_POINTS, none),
                                 Part(0.0, POSITION_POINTS, none), None, (), best,
                                 Score(0.0, 1.0))
    tips_by_pass = passes(path.states, g)
    tips = tuple(p for tips in tips_by_pass for p in tips)
    last = path.states[-1]
    entry = _entry_part(g, last.ex, last.ey)
    safety, never = _safety_part(g, tips_by_pass)
    if never:
        zero = Part(0.0, POSITION_POINTS, "Not scored: the drill ended on a never event.")
        return TrajectoryVerdict(entry._replace(points=0.0), safety, zero, NEVER_EVENT_NOTE,
                                 tips, best, Score(0.0, 1.0))
    position = _position_part(g, tip_of(last, g), path.final)
    total = round(entry.points + safety.points + position.points, 6)
    return TrajectoryVerdict(entry, safety, position, None, tips, best, Score(total, 1.0))


# -- the ideal path ---------------------------------------------------------------------------


def ideal_entry(g: DrillGeometry) -> tuple[int, int]:
    """The grid point for the ideal bone contact: the superolateral corner of the pedicle
    (transpedicular) or just beside its lateral wall at mid-height (parapedicular)."""
    s = side_sign(g)
    if g.approach == "parapedicular":
        return (s * math.ceil(lateral_wall(g)), 0)
    best: tuple[float, int, int] | None = None
    cx = pedicle_centre_x(g)
    aim_x, aim_y = cx + s * 0.5 * g.pedicle_width / 2, 0.5 * g.pedicle_height / 2
    for x in range(math.floor(cx - g.pedicle_width), math.ceil(cx + g.pedicle_width) + 1):
        for y in range(0, math.ceil(g.pedicle_height) + 1):
            if _entry_part(g, x, y).points < ENTRY_POINTS:
                continue
            d = (x - aim_x) ** 2 + (y - aim_y) ** 2
            if best is None or d < best[0]:
                best = (d, x, y)
    if best is None:
        return (round(cx), 0)
    return (best[1], best[2])


def ideal_target(g: DrillGeometry, share: float = 0.0) -> Point:
    """A target for the ideal tip: three quarters of the way through the body,
    `share` of the midline tolerance from the midline toward the side of the needle."""
    x = side_sign(g) * share * g.midline_tolerance * g.body_width / 2
    return Point(x, 0.0, 0.75 * g.body_depth)


TARGET_SHARES = (0.0, 0.25, 0.5, 0.75, 0.95)
"""Where, within the midline tolerance, the ideal path may aim (closest to the midline
first): a bipedicular needle through a narrow pedicle cannot always reach the midline."""


def _path_to(g: DrillGeometry, t: Point) -> tuple[Needle, ...]:
    ex, ey = ideal_entry(g)
    dz = t.z - entry_z(g)
    ax = AIM_STEP * round(math.degrees(math.atan2(t.x - ex, dz)) / AIM_STEP)
    ay = 0  # parallel to the endplates: the tip stays at the height of the contact point
    ax = max(-MAX_ANGLE, min(MAX_ANGLE, ax))
    ay = max(-MAX_ANGLE, min(MAX_ANGLE, ay))
    n = Needle(ex, ey, ax, ay, 0, True)
    states = [n]
    while tip_of(n, g).z < (ANTERIOR_THIRD + 0.75) / 2 * g.body_depth and n.depth < MAX_DEPTH:
        n = advance(n)
        states.append(n)
    return tuple(states)


def ideal_path(g: DrillGeometry) -> tuple[Needle, ...]:
    """The ideal path, state by state: contact at the ideal entry, the aim (to the nearest
    `AIM_STEP`) toward the target closest to the midline that a safe straight path reaches,
    kept parallel to the endplates on lateral (the drill does not score the tip's height
    within the body), then advance until the tip is in the anterior third."""
    states: tuple[Needle, ...] = ()
    for share in TARGET_SHARES:
        states = _path_to(g, ideal_target(g, share))
        if judge_geometry(g, encode(states, True), ideal=False).score.correct:
            break
    return states


def ideal_answer(g: DrillGeometry) -> str:
    """The ideal path as an answer string."""
    return encode(ideal_path(g), final=True)


def geometry_problems(g: DrillGeometry) -> list[tuple[str, str]]:
    """What makes a drill's geometry inconsistent, as (field, message) pairs: sizes that do
    not fit together, or no safe full-marks path."""
    problems: list[tuple[str, str]] = []
    half = g.body_width / 2
    if medial_wall(g) <= 0:
        problems.append(("pedicle_offset", f"the pedicle's medial wall ({medial_wall(g):g} mm "
                         "from the midline) must lie lateral to the midline: raise "
                         "pedicle_offset or narrow pedicle_width"))
    if lateral_wall(g) > half + g.pedicle_width:
        problems.append(("pedicle_offset", f"the pedicle ({lateral_wall(g):g} mm from the "
                         f"midline at its lateral wall) lies far outside the body (half-width "
                         f"{half:g} mm)"))
    if g.pedicle_height >= g.body_height:
        problems.append(("pedicle_height", f"the pedicle ({g.pedicle_height:g} mm) must be "
                         f"lower than the body ({g.body_height:g} mm)"))
    if g.pedicle_width >= g.body_width / 2:
        problems.append(("pedicle_width", f"the pedicle ({g.pedicle_width:g} mm) must be "
                         f"narrower than half the body ({half:g} mm)"))
    if problems:
        return problems
    if g.approach == "transpedicular":
        first = ideal_path(g)[0]
        angle = abs(first.ax)
        if abs(angle - g.medial_angle) > 10:
            problems.append(("medial_angle", f"the pedicle converges at {g.medial_angle:g}° but "
                             f"the line from the ideal entry to the target runs at {angle:.0f}°; "
                             "make them agree within 10°"))
    verdict = judge_geometry(g, ideal_answer(g))
    if verdict.score.points < 1.0 - 1e-9:
        parts = [p.note for p in (verdict.entry, verdict.safety, verdict.position)
                 if p.points < p.max_points]
        problems.append(("geometry", "the ideal path (entry at the corner, aimed at the "
                         "midline of the anterior third) does not earn full marks: "
                         + " ".join(parts)))
    return problems

