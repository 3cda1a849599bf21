"""GIFT (Moodle's "General Import Format Template") read into `GiftItem`s.

How a file is read, as Moodle reads it:

1. The bytes are decoded (`source.decode_text`: UTF-8 with or without a BOM; a file that is
   not UTF-8 is refused with the line and column of the first bad byte unless
   `--encoding cp1252` is given); line endings become `\\n`.
2. Lines are grouped into blocks: one or more blank lines end a question. A line whose first
   non-blank characters are `//` is a comment (Moodle's `// [id:…]` and `// [tag:…]`
   comments set the question's id and tags).
3. Each block is parsed by the grammar below (lark, LALR(1) with its contextual lexer, so the
   same characters are read as stem text outside braces and as answer syntax inside); the
   parser reduces each rule to a small tuple as it goes (`_Reduce`, no parse tree is
   built), and these are turned into one `GiftItem`.

The item keeps GIFT's own model (the one the conformance corpus describes): the app's
model is reached by `mapping.py`, which reports what cannot be carried over.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from vpkp_tutor.interchange.source import Located, decode_text

if TYPE_CHECKING:
    from lark import Lark

GRAMMAR = r"""
block: CATEGORY? question?

question: head stem_text
        | head stem_text? answers suffix?
head: TITLE? FORMAT?
stem_text: STEM_TEXT
suffix: STEM_TEXT

answers: "{" body? "}"
?body: truefalse | choices | numeric | bare
truefalse: TF feedback? feedback? general?
choices: choice+ general?
choice: MARK WEIGHT? rich? feedback?
bare: rich feedback? general?
rich: FORMAT ANS_TEXT? | ANS_TEXT
feedback: "#" rich?
general: GENERAL rich?

numeric: "#" (num_spec general? | num_choice+ general?)
num_choice: MARK WEIGHT? num_spec? feedback?
num_spec: NUMBER -> simple
        | NUMBER ":" NUMBER -> tolerance
        | NUMBER ".." NUMBER -> range

