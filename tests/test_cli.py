"""The command line: validate, schema, and what it imports."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from vpkp_tutor import cli
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
        "question's options (A–C) [VP301 key-not-an-option]",
        "tests/data/errors/three_mistakes.yaml:29:5: error: unknown field 'referencs' "
        "(did you mean 'references'?) [VP204 unknown-field]",
        "tests/data/errors/three_mistakes.yaml:42:11: error: expected a list, got 'yes' "
        "(write items on '- ' lines or as [a, b]) [VP205 wrong-type]",
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
    assert ("/no/such/place.yaml: error: no such file or folder [VP001 unreadable-file]"
            in capsys.readouterr().err)  # (coded, as every other problem)


@pytest.mark.parametrize("kind", ["lesson", "questions", "case"])
def test_schema_is_json_schema_for_each_kind(
    kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", kind]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["properties"]["kind"]["const"] == {"questions": "questions"}.get(kind, kind)
    assert schema["additionalProperties"] is False


def test_schema_replaces_its_own_file_and_no_other_without_force(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "schemas" / "lesson.json"
    assert main(["schema", "lesson", "-o", str(out)]) == 0  # its folder is created
    assert main(["schema", "questions", "-o", str(out)]) == 0  # a schema it wrote: replaced
    assert json.loads(out.read_text(encoding="utf-8"))["title"] == "VP/KP Tutor questions file"
    precious = tmp_path / "notes.json"
    precious.write_text("precious\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["schema", "lesson", "-o", str(precious)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "give --force to replace it" in err
    assert precious.read_text(encoding="utf-8") == "precious\n"
    assert main(["schema", "lesson", "-o", str(precious), "--force"]) == 0
    assert json.loads(precious.read_text(encoding="utf-8"))["title"] == "VP/KP Tutor lesson file"


def test_schema_and_export_items_say_plainly_when_the_output_is_a_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder given as -o is named as one at once (it was "exists already; give --force",
    then with --force "Is a directory"), and a file in the way of the path as that."""
    folder = tmp_path / "out"
    folder.mkdir()
    (tmp_path / "notes").write_text("x", encoding="utf-8")
    for args in (["schema", "case", "-o", str(folder)],
                 ["schema", "case", "-o", str(folder), "--force"],
                 ["export-items", str(Path(__file__).resolve().parents[1] / "question_bank" / "anatomy.yaml"), "--format",
                  "gift", "-o", str(folder), "--force"]):
        capsys.readouterr()
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"-o {folder}: is a folder" in err, err
    assert main(["schema", "case", "-o", str(tmp_path / "notes" / "x.json")]) == 2
    assert "a part of the path is a file, not a folder" in capsys.readouterr().err
    assert list(folder.iterdir()) == []


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


# -- global options before or after the command ------------------------------------------

@pytest.fixture
def populated_dir(tmp_path: Path) -> tuple[Path, str]:
    from tests.export.conftest import populate

    p = populate(tmp_path / "data", name="Ada")
    p.services.store.close()
    return tmp_path / "data", p.learner_id


@pytest.mark.parametrize("where", ["before", "after", "mixed"])
def test_global_options_work_before_or_after_the_command(
    populated_dir: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    where: str,
) -> None:
    data, _ = populated_dir
    out = tmp_path / "ada.json"
    options = ["--data-dir", str(data), "--learner", "Ada"]
    export = ["export", "--format", "json", "-o", str(out)]
    argv = {"before": [*options, *export], "after": [*export, *options],
            "mixed": [options[0], options[1], *export, *options[2:]]}[where]
    assert main(argv) == 0, capsys.readouterr().err
    assert json.loads(out.read_text())["learner"]["display_name"] == "Ada"
    assert main(["locate", "--data-dir", str(data)]) == 0
    assert f"data:     {data}   [from --data-dir]" in capsys.readouterr().out


def test_an_option_after_the_command_wins_and_a_value_before_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(tmp_path / "a"), "locate", "--data-dir",
                 str(tmp_path / "b")]) == 0
    assert f"data:     {tmp_path / 'b'}   " in capsys.readouterr().out
    assert main(["--data-dir", str(tmp_path / "a"), "config", "theme"]) == 0  # not overwritten
    assert main(["--data-dir", str(tmp_path / "a"), "config", "theme", "nord"]) == 0
    assert (tmp_path / "a" / "progress.sqlite3").exists()
    # --content is a list: a path before the command is not replaced by one after it
    assert main(["--content", "/no/such/before", "locate", "--content", str(tmp_path)]) == 2
    assert "--content /no/such/before: no such file or folder" in capsys.readouterr().err


def test_help_names_the_global_options_on_every_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for command in ("validate", "schema", "locate", "export", "report", "recover", "config",
                    "bindings"):
        assert main([command, "--help"]) == 0
        text = capsys.readouterr().out
        assert "--data-dir DIR" in text and "--content PATH" in text and "--learner" in text


# -- a --content path that does not exist --------------------------------------------------

