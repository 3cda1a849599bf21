"""Headless exports shared by the CLI and the TUI: CSV, JSON, xAPI and the cohort report.

`write_learner_export(data, bank, fmt, path)` is the one entry point for a learner's export;
`vpkp_tutor.export.cohort.build_report` merges JSON exports for program directors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from vpkp_tutor.domain.model import ContentBank
from vpkp_tutor.export.files import ExportError, OutputExists, check_outputs
from vpkp_tutor.export.record import LearnerData

FORMATS = ("csv", "json", "xapi")
"""Export formats by name."""


def output_paths(fmt: str, path: Path) -> tuple[Path, ...]:
    """The files an export in `fmt` at `path` writes (CSV: the responses and the summary)."""
    if fmt == "csv":
        from vpkp_tutor.export.csv_export import summary_path

        return (Path(path), summary_path(Path(path)))
    return (Path(path),)


def write_learner_export(data: LearnerData, bank: ContentBank, fmt: str, path: Path,
                         exported_at: dt.datetime | None = None, *,
                         protected: tuple[Path, ...] = (), overwrite: bool = False) -> Path:
    """Write one learner's export; return the path written (for CSV, the responses file —
    the summary sits beside it as `<stem>-summary.csv`). Every file it would write is
    checked first (`files.check_output`): none may be, or be inside, a `protected` path,
    and none may exist unless `overwrite`. Raises ExportError or OutputExists."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    check_outputs(output_paths(fmt, path), protected, overwrite)
    when = exported_at or dt.datetime.now(dt.UTC)
    if fmt == "csv":
        from vpkp_tutor.export.csv_export import write_csv

        return write_csv(data, bank, path)[0]
    if fmt == "json":
        from vpkp_tutor.export.json_export import write_json

        return write_json(data, bank, path, when)
    if fmt == "xapi":
        from vpkp_tutor.export.xapi import write_xapi

        return write_xapi(data, bank, path)
    raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "ExportError", "LearnerData", "OutputExists", "output_paths",
           "write_learner_export"]
