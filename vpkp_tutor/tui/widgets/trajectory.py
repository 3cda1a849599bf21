"""The needle-trajectory drill on screen: an AP and a lateral view of the drill's schematic
vertebra, drawn in Braille dots scaled to the widget, and the keys that move the needle.

Side by side when the widget is wide enough for both (about 72 columns, so at 80 columns
too); `v` cycles both → AP → lateral, so either view can be seen larger. The arrows place
the bone contact on the AP view, then aim; `+` or Enter advances (the first press makes
bone contact), `-` withdraws, `f` declares the final position. A move that breaks the
medial-wall rule ends the drill at once and submits the path (the feedback says why).

Once revealed, the anterior third of the body (lateral) and the band counted as near the
midline (AP) are drawn, and the ideal path is replayed beside the learner's (`r` replays
it again). All stepping and judging is `domain.trajectory`'s; this module only draws.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import ClassVar, NamedTuple

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive
from textual.style import Style
from textual.timer import Timer

from vpkp_tutor.domain import trajectory as tr
from vpkp_tutor.domain.model import DrillGeometry, Trajectory
from vpkp_tutor.domain.scoring import AnswerValue, Verdict
from vpkp_tutor.domain.trajectory import Needle, TrajectoryVerdict
from vpkp_tutor.tui.widgets.answer_base import AnswerInput

VIEW_ROWS = 12
"""Rows of each view's drawing."""
MIN_VIEW_COLUMNS = 34
"""Narrowest a view may be drawn; two side by side need twice this and a gap."""
GAP = 2
"""Columns between the two views."""
MARGIN = 3.0
"""Millimetres drawn around the vertebra."""
REPLAY_SECONDS = 0.05
"""Time between two steps of the ideal path's replay."""

# layers, lowest first: a cell takes the style of the highest layer drawn in it
ANATOMY, MIDLINE, TARGET, PEDICLE, WALL, IDEAL, NEEDLE, TIP, DANGER, LABEL = range(10)
LAYER_CLASSES = (
    "trajectory--anatomy", "trajectory--midline", "trajectory--target",
    "trajectory--pedicle", "trajectory--wall", "trajectory--ideal", "trajectory--needle",
    "trajectory--tip", "trajectory--danger", "trajectory--label",
)

_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
"""Braille dot bits by (row within the cell, column within the cell)."""


class Canvas:
    """Cells of Braille dots (2 × 4 per cell) and overlaid characters, each cell styled by
    the highest layer drawn in it."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self.bits = [[0] * cols for _ in range(rows)]
        self.layer = [[-1] * cols for _ in range(rows)]
        self.chars: dict[tuple[int, int], tuple[str, int]] = {}

    def dot(self, x: int, y: int, layer: int) -> None:
        """Set the dot at (x, y) in dot coordinates."""
        col, row = x >> 1, y >> 2
        if 0 <= col < self.cols and 0 <= row < self.rows and x >= 0 and y >= 0:
            self.bits[row][col] |= _BITS[y & 3][x & 1]
            if layer > self.layer[row][col]:
                self.layer[row][col] = layer

    def line(self, a: tuple[float, float], b: tuple[float, float], layer: int,
             dash: int = 0) -> None:
        """A line of dots from a to b (dot coordinates); every `dash` dots a gap."""
        (x0, y0), (x1, y1) = a, b
        n = max(1, int(max(abs(x1 - x0), abs(y1 - y0))))
        for i in range(n + 1):
            if dash and (i // dash) % 2:
                continue
            t = i / n
            self.dot(round(x0 + (x1 - x0) * t), round(y0 + (y1 - y0) * t), layer)

    def text(self, col: int, row: int, text: str, layer: int) -> None:
        """Characters over the dots, from cell (col, row)."""
        for i, char in enumerate(text):
            if 0 <= col + i < self.cols and 0 <= row < self.rows:
                self.chars[(col + i, row)] = (char, layer)

    def copy(self) -> Canvas:
        """A canvas with the same dots and characters, to draw on without changing this one."""
        other = Canvas(self.cols, self.rows)
        other.bits = [row[:] for row in self.bits]
        other.layer = [row[:] for row in self.layer]
        other.chars = dict(self.chars)
        return other

    def cells(self) -> list[list[tuple[str, int]]]:
        """Each row as (character, layer) cells (layer -1: blank)."""
        out: list[list[tuple[str, int]]] = []
        for row in range(self.rows):
            cells: list[tuple[str, int]] = []
            for col in range(self.cols):
                over = self.chars.get((col, row))
                if over is not None:
                    cells.append(over)
                elif self.bits[row][col]:
                    cells.append((chr(0x2800 + self.bits[row][col]), self.layer[row][col]))
                else:
                    cells.append((" ", -1))
            out.append(cells)
        return out


class Frame(NamedTuple):
    """A view's mapping from millimetres to dots: horizontal mm → dots, vertical mm → dots."""

    h0: float
    """Horizontal mm at dot 0."""
    v0: float
    """Vertical mm (top) at dot 0."""
    scale: float
    """Dots per mm."""
    flip: bool
    """Horizontal mm grow to the left (the lateral view, anterior on the left)."""
    left: int
    """Dots of padding on the left."""
    top: int
    """Dots of padding on the top."""

    def at(self, h: float, v: float) -> tuple[float, float]:
        """Dot coordinates of the point (h, v) mm."""
        dh = (self.h0 - h) if self.flip else (h - self.h0)
        return (self.left + dh * self.scale, self.top + (self.v0 - v) * self.scale)

    def cell(self, h: float, v: float) -> tuple[int, int]:
        """The cell of the point (h, v) mm."""
        x, y = self.at(h, v)
        return (round(x) >> 1, round(y) >> 2)