def test_missing_content_path_is_an_error_before_the_app_opens(tmp_path: Path) -> None:
    """Run as a process (with a time limit): before, the app opened on empty content."""
    data = tmp_path / "data"
    code = ("import sys\nfrom vpkp_tutor.cli import main\n"
            f"sys.exit(main(['--data-dir', {str(data)!r}, '--content', {str(tmp_path)!r}, "
            "'--content', '/no/such/dir']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=20)
    assert done.returncode == 2
    assert done.stderr == "vpkp-tutor: error: --content /no/such/dir: no such file or folder\n"
    assert not data.exists()  # nothing was opened or created


# -- escape sequences never reach the terminal ---------------------------------------------

TITLE = "\x1b]0;title\x07"
RED = "\x1b[31m"


def assert_clean(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text, repr(text)


def test_hostile_file_names_are_printed_visibly_by_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / f"{TITLE}{RED}q.yaml").write_text("kind: questions\nquestions: [\n")
    assert main(["validate", str(tmp_path), f"/no/such/{TITLE}{RED}.yaml"]) == 1
    out, err = capsys.readouterr()
    assert_clean(out + err)
    assert "\\x1b]0;title\\x07\\x1b[31mq.yaml:" in out
    assert "/no/such/\\x1b]0;title\\x07\\x1b[31m.yaml: error: no such file or folder" in err


def test_hostile_names_in_report_config_and_export_errors(
    populated_dir: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    data, learner_id = populated_dir
    bad = tmp_path / f"{TITLE}{RED}.json"
    bad.write_text("{not json")
    assert main(["report", str(bad), "-o", str(tmp_path / "c.csv")]) == 2
    db = sqlite3.connect(data / "progress.sqlite3")
    db.execute("UPDATE learner SET display_name = ? WHERE id = ?", (f"Ada{TITLE}{RED}",
                                                                      learner_id))
    db.execute("INSERT INTO setting VALUES ('theme', ?)", (f"nord{TITLE}{RED}",))
    db.commit()
    db.close()
    assert main(["--data-dir", str(data), "config"]) == 0
    assert main(["--data-dir", str(data), "config", "theme"]) == 0
    assert main(["--data-dir", str(data), "export", "--learner", "Bob", "--format", "csv",
                 "-o", str(tmp_path / "x.csv")]) == 2
    assert main([f"{TITLE}{RED}"]) == 2  # argparse: invalid choice
    out, err = capsys.readouterr()
    assert_clean(out + err)
    assert "\\x1b]0;title\\x07\\x1b[31m.json" in err
    assert "nord\\x1b]0;title\\x07\\x1b[31m  (not used" in out


def test_printable_shows_every_unsafe_character_visibly() -> None:
    from vpkp_tutor.terminal_text import printable

    assert printable("a\tb\nc") == "a\tb\nc"
    assert printable(f"{TITLE}{RED}x\x9b1m\u202eevil\x00\x7f") == (
        "\\x1b]0;title\\x07\\x1b[31mx\\x9b1m\\u202eevil\\x00\\x7f")
    assert printable("caf\udce9.yaml \ud800") == "caf\\xe9.yaml \ufffd"
    assert printable("Ünïcode – ok") == "Ünïcode – ok"


@pytest.mark.parametrize("command", [["locate"], ["learners"], ["config"], []])
def test_a_data_dir_that_is_empty_or_not_a_folder_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    for value, message in (("", "--data-dir: an empty path names no folder"),
                           (str(a_file), f"in {a_file}: it is a file, not a folder")):
        assert main(["--data-dir", value, *command]) == 2
        err = capsys.readouterr().err
        assert err.startswith("vpkp-tutor: error: ") and message in err, err
        assert err.count("\n") == 1
    assert a_file.read_text() == "mine"


@pytest.mark.parametrize("argv", [
    [], ["--learner", "Ana"], ["--data-dir", "/tmp/d", "--content", "a", "--content", "b"],
    ["--learner", "validate"], ["--learner=report", "--data-dir=/tmp/x"],
])
def test_opening_the_app_parses_without_building_every_command(argv, monkeypatch):
    """Starting the app (no command) is parsed by the top-level options alone — every
    command's parser is not built — and gives what the full parser gives."""
    full = cli.build_parser().parse_args(argv)

    def not_built() -> None:
        raise AssertionError("every command's parser was built to open the app")

    monkeypatch.setattr(cli, "build_parser", not_built)
    assert vars(cli._parse(argv)) == vars(full)


@pytest.mark.parametrize("argv", [["validate"], ["--help"], ["bogus"], ["--learner"],
                                  ["--learner", "Ana", "export", "--format", "csv"]])
def test_anything_but_opening_the_app_is_parsed_by_every_command(argv):
    """A command, --help or a usage error goes to the full parser (its messages and
    choices), never to the top level alone."""
    calls = []
    real = cli.build_parser

    def counted() -> object:
        calls.append(1)
        return real()

    import unittest.mock
    with unittest.mock.patch.object(cli, "build_parser", counted), \
            contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        cli._parse(argv)
    assert calls == [1]
