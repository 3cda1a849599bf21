"""Markdown prose shown cheaply: `prose()` gives one `Static` for Markdown that is only
paragraphs of text with bold, italic and strike-through — what stems and explanations are —
and the full `SafeMarkdown` widget for anything else (lists, headings, links, code, tables).

Textual's `Markdown` widget parses in a worker thread and mounts one widget per block, which
costs milliseconds per question; the quiz shows a question per key press. The `Static` looks
the same: paragraphs separated by a blank line, a blank line after the last one, the same
text styles.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from textual.content import Content, Span
from textual.widgets import Static

from vpkp_tutor.tui.widgets.text import clean

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from textual.widget import Widget

_SPACE = re.compile(r"\s+")

_STYLES = {"strong": "bold", "em": "italic", "s": "strike"}
"""Inline Markdown → text style (as Textual's Markdown blocks style them)."""


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("gfm-like")


def paragraphs(markdown: str) -> Content | None:
    """`markdown` as Content when it is plain paragraphs (see module doc), else None."""
    parsed = _paragraphs(markdown)
    if parsed is None:
        return None
    return Content("\n\n").join(Content(text, spans=list(spans)) for text, spans in parsed)


@lru_cache(maxsize=512)
def _paragraphs(markdown: str) -> tuple[tuple[str, tuple[Span, ...]], ...] | None:
    """Each paragraph's text and styled spans (see module doc), else None. Kept as plain
    texts and tuples, which the cyclic collector need not walk: a cached `Content` gathers
    caches of its own as it is drawn, and a quiz moving through hundreds of stems held
    thousands of them for every full collection to walk again."""
    blocks: list[tuple[str, tuple[Span, ...]]] = []
    for token in _parser().parse(clean(markdown)):
        if token.type in ("paragraph_open", "paragraph_close"):
            continue
        if token.type != "inline" or token.children is None:
            return None
        text: list[str] = []
        spans: list[Span] = []
        open_at: list[tuple[str, int]] = []
        position = 0
        for child in token.children:
            kind = child.type
            if kind == "text":
                piece = _SPACE.sub(" ", child.content)
            elif kind == "softbreak":
                piece = " "
            elif kind == "hardbreak":
                piece = "\n"
            elif kind.endswith("_open") and kind[:-5] in _STYLES:
                open_at.append((_STYLES[kind[:-5]], position))
                continue
            elif kind.endswith("_close") and kind[:-6] in _STYLES and open_at:
                style, start = open_at.pop()
                spans.append(Span(start, position, style))
                continue
            else:
                return None
            text.append(piece)
            position += len(piece)
        blocks.append(("".join(text), tuple(spans)))
    return tuple(blocks) if blocks else None


class Prose(Static):
    """Plain Markdown paragraphs in one widget (see `prose`)."""

    DEFAULT_CSS = """
    Prose {
        height: auto;
        margin-bottom: 1;
    }
    """


def prose(markdown: str, *, classes: str = "") -> Widget:
    """A widget showing `markdown`: a `Prose` when it is plain paragraphs, else
    `SafeMarkdown`."""
    content = paragraphs(markdown)
    if content is not None:
        return Prose(content, classes=classes)
    from vpkp_tutor.tui.widgets.markdown import SafeMarkdown

    return SafeMarkdown(markdown, classes=classes)
