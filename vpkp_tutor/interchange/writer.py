"""The app's YAML for imported questions (and the small lesson declaring their objective),
with the line each question starts on, so that a validator message can be traced back to
the item and the source line it came from."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 ,.'()?/+_-]*$")
_NOT_PLAIN = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if (_PLAIN.match(text) and not text.endswith(" ") and "  " not in text
            and text.lower() not in _NOT_PLAIN):
        return text
    return json.dumps(text, ensure_ascii=False)


def _block(text: str, indent: str) -> str | None:
    """`text` as a literal block (`|-`), when it can be one exactly."""
    lines = text.split("\n")
    if text != text.strip() or any(ln != ln.rstrip() or not ln.isprintable() for ln in lines):
        return None
    return "|-\n" + "\n".join(indent + ln if ln else "" for ln in lines)


def _emit(value: object, indent: str, out: list[str]) -> None:
    """Block-style YAML of dicts, lists and scalars (the shapes the writer produces)."""
    if isinstance(value, dict):
        for i, (key, item) in enumerate(value.items()):
            lead = "" if i == 0 and out and out[-1].endswith("- ") else indent
            out.append(f"{lead}{key}:")
            _value(item, indent, out)
    elif isinstance(value, list):
        for item in value:
            out.append(f"{indent}- ")
            if isinstance(item, dict | list):
                _emit(item, indent + "  ", out)
            else:
                out[-1] += _scalar(item) + "\n"
    else:
        out.append(indent + _scalar(value) + "\n")


def _value(item: object, indent: str, out: list[str]) -> None:
    if isinstance(item, dict):
        out.append("\n")
        _emit(item, indent + "  ", out)
    elif isinstance(item, list):
        if not item:
            out.append(" []\n")
            return
        out.append("\n")
        _emit(item, indent + "  ", out)
    elif isinstance(item, str) and "\n" in item:
        block = _block(item, indent + "  ")
        out.append(" " + (block if block is not None else _scalar(item)) + "\n")
    else:
        out.append(" " + _scalar(item) + "\n")


def dump(value: dict[str, Any], indent: str = "") -> str:
    """`value` as block-style YAML (multi-line texts as literal blocks where exact)."""
    out: list[str] = []
    _emit(value, indent, out)
    return "".join(out)


def questions_yaml(items: list[dict[str, Any]], source: str) -> tuple[str, list[int]]:
    """A question file holding `items`, and the 1-based line where each item starts."""
    head = (f"# Imported from {source} by `vpkp-tutor import`.\n"
            "# Check each item, then set last_reviewed to the day you did.\n"
            "kind: questions\nquestions:\n")
    lines = [head]
    starts: list[int] = []
    line = head.count("\n") + 1
    for item in items:
        block = "  - " + dump(item, "    ").lstrip()
        starts.append(line)
        line += block.count("\n")
        lines.append(block)
    return "".join(lines), starts


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
