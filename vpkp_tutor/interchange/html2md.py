"""HTML from an LMS made into the app's Markdown subset, saying what could not be carried.

Kept: paragraphs and line breaks, bold, italic, inline code and `<pre>` blocks, headings,
bulleted and numbered lists, links (as `text (url)`), `<sub>`/`<sup>` as plain text, and
character references. Dropped and reported: images, audio, video, embedded objects and
frames, tables (each row kept as a paragraph, its cells between `|`), scripts and styles (their
content never shown), and Moodle's `@@PLUGINFILE@@` references. Comments are dropped silently (an author's
note in the markup is not content).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

MEDIA = {"img": "an image", "audio": "audio", "video": "a video", "object": "embedded media",
         "embed": "embedded media", "iframe": "an embedded page", "svg": "a drawing",
         "math": "MathML", "canvas": "a drawing"}
SKIP_CONTENT = {"script", "style", "head", "title", "svg", "math"}
BLOCKS = {"p", "div", "section", "article", "blockquote", "center", "figure", "figcaption",
          "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "ul", "ol", "pre", "hr", "dl",
          "dt", "dd"}


def looks_like_html(text: str) -> bool:
    """True when `text` holds HTML tags or character references."""
    return bool(re.search(r"<\s*/?\s*[a-zA-Z][^>]*>|&[a-zA-Z]+;|&#\d+;", text))


class _Converter(HTMLParser):
    def __init__(self, *, marks: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.with_marks = marks
        """False: plain text, without emphasis markers."""
        self.out: list[str] = []
        self.notes: list[str] = []
        self.skip = 0
        self.pre = 0
        self.lists: list[list[int]] = []  # per open list: [counter] (0 for bullets)
        self.link: list[str | None] = []
        self.table = False
        self.cells = 0
        """Cells begun in the table row being read."""
        self.marks: list[tuple[str, int]] = []
        """Open emphasis: its marker and where in `out` it was put."""

    def _block(self) -> None:
        text = "".join(self.out)
        if text and not text.endswith("\n\n"):
            self.out.append("\n\n" if not text.endswith("\n") else "\n")

    def _line(self) -> None:
        text = "".join(self.out)
        if text and not text.endswith("\n"):
            self.out.append("\n")

    def _note(self, what: str) -> None:
        if what not in self.notes:
            self.notes.append(what)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in MEDIA:
            src = a.get("src") or a.get("data") or ""
            where = f" ({src})" if src else ""
            self._note(f"{MEDIA[tag]}{where} dropped: the app shows text only")
            alt = a.get("alt")
            if tag == "img" and alt:
                if self.out and not self.out[-1][-1:].isspace():
                    self.out.append(" ")  # (not glued to the word before it)
                self.out.append(f"[image: {alt}] ")
        if tag in ("script", "style") and not self.skip:
            self._note(f"a {tag} dropped (its content is never shown)")
        if tag in SKIP_CONTENT:
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "table":
            self._note("a table flattened into lines of text")
            self.table = True
        if tag == "tr":
            self.cells = 0
        if tag == "li":
            self._line()
        elif tag in BLOCKS:
            self._block()
        match tag:
            case "br":
                self.out.append("  \n" if not self.pre else "\n")
            case "b" | "strong":
                self._open_mark("**")
            case "i" | "em":
                self._open_mark("*")
            case "code" | "tt" | "kbd" if not self.pre:
                self.out.append("`")
            case "pre":
                self.pre += 1
                self.out.append("```\n")
            case "h1" | "h2" | "h3" | "h4" | "h5" | "h6":
                self.out.append("#" * min(int(tag[1]) + 1, 4) + " ")
            case "ul":
                self.lists.append([0])
            case "ol":
                self.lists.append([1])
            case "li":
                depth = max(len(self.lists) - 1, 0)
                counter = self.lists[-1] if self.lists else [0]
                marker = f"{counter[0]}." if counter[0] else "-"
                if counter[0]:
                    counter[0] += 1
                self.out.append("   " * depth + marker + " ")
            case "a":
                self.link.append(a.get("href"))
            case "td" | "th":
                if self.cells:
                    self.out.append(" | ")  # between the cells of a row
                self.cells += 1
            case _:
                pass

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_CONTENT:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        match tag:
            case "b" | "strong":
                self._close_mark("**")
            case "i" | "em":
                self._close_mark("*")
            case "code" | "tt" | "kbd" if not self.pre:
                self.out.append("`")
            case "pre":
                self.pre = max(0, self.pre - 1)
                if not "".join(self.out).endswith("\n"):
                    self.out.append("\n")
                self.out.append("```")
            case "ul" | "ol":
                if self.lists:
                    self.lists.pop()
            case "a":
                href = self.link.pop() if self.link else None
                if href and not href.startswith("#") and "@@PLUGINFILE@@" not in href:
                    self.out.append(f" ({href})")
                elif href and "@@PLUGINFILE@@" in href:
                    self._note(f"a link to a file inside the LMS ({href}) dropped")
            case _:
                pass
        if tag in BLOCKS:
            self._block()

    def _open_mark(self, mark: str) -> None:
        self.marks.append((mark, len(self.out)))
        self.out.append(mark)

    def _close_mark(self, mark: str) -> None:
        """Close the emphasis opened last with `mark` around what came since, with the
        spaces at either end of it moved outside the markers (`** Bold **` is not bold in
        Markdown); emphasis around nothing is dropped, markers and all."""
        at = next((i for i in range(len(self.marks) - 1, -1, -1) if self.marks[i][0] == mark),
                  None)
        if at is None:  # a closing tag never opened
            return
        _, start = self.marks[at]
        del self.marks[at:]
        inner = "".join(self.out[start + 1:])
        core = inner.strip()
        if not core:
            self.out[start:] = [inner]
            return
        lead = inner[:len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()):]
        self.out[start:] = [lead, mark, core, mark, trail] if self.with_marks else [inner]

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            self.out.append(data)
            return
        self.out.append(re.sub(r"\s+", " ", data))


_MD_SPECIAL = re.compile(r"([\\`*\[\]])")


def html_to_markdown(html: str, *, marks: bool = True) -> tuple[str, list[str]]:
    """The Markdown for `html`, and a note for each thing that could not be carried
    (`marks=False`: without bold and italic markers)."""
    conv = _Converter(marks=marks)
    conv.feed(html)
    conv.close()
    text = "".join(conv.out).replace("\xa0", " ")
    lines = [line.rstrip() if not line.endswith("  ") else line for line in text.split("\n")]
    text = "\n".join(line if line.strip() else "" for line in lines)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text, conv.notes


def html_to_text(html: str) -> tuple[str, list[str]]:
    """`html` as one line of plain text (for an option, a pair side), and notes."""
    md, notes = html_to_markdown(html, marks=False)
    plain = re.sub(r"```|`", "", md)
    return " ".join(plain.split()), notes


def plain_to_markdown(text: str) -> str:
    """Plain text as Markdown showing the same characters (markup characters escaped)."""
    return _MD_SPECIAL.sub(r"\\\1", text)
