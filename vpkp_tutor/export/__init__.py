"""Headless exports shared by the CLI and the TUI: the learner export formats (CSV, JSON,
xAPI; listed in `formats.FORMATS`) and the cohort report.

`write_learner_export(data, bank, fmt, path)` is the one entry point for a learner's export;
`vpkp_tutor.export.cohort.build_report` merges JSON exports for program directors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vpkp_tutor.export.files import ExportError, OutputExists, check_outputs
from vpkp_tutor.export.formats import FORMATS, ExportFormat, export_format

if TYPE_CHECKING:
    from vpkp_tutor.domain.model import ContentBank
    from vpkp_tutor.export.record import LearnerData



def output_paths(fmt: str, path: Path) -> tuple[Path, ...]:
    """The files an export in `fmt` at `path` writes (CSV: the responses and the summary).
    Raises ExportError for an unknown format."""
    try:
        return export_format(fmt).outputs(Path(path))
    except ValueError as exc:
        raise ExportError(str(exc)) from None


def write_learner_export(data: LearnerData, bank: ContentBank, fmt: str, path: Path,
                         exported_at: dt.datetime | None = None, *,
                         protected: tuple[Path, ...] = (), overwrite: bool = False) -> Path:
    """Write one learner's export in the format named `fmt` (see `formats.FORMATS`); return
    the path written (for CSV, the responses file — the summary sits beside it as
    `<stem>-summary.csv`). Every file it would write is checked first
    (`files.check_output`): none may be, or be inside, a `protected` path, and none may
    exist unless `overwrite`. Raises ExportError or OutputExists."""
    check_outputs(output_paths(fmt, path), protected, overwrite)
    return export_format(fmt).write(data, bank, Path(path),
                                    exported_at or dt.datetime.now(dt.UTC))


def write_learner_exports(parts: Sequence[Callable[[], tuple[LearnerData, ContentBank]]],
                          fmt: str, path: Path, exported_at: dt.datetime | None = None, *,
                          protected: tuple[Path, ...] = (), overwrite: bool = False) -> Path:
    """Write one learner's export over several courses into one file (CSV: one responses
    file and one summary; xAPI: one set of statements), every row or statement naming its
    course. Each part, called in turn as the file is written, gives the learner's data in
    one course and that course's content. A format that holds one course (JSON, which the
    cohort report reads per course) refuses several (ExportError); otherwise as
    `write_learner_export`."""
    form = export_format_or_error(fmt)
    when = exported_at or dt.datetime.now(dt.UTC)
    if len(parts) > 1 and form.write_courses is None:
        raise ExportError(f"a {fmt} export holds one course (the cohort report reads one "
                          f"course per file): export each course with its own --content, "
                          "or choose csv, xapi or xapi-lines, which keep the courses apart "
                          "in one file")
    check_outputs(output_paths(fmt, path), protected, overwrite)
    if len(parts) == 1:
        return form.write(*parts[0](), Path(path), when)
    assert form.write_courses is not None
    return form.write_courses((part() for part in parts), Path(path), when)


def export_format_or_error(fmt: str) -> ExportFormat:
    """The format called `fmt`; ExportError naming the choices when there is none."""
    try:
        return export_format(fmt)
    except ValueError as exc:
        raise ExportError(str(exc)) from None


__all__ = ["FORMATS", "ExportError", "ExportFormat", "OutputExists",
           "export_format", "output_paths", "write_learner_export", "write_learner_exports"]
