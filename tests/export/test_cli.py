"""`vpkp-tutor locate | export | report`: output, clear errors, and no Textual import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.export.conftest import populate
from vpkp_tutor.cli import main


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    p = populate(tmp_path / "data", name="Ana")
    p.services.store.close()
    return tmp_path / "data"


def test_locate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VPKP_TUTOR_DATA", str(tmp_path / "env"))
    assert main(["locate"]) == 0
    out = capsys.readouterr().out
    assert f"data:     {tmp_path / 'env'}   [from VPKP_TUTOR_DATA]" in out
    assert "progress.sqlite3  (not created yet)" in out and "backups:" in out
    assert main(["--data-dir", str(tmp_path / "flag"), "locate"]) == 0
    assert "[from --data-dir]" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["csv", "json", "xapi"])
def test_export_each_format(data_dir: Path, tmp_path: Path, fmt: str,
                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"ana.{fmt}"
    code = main(["--data-dir", str(data_dir), "export", "--learner", "ana", "--format", fmt,
                 "-o", str(out)])
    assert code == 0 and out.exists()
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed
    if fmt == "csv":
        assert (tmp_path / "ana-summary.csv").exists() and "ana-summary.csv" in printed


def test_global_learner_is_used(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    assert main(["--data-dir", str(data_dir), "--learner", "Ana", "export", "--format", "json",
                 "-o", str(out)]) == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "--learner", "Zed", "--format", "csv", "-o", "{tmp}/x.csv"],
         "no learner with id or name 'Zed' (learners: Ana)"),
        (["export", "--format", "csv", "-o", "{tmp}/x.csv"], "--learner ID|NAME"),
        (["export", "--learner", "Ana", "--format", "csv", "-o", "{tmp}/nope/x.csv"],
         "the folder {tmp}/nope does not exist"),
        (["export", "--learner", "Ana", "--format", "json", "-o", "{tmp}"], "is a directory"),
    ],
)
def test_export_errors_are_one_line(data_dir: Path, tmp_path: Path, argv: list[str],
                                    message: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(["--data-dir", str(data_dir), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vpkp-tutor: error: ") and err.count("\n") == 1
    assert message.replace("{tmp}", str(tmp_path)) in err
    assert "Traceback" not in err


def test_export_without_any_progress(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path / "empty"), "export", "--learner", "x",
                 "--format", "csv", "-o", str(tmp_path / "x.csv")]) == 2
    assert "no progress stored yet" in capsys.readouterr().err


def test_report(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "ana.json"
    assert main(["--data-dir", str(data_dir), "export", "--learner", "Ana", "--format", "json",
                 "-o", str(export)]) == 0
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    assert main(["report", str(export), str(export)]) == 0
    out = capsys.readouterr().out
    assert "Cohort report: 1 learner, 7 duplicate responses counted once" in out
    assert "Most-missed items" in out and "Cases ended by a critical error" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ana.json", "data"]  # no file
    assert "wrote" not in out
    assert main(["report", str(export), "-o", "cohort.csv"]) == 0
    assert (tmp_path / "cohort.csv").exists() and "wrote cohort.csv" in capsys.readouterr().out


def test_report_without_output_prints_only(data_dir: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "ana.json"
    assert main(["--data-dir", str(data_dir), "export", "--learner", "Ana", "--format", "json",
                 "-o", str(export)]) == 0
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["report", str(export)]) == 0
    assert "Cohort report: 1 learner" in capsys.readouterr().out
    assert list(work.iterdir()) == []


def test_existing_output_needs_force(data_dir: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ana.json"
    out.write_text("keep me", encoding="utf-8")
    argv = ["--data-dir", str(data_dir), "export", "--learner", "Ana", "--format", "json",
            "-o", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--force" in err and err.count("\n") == 1
    assert out.read_text(encoding="utf-8") == "keep me"
    assert main([*argv, "--force"]) == 0
    assert out.read_text(encoding="utf-8").startswith("{")
    report = tmp_path / "cohort.csv"
    report.write_text("old", encoding="utf-8")
    assert main(["report", str(out), "-o", str(report)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert report.read_text(encoding="utf-8") == "old"
    assert main(["report", str(out), "-o", str(report), "--force"]) == 0
    assert report.read_text(encoding="utf-8").startswith("learner_id,")
    before = out.read_bytes()
    assert main(["report", str(out), "-o", str(out), "--force"]) == 2  # an input
    assert "one of the exports being read" in capsys.readouterr().err and out.read_bytes() == before


@pytest.mark.parametrize("name", ["progress.sqlite3", "progress.sqlite3-wal",
                                  "progress.sqlite3-shm", "backups/daily.sqlite3", "backups"])
@pytest.mark.parametrize("fmt", ["csv", "json", "xapi"])
def test_export_onto_the_database_is_refused(data_dir: Path, name: str, fmt: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (data_dir / "backups").mkdir(exist_ok=True)
    for extra in ("progress.sqlite3-wal", "progress.sqlite3-shm", "backups/daily.sqlite3"):
        if not (data_dir / extra).exists():
            (data_dir / extra).write_bytes(b"x" * 10)
    kept = [data_dir / "progress.sqlite3", data_dir / "backups/daily.sqlite3"]
    before = [p.read_bytes() for p in kept]
    for force in ([], ["--force"]):
        assert main(["--data-dir", str(data_dir), "export", "--learner", "Ana", "--format",
                     fmt, "-o", str(data_dir / name), *force]) == 2
        err = capsys.readouterr().err
        assert "progress database" in err and "Traceback" not in err
    assert [p.read_bytes() for p in kept] == before
    # SQLite itself folds and removes a -wal/-shm on close; no export ever lands there
    for p in data_dir.rglob("*"):
        if p.is_file():
            assert not p.read_bytes().startswith((b"{", b"learner_id", b'{"id"')), p
    assert not any(p.name.endswith(".part") for p in data_dir.rglob("*"))


def test_links_to_the_database_are_refused(data_dir: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    db = data_dir / "progress.sqlite3"
    before = db.read_bytes()
    hard = tmp_path / "hard.json"
    os.link(db, hard)
    soft = tmp_path / "soft.json"
    soft.symlink_to(db)
    relative = tmp_path / "x" / ".." / "data" / "progress.sqlite3"
    (tmp_path / "x").mkdir()
    for target in (hard, soft, relative):
        assert main(["--data-dir", str(data_dir), "export", "--learner", "Ana", "--format",
                     "json", "-o", str(target), "--force"]) == 2
        assert "progress database" in capsys.readouterr().err
    assert main(["--data-dir", str(data_dir), "report", str(hard), "-o", str(db)]) == 2
    assert db.read_bytes() == before


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
        data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from vpkp_tutor.export import files

    out = tmp_path / "ana.json"
    out.write_bytes(b"old bytes\r\n")

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files.os, "fsync", broken_fsync)
    assert main(["--data-dir", str(data_dir), "export", "--learner", "Ana", "--format", "json",
                 "-o", str(out), "--force"]) == 2
    assert "Input/output error" in capsys.readouterr().err
    assert out.read_bytes() == b"old bytes\r\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ana.json", "data"]


def test_report_on_a_malformed_file(tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "vpkp-tutor/learner-export"}), encoding="utf-8")
    assert main(["report", str(bad), "-o", str(tmp_path / "c.csv")]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: top level: missing field 'format_version'" in err
    assert not (tmp_path / "c.csv").exists()


def test_export_does_not_import_textual(data_dir: Path, tmp_path: Path) -> None:
    """Run the real entry point with import tracing and look for Textual among the imports."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "vpkp_tutor", "--data-dir", str(data_dir), "export",
         "--learner", "Ana", "--format", "xapi", "-o", str(tmp_path / "x.jsonl")],
        capture_output=True, text=True, timeout=60, check=False, env=env)
    assert proc.returncode == 0, proc.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:")]
    assert "vpkp_tutor.export.xapi" in imported
    assert not [m for m in imported if m.split(".")[0] in {"textual", "textual_plotext"}]