def spans(g: DrillGeometry) -> tuple[tuple[float, float], tuple[float, float],
                                     tuple[float, float]]:
    """The mm ranges drawn: AP horizontal, lateral horizontal (z), vertical (both)."""
    half_w, half_h = g.body_width / 2 + MARGIN, g.body_height / 2 + MARGIN
    return ((-half_w, half_w), (-g.pedicle_length - MARGIN, g.body_depth + MARGIN),
            (-half_h, half_h))


def scale_for(g: DrillGeometry, cols: int, rows: int) -> float:
    """Dots per mm so that both views fit in `cols` × `rows` cells each (one scale for both
    views, so a millimetre looks the same in each)."""
    (a0, a1), (l0, l1), (v0, v1) = spans(g)
    return min(2 * cols / (a1 - a0), 2 * cols / (l1 - l0), 4 * rows / (v1 - v0))


def ap_frame(g: DrillGeometry, cols: int, rows: int, scale: float) -> Frame:
    (a0, a1), _, (v0, v1) = spans(g)
    left = int((2 * cols - (a1 - a0) * scale) / 2)
    top = int((4 * rows - (v1 - v0) * scale) / 2)
    return Frame(a0, v1, scale, False, max(0, left), max(0, top))


def lateral_frame(g: DrillGeometry, cols: int, rows: int, scale: float) -> Frame:
    _, (l0, l1), (v0, v1) = spans(g)
    left = int((2 * cols - (l1 - l0) * scale) / 2)
    top = int((4 * rows - (v1 - v0) * scale) / 2)
    return Frame(l1, v1, scale, True, max(0, left), max(0, top))


def _oval(c: Canvas, f: Frame, ch: float, cv: float, rh: float, rv: float, layer: int) -> None:
    steps = max(24, int(2 * math.pi * max(rh, rv) * f.scale))
    for i in range(steps):
        a = 2 * math.pi * i / steps
        x, y = f.at(ch + rh * math.cos(a), cv + rv * math.sin(a))
        c.dot(round(x), round(y), layer)


def _rect(c: Canvas, f: Frame, h0: float, v0: float, h1: float, v1: float, layer: int,
          dash: int = 0) -> None:
    corners = [f.at(h0, v0), f.at(h1, v0), f.at(h1, v1), f.at(h0, v1)]
    for a, b in zip(corners, corners[1:] + corners[:1], strict=True):
        c.line(a, b, layer, dash)


class Scene(NamedTuple):
    """What to draw: the learner's needle and tips, the verdict (revealed), the ideal
    path's replay position."""

    needle: Needle
    tips: tuple[tr.Point, ...]
    verdict: TrajectoryVerdict | None
    replay: int
    never: bool


