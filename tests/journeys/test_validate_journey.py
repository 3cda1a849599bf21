"""The educator's single-file check: `vpkp-tutor validate lessons/anatomy.yaml` on the
untouched bundle says 0 errors; one field broken in a copy of the bundle gives exactly that
one error, located; and the JSON Schemas the files' editor modelines name are shipped where
they point, identical to what `vpkp-tutor schema` prints."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)


def vpkp(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "vpkp_tutor", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_validating_one_bundled_file_reports_no_errors() -> None:
    """Checked against the bundle, a bundled file has no problems of its own; the content
    lint may only add its warnings (VP5xx: e.g. a textbook cited with neither url nor doi)."""
    done = vpkp(ROOT, "validate", "--no-lint", "lessons/anatomy.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == (
        "checked 1 file: 1 lesson, 0 questions and 0 cases loaded; 0 errors, 0 warnings")
    assert done.stderr == ""
    linted = vpkp(ROOT, "validate", "lessons/anatomy.yaml")
    assert linted.returncode == 0 and linted.stderr == ""
    *problems, summary = linted.stdout.splitlines()
    assert summary.startswith("checked 1 file: 1 lesson, 0 questions and 0 cases loaded; "
                              "0 errors")
    assert all(": warning: " in p and "[VP5" in p for p in problems), problems


def test_one_broken_field_gives_exactly_one_located_error(tmp_path: Path) -> None:
    for folder in ("lessons", "question_bank"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    lesson = tmp_path / "lessons" / "anatomy.yaml"
    lines = lesson.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if "checks: [anat-q015," in line)
    lines[n] = lines[n].replace("anat-q015", "anat-q915")  # a check naming no question
    lesson.write_text("".join(lines), encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.yaml")}

    done = vpkp(tmp_path, "validate", "lessons/anatomy.yaml")
    errors = [line for line in done.stdout.splitlines() if ": error: " in line]
    assert errors == [f"lessons/anatomy.yaml:{n + 1}:14: error: check names no question: "
                      "'anat-q915' [VP402 unknown-reference]"], done.stdout
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.yaml")} == before


def _modelines() -> list[tuple[Path, Path]]:
    """(content file, the schema file its modeline names) for every bundled file."""
    found = []
    for path in sorted([*ROOT.glob("lessons/**/*.yaml"), *ROOT.glob("question_bank/**/*.yaml")]):
        match = MODELINE.search(path.read_text(encoding="utf-8"))
        if match:
            found.append((path, (path.parent / match.group(1)).resolve()))
    return found


def test_modelines_point_at_shipped_schemas() -> None:
    pairs = _modelines()
    assert pairs, "no bundled file names a schema"
    for path, schema in pairs:
        assert schema.is_file(), f"{path.relative_to(ROOT)} names {schema}, which is missing"
    kinds = {"lesson": "lesson", "questions": "questions", "case": "case"}
    for path, schema in pairs:  # each file names the schema of its own kind
        kind = re.search(r"^kind: (\w+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
        assert kind is not None and schema.name == f"{kinds[kind.group(1)]}.json", path


@pytest.mark.parametrize("kind", ["lesson", "questions", "case", "course"])
def test_shipped_schema_is_what_the_cli_prints(kind: str) -> None:
    done = vpkp(ROOT, "schema", kind)
    assert done.returncode == 0, done.stderr
    shipped = ROOT / "schemas" / f"{kind}.json"
    assert shipped.read_bytes() == done.stdout.encode(), (
        f"schemas/{kind}.json is out of date: run `vpkp-tutor schema {kind} -o {shipped}`")
