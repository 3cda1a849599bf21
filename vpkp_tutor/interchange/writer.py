"""The app's YAML for imported questions (and the small lesson declaring their objective),
with the line each question starts on, so that a validator message can be traced back to
the item and the source line it came from.

A question file is also described as the reader sees it (`Written`): the value with every
scalar as the text the reader keeps, each value's and key's position, and the parser events
the text must give. The importer validates that description in memory and checks, with
libyaml's own parser, that the text gives exactly those events (`Written.reads_back`): the
file moved into place is then the one the validator passed, without reading it again."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from vpkp_tutor.domain.text import UNSAFE

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ,.'()?/+_-]*")
"""A text written without quotes (matched whole: `$` would let a final line break in)."""
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
"""Line breaks to YAML that JSON writes as they are: escaped, so that each written line is
one line for the reader (its positions are the writer's)."""
_NOT_PLAIN = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
"""Plain scalars the reader takes as no value (`content.yamlsource`)."""

# The events a file gives, as compared: a scalar is its text (None: a plain null), the
# others these numbers.
STREAM_START, STREAM_END, DOC_START, DOC_END, MAP_START, MAP_END, SEQ_START, SEQ_END = range(8)

Path_ = tuple[str | int, ...]


def _scalar(value: object) -> tuple[str, str]:
    """How `value` is written on one line, and the text the reader gets back."""
    if isinstance(value, bool):
        text = "true" if value else "false"
        return text, text
    if isinstance(value, int | float):
        text = repr(value)
        return text, text
    if isinstance(value, dt.date):
        text = value.isoformat()
        return text, text
    text = str(value)
    if (_PLAIN.fullmatch(text) and not text.endswith(" ") and "  " not in text
            and text.lower() not in _NOT_PLAIN):
        return text, text
    quoted = json.dumps(text, ensure_ascii=False)
    if not quoted.isprintable():
        for char, escape in _BREAKS.items():
            quoted = quoted.replace(char, escape)
    return quoted, text


def _block(text: str, indent: str) -> str | None:
    """`text` as a literal block (`|-`), when it can be one exactly."""
    lines = text.split("\n")
    if text != text.strip() or any(ln != ln.rstrip() or not ln.isprintable() for ln in lines):
        return None
    return "|-\n" + "\n".join(indent + ln if ln else "" for ln in lines)


@dataclass
class Written:
    """A YAML text and what the reader makes of it (see the module docstring)."""

    text: str = ""
    value: Any = None
    """The value with every scalar as the reader keeps it (text, or None)."""
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    """1-based (line, column) of each value, by path (as `yamlsource.Document`)."""
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    events: list[str | int | None] = field(default_factory=list)
    """The parser events the text gives, as compared by `reads_back`."""
    exact: bool = True
    """False when the reader may not read `value` from the text as it is: a key that may not
    read as itself (the mapping writes only field names), or a text the reader cleans of
    control characters (with a warning)."""

    def reads_back(self) -> bool:
        """True when libyaml's parser (the one the reader uses) gives exactly `events` for
        `text`: the same structure and the same scalar texts, hence the same value."""
        import yaml

        try:
            from yaml import CSafeLoader as Loader
        except ImportError:  # pragma: no cover - depends on how PyYAML was built
            from yaml import SafeLoader as Loader  # type: ignore[assignment]
        codes: dict[type, int] = {
            yaml.StreamStartEvent: STREAM_START, yaml.StreamEndEvent: STREAM_END,
            yaml.DocumentStartEvent: DOC_START, yaml.DocumentEndEvent: DOC_END,
            yaml.MappingStartEvent: MAP_START, yaml.MappingEndEvent: MAP_END,
            yaml.SequenceStartEvent: SEQ_START, yaml.SequenceEndEvent: SEQ_END,
        }
        scalar = yaml.ScalarEvent
        got: list[str | int | None] = []
        add = got.append
        loader = Loader(self.text)
        event: Any
        try:
            for event in iter(loader.get_event, None):
                cls = type(event)
                if cls is scalar:
                    value = event.value
                    add(None if event.style is None and value in _NULLS else value)
                else:
                    add(codes[cls])  # an alias (KeyError) never reads back
        except (yaml.YAMLError, KeyError):
            return False
        finally:
            loader.dispose()
        return got == self.events


class _Emitter:
    """Block-style YAML of dicts, lists and scalars (the shapes the mapping produces), with
    what the reader makes of it."""

    def __init__(self, into: Written, line: int) -> None:
        self.out: list[str] = []
        self.line = line
        """The line the next character is written on."""
        self.w = into
        self.events = into.events
        self.keys: set[str] = set()
        """Keys already checked."""
        self.known: dict[str, tuple[str, str]] = {}
        """Texts already written (most repeat: types, topics, feedback phrases)."""

    def mapping(self, value: dict[str, Any], ind: int, path: Path_, *,
                inline: bool = False) -> dict[str, Any]:
        """A non-empty mapping whose keys start at column `ind + 1` (the first on the
        current line when `inline`)."""
        out, events, w, known = self.out, self.events, self.w, self.known
        positions, key_positions = w.positions, w.key_positions
        pad = " " * ind
        read: dict[str, Any] = {}
        events.append(MAP_START)
        first = inline
        for key, item in value.items():
            if key not in self.keys:  # written as it is: it must read as itself
                if not _KEY.fullmatch(key) or key.lower() in _NOT_PLAIN:
                    w.exact = False
                self.keys.add(key)
            events.append(key)
            sub = (*path, key)
            line = self.line
            key_positions[sub] = (line, ind + 1)
            if type(item) is str and "\n" not in item:  # the common case, kept short
                scalar = known.get(item) or self.text(item)
                out.append(f"{key}: {scalar[0]}\n" if first else f"{pad}{key}: {scalar[0]}\n")
                events.append(item)
                positions[sub] = (line, ind + len(key) + 3)
                self.line = line + 1
                read[key] = item
            else:
                out.append(f"{key}:" if first else f"{pad}{key}:")
                read[key] = self.value(item, ind, ind + len(key) + 3, sub)
            first = False
        events.append(MAP_END)
        return read

    def sequence(self, value: list[Any], ind: int, path: Path_, *,
                 inline: bool = False) -> list[Any]:
        """A non-empty sequence whose dashes are at column `ind + 1`."""
        out, events, w = self.out, self.events, self.w
        pad = " " * ind
        read: list[Any] = []
        events.append(SEQ_START)
        for i, item in enumerate(value):
            out.append("- " if inline and i == 0 else f"{pad}- ")
            sub = (*path, i)
            w.positions[sub] = (self.line, ind + 3)
            if type(item) is str:
                written, text = self.known.get(item) or self.text(item)
                out.append(written + "\n")
                events.append(text)
                self.line += 1
                read.append(text)
            elif isinstance(item, dict) and item:
                read.append(self.mapping(item, ind + 2, sub, inline=True))
            elif isinstance(item, list) and item:
                read.append(self.sequence(item, ind + 2, sub, inline=True))
            else:
                read.append(self.flat(item))
        events.append(SEQ_END)
        return read

    def text(self, item: str) -> tuple[str, str]:
        """`_scalar` of a text, remembered; a text the reader would clean (and warn about)
        leaves the file to the reader."""
        scalar = self.known[item] = _scalar(item)
        if UNSAFE.search(item):
            self.w.exact = False
        return scalar

    def value(self, item: object, ind: int, col: int, path: Path_) -> Any:
        """The value of a key written at indent `ind`; `col` is where a value on the key's
        line starts."""
        out, w = self.out, self.w
        if isinstance(item, dict) and item:
            out.append("\n")
            self.line += 1
            w.positions[path] = (self.line, ind + 3)
            return self.mapping(item, ind + 2, path)
        if isinstance(item, list) and item:
            out.append("\n")
            self.line += 1
            w.positions[path] = (self.line, ind + 3)
            return self.sequence(item, ind + 2, path)
        w.positions[path] = (self.line, col)
        if isinstance(item, str) and "\n" in item:
            block = _block(item, " " * (ind + 2))
            if block is not None:  # printable: nothing the reader would clean
                out.append(" " + block + "\n")
                self.line += item.count("\n") + 2  # the `|-` line, then the text
                self.events.append(item)
                return item
        out.append(" ")
        return self.flat(item)

    def flat(self, item: object) -> Any:
        """A value on the rest of the current line (a scalar, or an empty collection)."""
        if isinstance(item, dict):
            self.out.append("{}\n")
            self.events += [MAP_START, MAP_END]
            read: Any = {}
        elif isinstance(item, list):
            self.out.append("[]\n")
            self.events += [SEQ_START, SEQ_END]
            read = []
        else:
            written, read = _scalar(item)
            self.out.append(written + "\n")
            self.events.append(read)
        self.line += 1
        return read


def dump(value: dict[str, Any], indent: str = "") -> str:
    """`value` as block-style YAML (multi-line texts as literal blocks where exact)."""
    em = _Emitter(Written(), 1)
    if value:
        em.mapping(value, len(indent), ())
    else:
        em.flat(value)
    return "".join(em.out)


def questions_file(items: list[dict[str, Any]], source: str) -> tuple[Written, list[int]]:
    """A question file holding `items`, and the 1-based line where each item starts."""
    head = (f"# Imported from {source} by `vpkp-tutor import`.\n"
            "# Check each item, then set last_reviewed to the day you did.\n")
    w = Written()
    first = head.count("\n") + 1
    w.events += [STREAM_START, DOC_START, MAP_START, "kind", "questions", "questions"]
    w.positions[()] = (first, 1)
    w.key_positions[("kind",)] = (first, 1)
    w.positions[("kind",)] = (first, 7)
    w.key_positions[("questions",)] = (first + 1, 1)
    em = _Emitter(w, first + 2)
    em.out.append(head + "kind: questions\nquestions:\n")
    starts: list[int] = []
    read: list[Any] = []
    if items:
        w.positions[("questions",)] = (first + 2, 3)
        em.events.append(SEQ_START)
        for i, item in enumerate(items):
            starts.append(em.line)
            em.out.append("  - ")
            path = ("questions", i)
            w.positions[path] = (em.line, 5)
            read.append(em.mapping(item, 4, path, inline=True))
        em.events.append(SEQ_END)
    else:
        em.out[-1] = em.out[-1][:-1]
        w.positions[("questions",)] = (first + 1, 12)
        em.out.append(" []\n")
        em.events += [SEQ_START, SEQ_END]
    w.events += [MAP_END, DOC_END, STREAM_END]
    w.text = "".join(em.out)
    w.value = {"kind": "questions", "questions": read}
    return w, starts


def lesson_yaml(lesson_id: str, objective: str, topic: str, sources: list[str],
                today: dt.date, count: int) -> str:
    """A one-step lesson declaring the objective the imported questions test."""
    names = ", ".join(sources)
    data = {
        "kind": "lesson", "id": lesson_id, "title": f"Imported questions: {names}"[:200],
        "topic": topic,
        "summary": f"{count} question(s) imported from {names}; check them before use."[:900],
        "estimated_minutes": 1, "last_reviewed": today,
        "objectives": [{"id": objective,
                        "text": f"Answer the questions imported from {names}."[:900]}],
        "references": [f"Imported from {s}" for s in sources][:60],
        "steps": [{"title": "About these questions",
                   "body": (f"These questions were imported from {names} on "
                            f"{today.isoformat()}. An educator should check each one "
                            "and give it an objective of its own.")}],
    }
    return ("# Written by `vpkp-tutor import`: declares the objective the imported "
            "questions test.\n" + dump(data))
