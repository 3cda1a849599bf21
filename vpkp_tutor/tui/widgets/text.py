"""Literal display of untrusted text from content files and learner input.

Everything a content author or a learner wrote is shown through `literal()`: it becomes a
`Content` without markup parsing, with control characters, terminal escape sequences and
bidirectional overrides removed (the loader removes them too; this is the second line).
"""

from __future__ import annotations

import re

from textual.content import Content

from vpkp_tutor.domain.text import clean_text


def clean(text: str) -> str:
    """Remove control characters, escape sequences and bidi overrides from `text`."""
    return clean_text(text)


def literal(text: str, style: str = "") -> Content:
    """`text` as Content shown exactly as written (no markup), optionally styled."""
    content = Content(clean(text))
    return content.stylize(style) if style else content



_LIST_ITEM = re.compile(r"\s*(?:[-*•]|\d+[.)])\s")


def reflowed(text: str) -> str:
    """`text` with the line breaks of its paragraphs made spaces, so that the terminal
    wraps it at its own width: a note written in a YAML block (`|`) breaks where its author's
    editor did, and at 80 columns that left a word or two alone on a line. Blank lines
    (paragraphs) and lines starting a list item (`- `, `1. `) keep their breaks."""
    paragraphs = re.split(r"\n\s*\n", text.strip("\n"))
    out = []
    for paragraph in paragraphs:
        lines = paragraph.split("\n")
        joined = lines[0].rstrip()
        for line in lines[1:]:
            if _LIST_ITEM.match(line):
                joined += "\n" + line.rstrip()
            else:
                joined += " " + line.strip()
        out.append(joined)
    return "\n\n".join(out)


def literal_note(text: str, style: str = "") -> Content:
    """`literal` of a note written as a paragraph (an option's explanation): `reflowed`."""
    return literal(reflowed(text), style)
