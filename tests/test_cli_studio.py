"""`validate --format/--strict` and `new` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpkp_tutor.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_format_gives_every_problem_with_its_code(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = _run(capsys, "validate", "--format", "json",
                        "tests/data/errors/three_mistakes.yaml", "tests/data/errors/_lesson_ok.yaml")
    data = json.loads(out)
    assert code == 1 and data["errors"] == 3
    assert [(p["line"], p["code"], p["name"]) for p in data["problems"]] == [
        (14, "VP301", "key-not-an-option"), (29, "VP204", "unknown-field"),
        (42, "VP205", "wrong-type")]
    assert data["problems"][0]["path"] == "tests/data/errors/three_mistakes.yaml"


def test_github_format_is_annotations(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = _run(capsys, "validate", "--format", "github",
                        "tests/data/errors/three_mistakes.yaml", "tests/data/errors/_lesson_ok.yaml")
    lines = out.splitlines()
    assert code == 1
    assert lines[0] == ("::error file=tests/data/errors/three_mistakes.yaml,line=14,col=10,"
                        "title=VP301 key-not-an-option::'E' is not one of this question's "
                        "options (A–C)")
    assert lines[-1].startswith("checked 2 files")


def test_strict_makes_lint_warnings_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    course = tmp_path / "c"
    (course / "lessons").mkdir(parents=True)
    (course / "question_bank").mkdir()
    assert _run(capsys, "new", "lesson", str(course / "lessons" / "l.yaml"),
                "--topic", "anatomy")[0] == 0
    q = course / "question_bank" / "q.yaml"
    assert _run(capsys, "new", "question", str(q))[0] == 0
    q.write_text(q.read_text(encoding="utf-8").replace(
        "Replace with option D", "Replace with option D, which is always wrong"),
        encoding="utf-8")
    code, out, _ = _run(capsys, "validate", str(q))
    assert code == 0 and "warning:" in out and "[VP506 absolute-distractors]" in out
    code, out, _ = _run(capsys, "validate", "--strict", str(q))
    assert code == 1 and "error:" in out and "1 error, 0 warnings" in out


def test_new_refuses_to_overwrite_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "x.yaml"
    target.write_text("mine\n", encoding="utf-8")
    code, _, err = _run(capsys, "new", "lesson", str(target))
    assert code == 2 and "already exists" in err and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "mine\n"
    code, _, err = _run(capsys, "new", "question", str(tmp_path / "y.yaml"), "--type", "nope")
    assert code == 2 and "'nope' is not a question type" in err
    assert not (tmp_path / "y.yaml").exists()


def test_watch_rechecks_a_changed_file(tmp_path: Path) -> None:
    import os
    import selectors
    import subprocess
    import sys
    import time

    course = tmp_path / "c"
    (course / "lessons").mkdir(parents=True)
    (course / "question_bank").mkdir()
    from vpkp_tutor.content.scaffold import write_new

    write_new("lesson", course / "lessons" / "l.yaml", topic="anatomy")
    q = course / "question_bank" / "q.yaml"
    write_new("question", q)
    exe = Path(sys.executable).with_name("vpkp-tutor")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([str(exe), "validate", "--watch", "question_bank"], cwd=course,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    sel = selectors.DefaultSelector()
    assert proc.stdout is not None
    sel.register(proc.stdout, selectors.EVENT_READ)
    seen: list[str] = []

    pending = [b""]

    def until(text: str) -> None:
        # raw reads: a buffered readline could keep a second line where select cannot see it
        deadline = time.monotonic() + 20
        while not any(text in line for line in seen):
            assert time.monotonic() < deadline, f"no {text!r} in {seen}"
            if sel.select(timeout=0.2):
                chunk = os.read(proc.stdout.fileno(), 65536)  # type: ignore[union-attr]
                *lines, pending[0] = (pending[0] + chunk).split(b"\n")
                seen.extend(line.decode("utf-8", "replace") for line in lines)

    try:
        until("watching for changes")
        assert any("0 errors" in line for line in seen)
        q.write_text(q.read_text(encoding="utf-8").replace("key: A ", "key: F "),
                     encoding="utf-8")
        until("changed: question_bank/q.yaml")
        until("1 error")
        assert any("[VP301 key-not-an-option]" in line for line in seen)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
