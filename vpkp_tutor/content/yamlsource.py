"""Safe, position-tracking YAML reading for authored content.

The file is read as bytes and checked (size, encoding), then parsed into *events* by PyYAML's
safe parser (the C one when available) and assembled here into plain Python values:

- every scalar stays the text the author wrote (a plain empty scalar or `~`/`null` is None);
  the schema decides later what type a field has, so YAML 1.1 guessing never happens;
- every mapping key and value records its 1-based line and column, keyed by its path;
- duplicate keys, aliases, non-text keys and excessive nesting are reported as problems;
- control characters, terminal escapes and bidi overrides are removed from text (with a
  warning), so nothing from a content file can drive the terminal.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # the C parser is much faster; fall back to the pure-Python one
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from vpkp_tutor.domain.model import ContentProblem
from vpkp_tutor.domain.text import UNSAFE as _UNSAFE
from vpkp_tutor.domain.text import clean_text

MAX_FILE_BYTES = 5 * 1024 * 1024
"""Largest content file accepted."""
MAX_DEPTH = 64
"""Deepest nesting accepted."""
MAX_PROBLEMS_PER_FILE = 50
"""Problems reported per file before the rest are summarised."""

Path_ = tuple[str | int, ...]
"""A path into a document: mapping keys and sequence indices."""

_DROP = "\x00drop"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
@dataclass(slots=True)
class Document:
    """A parsed YAML file: its value, where each part is, and what went wrong."""

    path: str
    """The file path as given."""
    value: Any = None
    """The document as plain dicts, lists, str and None."""
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    """1-based (line, column) of each value, by path."""
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    """1-based (line, column) of each mapping key, by the path of its value."""
    problems: list[ContentProblem] = field(default_factory=list)
    """Errors and warnings found while reading."""
    raw: bytes = b""
    """The file's bytes (for fingerprints)."""
    reported: set[Path_] = field(default_factory=set)
    """Paths whose value was dropped with a problem already recorded (an alias): the schema
    check does not report them again."""
    fatal: bool = False
    """True when the file could not be read into a value at all (unreadable, not UTF-8,
    empty, a YAML syntax error…): nothing more can be checked. Other reading problems
    (a duplicate key, an alias, a non-text key) leave the rest of the value to be checked."""

    def error(self, line: int, col: int, message: str, code: str = "VP299") -> None:
        """Record an error with its code (see `content.codes`)."""
        self.problems.append(ContentProblem(self.path, line, col, message, "error", code))

    def warning(self, line: int, col: int, message: str, code: str = "VP299") -> None:
        """Record a warning with its code (see `content.codes`)."""
        self.problems.append(ContentProblem(self.path, line, col, message, "warning", code))

    def fail(self, line: int, col: int, message: str, code: str) -> None:
        """Record an error after which nothing more of the file can be checked."""
        self.fatal = True
        self.error(line, col, message, code)

    def where(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Best position for a path: the key (if asked and known), else the value, else the
        nearest enclosing value."""
        if key and path in self.key_positions:
            return self.key_positions[path]
        p = path
        while True:
            if p in self.positions:
                return self.positions[p]
            if not p:
                return (1, 1)
            p = p[:-1]

    @property
    def has_errors(self) -> bool:
        """True when any error was recorded."""
        return any(p.severity == "error" for p in self.problems)


def _line_col_of_byte(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return line, col


def _too_large(doc: Document, size: int, *, more: bool = False) -> None:
    doc.fail(
        1, 1,
        f"file is {'more than ' if more else ''}{size / 1048576:.1f} MB; the limit is {MAX_FILE_BYTES // 1048576} MB — "
        "split it into smaller files", "VP001",
    )


def decode(doc: Document, data: bytes) -> str | None:
    """Check size and encoding; return the text or None (with a problem recorded)."""
    if len(data) > MAX_FILE_BYTES:
        _too_large(doc, len(data))
        return None
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        doc.fail(1, 1, "file is UTF-32 encoded; save it as UTF-8", "VP002")
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and b"\x00" in data[:4]):
        doc.fail(1, 1, "file is UTF-16 encoded; save it as UTF-8", "VP002")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col_of_byte(data, exc.start)
        doc.fail(
            line, col,
            f"byte 0x{data[exc.start]:02X} is not valid UTF-8 (the file may be Latin-1 or "
            "Windows-1252); save it as UTF-8", "VP002",
        )
        return None
    if not text.strip():
        doc.fail(1, 1, "file is empty; a content file starts with 'kind: lesson', "
                       "'kind: questions' or 'kind: case'", "VP003")
        return None
    return text


def _syntax_problem(doc: Document, exc: yaml.MarkedYAMLError, text: str) -> None:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = exc.problem or "YAML syntax error"
    lines = text.splitlines()
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in problem or source_line[col - 1 : col] == "\t":
        message = "a tab character is not allowed here; indent with spaces"
    else:
        message = f"YAML syntax error: {problem}"
        if exc.context:
            message += f" ({exc.context})"
        if "mapping values are not allowed" in problem:
            message += "; if the text contains ': ', put it in quotes"
    doc.fail(line, col, message, "VP004")


def _pos(event: yaml.Event) -> tuple[int, int]:
    mark = event.start_mark
    if mark is None:  # pragma: no cover - the parsers always set marks
        return (1, 1)
    return (mark.line + 1, mark.column + 1)


def _scalar_value(
    doc: Document, event: yaml.ScalarEvent, pos: tuple[int, int]
) -> str | None:
    value: str = event.value
    if event.style is None and value in _NULLS:
        return None
    if _UNSAFE.search(value) is None:
        return value
    doc.warning(*pos, "removed control characters or terminal escape sequences", "VP105")
    return clean_text(value)


class _Frame:
    __slots__ = ("container", "path", "pending_key", "pending_key_pos")

    def __init__(self, container: dict[str, Any] | list[Any], path: Path_) -> None:
        self.container = container
        self.path = path
        self.pending_key: str | None = None
        self.pending_key_pos: tuple[int, int] = (1, 1)


def build(doc: Document, text: str) -> None:
    """Parse `text` into `doc.value`, recording positions and problems.

    The parser's events are pulled one by one (no generator in between) and dispatched on
    their exact class: this loop is the hot path of loading a large bank.
    """
    stack: list[_Frame] = []
    positions = doc.positions
    key_positions = doc.key_positions
    root_set = False
    documents = 0
    skip_depth = 0  # >0 while skipping a container that cannot be used (bad key / too deep)

    def place(value: Any, pos: tuple[int, int]) -> Path_ | None:
        """Attach a finished value to its parent; return its path (None when dropped)."""
        nonlocal root_set
        if not stack:
            if not root_set:
                doc.value = value
                positions[()] = pos
                root_set = True
            return ()
        top = stack[-1]
        container = top.container
        if type(container) is list:
            path = (*top.path, len(container))
            container.append(value)
            positions[path] = pos
            return path
        key = top.pending_key
        top.pending_key = None
        if key is None or key == _DROP:
            return None
        path = (*top.path, key)
        if key in container:
            first = key_positions.get(path, (0, 0))
            doc.error(*top.pending_key_pos,
                      f"duplicate key '{key}' (first defined at line {first[0]})", "VP101")
            return None
        container[key] = value  # type: ignore[call-overload]
        positions[path] = pos
        key_positions[path] = top.pending_key_pos
        return path

    loader = _Loader(text)
    get_event = loader.get_event
    try:
        while True:
            event: Any = get_event()
            if event is None:
                break
            cls = type(event)
            if skip_depth:
                if cls is yaml.MappingStartEvent or cls is yaml.SequenceStartEvent:
                    skip_depth += 1
                elif cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
                    skip_depth -= 1
                continue
            if cls is yaml.ScalarEvent:
                mark = event.start_mark
                pos = (mark.line + 1, mark.column + 1)
                top_frame = stack[-1] if stack else None
                if (
                    top_frame is not None
                    and type(top_frame.container) is dict
                    and top_frame.pending_key is None
                ):
                    key = _scalar_value(doc, event, pos)
                    top_frame.pending_key = "" if key is None else key
                    top_frame.pending_key_pos = pos
                else:
                    place(_scalar_value(doc, event, pos), pos)
                continue
            expecting_key = (
                bool(stack)
                and type(stack[-1].container) is dict
                and stack[-1].pending_key is None
            )
            if cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
                if stack:
                    stack.pop()
            elif cls is yaml.MappingStartEvent or cls is yaml.SequenceStartEvent:
                if expecting_key:
                    doc.error(*_pos(event), "a mapping key must be plain text", "VP102")
                    skip_depth = 1
                    stack[-1].pending_key = _DROP  # the value that follows is dropped too
                    continue
                if len(stack) >= MAX_DEPTH:
                    doc.fail(*_pos(event), f"nesting deeper than {MAX_DEPTH} levels", "VP104")
                    return
                container: dict[str, Any] | list[Any] = (
                    {} if cls is yaml.MappingStartEvent else []
                )
                path = place(container, _pos(event))
                if path is None:
                    path = (*stack[-1].path, _DROP) if stack else ()
                stack.append(_Frame(container, path))
            elif cls is yaml.AliasEvent:
                doc.error(*_pos(event),
                          f"aliases (*{event.anchor}) are not supported; write the value out",
                          "VP103")
                if expecting_key:
                    stack[-1].pending_key = _DROP  # the value that follows is dropped too
                else:
                    dropped = place(None, _pos(event))
                    if dropped is not None:
                        doc.reported.add(dropped)
            elif cls is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    doc.fail(*_pos(event), "only one YAML document per file (remove '---')", "VP005")
                    return
    except yaml.MarkedYAMLError as exc:
        _syntax_problem(doc, exc, text)
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        doc.fail(line, col, f"control character U+{exc.character:04X} is not allowed in a "
                            "content file; remove it", "VP006")
    except yaml.YAMLError as exc:  # pragma: no cover - every other error carries a mark
        doc.fail(1, 1, f"YAML error: {exc}", "VP004")
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose is not None:
            dispose()


def _read_limited(path: Path, doc: Document) -> bytes | None:
    """The bytes of a regular file of at most MAX_FILE_BYTES, else None with a problem
    recorded. Never blocks on a pipe or reads a device: the file is checked to be regular
    before it is opened (and again once open, in case it was swapped), opened without
    waiting, and read no further than one byte past the limit, whatever its size claims."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            _not_regular(doc, st.st_mode)
            return None
        if st.st_size > MAX_FILE_BYTES:  # refuse before reading it into memory
            _too_large(doc, st.st_size)
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                _not_regular(doc, st.st_mode)
                return None
            chunks: list[bytes] = []
            left = MAX_FILE_BYTES + 1
            while left > 0:
                chunk = os.read(fd, min(left, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        doc.fail(1, 1, f"cannot read file: {exc.strerror or exc}", "VP001")
        return None
    data = b"".join(chunks)
    if len(data) > MAX_FILE_BYTES:
        _too_large(doc, len(data), more=True)
        return None
    return data


def _not_regular(doc: Document, mode: int) -> None:
    what = (
        "a folder" if stat.S_ISDIR(mode)
        else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
        else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    doc.fail(1, 1, f"this is {what}, not a content file; give a .yaml file", "VP001")


def read_document(path: Path, display: str | None = None, *, parse: bool = True) -> Document:
    """Read and parse one content file; never raises for bad content. With `parse` False,
    only read its bytes (a re-check compares them with the last ones)."""
    doc = Document(display or str(path))
    data = _read_limited(path, doc)
    if data is None:
        return doc
    doc.raw = data
    if not parse:
        return doc
    text = decode(doc, data)
    if text is not None:
        build(doc, text)
        if len(doc.problems) > MAX_PROBLEMS_PER_FILE:
            extra = len(doc.problems) - MAX_PROBLEMS_PER_FILE
            del doc.problems[MAX_PROBLEMS_PER_FILE:]
            last = doc.problems[-1]
            doc.error(last.line, last.column, f"{extra} more problems in this file not shown",
                      "VP007")
    return doc