def draw_ap(g: DrillGeometry, scene: Scene, cols: int, rows: int, scale: float) -> Canvas:
    """The AP view: body, both pedicles, spinous process, midline, the needle."""
    c = _ap_anatomy(g, cols, rows, scale, scene.verdict is not None).copy()
    _needle(c, ap_frame(g, cols, rows, scale), g, scene, lambda p: (p.x, p.y))
    return c


@functools.lru_cache(maxsize=16)
def _ap_anatomy(g: DrillGeometry, cols: int, rows: int, scale: float, revealed: bool,
                ) -> Canvas:
    """What the AP view shows besides the needle (drawn once per size; copy before use)."""
    c = Canvas(cols, rows)
    f = ap_frame(g, cols, rows, scale)
    hw, hh = g.body_width / 2, g.body_height / 2
    _rect(c, f, -hw, -hh, hw, hh, ANATOMY)
    c.line(f.at(0, hh + MARGIN), f.at(0, -hh - MARGIN), MIDLINE, dash=2)
    _oval(c, f, 0, -hh / 2, g.body_width / 16, hh / 3, ANATOMY)  # spinous process
    s = tr.side_sign(g)
    for side in (-1, 1):
        layer = PEDICLE if side == s else ANATOMY
        _oval(c, f, side * g.pedicle_offset, 0, g.pedicle_width / 2, g.pedicle_height / 2,
              layer)
    if revealed:  # the band counted as near the midline
        band = g.midline_tolerance * hw
        for x in (-band, band):
            c.line(f.at(x, hh), f.at(x, -hh), TARGET, dash=1)
    c.text(0, 0, "AP", LABEL)
    return c


def draw_lateral(g: DrillGeometry, scene: Scene, cols: int, rows: int, scale: float,
                 ) -> Canvas:
    """The lateral view (anterior on the left): body, posterior wall, pedicle, canal."""
    c = _lateral_anatomy(g, cols, rows, scale, scene.verdict is not None).copy()
    _needle(c, lateral_frame(g, cols, rows, scale), g, scene, lambda p: (p.z, p.y))
    return c


@functools.lru_cache(maxsize=16)
def _lateral_anatomy(g: DrillGeometry, cols: int, rows: int, scale: float, revealed: bool,
                     ) -> Canvas:
    """What the lateral view shows besides the needle (drawn once per size; copy first)."""
    c = Canvas(cols, rows)
    f = lateral_frame(g, cols, rows, scale)
    hh, ph = g.body_height / 2, g.pedicle_height / 2
    _rect(c, f, 0, -hh, g.body_depth, hh, ANATOMY)
    c.line(f.at(0, hh), f.at(0, -hh), WALL)  # the posterior wall
    _rect(c, f, -g.pedicle_length, -ph, 0, ph, PEDICLE)
    canal = -0.6 * g.pedicle_length
    c.line(f.at(canal, hh), f.at(canal, ph), ANATOMY, dash=1)
    c.line(f.at(canal, -ph), f.at(canal, -hh), ANATOMY, dash=1)
    if revealed:  # the anterior third, in feedback only
        z = tr.ANTERIOR_THIRD * g.body_depth
        c.line(f.at(z, hh), f.at(z, -hh), TARGET, dash=1)
        col, row = f.cell(g.body_depth, -hh)
        c.text(col + 1, row, "ant⅓", TARGET)
    c.text(0, 0, "LAT", LABEL)
    col, row = f.cell(0, hh)
    c.text(max(0, col - 4), max(0, row - 1), "wall▾", WALL)
    col, row = f.cell(canal, -hh)
    c.text(max(0, col - 2), min(rows - 1, row + 1), "canal", ANATOMY)
    c.text(0, rows - 1, "◂ant", LABEL)
    return c