CATEGORY.5: /\$CATEGORY:[^\n]*/
TITLE.4: /::(\\.|[^\\:]|:(?!:))*::/
FORMAT.3: /\[(html|moodle|plain|markdown)\]/i
TF.3: /(TRUE|FALSE|T|F)(?=\s*(#|\}))/i
GENERAL.3: "####"
MARK: "=" | "~"
WEIGHT.2: /%-?[0-9]+(\.[0-9]+)?%/
NUMBER.2: /[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/
STEM_TEXT: /(\\.|[^\\{}\s])((\\.|[^\\{}])*(\\.|[^\\{}\s]))?/s
ANS_TEXT: /(\\.|[^\\=~#{}\s])((\\.|[^\\=~#{}])*(\\.|[^\\=~#{}\s]))?/s
%ignore /\s+/
"""
"""One GIFT question block (comment lines already blanked)."""

FORMATS = ("moodle", "html", "plain", "markdown")
BLANK = "_____"
"""What stands for the answer block of a missing-word question in its stem."""
MAX_BLOCK_CHARS = 200_000
"""Longest question block read (far beyond any real question; bounds the parser's work)."""
MAX_ERRORS = 50
"""Problems reported per file: past them the file is read no further, and the last message
says so (a flood of broken questions would otherwise cost a parse and a line of output
each: a 10 MB file of them took a minute and 500 MB)."""


@dataclass
class Text:
    """A text with its GIFT format."""

    format: str
    text: str


@dataclass
class Choice:
    """An answer of a choice, short-answer or numeric question."""

    correct: bool
    """Marked `=` (for numeric and short answers: an accepted answer)."""
    weight: float | None
    """The `%n%` percentage, if given."""
    text: Text | None
    """The answer (None for a numeric `~` catch-all)."""
    feedback: Text | None
    number: NumberSpec | None = None
    """A numeric answer's value."""


@dataclass
class NumberSpec:
    """A numeric answer: a value with a tolerance (`3.5:0.1`), or a range (`1..5`)."""

    kind: str
    """`simple`, `range` (value and tolerance) or `high-low` (low .. high)."""
    number: float = 0.0
    tolerance: float = 0.0
    low: float = 0.0
    high: float = 0.0

    @property
    def bounds(self) -> tuple[float, float]:
        """The lowest and highest accepted numbers."""
        if self.kind == "high-low":
            return (min(self.low, self.high), max(self.low, self.high))
        return (self.number - self.tolerance, self.number + self.tolerance)


@dataclass
class MatchPair:
    sub: Text
    answer: str


@dataclass
class GiftItem:
    """One question (or category line) as GIFT describes it."""

    type: str
    """MC, TF, Short, Numerical, Matching, Essay, Description or Category."""
    line: int
    """1-based line of the file where the block starts."""
    title: str | None = None
    stem: Text = field(default_factory=lambda: Text("moodle", ""))
    embedded: bool = False
    """The answer block stood inside the stem (missing word)."""
    general: Text | None = None
    choices: list[Choice] = field(default_factory=list)
    is_true: bool | None = None
    true_feedback: Text | None = None
    false_feedback: Text | None = None
    pairs: list[MatchPair] = field(default_factory=list)
    numeric: NumberSpec | None = None
    """A numeric question's single answer (multiple answers are `choices`)."""
    id: str | None = None
    tags: list[str] | None = None
    category: str | None = None
    """The `$CATEGORY:` in force for this question (its path)."""
    unit: str = ""
    """A numeric answer's unit (Moodle XML)."""
    case_sensitive: bool = False
    """Short answers compare letter case (Moodle XML `usecase`)."""
    media: list[str] = field(default_factory=list)
    """What the source held that is not text (embedded files), for the report."""


@cache
def parser() -> Lark:
    """The LALR parser of one block, giving lark's parse tree (built once; lark is imported
    only here)."""
    from lark import Lark

    return Lark(GRAMMAR, start="block", parser="lalr", lexer="contextual",
                propagate_positions=False, maybe_placeholders=False)


@cache
def _reader() -> Lark:
    """The same parser, reducing each rule with `_Reduce` as it parses (no tree)."""
    from lark import Lark

    return Lark(GRAMMAR, start="block", parser="lalr", lexer="contextual",
                propagate_positions=False, maybe_placeholders=False, transformer=_Reduce())


_ESCAPE = re.compile(r"\\(.)", re.S)
_NEWLINE_RUN = re.compile(r"[ \t]*\n\s*")
_ID = re.compile(r"\[id:([^\]]+)\]")
_TAG = re.compile(r"\[tag:([^\]]+)\]")


def unescape(text: str) -> str:
    """GIFT escapes: `\\~ \\= \\# \\{ \\} \\:` and `\\\\` are the character, `\\n` a new
    line; a backslash before anything else stays."""

    def one(m: re.Match[str]) -> str:
        ch = m.group(1)
        if ch in "~=#{}:\\":
            return ch
        if ch == "n":
            return "\n"
        return m.group(0)

    return _ESCAPE.sub(one, text)


def clean(raw: str, fmt: str) -> str:
    """The text of a GIFT field: trimmed; in `moodle` and `plain` text a line break with the
    spaces around it is one space (HTML and Markdown keep their lines); escapes resolved."""
    raw = raw.strip()
    if fmt in ("moodle", "plain"):
        raw = _NEWLINE_RUN.sub(" ", raw)
    return unescape(raw)


def _fmt(token: str) -> str:
    return token[1:-1].lower()


_Rich = tuple[str | None, str]
"""A text as parsed: its own `[format]` (None: the question's) and its raw text."""


class _Reduce:
    """What the parser makes of each rule as it reduces it (lark calls these while it
    parses, so no parse tree is built): small tuples, read by `_Builder`. A text keeps its
    raw form until the question's format is known."""

    @staticmethod
    def _tag(name: str) -> Any:
        return lambda children: (name, children)

    def __init__(self) -> None:
        for name in ("question", "answers", "truefalse", "choices", "bare", "numeric"):
            setattr(self, name, self._tag(name))

    @staticmethod
    def block(c: list[Any]) -> tuple[str | None, Any]:
        category = next((str(t) for t in c if getattr(t, "type", "") == "CATEGORY"), None)
        return category, next((x for x in c if isinstance(x, tuple)), None)

    @staticmethod
    def head(c: list[Any]) -> tuple[str, tuple[str | None, str | None]]:
        title = fmt = None
        for t in c:
            if t.type == "TITLE":
                title = unescape(t[2:-2].strip())
            else:
                fmt = _fmt(str(t))
        return "head", (title, fmt)

    @staticmethod
    def stem_text(c: list[Any]) -> tuple[str, str]:
        return "stem_text", str(c[0])

    @staticmethod
    def suffix(c: list[Any]) -> tuple[str, str]:
        return "suffix", str(c[0])

    @staticmethod
    def rich(c: list[Any]) -> tuple[str, _Rich]:
        fmt: str | None = None
        text = ""
        for t in c:
            if t.type == "FORMAT":
                fmt = _fmt(str(t))
            else:
                text = str(t)
        return "rich", (fmt, text)

    @staticmethod
    def feedback(c: list[Any]) -> tuple[str, _Rich | None]:
        return "feedback", c[0][1] if c else None

    @staticmethod
    def general(c: list[Any]) -> tuple[str, _Rich | None]:
        return "general", c[1][1] if len(c) > 1 else None

    @staticmethod
    def choice(c: list[Any]) -> tuple[str, list[Any]]:
        return "choice", c

    num_choice = choice

    @staticmethod
    def simple(c: list[Any]) -> NumberSpec:
        return NumberSpec("simple", number=float(c[0]))

    @staticmethod
    def tolerance(c: list[Any]) -> NumberSpec:
        return NumberSpec("range", number=float(c[0]), tolerance=abs(float(c[1])))

    @staticmethod
    def range(c: list[Any]) -> NumberSpec:
        return NumberSpec("high-low", low=float(c[0]), high=float(c[1]))


class _Builder:
    """Turns what the parser made of one block into a `GiftItem`."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.format = "moodle"

    def rich(self, raw: _Rich | None) -> Text | None:
        if raw is None:
            return None
        fmt = raw[0] or self.format
        return Text(fmt, clean(raw[1], fmt))

    def feedback(self, raw: _Rich | None) -> Text | None:
        fb = self.rich(raw)
        return fb if fb is not None and fb.text else None

    def build(self, parsed: tuple[str | None, Any], category: str | None) -> GiftItem | None:
        question = parsed[1]
        if question is None:
            return None
        title: str | None = None
        prefix = ""
        suffix: str | None = None
        answers: list[Any] | None = None
        for tag, value in question[1]:
            if tag == "head":
                title, fmt = value
                if fmt is not None:
                    self.format = fmt
            elif tag == "stem_text":
                prefix = value
            elif tag == "suffix":
                suffix = value
            elif tag == "answers":
                answers = value
        item = GiftItem("Description", self.line, title=title, category=category)
        if answers is None:
            item.stem = Text(self.format, clean(prefix, self.format))
            return item
        item.embedded = suffix is not None
        if item.embedded:
            stem = (prefix.strip() + " " if prefix.strip() else "") + BLANK + " " + (suffix or "")
        else:
            stem = prefix
        item.stem = Text(self.format, clean(stem, self.format))
        if not answers:
            item.type = "Essay"
            return item
        kind, children = answers[0]
        getattr(self, "_" + kind)(item, children)
        return item

    def _general(self, item: GiftItem, children: list[Any]) -> None:
        for c in children:
            if isinstance(c, tuple) and c[0] == "general":
                item.general = self.feedback(c[1])

    def _truefalse(self, item: GiftItem, children: list[Any]) -> None:
        item.type = "TF"
        item.is_true = str(children[0]).upper().startswith("T")
        feedbacks = [self.feedback(c[1]) for c in children
                     if isinstance(c, tuple) and c[0] == "feedback"]
        item.true_feedback = feedbacks[0] if feedbacks else None
        item.false_feedback = feedbacks[1] if len(feedbacks) > 1 else None
        self._general(item, children)

    def _choice(self, children: list[Any]) -> Choice:
        mark = str(children[0])
        weight: float | None = None
        text: Text | None = None
        fb: Text | None = None
        spec: NumberSpec | None = None
        for c in children[1:]:
            if isinstance(c, NumberSpec):
                spec = c
            elif isinstance(c, tuple):
                if c[0] == "rich" and text is None:
                    text = self.rich(c[1])
                elif c[0] == "feedback" and fb is None:
                    fb = self.feedback(c[1])
            elif c.type == "WEIGHT" and weight is None:
                weight = float(str(c)[1:-1])
        return Choice(mark == "=", weight, text, fb, spec)

    def _choices(self, item: GiftItem, children: list[Any]) -> None:
        choices = []
        for c in children:
            if c[0] == "choice":
                choice = self._choice(c[1])
                if choice.text is None:
                    choice.text = Text(self.format, "")
                choices.append(choice)
        self._general(item, children)
        texts = [c.text.text if c.text else "" for c in choices]
        if all(c.correct for c in choices) and all("->" in t for t in texts):
            item.type = "Matching"
            for c in choices:
                assert c.text is not None
                left, _, right = c.text.text.partition("->")
                item.pairs.append(MatchPair(Text(c.text.format, left.strip()), right.strip()))
            return
        if all(c.correct for c in choices):
            item.type = "Short"
        else:
            item.type = "MC"
        item.choices = choices

    def _bare(self, item: GiftItem, children: list[Any]) -> None:
        item.type = "Short"
        text = next((self.rich(c[1]) for c in children if c[0] == "rich"), None)
        fb = next((self.feedback(c[1]) for c in children if c[0] == "feedback"), None)
        item.choices = [Choice(True, None, text, fb)]
        self._general(item, children)

    def _numeric(self, item: GiftItem, children: list[Any]) -> None:
        item.type = "Numerical"
        self._general(item, children)
        spec = next((c for c in children if isinstance(c, NumberSpec)), None)
        if spec is not None:
            item.numeric = spec
            return
        for c in children:
            if isinstance(c, tuple) and c[0] == "choice":
                item.choices.append(self._choice(c[1]))


@dataclass
class Block:
    """The lines of one question, comment lines blanked, and the comments' metadata."""

    line: int
    text: str
    ids: list[str]
    tags: list[str]


def _lines(text: str) -> Iterator[str]:
    """The lines of `text`, one at a time (a file of many short lines is not split into a
    list all at once)."""
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield text[start:end]
        start = end + 1
    yield text[start:]


def blocks(text: str) -> Iterator[Block]:
    """Split a decoded file into question blocks, one at a time (see the module
    docstring)."""
    lines: list[str] = []
    start = 0
    ids: list[str] = []
    tags: list[str] = []
    for n, line in enumerate(_lines(text), start=1):
        stripped = line.strip()
        if not stripped:
            if any(x.strip() for x in lines):
                yield Block(start, "\n".join(lines), ids, tags)
            elif ids or tags:  # metadata comments carry over to the next question
                continue
            lines, ids, tags = [], [], []
            continue
        if stripped.startswith("//"):
            ids += _ID.findall(stripped)
            tags += _TAG.findall(stripped)
            if lines:
                lines.append("")
            continue
        if not lines:
            start = n
        lines.append(line)
    if any(x.strip() for x in lines):
        yield Block(start, "\n".join(lines), ids, tags)


@dataclass
class GiftFile:
    """What a GIFT file holds: its items in order, and the problems found."""

    items: list[GiftItem] = field(default_factory=list)
    errors: list[Located] = field(default_factory=list)

    def full(self, path: str, line: int) -> bool:
        """True once `MAX_ERRORS` problems are recorded, adding (once) at `line` that the
        file is read no further: the reader then stops."""
        if len(self.errors) < MAX_ERRORS:
            return False
        if len(self.errors) == MAX_ERRORS:
            self.errors.append(Located(path, line, 1, f"{MAX_ERRORS} problems so far: the "
                                                      "rest of the file is not read"))
        return True


def parse_gift(data: bytes, path: str, encoding: str | None = None) -> GiftFile:
    """Read GIFT bytes. A block the grammar refuses is an error located at the first
    character it could not read; the other blocks are still read. Undecodable bytes refuse
    the whole file (`ImportError_`)."""
    text = decode_text(data, path, encoding)
    return parse_gift_text(text, path)


def parse_gift_text(text: str, path: str) -> GiftFile:
    """Read decoded GIFT text (see `parse_gift`)."""
    from lark.exceptions import UnexpectedInput

    result = GiftFile()
    category: str | None = None
    p = _reader()
    for block in blocks(text):
        if len(block.text) > MAX_BLOCK_CHARS:
            result.errors.append(Located(path, block.line, 1,
                                         f"a question of {len(block.text):,} characters; "
                                         f"the limit is {MAX_BLOCK_CHARS:,}"))
            if result.full(path, block.line):
                break
            continue
        lead = len(block.text) - len(block.text.lstrip())
        body = block.text.strip()
        first_line = block.line + block.text[:lead].count("\n")
        try:
            tree: tuple[str | None, Any] = p.parse(body)  # type: ignore[assignment]
        except UnexpectedInput as exc:
            line = first_line + (exc.line - 1 if exc.line and exc.line > 0 else 0)
            col = exc.column if exc.column and exc.column > 0 else 1
            brace = _unclosed(body)
            if brace is not None:  # point at the brace left open, not where the text ends
                line = first_line + body.count("\n", 0, brace)
                col = brace - (body.rfind("\n", 0, brace) + 1) + 1
            result.errors.append(Located(path, line, col, _why(exc, body)))
            if result.full(path, line):
                break
            continue
        if tree[0] is not None:
            category = tree[0][len("$CATEGORY:"):].strip()
            result.items.append(GiftItem("Category", first_line, title=category))
        item = _Builder(first_line).build(tree, category)
        if item is not None:
            item.id = block.ids[-1].strip() if block.ids else None
            item.tags = [t.strip() for t in block.tags] or None
            result.items.append(item)
    return result


def _why(exc: Any, body: str) -> str:
    """A short reason for a grammar error."""
    from lark.exceptions import UnexpectedEOF, UnexpectedToken

    opens, closes = _braces(body)
    if opens > closes:
        return "an answer block '{' is never closed with '}' (a blank line ends a question)"
    if closes > opens:
        return "a '}' closes no answer block (write \\} for a brace in text)"
    if opens > 1:
        return "a question has more than one answer block {…}"
    if isinstance(exc, UnexpectedEOF):
        return "the question ends too early"
    if isinstance(exc, UnexpectedToken):
        got = str(exc.token)[:30] or "the end"
        return f"unexpected {got!r} in the answer block"
    char = body[exc.pos_in_stream] if exc.pos_in_stream is not None and exc.pos_in_stream < len(
        body) else "?"
    return f"unexpected {char!r} in the answer block"


def _unclosed(body: str) -> int | None:
    """Offset of the first `{` never closed, if any (escaped braces do not count)."""
    depth_at: list[int] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth_at.append(i)
        elif ch == "}" and depth_at:
            depth_at.pop()
        i += 1
    return depth_at[0] if depth_at else None


def _braces(body: str) -> tuple[int, int]:
    plain = re.sub(r"\\.", "", body, flags=re.S)
    return plain.count("{"), plain.count("}")
