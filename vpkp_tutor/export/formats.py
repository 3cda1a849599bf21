"""The export formats, one entry each: the CLI's `--format` choices and help, the TUI's
export dialog and the format list in the docs all come from `FORMATS`.

Adding a format is one writer (a module beside this one) and one `ExportFormat` entry
below; a test checks that README.md and docs/progress-and-exports.md name every format.
Writers are imported when a file is written, so listing the formats (the CLI builds its
parser on every start) stays cheap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from vpkp_tutor.domain.model import ContentBank
    from vpkp_tutor.export.record import LearnerData

Writer = Callable[["LearnerData", "ContentBank", Path, dt.datetime], Path]
"""Writes one learner's export at the path; returns the main file written."""
Part = tuple["LearnerData", "ContentBank"]
"""A learner's data in one course and that course's content."""
CoursesWriter = Callable[[Iterable[Part], Path, dt.datetime], Path]
"""Writes one learner's export over several courses (one part after another) at the path;
returns the main file written."""


def _one_file(path: Path) -> tuple[Path, ...]:
    return (path,)


class ExportFormat(NamedTuple):
    """One export format."""

    name: str
    """What `--format` takes and the TUI passes back (`csv`)."""
    label: str
    """What the export dialog shows."""
    suffix: str
    """The file name ending the dialog proposes (`.csv`)."""
    about: str
    """One phrase for `vpkp-tutor export --help`."""
    write: Writer
    outputs: Callable[[Path], tuple[Path, ...]] = _one_file
    """Every file an export at a path writes, checked before anything is written."""
    write_courses: CoursesWriter | None = None
    """Writes several courses into one export (None: the format holds one course)."""


def _write_csv(data: LearnerData, bank: ContentBank, path: Path, when: dt.datetime) -> Path:
    from vpkp_tutor.export.csv_export import write_csv

    return write_csv(data, bank, path)[0]


def _csv_outputs(path: Path) -> tuple[Path, ...]:
    from vpkp_tutor.export.csv_export import summary_path

    return (path, summary_path(path))


def _write_csv_courses(parts: Iterable[Part], path: Path, when: dt.datetime) -> Path:
    from vpkp_tutor.export.csv_export import write_csv_courses

    return write_csv_courses(parts, path)[0]


def _write_xapi_courses(parts: Iterable[Part], path: Path, when: dt.datetime) -> Path:
    from vpkp_tutor.export.xapi import write_xapi_courses

    return write_xapi_courses(parts, path)


def _write_xapi_lines_courses(parts: Iterable[Part], path: Path, when: dt.datetime) -> Path:
    from vpkp_tutor.export.xapi import write_xapi_lines_courses

    return write_xapi_lines_courses(parts, path)


def _write_json(data: LearnerData, bank: ContentBank, path: Path, when: dt.datetime) -> Path:
    from vpkp_tutor.export.json_export import write_json

    return write_json(data, bank, path, when)


def _write_xapi(data: LearnerData, bank: ContentBank, path: Path, when: dt.datetime) -> Path:
    from vpkp_tutor.export.xapi import write_xapi

    return write_xapi(data, bank, path)


def _write_xapi_lines(data: LearnerData, bank: ContentBank, path: Path,
                      when: dt.datetime) -> Path:
    from vpkp_tutor.export.xapi import write_xapi_lines

    return write_xapi_lines(data, bank, path)


FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("csv", "CSV (responses + summary)", ".csv",
                 "one row per response, plus `<stem>-summary.csv` with one row per topic",
                 _write_csv, _csv_outputs, _write_csv_courses),
    ExportFormat("json", "JSON", ".json", "the full record (for `report`)", _write_json),
    ExportFormat("xapi", "xAPI statements (JSON array)", ".xapi.json",
                 "xAPI 1.0.3 statements as one JSON array (what an LRS takes in a POST)",
                 _write_xapi, write_courses=_write_xapi_courses),
    ExportFormat("xapi-lines", "xAPI statements (JSON lines)", ".xapi.jsonl",
                 "xAPI 1.0.3 statements, one per line", _write_xapi_lines,
                 write_courses=_write_xapi_lines_courses),
)
"""Every export format, the default first."""

NAMES: tuple[str, ...] = tuple(f.name for f in FORMATS)
"""The format names, in order."""


def export_format(name: str) -> ExportFormat:
    """The format called `name`; ValueError naming the choices when there is none."""
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise ValueError(f"unknown export format {name!r}; choose one of {', '.join(NAMES)}")
