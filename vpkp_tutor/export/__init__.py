"""Headless exports shared by the CLI and the TUI: CSV, JSON, xAPI and the cohort report.

`write_learner_export(data, bank, fmt, path)` is the one entry point for a learner's export;
`vpkp_tutor.export.cohort.build_report` merges JSON exports for program directors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from vpkp_tutor.domain.model import ContentBank
from vpkp_tutor.export.files import ExportError
from vpkp_tutor.export.record import LearnerData

FORMATS = ("csv", "json", "xapi")
"""Export formats by name."""


def write_learner_export(data: LearnerData, bank: ContentBank, fmt: str, path: Path,
                         exported_at: dt.datetime | None = None) -> Path:
    """Write one learner's export; return the path written (for CSV, the responses file —
    the summary sits beside it as `<stem>-summary.csv`). Raises ExportError."""
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


__all__ = ["FORMATS", "ExportError", "LearnerData", "write_learner_export"]