def _needle(c: Canvas, f: Frame, g: DrillGeometry, scene: Scene,
            view: Callable[[tr.Point], tuple[float, float]]) -> None:
    n = scene.needle
    if scene.verdict is not None and scene.verdict.ideal:
        ideal = scene.verdict.ideal
        step = ideal[min(scene.replay, len(ideal) - 1)]
        a, b = view(tr.tip_of(step._replace(depth=0), g)), view(tr.tip_of(step, g))
        c.line(f.at(*a), f.at(*b), IDEAL)
        col, row = f.cell(*b)
        c.text(col, row, "○", IDEAL)
    for p, q in zip(scene.tips, scene.tips[1:], strict=False):  # the whole path taken
        c.line(f.at(*view(p)), f.at(*view(q)), NEEDLE, dash=1)
    contact = tr.tip_of(n._replace(depth=0), g)
    tip = tr.tip_of(n, g)
    if n.entered:
        c.line(f.at(*view(contact)), f.at(*view(tip)), NEEDLE)
        col, row = f.cell(*view(tip))
        c.text(col, row, "●", DANGER if scene.never else TIP)
    else:
        col, row = f.cell(*view(contact))
        c.text(col, row, "+", TIP)


def describe(g: DrillGeometry, n: Needle) -> str:
    """The needle's state in words (no hint of where the tip is relative to the target)."""
    if not n.entered:
        return (f"{g.level} · {g.approach} · place bone contact on the AP view "
                f"({n.ex:+d}, {n.ey:+d} mm)")
    across = "→" if n.ax > 0 else "←" if n.ax < 0 else "·"
    tilt = "↑" if n.ay > 0 else "↓" if n.ay < 0 else "·"
    return (f"{g.level} · aim {abs(n.ax)}°{across} {abs(n.ay)}°{tilt} · "
            f"depth {n.depth} mm")


