"""Text bars and percentages for mastery and accuracy, as Content."""

from __future__ import annotations

from textual.content import Content


def bar(value: float, width: int = 12) -> Content:
    """A horizontal bar for a share in [0, 1]."""
    value = max(0.0, min(1.0, value))
    full = round(value * width)
    style = "$success" if value >= 0.8 else ("$warning" if value >= 0.5 else "$error")
    if value == 0:
        style = "$text-muted"
    return Content.assemble(("█" * full, style), ("░" * (width - full), "$text-muted"))


def percent(value: float | None) -> str:
    """A share as a whole percentage, or an em dash when there is nothing yet."""
    return "—" if value is None else f"{round(value * 100):d}%"


def duration(seconds: float) -> str:
    """Seconds as m:ss (or h:mm:ss)."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def points(value: float) -> str:
    """Points with at most two decimals and no trailing zeros: 2.83, 0.5, 8."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


ACCURACY_HELP = "Accuracy: the share of points you earned over all your answers, old and new"
"""What the accuracy figure means, in one line."""
MASTERY_HELP = "Mastery: recent answers count most; 100% needs 10 answered (all, if fewer)"
"""What the mastery figure means, in one line (see domain.mastery)."""
