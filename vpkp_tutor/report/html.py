"""The director's report as one self-contained HTML file (inline CSS and SVG; no network).

Rendered by Jinja2 with autoescaping on, from `templates/report.html.j2`: every string from
an export (names, titles, ids, answers) reaches the page as text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vpkp_tutor.export.files import atomic_text, check_output
from vpkp_tutor.report.build import DirectorReport
from vpkp_tutor.report.items import (
    FLAG_LABELS,
    LOW_DISCRIMINATION,
    NON_FUNCTIONING,
    TOO_EASY,
    TOO_HARD,
    UPPER_LOWER_SHARE,
)
from vpkp_tutor.report.why import TAGS

TEMPLATES = Path(__file__).resolve().parent / "templates"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _text(value: object) -> str:
    """A string from an export as plain text: control and bidi-override characters go."""
    return _CONTROL.sub("", "" if value is None else str(value))


def _pct(value: float | None, digits: int = 0) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{100 * value:.{digits}f}%"


def _num(value: float | None, digits: int = 2) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.{digits}f}".replace("-", "−")


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d") if value else "–"


def _answer(value: object) -> str:
    """An answer as the report shows it: a letter or text, a number, options ticked."""
    if value is None:
        return "–"
    if isinstance(value, tuple | list):
        return ", ".join(map(_answer, value)) or "–"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _heat(value: float | None) -> str:
    """A cell colour for a mastery value (grey when nothing was answered)."""
    if value is None:
        return "#e6e6e6"
    v = max(0.0, min(1.0, value))
    # red (0) → amber (0.5) → green (1), in HSL
    return f"hsl({round(120 * v)}, 65%, {round(62 - 10 * v)}%)"


def render_html(report: DirectorReport,
                topic_label: Callable[[str], str] = lambda t: t) -> str:
    """The report's HTML text."""
    import functools

    import jinja2

    topic_label = functools.cache(topic_label)  # asked once per item, of a few topics

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True)
    env.filters.update(text=_text, pct=_pct, num=_num, when=_when, heat=_heat, answer=_answer)
    return env.get_template("report.html.j2").render(**_context(report, topic_label))


def _context(report: DirectorReport, topic_label: Callable[[str], str]) -> dict[str, Any]:
    rollup = report.rollup
    several = rollup.several_courses
    # a row is a learner in one course: with several courses, each row names its course
    who = {s.key: f"{report.names[s.id]} ({s.course_id or 'no course id'})" if several
           else report.names[s.id] for s in rollup.learners}
    learners = sorted(rollup.learners, key=lambda s: (s.mastery, report.names[s.id].casefold(),
                                                      s.course_id))
    flagged = [s for s in report.items if s.flags and not s.suppressed]
    flag_counts: dict[str, int] = {}
    for s in report.items:
        for f in s.flags:
            flag_counts[f] = flag_counts.get(f, 0) + 1
    masteries = sorted(s.mastery for s in rollup.learners)
    median = masteries[len(masteries) // 2] if masteries else 0.0
    if masteries and len(masteries) % 2 == 0:
        median = (masteries[len(masteries) // 2 - 1] + masteries[len(masteries) // 2]) / 2
    objectives = [g for g in rollup.objectives if g.started]
    return {
        "r": report,
        "names": report.names,
        "who": who,
        "several_courses": several,
        "people": len({s.id for s in rollup.learners}),
        "courses": len({s.course_id for s in rollup.learners}),
        "learners": learners,
        "objectives": objectives,
        "unstarted": [g for g in rollup.objectives if not g.started],
        "topics": rollup.topics,
        "topic_label": topic_label,
        "by_objective": rollup.by_objective,
        "by_topic": rollup.by_topic,
        "items": report.items,
        "flagged": flagged,
        "flag_counts": [(FLAG_LABELS[f], flag_counts[f]) for f in FLAG_LABELS
                        if f in flag_counts],
        "flag_labels": FLAG_LABELS,
        "forms": report.forms,
        "errors": report.errors,
        "errors_total": report.errors_total,
        "tags": TAGS,
        "disagree": report.disagree,
        "sureness": report.sureness,
        "sureness_total": sum(x.answers for x in report.sureness if x.level),
        "confident_errors": report.confident_errors,
        "disagree_at": {qid: i for i, qid in enumerate(report.disagree, 1)},
        "item_stats": {s.question_id: s for s in report.items},
        "cases": rollup.cases,
        "median_mastery": median,
        "responses": sum(s.responses for s in rollup.learners),
        "never_events": sum(s.never_events for s in rollup.learners),
        "behind": sum(1 for s in rollup.learners if s.behind_on),
        "threshold": rollup.threshold,
        "limits": {"too_easy": TOO_EASY, "too_hard": TOO_HARD, "low": LOW_DISCRIMINATION,
                   "nonfunctioning": NON_FUNCTIONING, "share": UPPER_LOWER_SHARE,
                   "min_n": report.min_n},
        "generated": report.generated_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "fingerprints": report.cohort.fingerprints,
        "heat": _heat_layout(len(learners), len(objectives)),
        "scatter": [(s, 20 + 360 * s.facility,
                     20 + 160 * (1 - (max(-1.0, min(1.0, s.point_biserial)) + 1) / 2))
                    for s in report.items
                    if s.point_biserial is not None and not s.suppressed],
    }


def _heat_layout(rows: int, cols: int) -> dict[str, int]:
    cell = 18 if rows <= 60 else 10 if rows <= 200 else 6
    label = 150
    head = 110
    return {"cell": cell, "label": label, "head": head, "width": label + cols * cell + 4,
            "height": head + rows * cell + 4}


def write_html(report: DirectorReport, path: Path, *, protected: tuple[Path, ...] = (),
               overwrite: bool = False,
               topic_label: Callable[[str], str] = lambda t: t) -> Path:
    """Render and write the report through a temporary file moved into place (refusing a
    protected path, and an existing file unless `overwrite`)."""
    check_output(path, protected, overwrite)
    text = render_html(report, topic_label)
    with atomic_text(path) as stream:
        stream.write(text)
    return path
