"""The app's YAML for imported questions (and the small lesson declaring their objective),
with the line each question starts on, so that a validator message can be traced back to
the item and the source line it came from."""

from __future__ import annotations

import datetime as dt
from typing import Any


def _dumper() -> Any:
    import yaml

    base: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[misc]
        pass

    def text(dumper: Any, value: str) -> Any:
        style = "|" if "\n" in value and value == value.strip() else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return Dumper


def dump(value: Any) -> str:
    """`value` as block-style YAML (multi-line texts as literal blocks)."""
    import yaml

    out: str = yaml.dump(value, Dumper=_dumper(), sort_keys=False, allow_unicode=True,
                         width=100, default_flow_style=False)
    return out


def questions_yaml(items: list[dict[str, Any]], source: str) -> tuple[str, list[int]]:
    """A question file holding `items`, and the 1-based line where each item starts."""
    head = (f"# Imported from {source} by `vpkp-tutor import`.\n"
            "# Check each item, then set last_reviewed to the day you did.\n"
            "kind: questions\nquestions:\n")
    lines = [head]
    starts: list[int] = []
    line = head.count("\n") + 1
    dumper = _dumper()
    import yaml

    for item in items:
        block = yaml.dump([item], Dumper=dumper, sort_keys=False, allow_unicode=True,
                          width=100, default_flow_style=False)
        block = "".join("  " + ln if ln.strip() else ln for ln in block.splitlines(True))
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