class TrajectoryAnswer(AnswerInput[Trajectory]):
    """A needle-trajectory drill: AP and lateral views and the keys that move the needle."""

    HINT = "←↑↓→ place, then aim · +/Enter advance · - withdraw · f final · v views"

    OUTSIDE_HINT = "Enter takes you into the drill, where ←↑↓→ place the needle"
    """The hint while the drill does not have the keys (a lesson being read, where the
    arrows turn the page)."""

    @property
    def hint(self) -> str:
        """`HINT` while the drill has the keys (or is done); else how to give it them."""
        return self.HINT if self.frozen or self.has_focus else self.OUTSIDE_HINT

    DEFAULT_CSS = """
    TrajectoryAnswer {
        height: auto;
    }
    TrajectoryAnswer > .trajectory--anatomy { color: $text-muted; }
    TrajectoryAnswer > .trajectory--midline { color: $text-muted; }
    TrajectoryAnswer > .trajectory--target { color: $success; }
    TrajectoryAnswer > .trajectory--pedicle { color: $accent; }
    TrajectoryAnswer > .trajectory--wall { color: $warning; }
    TrajectoryAnswer > .trajectory--ideal { color: $success; text-style: bold; }
    TrajectoryAnswer > .trajectory--needle { color: $primary; text-style: bold; }
    TrajectoryAnswer > .trajectory--tip { color: $foreground; text-style: bold; }
    TrajectoryAnswer > .trajectory--danger { color: $error; text-style: bold; }
    TrajectoryAnswer > .trajectory--label { color: $text; text-style: bold; }
    TrajectoryAnswer > .trajectory--status { color: $text; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {*LAYER_CLASSES, "trajectory--status"}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "steer(-1, 0)", "Left", show=False, id="drill.left"),
        Binding("right", "steer(1, 0)", "Right", show=False, id="drill.right"),
        Binding("up", "steer(0, 1)", "Up", show=False, id="drill.up"),
        Binding("down", "steer(0, -1)", "Down", show=False, id="drill.down"),
        # (advance, withdraw and views are named in the hint under the drill: in the footer
        # too they pushed the quiz's own keys, flag and submit among them, off 80 columns)
        Binding("plus,enter,equals_sign", "advance", "Advance", id="drill.advance",
                key_display="+", show=False),
        Binding("minus", "withdraw", "Withdraw", id="drill.withdraw", key_display="-",
                show=False),
        Binding("f", "final", "Final", id="drill.final"),
        Binding("v", "views", "Views", id="drill.views", show=False),
        Binding("r", "replay", "Replay", show=False, id="drill.replay"),
    ]

    views: reactive[str] = reactive("both")
    """`both`, `ap` or `lateral` (`both` falls back to AP when too narrow)."""
    replay: reactive[int] = reactive(0)
    """How far the ideal path's replay has gone (revealed only)."""

    def load(self, question: Trajectory) -> None:
        super().load(question)
        self.needle = tr.start(question.geometry)
        self.states: list[Needle] = []
        self.final = False
        self.never = False
        self._stop_replay()
        self.set_reactive(TrajectoryAnswer.replay, 0)
        self._tips: tuple[tr.Point, ...] = ()

    def set_aside(self) -> None:
        self._stop_replay()

    def _stop_replay(self) -> None:
        timer: Timer | None = getattr(self, "_timer", None)
        if timer is not None:
            timer.stop()
        self._timer: Timer | None = None

    # -- state ------------------------------------------------------------------------
    @property
    def geometry(self) -> DrillGeometry:
        """The drill's vertebra."""
        return self.question.geometry

    @property
    def ended(self) -> bool:
        """Final position declared, or a never event."""
        return self.final or self.never

    @property
    def value(self) -> AnswerValue:
        if not self.ended or not self.states:
            return None
        return tr.encode(self.states, self.final)

    def set_value(self, answer: AnswerValue) -> None:
        path = tr.parse(answer)
        if path is None:
            return
        self.states = list(path.states)
        self.needle = self.states[-1]
        self.final = path.final
        self.never = not path.final
        self._retip()
        self.changed()

    def _retip(self) -> None:
        passes = tr.passes(self.states, self.geometry)
        self._tips = tuple(p for tips in passes for p in tips)

    def missing_reason(self) -> str:
        return ("Make bone contact (+ or Enter) and advance the needle, then press f to "
                "declare the final position.")

    def _move(self, after: Needle) -> None:
        """Take a step; a never event ends the drill and submits the path."""
        if self.frozen or self.never or after == self.needle:
            return
        if self.final:
            self.final = False  # moving again takes back the declaration (exam mode)
        before = self.needle
        self.needle = after
        if after.entered:
            self.states.append(after)
        elif before.entered:
            self.states.append(after)  # back to placing the contact: a new pass follows
        self.never = tr.never_event(self.geometry, before, after)
        self.states = [s for s in self.states if s.entered]
        self._retip()
        self.changed()
        if self.never:
            self.action_answer()

    def action_steer(self, dx: int, dy: int) -> None:
        """Move the contact point (before contact) or aim the needle."""
        n = self.needle
        if n.entered:
            self._move(tr.aim(n, dx, dy))
            return
        (a0, a1), _, (v0, v1) = spans(self.geometry)
        moved = tr.move_entry(n, dx, dy)
        if a0 <= moved.ex <= a1 and v0 <= moved.ey <= v1:
            self._move(moved)

    def action_advance(self) -> None:
        """Make bone contact, or push the tip one step."""
        self._move(tr.advance(self.needle))

    def action_withdraw(self) -> None:
        """Pull the tip back one step (to placing the contact, from depth 0)."""
        self._move(tr.withdraw(self.needle))

    def action_final(self) -> None:
        """Declare the final position and answer."""
        if self.frozen or self.never:
            return
        if self.needle.entered and self.states:
            self.final = True
        self.action_answer()

    def action_views(self) -> None:
        """Cycle the views: both, AP, lateral."""
        order = ("both", "ap", "lateral") if self._fits_both() else ("ap", "lateral")
        current = self.views if self.views in order else order[0]
        self.views = order[(order.index(current) + 1) % len(order)]

    def action_replay(self) -> None:
        """Replay the ideal path (once revealed)."""
        if isinstance(self.verdict, TrajectoryVerdict):
            self._start_replay()

    def reveal(self, verdict: Verdict) -> None:
        super().reveal(verdict)
        if isinstance(verdict, TrajectoryVerdict):
            self._start_replay()

    def _start_replay(self) -> None:
        self._stop_replay()
        self.replay = 0
        if self.is_mounted:
            self._timer = self.set_interval(REPLAY_SECONDS, self._replay_tick)
        else:
            self.replay = self.replay_length

    @property
    def replay_length(self) -> int:
        """Steps in the ideal path's replay."""
        verdict = self.verdict
        return len(verdict.ideal) if isinstance(verdict, TrajectoryVerdict) else 0

    def _replay_tick(self) -> None:
        if self.replay >= self.replay_length - 1:
            self._stop_replay()
            return
        self.replay += 1

    def watch_replay(self) -> None:
        self.refresh()

    def watch_views(self) -> None:
        self.refresh(layout=True)

    # -- drawing ----------------------------------------------------------------------
    def _fits_both(self, width: int | None = None) -> bool:
        width = self.content_size.width if width is None else width
        return width >= 2 * MIN_VIEW_COLUMNS + GAP

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return VIEW_ROWS + 2

    def render(self) -> Content:
        return self.draw(self.content_size.width)

    def draw(self, width: int) -> Content:
        """The views and the status line at `width` columns."""
        width = max(width, 20)
        g = self.geometry
        verdict = self.verdict if isinstance(self.verdict, TrajectoryVerdict) else None
        scene = Scene(self.needle, self._tips, verdict, self.replay, self.never)
        both = self.views == "both" and self._fits_both(width)
        if both:
            cols = (width - GAP) // 2
            scale = scale_for(g, cols, VIEW_ROWS)
            canvases = [draw_ap(g, scene, cols, VIEW_ROWS, scale),
                        draw_lateral(g, scene, cols, VIEW_ROWS, scale)]
            titles = ["AP view", "Lateral view (anterior on the left)"]
        else:
            cols = width
            scale = scale_for(g, cols, VIEW_ROWS)
            lateral = self.views == "lateral"
            canvases = [draw_lateral(g, scene, cols, VIEW_ROWS, scale) if lateral
                        else draw_ap(g, scene, cols, VIEW_ROWS, scale)]
            titles = ["Lateral view (anterior on the left) · v: other view" if lateral
                      else "AP view · v: other view"]
        styles = [self.get_visual_style(name, partial=True) for name in LAYER_CLASSES]
        status_style = self.get_visual_style("trajectory--status", partial=True)
        label = styles[LABEL]
        title_line = Content("")
        for i, (title, canvas) in enumerate(zip(titles, canvases, strict=True)):
            if i:
                title_line += Content(" " * GAP)
            title_line += Content.styled(title[: canvas.cols].ljust(canvas.cols), label)
        rows = [canvas.cells() for canvas in canvases]
        lines = [title_line]
        for r in range(VIEW_ROWS):
            line: list[tuple[str, Style | str]] = []
            for i, cells in enumerate(rows):
                if i:
                    line.append((" " * GAP, ""))
                line.extend(_runs(cells[r], styles))
            lines.append(Content.assemble(*line))
        lines.append(Content.styled(self._status()[:width], status_style))
        return Content("\n").join(lines)

    def _status(self) -> str:
        g = self.geometry
        if self.never:
            return "✗ Never event: medial wall crossed before the posterior wall. Drill ended."
        text = describe(g, self.needle)
        if self.final:
            return text + " · final position declared"
        return text


