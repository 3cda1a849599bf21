"""The command line: validate, schema, and what it imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from vpkp_tutor.cli import main

ROOT = Path(__file__).resolve().parents[1]
ERRORS = ROOT / "tests" / "data" / "errors"


def test_validate_three_mistakes_prints_three_located_errors(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code = main(["validate", "tests/data/errors/three_mistakes.yaml",
                 "tests/data/errors/_lesson_ok.yaml"])
    out = capsys.readouterr().out.splitlines()
    errors = [line for line in out if ": error: " in line]
    assert code == 1
    assert errors == [
        "tests/data/errors/three_mistakes.yaml:14:10: error: 'E' is not one of this "
        "question's options (A–C)",
        "tests/data/errors/three_mistakes.yaml:29:5: error: unknown field 'referencs' "
        "(did you mean 'references'?)",
        "tests/data/errors/three_mistakes.yaml:42:11: error: expected a list, got 'yes' "
        "(write items on '- ' lines or as [a, b])",
    ]
    assert out[-1].startswith("checked 2 files: 1 lesson, 0 questions and 0 cases loaded; "
                              "3 errors, 0 warnings")


def test_validate_clean_file_exits_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lesson = (ERRORS / "_lesson_ok.yaml").read_text().replace("    checks: [fix-q001]\n", "")
    (tmp_path / "l.yaml").write_text(lesson)
    code = main(["validate", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "1 lesson" in out and "0 errors, 1 warning" in out


def test_validate_missing_path_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "/no/such/place.yaml"]) == 1
    assert "/no/such/place.yaml: error: no such file or folder" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["lesson", "questions", "case"])
def test_schema_is_json_schema_for_each_kind(
    kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", kind]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["properties"]["kind"]["const"] == {"questions": "questions"}.get(kind, kind)
    assert schema["additionalProperties"] is False


def test_validate_and_schema_never_import_textual() -> None:
    code = (
        "import sys\n"
        "from vpkp_tutor.cli import main\n"
        "main(['validate', 'tests/data/errors/_lesson_ok.yaml'])\n"
        "main(['schema', 'case'])\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'textual_plotext')]\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_python_dash_m_runs(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "vpkp_tutor", "--version"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith("vpkp-tutor ")
