"""The export-format registry is the one list: the CLI's choices and help, the TUI dialog's
choices and the docs all follow it, and each entry writes the files it says it writes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tests.export.conftest import populate
from vpkp_tutor.cli import main
from vpkp_tutor.export import ExportError, output_paths, write_learner_export
from vpkp_tutor.export.formats import FORMATS, NAMES, export_format

ROOT = Path(__file__).resolve().parents[2]


def test_names_are_unique_and_suffixes_distinct() -> None:
    assert len(set(NAMES)) == len(NAMES) == len(FORMATS)
    assert len({f.suffix for f in FORMATS}) == len(FORMATS)
    with pytest.raises(ValueError, match="choose one of csv, json, xapi"):
        export_format("pdf")
    with pytest.raises(ExportError, match="unknown export format 'pdf'"):
        output_paths("pdf", Path("x"))


@pytest.mark.parametrize("fmt", FORMATS, ids=NAMES)
def test_each_format_writes_what_it_lists(tmp_path: Path, fmt: object) -> None:
    from vpkp_tutor.export.formats import ExportFormat

    assert isinstance(fmt, ExportFormat)
    populated = populate(tmp_path / "data", name="Ana")
    services = populated.services
    try:
        target = tmp_path / f"out{fmt.suffix}"
        written = write_learner_export(
            services.learner_data(populated.learner_id), services.content, fmt.name, target,
            dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    finally:
        services.store.close()
    assert written == target
    listed = fmt.outputs(target)
    assert listed[0] == target
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == sorted(
        p.name for p in listed)
    assert all(p.stat().st_size > 0 for p in listed)


def test_the_cli_offers_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--help"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert f"--format {{{','.join(NAMES)}}}" in shown
    assert all(f"{f.name}: {f.about}" in shown for f in FORMATS)


def test_the_docs_list_the_registry() -> None:
    for doc in ("README.md", "docs/progress-and-exports.md"):  # no list to keep up to date
        text = (ROOT / doc).read_text(encoding="utf-8")
        assert set(re.findall(r"--format (\S+) ", text)) == {"FORMAT"}, doc
    text = (ROOT / "docs/progress-and-exports.md").read_text(encoding="utf-8")
    table = text.split("<!-- export formats:", 1)[1].split("\n\n", 1)[0].splitlines()[3:]
    assert table == [f"| `{f.name}` | {f.label} | `{f.suffix}` | {f.about} |"
                     for f in FORMATS]
