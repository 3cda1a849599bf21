"""Aiken, read as strictly as Moodle reads it.

A question is its text (one line, or several lines before the first option), then options
on lines starting with a capital letter followed by `.` or `)` and a space (`A. …`,
`B) …`), then a line `ANSWER: X` naming the key. Blank lines between questions are allowed.

Refused, each at its line, and the whole file with them (Moodle imports nothing from a
file with an error either):

- an option before any question text, or options not lettered A, B, C… in order;
- `ANSWER:` with fewer than two options before it ("question missing answers");
- `ANSWER:` naming no letter, or a letter that is not one of the options;
- a question (or the file) ending without its `ANSWER:` line ("question not complete").
"""

from __future__ import annotations

import re

from vpkp_tutor.interchange.gift import Choice, GiftFile, GiftItem, Text
from vpkp_tutor.interchange.source import Located, decode_text

_OPTION = re.compile(r"^([A-Z])[.)][ \t]+(.*)$")
_ANSWER = re.compile(r"^ANSWER:\s*(.*)$")


def parse_aiken(data: bytes, path: str, encoding: str | None = None) -> GiftFile:
    """Read an Aiken file into multiple-choice items (see the module docstring)."""
    text = decode_text(data, path, encoding)
    out = GiftFile()
    stem: list[str] = []
    options: list[str] = []
    start = 0

    def error(line: int, message: str) -> None:
        out.errors.append(Located(path, line, 1, message))

    def reset() -> None:
        nonlocal stem, options, start
        stem, options, start = [], [], 0

    for n, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        if out.full(path, n):
            return out
        if m := _OPTION.match(line):
            if not stem:
                error(n, f"option {m.group(1)} comes before any question text")
                continue
            expected = chr(ord("A") + len(options))
            if m.group(1) != expected:
                error(n, f"option {m.group(1)} where option {expected} was expected (options "
                         "are lettered A, B, C… in order)")
            options.append(m.group(2).strip())
            continue
        if m := _ANSWER.match(line):
            if not stem:
                error(n, "ANSWER: with no question before it")
                reset()
                continue
            if len(options) < 2:
                error(n, f"question missing answers: a question needs at least two options "
                         f"(found {len(options)})")
                reset()
                continue
            letter = m.group(1).strip()[:1]
            if not letter or not "A" <= letter <= "Z":
                error(n, "ANSWER: names no option letter (write e.g. 'ANSWER: B')")
                reset()
                continue
            index = ord(letter) - ord("A")
            if index >= len(options):
                error(n, f"ANSWER: {letter} is not one of the options "
                         f"(A–{chr(ord('A') + len(options) - 1)})")
                reset()
                continue
            item = GiftItem("MC", start, stem=Text("plain", " ".join(stem)))
            item.choices = [Choice(i == index, None, Text("plain", o), None)
                            for i, o in enumerate(options)]
            out.items.append(item)
            reset()
            continue
        if options:  # question text after options: the previous one never got its answer
            error(start, "question not complete: its options are not followed by an "
                         "'ANSWER: X' line")
            reset()
        if not stem:
            start = n
        stem.append(line)
    if stem:
        error(start, "question not complete: the file ends before its 'ANSWER: X' line")
    return out
