"""Literal display of untrusted text from content files and learner input.

Everything a content author or a learner wrote is shown through `literal()`: it becomes a
`Content` without markup parsing, with control characters, terminal escape sequences and
bidirectional overrides removed (the loader removes them too; this is the second line).
"""

from __future__ import annotations

from textual.content import Content

from vpkp_tutor.domain.text import clean_text


def clean(text: str) -> str:
    """Remove control characters, escape sequences and bidi overrides from `text`."""
    return clean_text(text)


def literal(text: str, style: str = "") -> Content:
    """`text` as Content shown exactly as written (no markup), optionally styled."""
    content = Content(clean(text))
    return content.stylize(style) if style else content

