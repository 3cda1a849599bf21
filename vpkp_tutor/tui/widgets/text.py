"""Literal display of untrusted text from content files and learner input.

Everything a content author or a learner wrote is shown through `literal()`: it becomes a
`Content` without markup parsing, with control characters, terminal escape sequences and
bidirectional overrides removed (the loader removes them too; this is the second line).
"""

from __future__ import annotations

import re

from textual.content import Content

_UNSAFE = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]"  # CSI sequences
    "|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?"  # OSC sequences
    "|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # C0 (except tab, newline) and C1 controls
    "|[\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # bidirectional marks and overrides
)


def clean(text: str) -> str:
    """Remove control characters, escape sequences and bidi overrides from `text`."""
    return _UNSAFE.sub("", text)


def literal(text: str, style: str = "") -> Content:
    """`text` as Content shown exactly as written (no markup), optionally styled."""
    content = Content(clean(text))
    return content.stylize(style) if style else content


def join_lines(lines: list[Content]) -> Content:
    """Join pieces of Content with newlines."""
    return Content("\n").join(lines)