def _runs(cells: list[tuple[str, int]], styles: list[Style]) -> list[tuple[str, Style | str]]:
    """Cells joined into runs of one style."""
    out: list[tuple[str, Style | str]] = []
    text, layer = "", -2
    for char, lay in cells:
        if lay != layer and text:
            out.append((text, styles[layer] if layer >= 0 else ""))
            text = ""
        text += char
        layer = lay
    if text:
        out.append((text, styles[layer] if layer >= 0 else ""))
    return out


def ideal_keys(g: DrillGeometry) -> list[str]:
    """The keys (Textual names) that take the needle along the drill's ideal path from its
    start and declare the final position: for tests, demonstrations and the docs."""
    ideal = tr.ideal_path(g)
    first, n = ideal[0], tr.start(g)
    keys = ["right" if first.ex > n.ex else "left"] * abs(first.ex - n.ex)
    keys += ["up" if first.ey > n.ey else "down"] * abs(first.ey - n.ey)
    keys.append("plus")
    keys += ["right" if first.ax > 0 else "left"] * (abs(first.ax) // tr.AIM_STEP)
    keys += ["up" if first.ay > 0 else "down"] * (abs(first.ay) // tr.AIM_STEP)
    keys += ["plus"] * (ideal[-1].depth // tr.DEPTH_STEP)
    keys.append("f")
    return keys
